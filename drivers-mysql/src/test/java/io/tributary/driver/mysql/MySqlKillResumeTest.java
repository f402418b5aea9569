package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.testkit.Rows;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.testkit.WriteLoad;
import io.tributary.testkit.reliability.KillResumeHarness;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A MariaDB (MySQL 8 in {@link MySql8KillResumeTest}) CDC sync in a child JVM killed with SIGKILL while a load of
 * inserts, updates and deletes runs — during chunk reads and commits, and during CDC with changes flowing — resumed
 * from its state each time, in both CDC backfill modes; the jsonl destination, latest row per {@code _olake_id}, must
 * then equal the source. Trials per mode: {@code -Dtributary.trials=N} (default {@link #defaultTrials()}: 10 here),
 * seeds printed, {@code -Dtributary.seed=S} replays.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlKillResumeTest {
    private static final int ROWS = 5_000;

    private TestingMySqlServer db;

    @TempDir
    Path dir;

    /** Starts the server, or skips the test class when it cannot run here ({@link MySql8KillResumeTest}: MySQL 8). */
    TestingMySqlServer newServer() {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        return new TestingMariaDb();
    }

    /** Trials per mode when {@code -Dtributary.trials} is not given. */
    int defaultTrials() {
        return 10;
    }

    @BeforeAll
    void start() {
        db = newServer();
    }

    @AfterAll
    void stop() {
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"before_cdc", "watermark"})
    void cdcSyncKilledAtRandomMomentsLosesNothing(String mode) throws Exception {
        int trials = Integer.getInteger("tributary.trials", defaultTrials());
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            long begin = System.nanoTime();
            String table = "kr_" + mode + "_" + i;
            db.execute("CREATE TABLE shop." + table + " (id bigint PRIMARY KEY, v varchar(40), n int)",
                    "INSERT INTO shop." + table + " SELECT seq, concat('v', seq), 0 FROM "
                            + TestingMySqlServer.integers(1, ROWS));
            Path trial = Files.createDirectories(dir.resolve(table));
            Path source = Files.writeString(trial.resolve("source.json"), "{\"host\": \"127.0.0.1\", \"port\": "
                    + db.port() + ", \"database\": \"shop\", \"username\": \"" + TestingMySqlServer.ADMIN_USER
                    + "\", \"password\": \"" + TestingMySqlServer.ADMIN_PASSWORD + "\", "
                    + "\"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 500, \"max_threads\": 3, "
                    + "\"update_method\": {\"initial_wait_time\": 1}}");
            Path out = trial.resolve("out");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"path\": \"" + out + "\"}");
            WriteLoad load = WriteLoad.start(table, WriteLoad.sql(db.connection(), "shop." + table),
                    WriteLoad.Spec.of(seed, ROWS, Duration.ofMillis(5)));
            KillResumeHarness.Outcome o;
            try {
                o = KillResumeHarness.run(new KillResumeHarness.Trial("mysql", source, "jsonl", writer,
                        trial.resolve("state.json"), "cdc", seed, 2, 150).withCdcBackfill(mode), load::close);
            } finally {
                load.close();
            }
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();

            Map<String, String> expected;
            try (Connection c = db.connection()) {
                expected = Rows.query(c, "SELECT id, v, n FROM shop." + table);
            }
            Map<String, String> actual = Rows.latest(new JsonlDestination(new JsonlConfig(out.toString(), true))
                    .read(StreamId.of("shop", table)), Rows::vn);
            Rows.assertSameRows(expected, actual, "mode " + mode + " seed " + seed + " after " + o.summary());
            System.out.printf("%s kill/resume %s trial %d, seed %d, %d load changes, %d ms: %s%n", db.product(),
                    mode, i, seed, load.ops(), (System.nanoTime() - begin) / 1_000_000, o.summary());
            db.execute("DROP TABLE shop." + table); // the next trial's child discovers every table of the database
        }
    }
}
