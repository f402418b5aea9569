package io.tributary.driver.postgres;

import io.tributary.core.BackfillMsgFn;
import io.tributary.core.CdcMsgFn;
import io.tributary.core.ChangeStreamMode;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverConfig;
import io.tributary.core.DriverInterface;
import io.tributary.core.filter.Filter;
import io.tributary.core.state.State;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.ValueException;
import io.tributary.writer.WriterPool;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL driver (type {@code postgres}), on pgjdbc only: discovery from the system catalogs
 * ({@link PostgresDiscovery}, types per {@link PostgresTypes}), backfill in ctid page ranges or key ranges
 * ({@link CtidChunker}) read with server-side cursors inside a REPEATABLE READ transaction per chunk, incremental
 * on a primary and secondary cursor, and CDC from a pgoutput logical replication slot ({@link PostgresCdc},
 * sequential mode).
 */
public final class PostgresDriver implements DriverInterface {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresDriver.class);
    static final int FETCH_SIZE = 10_000;

    private PostgresConfig config;
    private PostgresConnections connections;
    private volatile int serverVersion;
    private volatile PostgresTypes types;
    private final Map<StreamId, PostgresDiscovery.TableInfo> tables = new ConcurrentHashMap<>();
    private State state;
    private PostgresCdc cdc;
    /** The exported snapshot backfill chunks join, while the slot's creating connection keeps it alive. */
    private volatile String snapshot;

    void snapshot(String name) {
        this.snapshot = name;
    }

    @Override
    public String type() {
        return "postgres";
    }

    @Override
    public Class<? extends DriverConfig> configType() {
        return PostgresConfig.class;
    }

    @Override
    public void configure(DriverConfig c) {
        this.config = (PostgresConfig) c;
        this.connections = new PostgresConnections(config);
    }

    @Override
    public DriverConfig config() {
        return config;
    }

    PostgresConnections connections() {
        return connections;
    }

    @Override
    public void setup() {
        try (Connection c = connections.open(); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
            if (config.updateMethod().isPresent()) {
                PostgresCdc.checkSetup(c, config);
            }
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    @Override
    public void setupState(State s) {
        this.state = s;
    }

    /**
     * {@code postgres:<system_identifier>/<database>}: the cluster's {@code system_identifier} (chosen by
     * {@code initdb}, kept by restarts, upgrades with {@code pg_upgrade} and physical replicas, so a promoted standby
     * keeps its primary's; a {@code pg_dump} restore into another cluster gets a new one) and the configured
     * database. Read from {@code pg_control_system()}, which every role may run unless a DBA revoked it; then from
     * {@code IDENTIFY_SYSTEM} on a replication connection when the role has REPLICATION; otherwise empty (logged).
     */
    @Override
    public Optional<String> sourceIdentity() {
        String systemId;
        try (Connection c = connections.open(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT system_identifier::text FROM pg_control_system()")) {
            rs.next();
            systemId = rs.getString(1);
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) {
                throw connections.translate(e);
            }
            systemId = identifySystem();
        }
        if (systemId == null) {
            LOG.warn("user {} may run neither pg_control_system() nor IDENTIFY_SYSTEM: the state file cannot be tied "
                    + "to this server (GRANT EXECUTE ON FUNCTION pg_control_system() TO {} to enable the check)",
                    config.username(), config.username());
            return Optional.empty();
        }
        return Optional.of("postgres:" + systemId + "/" + config.database());
    }

    /** The system identifier from {@code IDENTIFY_SYSTEM}, or null when the role may not open a replication connection. */
    private String identifySystem() {
        try (Connection c = connections.openReplication(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            return rs.getString("systemid");
        } catch (SQLException | ConfigException e) {
            LOG.debug("IDENTIFY_SYSTEM failed", e);
            return null;
        }
    }

    @Override
    public int maxConnections() {
        return config.maxThreads();
    }

    @Override
    public int maxRetries() {
        return config.retryCount();
    }

    PostgresTypes types(Connection c) throws SQLException {
        PostgresTypes t = types;
        if (t == null) {
            synchronized (this) {
                if (types == null) {
                    types = PostgresTypes.load(c);
                }
                t = types;
            }
        }
        return t;
    }

    @Override
    public List<StreamId> getStreamNames() {
        try (Connection c = connections.open()) {
            return PostgresDiscovery.tables(c, config.schemas());
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    @Override
    public Stream produceSchema(StreamId stream) {
        return info(stream).stream();
    }

    PostgresDiscovery.TableInfo info(StreamId id) {
        PostgresDiscovery.TableInfo i = tables.get(id);
        if (i != null) {
            return i;
        }
        try (Connection c = connections.open()) {
            i = PostgresDiscovery.describe(c, types(c), id, config.updateMethod().isPresent());
            tables.put(id, i);
            return i;
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static String qualified(StreamId id) {
        return quote(id.namespace()) + "." + quote(id.name());
    }

    // ------------------------------------------------------------------ backfill

    @Override
    public void checkStream(ConfiguredStream stream) {
        tables.remove(stream.id()); // described again: it may have been dropped or altered since discovery
        PostgresDiscovery.TableInfo info = info(stream.id());
        boolean cdc = stream.syncMode() == io.tributary.types.SyncMode.CDC
                || stream.syncMode() == io.tributary.types.SyncMode.STRICT_CDC;
        try (Connection c = connections.open()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT has_table_privilege(current_user, ?::oid, 'SELECT')")) {
                ps.setLong(1, info.oid());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new ConfigException("stream " + stream.id() + ": user '" + config.username()
                                + "' may not read it: run GRANT SELECT ON " + qualified(stream.id()) + " TO "
                                + quote(config.username()) + "; (or GRANT pg_read_all_data TO "
                                + quote(config.username()) + ";)");
                    }
                }
            }
            if (cdc && stream.primaryKey().isEmpty() && !info.replicaIdentityFull()) {
                throw new ConfigException("stream " + stream.id() + " has no primary key and REPLICA IDENTITY DEFAULT: "
                        + "its updates and deletes cannot be captured; run ALTER TABLE " + qualified(stream.id())
                        + " REPLICA IDENTITY FULL; (or add a primary key)");
            }
            if (cdc && config.updateMethod().isPresent()) {
                PostgresCdc.checkPublished(c, config, stream.id(), info.oid());
            }
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    @Override
    public List<Chunk> getOrSplitChunks(WriterPool pool, ConfiguredStream stream) {
        return getOrSplitChunks(pool, stream, config.chunkSize());
    }

    @Override
    public List<Chunk> getOrSplitChunks(WriterPool pool, ConfiguredStream stream, long maxChunkRows) {
        long rowsPerChunk = Math.max(1, Math.min(config.chunkSize(), maxChunkRows));
        PostgresDiscovery.TableInfo info = info(stream.id());
        try (Connection c = connections.open()) {
            String keyColumn = stream.chunkColumn().orElse(null);
            if (keyColumn == null && !info.partitioned()) {
                return CtidChunker.ctidRanges(c, info.oid(), rowsPerChunk);
            }
            if (keyColumn == null) {
                keyColumn = stream.primaryKey().size() == 1 ? stream.primaryKey().get(0) : null;
            }
            if (keyColumn == null) {
                LOG.info("stream {}: partitioned table without a one-column key: one chunk", stream.id());
                return List.of(Chunk.all());
            }
            Field f = stream.schema().field(keyColumn).orElseThrow();
            return CtidChunker.keyRanges(c, qualified(stream.id()), quote(keyColumn), f.type().isInteger(),
                    rowsPerChunk);
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    /** The SELECT list and the types to read each column with; {@code copy} decodes the same columns from COPY. */
    private record Projection(String sql, Field[] fields, PostgresTypes.PgType[] types, PgBinaryCopy copy) {
    }

    /**
     * A read's WHERE conditions (with {@code ?} for {@code params}), the stream's filter and an ORDER BY tail. The
     * conditions are ours (quoted identifiers, operators, placeholders), so their placeholders can be found and
     * written inline for COPY, which takes no parameters; the user's filter is never scanned.
     */
    private record Query(List<String> where, List<Object> params, Optional<String> filter, String tail) {
        String sql(String selectList, String table, List<String> conditions) {
            List<String> all = new ArrayList<>(conditions);
            filter.ifPresent(f -> all.add("(" + Filter.parse(f).toSql(PostgresDriver::quote) + ")"));
            return "SELECT " + selectList + " FROM " + table + (all.isEmpty() ? "" : " WHERE " + String.join(" AND ", all))
                    + tail;
        }

        /** The conditions with every parameter written as a literal; null when one has no safe literal form. */
        List<String> inlined() {
            List<String> out = new ArrayList<>();
            int next = 0;
            for (String w : where) {
                StringBuilder sb = new StringBuilder();
                char quote = 0;
                for (int i = 0; i < w.length(); i++) {
                    char ch = w.charAt(i);
                    if (quote != 0) {
                        if (ch == quote) {
                            quote = 0;
                        }
                    } else if (ch == '"' || ch == '\'') {
                        quote = ch;
                    } else if (ch == '?') {
                        String literal = literal(params.get(next++));
                        if (literal == null) {
                            return null;
                        }
                        sb.append(literal);
                        continue;
                    }
                    sb.append(ch);
                }
                out.add(sb.toString());
            }
            return next == params.size() ? out : null;
        }

        private static String literal(Object v) {
            if (v instanceof Long || v instanceof Integer || v instanceof Short) {
                return v.toString();
            }
            if (v instanceof BigDecimal d) {
                return "'" + d.toPlainString() + "'::numeric";
            }
            return null; // strings, timestamps: bound by JDBC instead
        }
    }

    private Projection projection(ConfiguredStream s) {
        PostgresDiscovery.TableInfo info = info(s.id());
        Schema schema = s.schema();
        Field[] fields = schema.fields().toArray(Field[]::new);
        PostgresTypes.PgType[] pgTypes = new PostgresTypes.PgType[fields.length];
        List<String> cols = new ArrayList<>();
        Schema discovered = info.stream().schema();
        for (int i = 0; i < fields.length; i++) {
            int pos = discovered.indexOf(fields[i].name());
            if (pos < 0) {
                throw new ConfigException("stream " + s.id() + ": column " + fields[i].name()
                        + " is not in the table any more; run discover again");
            }
            pgTypes[i] = info.columnTypes().get(pos);
            cols.add(quote(fields[i].name()));
        }
        return new Projection(String.join(", ", cols), fields, pgTypes, PgBinaryCopy.of(fields, pgTypes));
    }

    @Override
    public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound,
            BackfillMsgFn processFn) {
        Projection p = projection(stream);
        List<Object> params = new ArrayList<>();
        List<String> where = new ArrayList<>();
        boolean ctid = chunk.min() instanceof String || chunk.max() instanceof String;
        if (ctid) {
            if (chunk.min() != null) {
                where.add("ctid >= '" + tidLiteral(chunk.min()) + "'::tid");
            }
            if (chunk.max() != null) {
                where.add("ctid < '" + tidLiteral(chunk.max()) + "'::tid");
            }
        } else if (chunk.min() != null || chunk.max() != null) {
            String key = quote(stream.chunkColumn().orElse(stream.primaryKey().get(0)));
            if (chunk.min() != null) {
                where.add(key + " >= ?");
                params.add(chunk.min());
            }
            if (chunk.max() != null) {
                where.add(key + " < ?");
                params.add(chunk.max());
            }
        }
        if (!upperBound.isEmpty()) {
            where.add(cursorUpperBound(stream, upperBound, params));
        }
        read(stream, "chunk " + chunk, new Query(where, params, stream.filter(), ""), p, processFn, snapshot);
    }

    private static String tidLiteral(Object bound) {
        String s = bound.toString();
        if (!s.matches("\\(\\d+,\\d+\\)")) {
            throw new NonRetriableException("malformed ctid chunk bound " + s);
        }
        return s;
    }

    private String cursorUpperBound(ConfiguredStream s, CursorValues bound, List<Object> params) {
        String pc = quote(s.primaryCursor().orElseThrow());
        String prim;
        if (bound.primary() != null) {
            prim = pc + " <= ?";
            params.add(bind(s, s.primaryCursor().get(), bound.primary()));
        } else {
            prim = "FALSE";
        }
        String nulls = pc + " IS NULL";
        if (s.secondaryCursor().isPresent() && bound.secondary() != null) {
            String sc = quote(s.secondaryCursor().get());
            nulls = "(" + pc + " IS NULL AND (" + sc + " IS NULL OR " + sc + " <= ?))";
            params.add(bind(s, s.secondaryCursor().get(), bound.secondary()));
        }
        return "(" + prim + " OR " + nulls + ")";
    }

    /** A cursor value as the JDBC parameter its column compares with. */
    private Object bind(ConfiguredStream s, String column, Object value) {
        if (value instanceof LocalDate d) {
            // ±infinity (see PostgresTypes): pgjdbc sends LocalDate.MAX/MIN as 'infinity'/'-infinity'
            return d.equals(PostgresTypes.DATE_INFINITY) ? LocalDate.MAX
                    : d.equals(PostgresTypes.DATE_MINUS_INFINITY) ? LocalDate.MIN : d;
        }
        if (value instanceof Instant i) {
            PostgresDiscovery.TableInfo info = info(s.id());
            int pos = info.stream().schema().indexOf(column);
            boolean tz = pos >= 0 && "timestamptz".equals(info.columnTypes().get(pos).name());
            if (i.equals(PostgresTypes.TIMESTAMP_INFINITY) || i.equals(PostgresTypes.TIMESTAMP_MINUS_INFINITY)) {
                boolean plus = i.equals(PostgresTypes.TIMESTAMP_INFINITY);
                return tz ? (plus ? OffsetDateTime.MAX : OffsetDateTime.MIN)
                        : (plus ? LocalDateTime.MAX : LocalDateTime.MIN); // sent as 'infinity' / '-infinity'
            }
            return tz ? OffsetDateTime.ofInstant(i, ZoneOffset.UTC) : LocalDateTime.ofInstant(i, ZoneOffset.UTC);
        }
        return value;
    }

    private void read(ConfiguredStream stream, String what, Query q, Projection p, BackfillMsgFn fn,
            String joinSnapshot) {
        String table = qualified(stream.id());
        List<String> inlined = config.backfillRead() == PostgresConfig.BackfillRead.BINARY_COPY ? q.inlined() : null;
        String label = "stream " + stream.id() + " " + what;
        long[] rows = {0};
        try (Connection c = connections.open()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            if (joinSnapshot != null) {
                try (Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION SNAPSHOT '" + joinSnapshot.replace("'", "''") + "'");
                } catch (SQLException e) {
                    // the exporting connection is gone: fall back to this chunk's own snapshot; the overlap with
                    // CDC is then resolved by key, as without consistent_snapshot
                    LOG.warn("{}: cannot join exported snapshot {} ({}); reading without it", label, joinSnapshot,
                            e.getMessage());
                    c.rollback();
                    snapshot = null;
                }
            }
            if (inlined != null) {
                copy(c, "COPY (" + q.sql(p.copy().selectList(), table, inlined) + ") TO STDOUT (FORMAT binary)",
                        p, label, stream, fn, rows);
            } else {
                select(c, q.sql(p.sql(), table, q.where()), q.params(), p, label, stream, fn, rows);
            }
            c.commit();
        } catch (SQLException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancelledException(label + " was cancelled", e);
            }
            RuntimeException t = connections.translate(e);
            if (t instanceof RetriableException) {
                throw new RetriableException(label + " failed after " + rows[0] + " rows: " + t.getMessage(), e);
            }
            throw t;
        }
    }

    private static void copy(Connection c, String sql, Projection p, String label, ConfiguredStream stream,
            BackfillMsgFn fn, long[] rows) throws SQLException {
        CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        PgBinaryCopy.Reader reader = p.copy().reader(out, label, stream.id(), stream.primaryKey());
        try {
            reader.readAll(fn);
        } finally {
            rows[0] = reader.rows();
            if (out.isActive()) {
                try {
                    out.cancelCopy(); // stopped early (failure, cancel): end the COPY so the connection closes cleanly
                } catch (SQLException e) {
                    LOG.debug("{}: cancelling the COPY failed: {}", label, e.getMessage());
                }
            }
        }
    }

    private static void select(Connection c, String sql, List<Object> params, Projection p, String label,
            ConfiguredStream stream, BackfillMsgFn fn, long[] rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(FETCH_SIZE);
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i) instanceof String text) {
                    // of unknown type: the server reads it as the column's type (a numeric cursor at 'NaN', a uuid)
                    ps.setObject(i + 1, text, java.sql.Types.OTHER);
                } else {
                    ps.setObject(i + 1, params.get(i));
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                int n = p.fields().length;
                while (rs.next()) {
                    Object[] row = new Object[n];
                    ValueException failed = null;
                    for (int i = 0; i < n; i++) {
                        try {
                            row[i] = PostgresTypes.read(rs, i + 1, p.fields()[i], p.types()[i]);
                        } catch (ValueException e) {
                            failed = failed == null ? e : failed; // read the rest: the key names the row
                        }
                    }
                    if (failed != null) {
                        throw PostgresTypes.located(failed, stream.id(), new Schema(List.of(p.fields())),
                                stream.primaryKey(), row);
                    }
                    fn.accept(row);
                    if ((++rows[0] & 0xfff) == 0 && Thread.currentThread().isInterrupted()) {
                        throw new CancelledException(label + " was cancelled");
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ incremental

    @Override
    public CursorValues fetchMaxCursorValues(ConfiguredStream stream) {
        String pc = stream.primaryCursor().orElseThrow();
        String sc = stream.secondaryCursor().orElse(null);
        Schema schema = stream.schema();
        PostgresDiscovery.TableInfo info = info(stream.id());
        String sql = "SELECT max(" + quote(pc) + ")" + (sc == null ? "" : ", max(" + quote(sc) + ")") + " FROM "
                + qualified(stream.id());
        try (Connection c = connections.open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            Object p = PostgresTypes.read(rs, 1, schema.field(pc).orElseThrow(),
                    info.columnTypes().get(info.stream().schema().indexOf(pc)));
            Object s = sc == null ? null : PostgresTypes.read(rs, 2, schema.field(sc).orElseThrow(),
                    info.columnTypes().get(info.stream().schema().indexOf(sc)));
            return new CursorValues(p, s);
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    @Override
    public void streamIncrementalChanges(ConfiguredStream stream, CursorValues from, BackfillMsgFn processFn) {
        Projection p = projection(stream);
        String pc = quote(stream.primaryCursor().orElseThrow());
        List<Object> params = new ArrayList<>();
        List<String> where = new ArrayList<>();
        if (!from.isEmpty()) {
            String prim;
            if (from.primary() != null) {
                prim = pc + " >= ?";
                params.add(bind(stream, stream.primaryCursor().get(), from.primary()));
            } else {
                prim = pc + " IS NOT NULL";
            }
            String nulls = "FALSE";
            if (stream.secondaryCursor().isPresent()) {
                String sc = quote(stream.secondaryCursor().get());
                if (from.secondary() != null) {
                    nulls = "(" + pc + " IS NULL AND " + sc + " >= ?)";
                    params.add(bind(stream, stream.secondaryCursor().get(), from.secondary()));
                } else {
                    nulls = pc + " IS NULL";
                }
            }
            where.add("(" + prim + " OR " + nulls + ")");
        }
        String order = pc + stream.secondaryCursor().map(s -> ", " + quote(s)).orElse("");
        read(stream, "incremental pass", new Query(where, params, stream.filter(), " ORDER BY " + order), p,
                processFn, null);
    }

    // ------------------------------------------------------------------ CDC

    @Override
    public boolean cdcSupported() {
        return config.updateMethod().isPresent();
    }

    @Override
    public ChangeStreamMode changeStreamMode() {
        return ChangeStreamMode.SEQUENTIAL;
    }

    @Override
    public void preCDC(WriterPool pool, List<ConfiguredStream> streams) {
        PostgresConfig.UpdateMethod um = config.updateMethod().orElseThrow(
                () -> new ConfigException("CDC needs 'update_method' in the source config"));
        Map<StreamId, Long> tables = new LinkedHashMap<>();
        for (ConfiguredStream s : streams) {
            tables.put(s.id(), info(s.id()).oid());
        }
        try (Connection c = connections.open()) {
            PostgresCdc.provision(c, config, tables);
        } catch (SQLException e) {
            throw connections.translate(e);
        }
        cdc = new PostgresCdc(this, um, state, streams);
        cdc.recordStartPosition();
    }

    @Override
    public void streamChanges(int identifier, CdcMsgFn processFn) {
        if (cdc == null) {
            throw new NonRetriableException("streamChanges called before preCDC");
        }
        cdc.stream(processFn);
    }

    /** Watermarks are logical decoding messages (PostgreSQL 14 or later: pgoutput's {@code messages} option). */
    @Override
    public boolean watermarksSupported() {
        if (!cdcSupported()) {
            return false;
        }
        // pgoutput's messages option (the watermarks themselves) and pg_current_snapshot() (the visibility wait)
        return serverVersion() >= 140000;
    }

    /** The server's {@code server_version_num} (e.g. 170002), read once. */
    int serverVersion() {
        int v = serverVersion;
        if (v == 0) {
            try (Connection c = connections.open(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SHOW server_version_num")) {
                rs.next();
                v = Integer.parseInt(rs.getString(1));
                serverVersion = v;
            } catch (SQLException e) {
                throw connections.translate(e);
            }
        }
        return v;
    }

    /**
     * Writes a non-transactional logical decoding message (prefix {@value PostgresCdc#WATERMARK_PREFIX}), which
     * pgoutput delivers at its place in the WAL: after every transaction that committed before it, and waits until
     * the stream delivered it and the transactions delivered before it are visible ({@link PostgresCdc#watermark}).
     * Needs no table and no write grant on user tables. Chunk readers start reading after their low watermark, so
     * the exported snapshot of {@code consistent_snapshot} (which lies before it) is released here.
     */
    @Override
    public void writeWatermark(int identifier, String watermark) {
        PostgresCdc c = cdc;
        if (c == null) {
            throw new NonRetriableException("writeWatermark called before preCDC");
        }
        c.releaseSnapshot();
        c.watermark(watermark);
    }

    @Override
    public void postCDC(int identifier) {
        cdc.acknowledge();
    }

    @Override
    public void close() {
        PostgresCdc c = cdc;
        if (c != null) {
            c.close();
        }
    }

}
