package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.reliability.KillResumeHarness;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A MariaDB CDC sync in a child JVM killed with SIGKILL at random moments while a load of inserts, updates and
 * deletes runs, resumed from its state each time, in both CDC backfill modes; the jsonl destination, latest row per
 * {@code _olake_id}, must then equal the source. Trials per mode: {@code -Dtributary.trials=N} (default 3 here),
 * seeds printed, {@code -Dtributary.seed=S} replays.
 */
class MySqlKillResumeTest {
    static TestingMariaDb db;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        db = new TestingMariaDb();
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"before_cdc", "watermark"})
    void cdcSyncKilledAtRandomMomentsLosesNothing(String mode) throws Exception {
        int trials = Integer.getInteger("tributary.trials", 3);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            String table = "kr_" + mode + "_" + i;
            db.execute("CREATE TABLE shop." + table + " (id bigint PRIMARY KEY, v varchar(40), n int)",
                    "INSERT INTO shop." + table + " SELECT seq, concat('v', seq), 0 FROM seq_1_to_40000");
            Path trial = Files.createDirectories(dir.resolve(mode + i));
            Path source = Files.writeString(trial.resolve("source.json"), "{\"host\": \"127.0.0.1\", \"port\": "
                    + db.port() + ", \"database\": \"shop\", \"username\": \"" + TestingMariaDb.ADMIN_USER
                    + "\", \"password\": \"" + TestingMariaDb.ADMIN_PASSWORD + "\", \"tls\": {\"mode\": \"disabled\"}, "
                    + "\"chunk_size\": 3000, \"max_threads\": 3, \"update_method\": {\"initial_wait_time\": 1}}");
            Path out = trial.resolve("out");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"path\": \"" + out + "\"}");
            Thread load = load(table, seed);
            KillResumeHarness.Outcome o;
            try {
                o = KillResumeHarness.run(new KillResumeHarness.Trial("mysql", source, "jsonl", writer,
                        trial.resolve("state.json"), "cdc", seed, 3, 600, 2_500).withCdcBackfill(mode));
            } finally {
                load.interrupt();
                load.join();
            }
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();
            KillResumeHarness.Outcome drain = KillResumeHarness.run(new KillResumeHarness.Trial("mysql", source,
                    "jsonl", writer, trial.resolve("state.json"), "cdc", seed, 0, 0, 0).withCdcBackfill(mode));
            assertThat(drain.exitCode()).as("seed %d:%n%s", seed, drain.lastOutput()).isZero();

            Map<String, String> dest = new HashMap<>();
            for (ObjectNode r : new JsonlDestination(new JsonlConfig(out.toString(), true))
                    .read(StreamId.of("shop", table))) {
                if ("d".equals(r.get("_op_type").asText())) {
                    dest.remove(r.get("_olake_id").asText());
                } else {
                    dest.put(r.get("_olake_id").asText(), r.get("v").asText() + "/" + r.get("n").asInt());
                }
            }
            Map<String, String> expected = new HashMap<>();
            try (Connection c = db.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT id, v, n FROM shop." + table)) {
                while (rs.next()) {
                    expected.put(Long.toString(rs.getLong(1)), rs.getString(2) + "/" + rs.getInt(3));
                }
            }
            assertThat(dest).as("mode %s seed %d after %d kills", mode, seed, o.kills()).isEqualTo(expected);
            System.out.printf("mysql kill/resume %s trial %d: %d kills, seed %d%n", mode, i, o.kills(), seed);
        }
    }

    private static Thread load(String table, long seed) {
        Thread t = new Thread(() -> {
            Random random = new Random(seed);
            long next = 1_000_000;
            try (Connection c = db.connection(); Statement st = c.createStatement()) {
                while (!Thread.currentThread().isInterrupted()) {
                    int op = random.nextInt(10);
                    long key = 1 + random.nextInt(40_000);
                    if (op < 5) {
                        st.execute("UPDATE shop." + table + " SET n = n + 1, v = 'u" + next + "' WHERE id = " + key);
                    } else if (op < 8) {
                        st.execute("INSERT INTO shop." + table + " VALUES (" + next++ + ", 'new', 0)");
                    } else {
                        st.execute("DELETE FROM shop." + table + " WHERE id = " + key);
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                // stopped
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "load-" + table);
        t.start();
        return t;
    }
}
