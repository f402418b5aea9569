package io.tributary.driver.postgres;

import static java.util.Objects.requireNonNull;

import io.tributary.core.BackfillMsgFn;
import io.tributary.core.CdcSource;
import io.tributary.core.ChangeSink;
import io.tributary.core.ChangeStreamMode;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverConfig;
import io.tributary.core.DriverInterface;
import io.tributary.core.IncrementalSupport;
import io.tributary.core.PositionCodec;
import io.tributary.core.WatermarkSupport;
import io.tributary.driver.jdbc.JdbcReads;
import io.tributary.driver.jdbc.KeyRangeChunker;
import io.tributary.driver.jdbc.RowDecoder;
import io.tributary.driver.jdbc.SelectQuery;
import io.tributary.driver.jdbc.SqlDialect;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.ValueException;
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
import java.util.function.UnaryOperator;
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
public final class PostgresDriver implements DriverInterface, IncrementalSupport {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresDriver.class);

    private final PostgresConfig config;
    private final PostgresConnections connections;
    private volatile int serverVersion;
    private volatile PostgresTypes types;
    private final Map<StreamId, PostgresDiscovery.TableInfo> tables = new ConcurrentHashMap<>();
    private PostgresCdc cdc;
    /** The exported snapshot backfill chunks join, while the slot's creating connection keeps it alive. */
    private volatile String snapshot;

    /** The unconfigured instance {@link java.util.ServiceLoader} creates; {@link #configure} returns a usable one. */
    public PostgresDriver() {
        this.config = null;
        this.connections = null;
    }

    private PostgresDriver(PostgresConfig config) {
        this.config = requireNonNull(config, "config is null");
        this.connections = new PostgresConnections(config);
    }

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
    public PostgresDriver configure(DriverConfig c) {
        return new PostgresDriver(PostgresConfig.class.cast(c));
    }

    @Override
    public PostgresConfig config() {
        if (config == null) {
            throw new IllegalStateException("driver postgres is not configured");
        }
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
                PgPublication.checkSetup(c, config);
            }
        } catch (SQLException e) {
            throw connections.translate(e);
        }
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
        return SqlDialect.POSTGRES.quote(identifier);
    }

    static String qualified(StreamId id) {
        return SqlDialect.POSTGRES.qualified(id);
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
                PgPublication.checkPublished(c, config, stream.id(), info.oid());
            }
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream) {
        return getOrSplitChunks(stream, config.chunkSize());
    }

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream, long maxChunkRows) {
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
            if (!f.type().isInteger()) {
                return List.of(Chunk.all()); // no arithmetic split; probing with OFFSET would cost a scan a bound
            }
            return KeyRangeChunker.integerRanges(c, SqlDialect.POSTGRES, qualified(stream.id()), keyColumn,
                    rowsPerChunk);
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    /**
     * The SELECT list and the types to read each column with (the {@link RowDecoder} of the select path);
     * {@code copy} decodes the same columns from COPY.
     */
    private record Projection(String sql, Field[] fields, PostgresTypes.PgType[] types, PgBinaryCopy copy,
            StreamId stream, List<String> primaryKey) implements RowDecoder {
        @Override
        public int columns() {
            return fields.length;
        }

        @Override
        public Object read(ResultSet rs, int i) throws SQLException {
            return PostgresTypes.read(rs, i + 1, fields[i], types[i]);
        }

        @Override
        public ValueException locate(ValueException e, ResultSet rs, Object[] row) {
            return PostgresTypes.located(e, stream, new Schema(List.of(fields)), primaryKey, row);
        }
    }

    /**
     * A read's conditions with every parameter written as a literal, for COPY, which takes no parameters; null when
     * one has no safe literal form. The conditions are ours (quoted identifiers, operators, placeholders: see
     * {@link SelectQuery}), so their placeholders can be found; the user's filter is never scanned.
     */
    static List<String> inlined(List<String> where, List<Object> params) {
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
                    if (next >= params.size()) {
                        return null;
                    }
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

    private Projection projection(ConfiguredStream s) {
        return projection(s, s.schema().fields(), UnaryOperator.identity());
    }

    /** The projection of {@code columns} of the stream, each selected as {@code select.apply(quoted name)}. */
    private Projection projection(ConfiguredStream s, List<Field> columns, UnaryOperator<String> select) {
        PostgresDiscovery.TableInfo info = info(s.id());
        Field[] fields = columns.toArray(Field[]::new);
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
            cols.add(select.apply(quote(fields[i].name())));
        }
        return new Projection(String.join(", ", cols), fields, pgTypes, PgBinaryCopy.of(fields, pgTypes), s.id(),
                s.primaryKey());
    }

    @Override
    public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound,
            BackfillMsgFn processFn) {
        Projection p = projection(stream);
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES);
        boolean ctid = chunk.min() instanceof String || chunk.max() instanceof String;
        if (ctid) {
            if (chunk.min() != null) {
                q.where("ctid >= '" + tidLiteral(chunk.min()) + "'::tid");
            }
            if (chunk.max() != null) {
                q.where("ctid < '" + tidLiteral(chunk.max()) + "'::tid");
            }
        } else {
            q.keyRange(stream, chunk);
        }
        q.cursorAtMost(stream, upperBound, (column, value) -> bind(stream, column, value)).filter(stream.filter());
        read(stream, "chunk " + chunk, q, p, processFn, snapshot);
    }

    private static String tidLiteral(Object bound) {
        String s = bound.toString();
        if (!s.matches("\\(\\d+,\\d+\\)")) {
            throw new NonRetriableException("malformed ctid chunk bound " + s);
        }
        return s;
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

    private void read(ConfiguredStream stream, String what, SelectQuery q, Projection p, BackfillMsgFn fn,
            String joinSnapshot) {
        String table = qualified(stream.id());
        List<String> inlined = config.backfillRead() == PostgresConfig.BackfillRead.BINARY_COPY
                ? inlined(q.conditions(), q.params()) : null;
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
                JdbcReads reads = new JdbcReads(SqlDialect.POSTGRES, label);
                try {
                    reads.select(c, q.sql(p.sql(), table), q.params(), p, fn);
                } finally {
                    rows[0] = reads.rows();
                }
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

    // ------------------------------------------------------------------ incremental

    @Override
    public Optional<IncrementalSupport> incremental() {
        return Optional.of(this);
    }

    @Override
    public CursorValues fetchMaxCursorValues(ConfiguredStream stream) {
        List<Field> cursors = new ArrayList<>(2);
        cursors.add(stream.schema().field(stream.primaryCursor().orElseThrow()).orElseThrow());
        stream.secondaryCursor().ifPresent(sc -> cursors.add(stream.schema().field(sc).orElseThrow()));
        Projection p = projection(stream, cursors, q -> "max(" + q + ")");
        try (Connection c = connections.open()) {
            Object[] max = new JdbcReads(SqlDialect.POSTGRES, "stream " + stream.id() + " cursor maximum")
                    .selectOne(c, "SELECT " + p.sql() + " FROM " + qualified(stream.id()), p);
            return new CursorValues(max[0], max.length > 1 ? max[1] : null);
        } catch (SQLException e) {
            throw connections.translate(e);
        }
    }

    @Override
    public void streamIncrementalChanges(ConfiguredStream stream, CursorValues from, BackfillMsgFn processFn) {
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES)
                .cursorAtLeast(stream, from, (column, value) -> bind(stream, column, value))
                .filter(stream.filter())
                .cursorOrder(stream);
        read(stream, "incremental pass", q, projection(stream), processFn, null);
    }

    // ------------------------------------------------------------------ CDC

    @Override
    public ChangeStreamMode changeStreamMode() {
        return ChangeStreamMode.SEQUENTIAL;
    }

    @Override
    public void preCDC(List<ConfiguredStream> streams) {
        PostgresConfig.UpdateMethod um = config.updateMethod().orElseThrow(
                () -> new ConfigException("CDC needs 'update_method' in the source config"));
        Map<StreamId, Long> tables = new LinkedHashMap<>();
        for (ConfiguredStream s : streams) {
            tables.put(s.id(), info(s.id()).oid());
        }
        try (Connection c = connections.open()) {
            PgPublication.provision(c, config, tables);
        } catch (SQLException e) {
            throw connections.translate(e);
        }
        cdc = new PostgresCdc(this, um, streams);
    }

    /**
     * CDC from the slot with positions the engine saves ({@link PostgresPosition}): the start is the slot's position
     * (or the consistent point of a slot created now with an exported snapshot); an acknowledged position is
     * confirmed to the slot as its flush LSN.
     */
    @Override
    public Optional<CdcSource<?>> cdcSource() {
        return config.updateMethod().isPresent() ? Optional.of(changes) : Optional.empty();
    }

    private final CdcSource<PostgresPosition> changes = new CdcSource<>() {
        @Override
        public PositionCodec<PostgresPosition> positionCodec() {
            return PostgresPosition.CODEC;
        }

        @Override
        public PostgresPosition startPosition(int identifier, List<ConfiguredStream> streams) {
            return new PostgresPosition(cdc().startPosition());
        }

        @Override
        public void streamChanges(int identifier, PostgresPosition from, ChangeSink<PostgresPosition> sink) {
            cdc().stream(from.lsn(), sink);
        }

        @Override
        public void acknowledge(int identifier, PostgresPosition position) {
            cdc().acknowledge(position.lsn());
        }
    };

    private PostgresCdc cdc() {
        PostgresCdc c = cdc;
        if (c == null) {
            throw new NonRetriableException("CDC called before preCDC");
        }
        return c;
    }

    /** Watermarks are logical decoding messages (PostgreSQL 14 or later: pgoutput's {@code messages} option). */
    @Override
    public Optional<WatermarkSupport> watermarks() {
        // pgoutput's messages option (the watermarks themselves) and pg_current_snapshot() (the visibility wait)
        return cdcSupported() && serverVersion() >= 140000 ? Optional.of(this::writeWatermark) : Optional.empty();
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
    private void writeWatermark(int identifier, String watermark) {
        PostgresCdc c = cdc;
        if (c == null) {
            throw new NonRetriableException("writeWatermark called before preCDC");
        }
        c.releaseSnapshot();
        c.watermark(watermark);
    }

    @Override
    public void close() {
        PostgresCdc c = cdc;
        if (c != null) {
            c.close();
        }
    }

}
