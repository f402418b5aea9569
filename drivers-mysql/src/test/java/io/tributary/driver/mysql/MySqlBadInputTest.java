package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.State;
import io.tributary.testkit.BadInput;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.types.ConfigException;
import io.tributary.types.RetriableException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input against a private MariaDB (MySQL 8 in {@link MySql8BadInputTest}): each fails with a typed error naming
 * the cause, leaves {@code state.json} and the destination as they were, and never prints the password. Runs what the
 * CLI's {@code sync} runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlBadInputTest {
    private static final String SECRET = "Kp9-never-print-me";
    private static final String NOGRANT_PASSWORD = "nogrant-" + SECRET;

    private TestingMySqlServer db;

    @TempDir
    Path dir;

    /**
     * Starts a server with the given {@code binlog_format} and {@code server_id}, or skips the test class when it
     * cannot run here ({@link MySql8BadInputTest}: MySQL 8).
     */
    TestingMySqlServer newServer(String binlogFormat, int serverId) {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        return new TestingMariaDb(binlogFormat, serverId);
    }

    private boolean mariaDb() {
        return db.product().startsWith("MariaDB");
    }

    @BeforeAll
    void start() {
        db = newServer("ROW", 1);
        db.execute("CREATE TABLE shop.items (id bigint PRIMARY KEY, name varchar(20))",
                "INSERT INTO shop.items VALUES (1, 'a'), (2, 'b')",
                "CREATE TABLE shop.secret_t (id bigint PRIMARY KEY, v text)",
                "CREATE USER 'nogrant'@'%' IDENTIFIED BY '" + NOGRANT_PASSWORD + "'",
                "GRANT SELECT ON shop.items TO 'nogrant'@'%'");
    }

    @AfterAll
    void stop() {
        if (db != null) {
            db.close();
        }
    }

    private static String config(int port, String user, String password, boolean cdc) {
        return "{\"host\": \"127.0.0.1\", \"port\": " + port + ", \"database\": \"shop\", \"username\": \"" + user
                + "\", \"password\": \"" + password + "\", \"ssl\": {\"mode\": \"disable\"}, \"retry_count\": 1"
                + (cdc ? ", \"update_method\": {\"initial_wait_time\": 1}" : "") + "}";
    }

    private String app(boolean cdc) {
        return config(db.port(), TestingMySqlServer.APP_USER, TestingMySqlServer.APP_PASSWORD, cdc);
    }

    private Path stateFile() {
        return dir.resolve("state.json");
    }

    private Path out() {
        return dir.resolve("out");
    }

    private void sync(String sourceConfig, List<ConfiguredStream> streams) {
        BadInput.sync("mysql", sourceConfig, stateFile(), out(), streams);
    }

    private Throwable failsWithoutSideEffects(String secret, Runnable run) {
        return BadInput.failsWithoutSideEffects(stateFile(), out(), secret, run);
    }

    private Stream discover(String table, boolean cdc) {
        try (DriverInterface d = Drivers.configured("mysql", Json.parse(app(cdc)), "source.json")) {
            return new AbstractDriver(d, State.inMemory()).discover(2).stream()
                    .filter(s -> s.id().equals(StreamId.of("shop", table))).findFirst().orElseThrow();
        }
    }

    private ConfiguredStream items(SyncMode mode) {
        return ConfiguredStream.of(discover("items", mode == SyncMode.CDC).withSyncMode(mode)
                .withCursorField(Optional.of("id")));
    }

    // ------------------------------------------------------------------ connection

    @Test
    void wrongPasswordIsAConfigErrorNamingTheUserWithoutThePassword() {
        String wrong = "wrong-" + SECRET;
        Throwable t = failsWithoutSideEffects(wrong, () -> sync(config(db.port(), TestingMySqlServer.APP_USER, wrong,
                true), List.of(items(SyncMode.CDC))));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("rejected the credentials")
                .hasMessageContaining("tributary@127.0.0.1:" + db.port() + "/shop");
    }

    /**
     * A closed port is what a restart or a failover looks like from here: transient (retried; the CLI exits 5), not a
     * config error. An unknown host name stays a config error.
     */
    @Test
    void refusedConnectionIsRetriableAndUnknownHostIsAConfigErrorWithoutThePassword() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int closed = port;
        Throwable t = failsWithoutSideEffects(SECRET, () -> sync(config(closed, TestingMySqlServer.APP_USER, SECRET,
                false), List.of(items(SyncMode.INCREMENTAL))));
        assertThat(t).isInstanceOf(RetriableException.class)
                .hasMessageContaining("cannot connect to MySQL at 127.0.0.1:" + closed)
                .hasMessageContaining("down, restarting or unreachable");
        String badHost = config(db.port(), TestingMySqlServer.APP_USER, SECRET, false).replace("\"127.0.0.1\"",
                "\"no-such-host.invalid\"");
        t = failsWithoutSideEffects(SECRET, () -> sync(badHost, List.of(items(SyncMode.INCREMENTAL))));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("unknown host 'no-such-host.invalid'");
    }

    /** A server that accepts the connection and never sends its greeting: the read times out, transient. */
    @Test
    void silentServerTimesOutAsRetriable() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            String plain = config(silent.getLocalPort(), TestingMySqlServer.APP_USER, SECRET, false);
            String source = plain.substring(0, plain.length() - 1)
                    + ", \"jdbc_url_params\": {\"socketTimeout\": \"1000\"}}";
            Throwable t = null;
            try (DriverInterface d = Drivers.configured("mysql", Json.parse(source), "source.json")) {
                d.setup();
            } catch (RuntimeException e) {
                t = e;
            }
            assertThat(t).isInstanceOf(RetriableException.class)
                    .hasMessageContaining("cannot connect to MySQL at 127.0.0.1:" + silent.getLocalPort())
                    .hasMessageNotContaining(SECRET);
        }
    }

    // ------------------------------------------------------------------ grants and server settings

    @Test
    void tableWithoutGrantsIsAConfigErrorSayingWhatToGrant() {
        Stream s = Stream.of(StreamId.of("shop", "secret_t"), Schema.of(Field.of("id", DataType.INT64, false)),
                List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL));
        Throwable t = failsWithoutSideEffects(NOGRANT_PASSWORD, () -> sync(config(db.port(), "nogrant",
                NOGRANT_PASSWORD, false), List.of(ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH)))));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("stream shop.secret_t")
                .hasMessageContaining("user 'nogrant' holds no privilege on it")
                .hasMessageContaining("GRANT SELECT ON `shop`.`secret_t` TO 'nogrant'");
    }

    @Test
    void cdcWithoutReplicationGrantsIsAConfigErrorSayingWhatToGrant() {
        Throwable t = failsWithoutSideEffects(NOGRANT_PASSWORD, () -> sync(config(db.port(), "nogrant",
                NOGRANT_PASSWORD, true), List.of(items(SyncMode.CDC))));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("user 'nogrant'")
                .hasMessageContaining("REPLICATION CLIENT");
    }

    @Test
    void binlogFormatStatementIsAConfigErrorTellingWhatToRun() {
        db.execute("SET GLOBAL binlog_format = 'STATEMENT'");
        try {
            Throwable t = failsWithoutSideEffects(TestingMySqlServer.APP_PASSWORD, () -> sync(app(true),
                    List.of(items(SyncMode.CDC))));
            assertThat(t).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("CDC needs binlog_format=ROW but the server has STATEMENT")
                    .hasMessageContaining("SET GLOBAL binlog_format = 'ROW'");
        } finally {
            db.execute("SET GLOBAL binlog_format = 'ROW'");
        }
    }

    // ------------------------------------------------------------------ saved positions

    private List<String> binaryLogs() throws Exception {
        return binaryLogs(db);
    }

    private static List<String> binaryLogs(TestingMySqlServer server) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = server.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private String scalar(String sql) throws Exception {
        return scalar(db, sql);
    }

    private static String scalar(TestingMySqlServer server, String sql) throws Exception {
        try (Connection c = server.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void purgedBinlogPositionIsANonRetriableErrorNamingTheFile() throws Exception {
        db.execute("CREATE TABLE shop.purge_t (id bigint PRIMARY KEY, v text)", "INSERT INTO shop.purge_t VALUES (1, 'x')");
        ConfiguredStream cs = ConfiguredStream.of(discover("purge_t", true).withSyncMode(SyncMode.CDC));
        sync(app(true), List.of(cs)); // backfill, then CDC up to now: state holds a binlog position
        String saved = Json.mapper().readTree(stateFile().toFile()).get("global").get("state").get("state")
                .get("position").get("name").asText();
        // MariaDB keeps a binlog file until InnoDB checkpointed past it: rotate and purge until it is gone (MySQL
        // purges at once)
        await("binlog " + saved + " purged").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    db.execute("FLUSH BINARY LOGS");
                    db.execute("PURGE BINARY LOGS TO '" + scalar("SHOW MASTER STATUS") + "'");
                    assertThat(binaryLogs()).doesNotContain(saved);
                });
        db.execute("INSERT INTO shop.purge_t VALUES (2, 'y')");
        Throwable t = failsWithoutSideEffects(TestingMySqlServer.APP_PASSWORD, () -> sync(app(true), List.of(cs)));
        assertThat(t).isInstanceOf(NonRetriableException.class)
                .hasMessageContaining("the saved binlog file " + saved + " was purged")
                .hasMessageContaining("clear the state");
    }

    @Test
    void stateWithoutIdentityFromAnotherServerIsStillCaughtAsAPurgedFile() throws Exception {
        // a state without source_identity (an older Tributary, OLake) is adopted: a copy from another server is
        // then only caught because its binlog file does not exist here
        Files.writeString(stateFile(), """
                {"type": "STREAM", "version": 1,
                 "global": {"state": {"server_id": 4242, "state": {"position": {"name": "mysql-bin.000042", "pos": 4}}},
                            "streams": ["shop.items"]},
                 "streams": [{"stream": "items", "namespace": "shop", "sync_mode": "cdc", "state": {"chunks": []}}]}
                """);
        Throwable t = failsWithoutSideEffects(TestingMySqlServer.APP_PASSWORD, () -> sync(app(true),
                List.of(items(SyncMode.CDC))));
        assertThat(t).isInstanceOf(NonRetriableException.class)
                .hasMessageContaining("the saved binlog file mysql-bin.000042 was purged");
    }

    @Test
    void stateOfAnotherServerIsAConfigErrorNamingBothIdentitiesAndChangesNothing() throws Exception {
        ConfiguredStream cs = items(SyncMode.CDC);
        sync(app(true), List.of(cs));
        String ours = identity(db, 1);
        assertThat(Json.parse(Files.readString(stateFile())).get("source_identity").asText()).isEqualTo(ours);
        try (TestingMySqlServer other = newServer("ROW", 2)) {
            other.execute("CREATE TABLE shop.items (id bigint PRIMARY KEY, name varchar(20))",
                    "INSERT INTO shop.items VALUES (1, 'x'), (2, 'y'), (3, 'z')");
            // rotate the other server's binlog until the saved file exists there too: without the identity, the
            // run would resume from a foreign position
            String saved = Json.parse(Files.readString(stateFile())).get("global").get("state").get("state")
                    .get("position").get("name").asText();
            for (int i = 0; i < 200 && !binaryLogs(other).contains(saved); i++) {
                other.execute("FLUSH BINARY LOGS");
            }
            assertThat(binaryLogs(other)).contains(saved);
            Throwable t = failsWithoutSideEffects(TestingMySqlServer.APP_PASSWORD, () -> sync(config(other.port(),
                    TestingMySqlServer.APP_USER, TestingMySqlServer.APP_PASSWORD, true), List.of(cs)));
            assertThat(t).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("state file " + stateFile().toAbsolutePath())
                    .hasMessageContaining("belongs to another source").hasMessageContaining("'" + ours + "'")
                    .hasMessageContaining("'" + identity(other, 2) + "'");
        }
        sync(app(true), List.of(cs)); // the state's own server still resumes from it
    }

    /**
     * The identity {@link MySqlDriver#sourceIdentity()} documents: MariaDB's {@code server_id}, MySQL's
     * {@code server_uuid}.
     */
    private static String identity(TestingMySqlServer server, int serverId) throws Exception {
        return server.product().startsWith("MariaDB") ? "mariadb:server_id=" + serverId + "/shop"
                : "mysql:" + scalar(server, "SELECT @@server_uuid") + "/shop";
    }

    @Test
    void emptyOrGarbledStateFileIsAConfigErrorNotAFullResync() throws Exception {
        sync(app(false), List.of(items(SyncMode.INCREMENTAL)));
        String good = Files.readString(stateFile());
        for (String bad : List.of("", good.substring(0, good.length() / 2), "\u0000\u0000garbage")) {
            Files.writeString(stateFile(), bad);
            Throwable t = failsWithoutSideEffects(TestingMySqlServer.APP_PASSWORD, () -> sync(app(false),
                    List.of(items(SyncMode.INCREMENTAL))));
            assertThat(t).as("state %s", bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("state file " + stateFile().toAbsolutePath())
                    .hasMessageContaining(bad.isEmpty() ? "is empty (0 bytes)" : "malformed JSON")
                    .hasMessageContaining("not modified");
        }
    }

    // ------------------------------------------------------------------ catalog against the source

    @Test
    void streamMissingFromTheSourceIsAConfigErrorNamingIt() {
        Stream s = Stream.of(StreamId.of("shop", "no_such_table"), Schema.of(Field.of("id", DataType.INT64, false)),
                List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL));
        Throwable t = failsWithoutSideEffects(TestingMySqlServer.APP_PASSWORD, () -> sync(app(false),
                List.of(items(SyncMode.INCREMENTAL), ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH)))));
        assertThat(t).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stream shop.no_such_table does not exist");
    }

    @Test
    void keylessTableIsCapturedWithTheWholeRowAsItsKey() {
        db.execute("CREATE TABLE shop.keyless_t (a int, b varchar(10))", "INSERT INTO shop.keyless_t VALUES (1, 'x')");
        Stream s = discover("keyless_t", true);
        assertThat(s.primaryKey()).isEmpty();
        assertThat(s.supportedSyncModes()).contains(SyncMode.CDC);
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        sync(app(true), List.of(cs));
        db.execute("INSERT INTO shop.keyless_t VALUES (2, 'y')", "DELETE FROM shop.keyless_t WHERE a = 1");
        sync(app(true), List.of(cs));
        List<ObjectNode> rows = new JsonlDestination(new JsonlConfig(out().toString(), true))
                .read(StreamId.of("shop", "keyless_t"));
        // backfill (1,x), then CDC: insert (2,y) and the delete of (1,x), whose _olake_id (MD5 of every value)
        // equals the backfilled row's, so an upserting destination removes it
        assertThat(rows).extracting(r -> r.get("_op_type").asText()).containsExactlyInAnyOrder("r", "c", "d");
        ObjectNode backfilled = rows.stream().filter(r -> r.get("_op_type").asText().equals("r")).findFirst()
                .orElseThrow();
        ObjectNode deleted = rows.stream().filter(r -> r.get("_op_type").asText().equals("d")).findFirst()
                .orElseThrow();
        assertThat(deleted.get("_olake_id").asText()).isEqualTo(backfilled.get("_olake_id").asText()).hasSize(32);
    }

    @Test
    void typesWithoutAMappingAreSyncedAsTheirText() {
        assumeTrue(mariaDb(), "inet6 and uuid are MariaDB column types; MySQL 8 has no type without a mapping");
        db.execute("CREATE TABLE shop.odd_t (id int PRIMARY KEY, ip inet6, u uuid)",
                "INSERT INTO shop.odd_t VALUES (1, '::1', '123e4567-e89b-12d3-a456-426655440000')");
        Stream s = discover("odd_t", false);
        assertThat(s.schema().field("ip").orElseThrow().type()).isEqualTo(DataType.STRING);
        assertThat(s.schema().field("u").orElseThrow().type()).isEqualTo(DataType.STRING);
        sync(app(false), List.of(ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH))));
        List<ObjectNode> rows = new JsonlDestination(new JsonlConfig(out().toString(), true))
                .read(StreamId.of("shop", "odd_t"));
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("ip").asText()).isEqualTo("::1");
        assertThat(rows.get(0).get("u").asText()).isEqualTo("123e4567-e89b-12d3-a456-426655440000");
    }
}
