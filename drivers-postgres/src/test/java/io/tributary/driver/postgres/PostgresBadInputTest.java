package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.Preflight;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.BadInput;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfigException;
import io.tributary.types.RetriableException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.WriterPool;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input against a real PostgreSQL: each fails with a typed error naming the cause, leaves {@code state.json}
 * and the destination as they were, and never prints the password. Runs what the CLI's {@code sync} runs:
 * {@code setup}, {@link Preflight#check}, {@code read} into a jsonl destination with a file state.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresBadInputTest {
    private static final String SECRET = "Xq7-never-print-me";
    private static final String NOGRANT_USER = "nogrant";
    private static final String NOGRANT_PASSWORD = "nogrant-" + SECRET;

    static TestingPostgres pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        pg.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text, updated_at timestamptz)",
                "INSERT INTO items SELECT g, 'n' || g, now() FROM generate_series(1, 100) g",
                "CREATE TABLE secret_t (id bigint PRIMARY KEY, v text)", "INSERT INTO secret_t VALUES (1, 'x')",
                "CREATE ROLE " + NOGRANT_USER + " LOGIN PASSWORD '" + NOGRANT_PASSWORD + "'",
                "GRANT SELECT ON items TO " + NOGRANT_USER);
    }

    private static String config(TestingPostgres server, int port, String user, String password, String extra) {
        return "{\"host\": \"localhost\", \"port\": " + port + ", \"database\": \"postgres\", \"username\": \"" + user
                + "\", \"password\": \"" + password + "\", \"ssl\": {\"mode\": \"disable\"}, \"retry_count\": 1"
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    private static String config(String user, String password, String extra) {
        return config(pg, pg.port(), user, password, extra);
    }

    /** The application role: checked password, REPLICATION, pg_read_all_data. */
    private static String app(String extra) {
        return config(TestingPostgres.APP_USER, TestingPostgres.APP_PASSWORD, extra);
    }

    private static String superuser(String extra) {
        return config(TestingPostgres.USER, TestingPostgres.PASSWORD, extra);
    }

    private Path stateFile() {
        return dir.resolve("state.json");
    }

    private Path out() {
        return dir.resolve("out");
    }

    private void sync(String sourceConfig, List<ConfiguredStream> streams) {
        BadInput.sync("postgres", sourceConfig, stateFile(), out(), streams);
    }

    private Throwable failsWithoutSideEffects(String secret, Runnable run) {
        return BadInput.failsWithoutSideEffects(stateFile(), out(), secret, run);
    }

    private static Stream discover(String table, String extra) {
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(superuser(extra)), "source.json")) {
            return new AbstractDriver(d, State.inMemory()).discover(2).stream()
                    .filter(s -> s.id().equals(StreamId.of("public", table))).findFirst().orElseThrow();
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ConfiguredStream items() {
        return ConfiguredStream.of(discover("items", "").withSyncMode(SyncMode.INCREMENTAL)
                .withCursorField(Optional.of("id")));
    }

    // ------------------------------------------------------------------ connection

    @Test
    void wrongPasswordIsAConfigErrorNamingTheUserWithoutThePassword() {
        String wrong = "wrong-" + SECRET;
        Throwable t = failsWithoutSideEffects(wrong, () -> sync(config(TestingPostgres.APP_USER, wrong, ""),
                List.of(items())));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("rejected the credentials")
                .hasMessageContaining(TestingPostgres.APP_USER + "@localhost:" + pg.port() + "/postgres");
    }

    /**
     * A closed port is what a restart or a failover looks like from here: transient (retried; the CLI exits 5), not a
     * config error. An unknown host name stays a config error.
     */
    @Test
    void refusedConnectionIsRetriableAndUnknownHostIsAConfigErrorNamingHostAndPortWithoutThePassword()
            throws Exception {
        int port = closedPort();
        Throwable t = failsWithoutSideEffects(SECRET, () -> sync(config(pg, port, TestingPostgres.APP_USER, SECRET,
                ""), List.of(items())));
        assertThat(t).isInstanceOf(RetriableException.class)
                .hasMessageContaining("cannot connect to PostgreSQL at localhost:" + port)
                .hasMessageContaining("down, restarting or unreachable");
        String badHost = config(TestingPostgres.APP_USER, SECRET, "").replace("\"localhost\"",
                "\"no-such-host.invalid\"");
        t = failsWithoutSideEffects(SECRET, () -> sync(badHost, List.of(items())));
        assertThat(t).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot connect to PostgreSQL at no-such-host.invalid:" + pg.port())
                .hasMessageContaining("unknown host");
    }

    /** A server that answers the startup with 57P03 ("the database system is starting up"), as PostgreSQL does. */
    @Test
    void serverStartingUpIsRetriable() throws Exception {
        try (FakeServer server = FakeServer.answering(FakeServer.startingUp())) {
            Throwable t = setupFails(config(pg, server.port(), TestingPostgres.APP_USER, SECRET, ""));
            assertThat(t).isInstanceOf(RetriableException.class).hasMessageContaining("57P03")
                    .hasMessageContaining("starting up").hasMessageNotContaining(SECRET);
        }
    }

    /** A server that accepts the connection and never answers: the login times out, transient. */
    @Test
    void loginTimeoutIsRetriable() throws Exception {
        try (FakeServer server = FakeServer.answering(null)) {
            Throwable t = setupFails(config(pg, server.port(), TestingPostgres.APP_USER, SECRET,
                    "\"jdbc_url_params\": {\"loginTimeout\": \"1\"}"));
            assertThat(t).isInstanceOf(RetriableException.class)
                    .hasMessageContaining("cannot connect to PostgreSQL at localhost:" + server.port());
        }
    }

    private static Throwable setupFails(String source) {
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(source), "source.json")) {
            d.setup();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("setup succeeded");
    }

    /** Accepts connections on a free port; answers the first message with {@code reply} (or never, if null). */
    private static final class FakeServer implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread thread;

        private FakeServer(ServerSocket socket, Thread thread) {
            this.socket = socket;
            this.thread = thread;
        }

        static byte[] startingUp() {
            byte[] fields = ("SFATAL\0VFATAL\0C57P03\0Mthe database system is starting up\0\0")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            return java.nio.ByteBuffer.allocate(5 + fields.length).put((byte) 'E').putInt(4 + fields.length)
                    .put(fields).array();
        }

        static FakeServer answering(byte[] reply) throws Exception {
            ServerSocket socket = new ServerSocket(0);
            Thread thread = new Thread(() -> {
                List<java.net.Socket> open = new java.util.ArrayList<>();
                try {
                    while (true) {
                        java.net.Socket s = socket.accept();
                        open.add(s);
                        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                        int len = in.readInt();
                        int code = in.readInt();
                        in.readFully(new byte[len - 8]);
                        if (code == 80877103) { // SSLRequest: no TLS here, then the startup message follows
                            s.getOutputStream().write('N');
                            len = in.readInt();
                            in.readFully(new byte[len - 4]);
                        }
                        if (reply != null) {
                            s.getOutputStream().write(reply);
                            s.getOutputStream().flush();
                            s.close();
                        }
                    }
                } catch (java.io.IOException closed) {
                    for (java.net.Socket s : open) {
                        try {
                            s.close();
                        } catch (java.io.IOException ignored) {
                            // closing
                        }
                    }
                }
            }, "fake-postgres");
            thread.setDaemon(true);
            thread.start();
            return new FakeServer(socket, thread);
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ grants and server settings

    @Test
    void tableWithoutSelectGrantIsAConfigErrorSayingWhatToGrant() {
        Stream s = Stream.of(StreamId.of("public", "secret_t"), Schema.of(Field.of("id", DataType.INT64, false),
                Field.nullable("v", DataType.STRING)), List.of("id"), Set.of("id", "v"),
                Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL));
        Throwable t = failsWithoutSideEffects(NOGRANT_PASSWORD, () -> sync(config(NOGRANT_USER, NOGRANT_PASSWORD, ""),
                List.of(ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH)))));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("stream public.secret_t")
                .hasMessageContaining("user 'nogrant' may not read the table")
                .hasMessageContaining("GRANT SELECT ON \"public\".\"secret_t\" TO \"nogrant\"");
    }

    @Test
    void walLevelReplicaIsAConfigErrorTellingWhatToRun() {
        try (TestingPostgres replica = new TestingPostgres("replica")) {
            String cdc = config(replica, replica.port(), TestingPostgres.APP_USER, TestingPostgres.APP_PASSWORD,
                    "\"update_method\": {\"replication_slot\": \"s\", \"publication\": \"p\", \"create_if_missing\": true}");
            replica.execute("CREATE TABLE t (id int PRIMARY KEY)");
            Stream s = Stream.of(StreamId.of("public", "t"), Schema.of(Field.of("id", DataType.INT32, false)),
                    List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC));
            Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(cdc,
                    List.of(ConfiguredStream.of(s.withSyncMode(SyncMode.CDC)))));
            assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("wal_level=logical")
                    .hasMessageContaining("has wal_level=replica").hasMessageContaining("ALTER SYSTEM SET wal_level");
        }
    }

    @Test
    void missingPublicationOrSlotWithoutCreateIfMissingIsAConfigErrorAndCreatesNothing() throws Exception {
        ConfiguredStream cs = ConfiguredStream.of(discover("items", "").withSupportedSyncModes(
                Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)).withSyncMode(SyncMode.CDC));
        Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(app(
                "\"update_method\": {\"replication_slot\": \"bad_slot\", \"publication\": \"bad_pub\"}"), List.of(cs)));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("publication 'bad_pub' does not exist")
                .hasMessageContaining("CREATE PUBLICATION \"bad_pub\"").hasMessageContaining("create_if_missing");
        assertThat(count("SELECT count(*) FROM pg_publication WHERE pubname = 'bad_pub'")).isZero();

        pg.execute("CREATE PUBLICATION bad_pub FOR TABLE items");
        try {
            t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(app(
                    "\"update_method\": {\"replication_slot\": \"bad_slot\", \"publication\": \"bad_pub\"}"),
                    List.of(cs)));
            assertThat(t).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("replication slot 'bad_slot' does not exist")
                    .hasMessageContaining("pg_create_logical_replication_slot('bad_slot', 'pgoutput')");
            assertThat(count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'bad_slot'")).isZero();
        } finally {
            pg.execute("DROP PUBLICATION bad_pub");
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = pg.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ------------------------------------------------------------------ catalog against the source

    private static ConfiguredStream missingTable(SyncMode mode) {
        Stream s = Stream.of(StreamId.of("public", "no_such_table"), Schema.of(Field.of("id", DataType.INT64, false)),
                List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL));
        return ConfiguredStream.of(s.withSyncMode(mode).withCursorField(Optional.of("id")));
    }

    @Test
    void streamMissingFromTheSourceIsAConfigErrorNamingIt() {
        for (SyncMode mode : List.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL)) {
            Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(app(""),
                    List.of(items(), missingTable(mode))));
            assertThat(t).as(mode.jsonName()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("stream public.no_such_table does not exist");
        }
    }

    @Test
    void streamMissingFromTheSourceLeavesStateUntouchedThroughTheLibraryApiAlone() throws Exception {
        Files.writeString(stateFile(), "{\"type\": \"STREAM\", \"version\": 1, \"streams\": []}");
        Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> {
            try (DriverInterface d = Drivers.configured("postgres", Json.parse(app("")), "source.json");
                    WriterPool pool = new WriterPool(new JsonlDestination(new JsonlConfig(out().toString(), true)),
                            WriterPool.Options.defaults());
                    AbstractDriver a = new AbstractDriver(d, State.load(new FileStateStore(stateFile())))) {
                a.setup();
                a.read(pool, List.of(missingTable(SyncMode.INCREMENTAL)));
            }
        });
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("public.no_such_table");
    }

    @Test
    void cursorColumnDroppedInTheSourceIsAConfigErrorNamingStreamAndColumn() {
        pg.execute("CREATE TABLE cur_t (id bigint PRIMARY KEY, changed_at timestamptz)",
                "INSERT INTO cur_t VALUES (1, now())");
        ConfiguredStream cs = ConfiguredStream.of(discover("cur_t", "").withSyncMode(SyncMode.INCREMENTAL)
                .withCursorField(Optional.of("changed_at")));
        pg.execute("ALTER TABLE cur_t DROP COLUMN changed_at");
        Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(app(""), List.of(cs)));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("stream public.cur_t")
                .hasMessageContaining("column changed_at").hasMessageContaining("does not exist in the source")
                .hasMessageContaining("[id]");
    }

    @Test
    void keylessTableOffersCdcOnlyUnderReplicaIdentityFull() {
        pg.execute("CREATE TABLE keyless_t (a int, b text)", "INSERT INTO keyless_t VALUES (1, 'x')");
        pg.execute("CREATE PUBLICATION keyless_pub FOR TABLE keyless_t",
                "SELECT pg_create_logical_replication_slot('keyless_slot', 'pgoutput')");
        String cdc = "\"update_method\": {\"replication_slot\": \"keyless_slot\", \"publication\": \"keyless_pub\", "
                + "\"initial_wait_time\": 1}";
        try {
            Stream s = discover("keyless_t", cdc);
            assertThat(s.primaryKey()).isEmpty();
            assertThat(s.supportedSyncModes()).doesNotContain(SyncMode.CDC, SyncMode.STRICT_CDC);
            // the catalog's own supported_sync_modes refuse it before anything runs
            Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(app(cdc),
                    List.of(ConfiguredStream.of(s.withSyncMode(SyncMode.CDC)))));
            assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("stream public.keyless_t")
                    .hasMessageContaining("sync_mode cdc is not supported");
            // a catalog edited to claim cdc is refused by the preflight: the driver names the fix
            ConfiguredStream edited = ConfiguredStream.of(s.withSupportedSyncModes(Set.of(SyncMode.FULL_REFRESH,
                    SyncMode.CDC)).withSyncMode(SyncMode.CDC));
            t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(app(cdc), List.of(edited)));
            assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("stream public.keyless_t")
                    .hasMessageContaining("REPLICA IDENTITY FULL");
            // REPLICA IDENTITY FULL makes keyless CDC possible: deletes carry the whole old row, and _olake_id is
            // the MD5 of every value (PostgresDriverTest.cdcCapturesInsertUpdateDeleteToastAndAddedColumns syncs it)
            pg.execute("ALTER TABLE keyless_t REPLICA IDENTITY FULL");
            assertThat(discover("keyless_t", cdc).supportedSyncModes()).contains(SyncMode.CDC, SyncMode.STRICT_CDC);
        } finally {
            pg.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE slot_name = 'keyless_slot'", "DROP PUBLICATION IF EXISTS keyless_pub");
        }
    }

    @Test
    void typesWithoutAMappingAreSyncedAsTheirTextAndLoggedOnce() throws Exception {
        pg.execute("CREATE TYPE bad_pair AS (a int, b text)",
                "CREATE TABLE odd_t (id int PRIMARY KEY, pair bad_pair, poly polygon, pt point, rng int4range)",
                "INSERT INTO odd_t VALUES (1, ROW(7, 'seven'), '((0,0),(1,0),(1,1))', '(1.5,2)', '[1,5)')");
        String logs;
        Stream s;
        try (BadInput.Output output = BadInput.captureOutput()) {
            s = discover("odd_t", "");
            logs = output.text();
        }
        for (String col : List.of("pair", "poly", "pt", "rng")) {
            assertThat(s.schema().field(col).orElseThrow().type()).as(col).isEqualTo(DataType.STRING);
        }
        assertThat(logs).contains("PostgreSQL type bad_pair has no mapping; its values are synced as strings");
        sync(app(""), List.of(ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH))));
        List<ObjectNode> rows = new JsonlDestination(new JsonlConfig(out().toString(), true))
                .read(StreamId.of("public", "odd_t"));
        assertThat(rows).hasSize(1);
        Consumer<String[]> check = cv -> assertThat(rows.get(0).get(cv[0]).asText()).as(cv[0]).isEqualTo(cv[1]);
        check.accept(new String[] {"pair", "(7,seven)"});
        check.accept(new String[] {"poly", "((0,0),(1,0),(1,1))"});
        check.accept(new String[] {"pt", "(1.5,2)"});
        check.accept(new String[] {"rng", "[1,5)"});
    }

    // ------------------------------------------------------------------ state against the source

    private static String systemIdentifier(TestingPostgres server) throws Exception {
        try (Connection c = server.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT system_identifier::text FROM pg_control_system()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Optional<String> identityAs(String sourceConfig) {
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(sourceConfig), "source.json")) {
            return d.sourceIdentity();
        }
    }

    @Test
    void stateOfAnotherServerIsAConfigErrorNamingBothIdentitiesAndChangesNothing() throws Exception {
        sync(app(""), List.of(items()));
        String ours = "postgres:" + systemIdentifier(pg) + "/postgres";
        assertThat(Json.parse(Files.readString(stateFile())).get("source_identity").asText()).isEqualTo(ours);
        assertThat(new JsonlDestination(new JsonlConfig(out().toString(), true)).read(StreamId.of("public", "items")))
                .isNotEmpty();
        try (TestingPostgres other = new TestingPostgres()) {
            other.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text, updated_at timestamptz)",
                    "INSERT INTO items SELECT g, 'other' || g, now() FROM generate_series(1, 300) g");
            String theirs = "postgres:" + systemIdentifier(other) + "/postgres";
            assertThat(theirs).isNotEqualTo(ours);
            Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(config(other, other.port(),
                    TestingPostgres.APP_USER, TestingPostgres.APP_PASSWORD, ""), List.of(items())));
            assertThat(t).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("state file " + stateFile().toAbsolutePath())
                    .hasMessageContaining("belongs to another source")
                    .hasMessageContaining("'" + ours + "'").hasMessageContaining("'" + theirs + "'");
        }
        sync(app(""), List.of(items())); // the state's own server still resumes from it
    }

    @Test
    void stateOfAnotherDatabaseOnTheSameServerIsAConfigError() throws Exception {
        pg.execute("CREATE DATABASE other_db");
        try {
            try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.port()
                    + "/other_db", TestingPostgres.USER, TestingPostgres.PASSWORD); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text, updated_at timestamptz)");
            }
            sync(app(""), List.of(items()));
            String otherDb = app("").replace("\"database\": \"postgres\"", "\"database\": \"other_db\"");
            Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(otherDb, List.of(items())));
            assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("belongs to another source")
                    .hasMessageContaining("/postgres'").hasMessageContaining("/other_db'");
        } finally {
            pg.execute("DROP DATABASE other_db");
        }
    }

    @Test
    void stateWithoutSourceIdentityIsAdoptedAndKeepsItsPositions() throws Exception {
        sync(app(""), List.of(items()));
        ObjectNode old = (ObjectNode) Json.parse(Files.readString(stateFile()));
        JsonNode cursor = old.get("streams").get(0).get("state").get("id");
        old.remove("source_identity"); // as an older Tributary (or OLake) wrote it
        Files.writeString(stateFile(), old.toString());
        JsonlDestination dest = new JsonlDestination(new JsonlConfig(out().toString(), true));
        int written = dest.read(StreamId.of("public", "items")).size();
        pg.execute("INSERT INTO items VALUES (101, 'n101', now())");
        try {
            sync(app(""), List.of(items()));
            JsonNode now = Json.parse(Files.readString(stateFile()));
            assertThat(now.get("source_identity").asText())
                    .isEqualTo("postgres:" + systemIdentifier(pg) + "/postgres");
            assertThat(cursor.asText()).isEqualTo("100");
            assertThat(now.get("streams").get(0).get("state").get("id").asText()).isEqualTo("101");
            // resumed from the saved cursor: only rows >= 100 were read again, not a full re-sync
            assertThat(dest.read(StreamId.of("public", "items"))).hasSize(written + 2);
        } finally {
            pg.execute("DELETE FROM items WHERE id = 101");
        }
    }

    @Test
    void sourceIdentityNeedsNoSuperuserAndFallsBackToIdentifySystem() throws Exception {
        String expected = "postgres:" + systemIdentifier(pg) + "/postgres";
        assertThat(identityAs(superuser(""))).contains(expected);
        assertThat(identityAs(app(""))).contains(expected); // REPLICATION + pg_read_all_data
        assertThat(identityAs(config(NOGRANT_USER, NOGRANT_PASSWORD, ""))).contains(expected); // a plain login role
        pg.execute("REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC");
        try {
            assertThat(identityAs(app(""))).contains(expected); // IDENTIFY_SYSTEM on a replication connection
            assertThat(identityAs(config(NOGRANT_USER, NOGRANT_PASSWORD, ""))).isEmpty(); // not checked, logged
        } finally {
            pg.execute("GRANT EXECUTE ON FUNCTION pg_control_system() TO PUBLIC");
        }
    }

    @Test
    void emptyOrGarbledStateFileIsAConfigErrorNotAFullResync() throws Exception {
        sync(app(""), List.of(items()));
        String good = Files.readString(stateFile());
        for (String bad : List.of("", good.substring(0, good.length() / 2), "\u0000\u0000garbage")) {
            Files.writeString(stateFile(), bad);
            Throwable t = failsWithoutSideEffects(TestingPostgres.APP_PASSWORD, () -> sync(app(""), List.of(items())));
            assertThat(t).as("state %s", bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("state file " + stateFile().toAbsolutePath())
                    .hasMessageContaining(bad.isEmpty() ? "is empty (0 bytes)" : "malformed JSON")
                    .hasMessageContaining("not modified");
        }
    }
}
