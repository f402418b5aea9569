package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input against a real PostgreSQL: each case is a {@link ConfigException} naming the stream and what to run, the
 * state and the destination stay exactly as they were (a full refresh is not cleared first), and no password appears
 * in any log line or message.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresPreflightTest {
    static TestingPostgres pg;
    private static final String SECRET = "s3cret-limited-pw";

    @BeforeAll
    static void start() {
        pg.execute("CREATE ROLE limited LOGIN PASSWORD '" + SECRET + "'",
                "CREATE TABLE bi_secret (id bigint PRIMARY KEY, v text)",
                "INSERT INTO bi_secret SELECT g, 'v' || g FROM generate_series(1, 100) g",
                "CREATE TABLE bi_open (id bigint PRIMARY KEY, v text)", "GRANT SELECT ON bi_open TO limited",
                "INSERT INTO bi_open SELECT g, 'v' || g FROM generate_series(1, 10) g",
                "CREATE TABLE bi_nokey (a int, b text)", "INSERT INTO bi_nokey VALUES (1, 'x')",
                "CREATE TYPE bi_pair AS (a int, b text)",
                "CREATE TABLE bi_odd (id int PRIMARY KEY, p bi_pair, pt point, r int4range)",
                "INSERT INTO bi_odd VALUES (1, ROW(7, 'seven'), point(1.5, 2), int4range(1, 5))");
    }

    private static String limitedConfig() {
        return "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", \"username\": "
                + "\"limited\", \"password\": \"" + SECRET + "\", \"ssl\": {\"mode\": \"disable\"}}";
    }

    /** Runs {@code r} with System.err captured (slf4j-simple logs there) and returns what was logged. */
    private static String logs(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        old.print(out);
        return out;
    }

    private static void assertNoSecret(Throwable t, String logs) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            assertThat(String.valueOf(c.getMessage())).doesNotContain(SECRET);
        }
        assertThat(logs).doesNotContain(SECRET);
    }

    @Test
    void aTableTheUserMayNotReadFailsBeforeAFullRefreshClearsAnything() {
        PgSync sync = new PgSync(pg, "") {
            @Override
            DriverInterface driver() {
                return Drivers.configured("postgres", Json.parse(limitedConfig()), "source.json");
            }
        };
        StreamId open = StreamId.of("public", "bi_open");
        ConfiguredStream cs = sync.stream(open, SyncMode.FULL_REFRESH);
        sync.run(cs);
        assertThat(sync.dest.table(open)).hasSize(10);
        String stateBefore = sync.state().toJson().toString();

        // the same stream config pointed at a table the role may not read
        ConfiguredStream secret = ConfiguredStream.of(new PgSync(pg, "").stream(StreamId.of("public", "bi_secret"),
                SyncMode.FULL_REFRESH).stream());
        Throwable[] thrown = new Throwable[1];
        String logs = logs(() -> thrown[0] = org.assertj.core.api.Assertions.catchThrowable(
                () -> sync.run(cs, secret)));
        assertThat(thrown[0]).isInstanceOf(ConfigException.class).hasMessageContaining("public.bi_secret")
                .hasMessageContaining("GRANT SELECT ON \"public\".\"bi_secret\" TO \"limited\"");
        assertNoSecret(thrown[0], logs);
        assertThat(sync.state().toJson().toString()).isEqualTo(stateBefore);
        assertThat(sync.dest.table(open)).as("the other stream's full refresh was not cleared").hasSize(10);
        assertThat(sync.dest.records(StreamId.of("public", "bi_secret"))).isEmpty();
    }

    @Test
    void aWrongPasswordNeverReachesALogOrAMessage() {
        String config = limitedConfig().replace(SECRET, SECRET + "-wrong");
        Throwable[] thrown = new Throwable[1];
        String logs = logs(() -> thrown[0] = org.assertj.core.api.Assertions.catchThrowable(() -> {
            try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "source.json")) {
                d.setup();
            }
        }));
        assertThat(thrown[0]).isInstanceOf(ConfigException.class).hasMessageContaining("credentials");
        for (Throwable c = thrown[0]; c != null; c = c.getCause()) {
            assertThat(String.valueOf(c.getMessage())).doesNotContain(SECRET);
        }
        assertThat(logs).doesNotContain(SECRET);
    }

    @Test
    void aStreamDroppedSinceDiscoveryAndAKeylessTableWithoutReplicaIdentityAreConfigErrors() {
        pg.execute("CREATE TABLE bi_gone (id bigint PRIMARY KEY)");
        PgSync sync = new PgSync(pg, "\"update_method\": {\"replication_slot\": \"bi_slot\", \"publication\": "
                + "\"bi_slot\", \"initial_wait_time\": 1, \"create_if_missing\": true}");
        ConfiguredStream gone = sync.stream(StreamId.of("public", "bi_gone"), SyncMode.FULL_REFRESH);
        pg.execute("DROP TABLE bi_gone");
        assertThatThrownBy(() -> sync.run(gone)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("public.bi_gone").hasMessageContaining("does not exist");

        // discovery does not offer cdc for it; a catalog edited by hand to claim it is stopped by the driver's check
        io.tributary.types.Stream discovered = sync.discover(StreamId.of("public", "bi_nokey"));
        assertThat(discovered.supportedSyncModes()).doesNotContain(SyncMode.CDC);
        ConfiguredStream nokey = ConfiguredStream.of(discovered.withSupportedSyncModes(java.util.EnumSet.of(
                SyncMode.CDC, SyncMode.FULL_REFRESH)).withSyncMode(SyncMode.CDC));
        String before = sync.state().toJson().toString();
        assertThatThrownBy(() -> sync.run(nokey)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("public.bi_nokey").hasMessageContaining("REPLICA IDENTITY FULL");
        assertThat(sync.state().toJson().toString()).isEqualTo(before);
        assertThat(sync.dest.records(StreamId.of("public", "bi_nokey"))).isEmpty();
    }

    @Test
    void aMissingSlotThatMayNotBeCreatedNamesTheSqlToRun() {
        PgSync sync = new PgSync(pg, "\"update_method\": {\"replication_slot\": \"no_such_slot\", \"publication\": "
                + "\"bi_pub\", \"create_if_missing\": false}");
        pg.execute("CREATE PUBLICATION bi_pub FOR TABLE bi_open");
        assertThatThrownBy(() -> sync.driver().setup()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("replication slot 'no_such_slot' does not exist")
                .hasMessageContaining("pg_create_logical_replication_slot");
    }

    @Test
    void typesTheDriverHasNoMappingForAreReadAsTheirTextForm() {
        PgSync sync = new PgSync(pg, "");
        StreamId id = StreamId.of("public", "bi_odd");
        ConfiguredStream cs = sync.stream(id, SyncMode.FULL_REFRESH);
        assertThat(List.of("p", "pt", "r")).allSatisfy(c ->
                assertThat(cs.schema().field(c).orElseThrow().type()).as(c).isEqualTo(DataType.STRING));
        sync.run(cs);
        Record r = sync.dest.table(id).get("1");
        assertThat(r.value("p")).isEqualTo("(7,seven)");
        assertThat(r.value("pt")).isEqualTo("(1.5,2)");
        assertThat(r.value("r")).isEqualTo("[1,5)");
    }
}
