package io.tributary.driver.mysql;

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
import io.tributary.driver.jdbc.CursorColumns;
import io.tributary.driver.jdbc.JdbcErrors;
import io.tributary.driver.jdbc.JdbcReads;
import io.tributary.driver.jdbc.KeyRangeChunker;
import io.tributary.driver.jdbc.RowDecoder;
import io.tributary.driver.jdbc.SelectQuery;
import io.tributary.driver.jdbc.SqlDialect;
import io.tributary.types.ConfigException;
import io.tributary.types.NonRetriableException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Field;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MySQL / MariaDB driver (type {@code mysql}) on MySQL Connector/J (it speaks to both servers; the binlog client
 * is zendesk's mysql-binlog-connector-java): discovery from information_schema ({@link MySqlTypes}), primary-key
 * range chunks (integer keys split arithmetically, other single keys by {@code LIMIT/OFFSET} probes, tables
 * without a key or with a composite key in one chunk), streaming reads, incremental on a primary and secondary
 * cursor, and binlog CDC in sequential mode ({@link MySqlCdc}).
 */
public final class MySqlDriver implements DriverInterface, IncrementalSupport {
    private final MySqlConfig config;
    private final Map<StreamId, List<MySqlTypes.Column>> columns = new ConcurrentHashMap<>();
    private MySqlCdc cdc;

    /** The unconfigured instance {@link java.util.ServiceLoader} creates; {@link #configure} returns a usable one. */
    public MySqlDriver() {
        this.config = null;
    }

    private MySqlDriver(MySqlConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    public String type() {
        return "mysql";
    }

    @Override
    public Class<? extends DriverConfig> configType() {
        return MySqlConfig.class;
    }

    @Override
    public MySqlDriver configure(DriverConfig c) {
        return new MySqlDriver(MySqlConfig.class.cast(c));
    }

    @Override
    public MySqlConfig config() {
        if (config == null) {
            throw new IllegalStateException("driver mysql is not configured");
        }
        return config;
    }

    /** Whether a connection ever succeeded (then a failed connect is retried rather than a config error). */
    private volatile boolean connected;

    Connection open() {
        Properties p = new Properties();
        p.setProperty("user", config.username());
        p.setProperty("password", config.password().reveal());
        p.setProperty("connectionTimeZone", "UTC");
        p.setProperty("forceConnectionTimeZoneToSession", "true");
        p.setProperty("zeroDateTimeBehavior", "CONVERT_TO_NULL");
        p.setProperty("connectTimeout", "10000");
        p.setProperty("allowPublicKeyRetrieval", "true");
        p.setProperty("sslMode", config.sslMode().connectorJ());
        config.jdbcUrlParams().forEach(p::setProperty);
        try {
            String url = "jdbc:mysql://" + config.host() + ":" + config.port() + "/" + config.database();
            // Connector/J's driver, used directly: DriverManager finds only drivers registered from a class loader
            // the caller sees, which fails in a Flink task (a child-first class loader per job)
            Connection c = new com.mysql.cj.jdbc.Driver().connect(url, p);
            if (c == null) {
                throw new SQLException("Connector/J does not accept the URL " + url);
            }
            connected = true;
            return c;
        } catch (SQLException e) {
            // once the server was reached, failing to reach it is a restart or a network blip, not a wrong host
            throw translate(e, connected ? "reconnecting" : "connecting");
        }
    }

    RuntimeException translate(SQLException e, String what) {
        String where = config.username() + "@" + config.host() + ":" + config.port() + "/" + config.database();
        int code = e.getErrorCode();
        String msg = JdbcErrors.masked(e.getMessage(), config.password().reveal());
        if (code == 1045) {
            return new ConfigException("MySQL rejected the credentials of " + where + " (check 'username' and 'password')", e);
        }
        if (code == 1142 || code == 1143 || code == 1044 || code == 1227) {
            // table/column/database access denied, or a missing global privilege: a retry cannot fix it
            return new ConfigException("MySQL denied " + where + " a privilege while " + what + ": " + msg, e);
        }
        if (code == 1049) {
            return new ConfigException("database '" + config.database() + "' does not exist (check 'database')", e);
        }
        if (JdbcErrors.hasCause(e, java.net.UnknownHostException.class)) {
            return new ConfigException("cannot connect to MySQL at " + config.host() + ":" + config.port()
                    + ": unknown host '" + config.host() + "' (check 'host')", e);
        }
        if (JdbcErrors.hasCause(e, javax.net.ssl.SSLException.class) && what.equals("connecting")) {
            return new ConfigException("cannot connect to MySQL at " + config.host() + ":" + config.port()
                    + " (check 'tls_mode'): " + msg, e);
        }
        if ("08S01".equals(e.getSQLState()) || "08001".equals(e.getSQLState())) {
            // refused, timed out, or the server is (re)starting: what a restart or failover looks like
            return new RetriableException((what.equals("connecting") ? "cannot connect to MySQL at "
                    : "lost MySQL at ") + config.host() + ":" + config.port() + " while " + what + " (the server is "
                    + "down, restarting or unreachable; retried, then check 'host', 'port' and that it runs): " + msg, e);
        }
        return new RetriableException("MySQL error while " + what + " on " + where + ": " + msg, e);
    }

    static String quote(String id) {
        return SqlDialect.MYSQL.quote(id);
    }

    static String qualified(StreamId id) {
        return SqlDialect.MYSQL.qualified(id);
    }

    @Override
    public void setup() {
        try (Connection c = open(); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
            if (config.updateMethod().isPresent()) {
                MySqlCdc.checkSetup(c, config);
            }
        } catch (SQLException e) {
            throw translate(e, "checking the server");
        }
    }

    /**
     * MySQL: {@code mysql:<server_uuid>/<database>} ({@code server_uuid} is generated at the first start and kept
     * in {@code auto.cnf}; a replica has its own, so a state is not moved to a replica after a failover: its binlog
     * file positions would not be valid there either). MariaDB has no persistent server UUID (its
     * {@code server_uid} is a hash of the MAC address and port, which changes when a container moves), so it is
     * {@code mariadb:server_id=<server_id>/<database>}: servers of one replication topology are told apart (they
     * need distinct {@code server_id}s), but two unrelated servers with the same {@code server_id} (the default
     * is 1) and database name are not; a state from such a server is still caught when its binlog file is missing.
     */
    @Override
    public Optional<String> sourceIdentity() {
        try (Connection c = open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('server_uuid', 'server_id', 'version')")) {
            Map<String, String> v = new HashMap<>();
            while (rs.next()) {
                v.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
            }
            String uuid = v.get("server_uuid");
            if (uuid != null && !uuid.isBlank()) {
                return Optional.of("mysql:" + uuid + "/" + config.database());
            }
            String flavor = v.getOrDefault("version", "").contains("MariaDB") ? "mariadb" : "mysql";
            return Optional.of(flavor + ":server_id=" + v.getOrDefault("server_id", "0") + "/" + config.database());
        } catch (SQLException e) {
            throw translate(e, "reading the server's identity");
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

    @Override
    public List<StreamId> getStreamNames() {
        try (Connection c = open(); PreparedStatement ps = c.prepareStatement("SELECT table_name FROM "
                + "information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1")) {
            ps.setString(1, config.database());
            List<StreamId> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(StreamId.of(config.database(), rs.getString(1)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw translate(e, "listing tables");
        }
    }

    List<MySqlTypes.Column> describe(StreamId id) {
        try (Connection c = open()) {
            return describe(c, id);
        } catch (SQLException e) {
            throw translate(e, "describing " + id);
        }
    }

    List<MySqlTypes.Column> describe(Connection c, StreamId id) throws SQLException {
        List<MySqlTypes.Column> out = new ArrayList<>();
        Set<String> json = mariaDbJsonColumns(c, id);
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name, data_type, column_type, "
                + "numeric_precision, numeric_scale, is_nullable, character_octet_length, character_set_name "
                + "FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                + "ORDER BY ordinal_position")) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String type = rs.getString(2).toLowerCase(Locale.ROOT);
                    String columnType = rs.getString(3);
                    out.add(MySqlTypes.Column.of(name, type, columnType, rs.getInt(4), rs.getInt(5),
                            "YES".equals(rs.getString(6)), rs.getLong(7), rs.getString(8),
                            type.equals("longtext") && json.contains(name)));
                }
            }
        }
        if (out.isEmpty()) {
            // information_schema shows only the tables the user holds a privilege on
            throw new ConfigException("stream " + id + " does not exist (no such table), or user '"
                    + config.username() + "' holds no privilege on it: check the name, or run GRANT SELECT ON "
                    + qualified(id) + " TO '" + config.username() + "';");
        }
        columns.put(id, out);
        return out;
    }

    /** Whether the server may have MariaDB's JSON columns (false once it showed it has no check constraint table). */
    private volatile boolean checkConstraints = true;

    /**
     * MariaDB's {@code json} is {@code longtext} with the check {@code json_valid(`c`)}: the columns of the table that
     * have it (empty on MySQL, whose {@code json} is a type of its own).
     */
    private Set<String> mariaDbJsonColumns(Connection c, StreamId id) {
        if (!checkConstraints) {
            return Set.of();
        }
        Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT check_clause FROM information_schema.check_constraints "
                + "WHERE constraint_schema = ? AND table_name = ?")) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                java.util.regex.Pattern p = java.util.regex.Pattern.compile("^\\s*json_valid\\(`((?:[^`]|``)+)`\\)\\s*$",
                        java.util.regex.Pattern.CASE_INSENSITIVE);
                while (rs.next()) {
                    java.util.regex.Matcher m = p.matcher(rs.getString(1));
                    if (m.matches()) {
                        out.add(m.group(1).replace("``", "`"));
                    }
                }
            }
        } catch (SQLException e) {
            checkConstraints = false; // MySQL: no such table (before 8.0.16) or no table_name column in it
        }
        return out;
    }

    List<MySqlTypes.Column> columns(StreamId id) {
        List<MySqlTypes.Column> c = columns.get(id);
        return c != null ? c : describe(id);
    }

    @Override
    public Stream produceSchema(StreamId id) {
        try (Connection c = open()) {
            List<MySqlTypes.Column> cols = describe(c, id);
            List<String> pk = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.key_column_usage "
                    + "WHERE table_schema = ? AND table_name = ? AND constraint_name = 'PRIMARY' "
                    + "ORDER BY ordinal_position")) {
                ps.setString(1, id.namespace());
                ps.setString(2, id.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        pk.add(rs.getString(1));
                    }
                }
            }
            List<Field> fields = cols.stream().map(MySqlTypes.Column::field).toList();
            Set<String> cursors = CursorColumns.of(fields);
            Set<SyncMode> modes = EnumSet.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL);
            if (config.updateMethod().isPresent()) {
                modes.add(SyncMode.CDC);
                modes.add(SyncMode.STRICT_CDC);
            }
            return Stream.of(id, new Schema(fields), pk, cursors, modes);
        } catch (SQLException e) {
            throw translate(e, "describing " + id);
        }
    }

    // ------------------------------------------------------------------ backfill

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream) {
        return getOrSplitChunks(stream, config.chunkSize());
    }

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream, long maxChunkRows) {
        long chunkSize = Math.max(1, Math.min(config.chunkSize(), maxChunkRows));
        List<String> key = stream.chunkColumn().map(List::of).orElse(stream.primaryKey());
        if (key.size() != 1) {
            return List.of(Chunk.all()); // no key, or a composite key: one chunk (read with a streaming cursor)
        }
        String table = qualified(stream.id());
        boolean integer = stream.schema().field(key.get(0)).map(f -> f.type().isInteger()).orElse(false);
        try (Connection c = open()) {
            return integer ? KeyRangeChunker.integerRanges(c, SqlDialect.MYSQL, table, key.get(0), chunkSize)
                    : KeyRangeChunker.probedRanges(c, SqlDialect.MYSQL, table, key.get(0), chunkSize);
        } catch (SQLException e) {
            throw translate(e, "splitting " + stream.id());
        }
    }

    @Override
    public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound, BackfillMsgFn fn) {
        SelectQuery q = new SelectQuery(SqlDialect.MYSQL).keyRange(stream, chunk)
                .cursorAtMost(stream, upperBound, (column, value) -> bind(value))
                .filter(stream.filter());
        read(stream, q, fn);
    }

    static Object bind(Object v) {
        return v instanceof Instant i ? LocalDateTime.ofInstant(i, ZoneOffset.UTC) : v;
    }

    private void read(ConfiguredStream stream, SelectQuery q, BackfillMsgFn fn) {
        Projection p = projection(stream, stream.schema().fields(), MySqlTypes.Column::select);
        JdbcReads reads = new JdbcReads(SqlDialect.MYSQL, "reading " + stream.id());
        try (Connection c = open()) {
            reads.select(c, q.sql(p.selectList(), qualified(stream.id())), q.params(), p, fn);
        } catch (SQLException e) {
            throw translate(e, "reading " + stream.id() + " after " + reads.rows() + " rows");
        }
    }

    /**
     * The columns of a read and how to read each (the {@link RowDecoder} of {@link MySqlTypes#read}); a failed
     * value names the row's key when the read selects every key column ({@code keyIndexes}, 0-based).
     */
    private record Projection(String selectList, MySqlTypes.Column[] cols, StreamId stream, int[] keyIndexes)
            implements RowDecoder {
        @Override
        public int columns() {
            return cols.length;
        }

        @Override
        public Object read(ResultSet rs, int i) throws SQLException {
            return MySqlTypes.read(rs, i + 1, cols[i]);
        }

        @Override
        public ValueException locate(ValueException e, ResultSet rs, Object[] row) throws SQLException {
            return e.in(stream.toString(), key(rs, keyIndexes));
        }
    }

    /** {@code fields} of the stream, each selected as {@code select.apply(column)}. */
    private Projection projection(ConfiguredStream stream, List<Field> fields,
            java.util.function.Function<MySqlTypes.Column, String> select) {
        List<MySqlTypes.Column> all = columns(stream.id());
        MySqlTypes.Column[] cols = new MySqlTypes.Column[fields.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < cols.length; i++) {
            String name = fields.get(i).name();
            cols[i] = all.stream().filter(c -> c.field().name().equals(name)).findFirst().orElseThrow(() ->
                    new ConfigException("stream " + stream.id() + ": column " + name + " no longer exists"));
            names.add(select.apply(cols[i]));
        }
        List<String> selected = fields.stream().map(Field::name).toList();
        int[] key = stream.primaryKey().stream().mapToInt(selected::indexOf).toArray();
        return new Projection(String.join(", ", names), cols, stream.id(),
                Arrays.stream(key).allMatch(i -> i >= 0) ? key : new int[0]);
    }

    /** The current row's key as text ({@code a|b} for a composite key), for messages; null without a key. */
    private static String key(ResultSet rs, int[] keyIndexes) throws SQLException {
        List<String> parts = new ArrayList<>();
        for (int i : keyIndexes) {
            parts.add(rs.getString(i + 1));
        }
        return parts.isEmpty() ? null : String.join("|", parts);
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
        Projection p = projection(stream, cursors, c -> c.select("max(" + quote(c.field().name()) + ")"));
        try (Connection c = open()) {
            Object[] max = new JdbcReads(SqlDialect.MYSQL, "reading the cursor maximum of " + stream.id())
                    .selectOne(c, "SELECT " + p.selectList() + " FROM " + qualified(stream.id()), p);
            return new CursorValues(max[0], max.length > 1 ? max[1] : null);
        } catch (SQLException e) {
            throw translate(e, "reading the cursor maximum of " + stream.id());
        }
    }

    @Override
    public void streamIncrementalChanges(ConfiguredStream stream, CursorValues from, BackfillMsgFn fn) {
        SelectQuery q = new SelectQuery(SqlDialect.MYSQL)
                .cursorAtLeast(stream, from, (column, value) -> bind(value))
                .filter(stream.filter())
                .cursorOrder(stream);
        read(stream, q, fn);
    }

    // ------------------------------------------------------------------ CDC

    @Override
    public ChangeStreamMode changeStreamMode() {
        return ChangeStreamMode.SEQUENTIAL;
    }

    @Override
    public void preCDC(List<ConfiguredStream> streams) {
        cdc = new MySqlCdc(this, config, streams);
    }

    /**
     * Binlog CDC with positions the engine saves ({@link MySqlPosition}); nothing is acknowledged to the server (a
     * binlog keeps no reader position).
     */
    @Override
    public Optional<CdcSource<?>> cdcSource() {
        return config.updateMethod().isPresent() ? Optional.of(changes) : Optional.empty();
    }

    private final CdcSource<MySqlPosition> changes = new CdcSource<>() {
        @Override
        public PositionCodec<MySqlPosition> positionCodec() {
            return MySqlPosition.CODEC;
        }

        @Override
        public MySqlPosition startPosition(int identifier, List<ConfiguredStream> streams) {
            return cdc().startPosition();
        }

        @Override
        public void streamChanges(int identifier, MySqlPosition from, ChangeSink<MySqlPosition> sink) {
            cdc().stream(from, sink);
        }
    };

    private MySqlCdc cdc() {
        MySqlCdc c = cdc;
        if (c == null) {
            throw new NonRetriableException("CDC called before preCDC");
        }
        return c;
    }

    /** Watermarks are binlog positions (read-only: no signal table, no write grant). */
    @Override
    public Optional<WatermarkSupport> watermarks() {
        return cdcSupported() ? Optional.of(this::writeWatermark) : Optional.empty();
    }

    private void writeWatermark(int identifier, String watermark) {
        MySqlCdc c = cdc;
        if (c == null) {
            throw new NonRetriableException("writeWatermark called before preCDC");
        }
        c.watermark(watermark);
    }

    @Override
    public void close() {
        if (cdc != null) {
            cdc.close();
        }
    }
}
