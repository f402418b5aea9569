package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.reliability.KillResumeHarness;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL sync in a child JVM killed with SIGKILL at random moments — during chunk reads, between a writer
 * commit and the state save, during CDC with changes flowing — and resumed from its state until it finishes; the
 * destination must then hold every source row exactly once with its latest values. Trials:
 * {@code -Dtributary.trials=N} (default 2 here), seeds printed, {@code -Dtributary.seed=S} replays.
 */
class PostgresKillResumeTest {
    static TestingPostgres pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        pg = new TestingPostgres();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void cdcSyncKilledAtRandomMomentsLosesAndDuplicatesNothing() throws Exception {
        int trials = Integer.getInteger("tributary.trials", 2);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            String table = "kr_" + i;
            String slot = "kr_slot_" + i;
            pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text, n integer)",
                    "INSERT INTO " + table + " SELECT g, 'v' || g, 0 FROM generate_series(1, 60000) g",
                    "ANALYZE " + table);
            Path trial = Files.createDirectories(dir.resolve("t" + i));
            Path source = Files.writeString(trial.resolve("source.json"), PgSync.config(pg,
                    "\"chunk_size\": 3000, \"max_threads\": 2, \"update_method\": {\"replication_slot\": \"" + slot
                            + "\", \"publication\": \"" + slot + "\", \"initial_wait_time\": 1, "
                            + "\"create_if_missing\": true}"));
            Path out = trial.resolve("out");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"path\": \"" + out + "\"}");
            // changes keep flowing while the child is killed and restarted
            Thread churn = new Thread(() -> {
                for (int k = 0; k < 40 && !Thread.currentThread().isInterrupted(); k++) {
                    pg.execute("UPDATE " + table + " SET n = n + 1, v = 'u" + k + "' WHERE id % 97 = " + (k % 97),
                            "INSERT INTO " + table + " VALUES (" + (100_000 + k) + ", 'new', " + k + ")",
                            "DELETE FROM " + table + " WHERE id = " + (k * 131 + 7));
                    try {
                        Thread.sleep(40);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            churn.start();
            KillResumeHarness.Outcome o = KillResumeHarness.run(new KillResumeHarness.Trial("postgres", source,
                    "jsonl", writer, trial.resolve("state.json"), "cdc", seed, 3, 400, 2_500));
            churn.join();
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();
            // one more (unkilled) run drains the changes made after the last run started
            KillResumeHarness.Outcome drain = KillResumeHarness.run(new KillResumeHarness.Trial("postgres", source,
                    "jsonl", writer, trial.resolve("state.json"), "cdc", seed, 0, 0, 0));
            assertThat(drain.exitCode()).as("seed %d:%n%s", seed, drain.lastOutput()).isZero();

            Map<String, ObjectNode> latest = new HashMap<>();
            for (ObjectNode r : new JsonlDestination(new JsonlConfig(out.toString(), true))
                    .read(StreamId.of("public", table))) {
                if ("d".equals(r.get("_op_type").asText())) {
                    latest.remove(r.get("_olake_id").asText());
                } else {
                    latest.put(r.get("_olake_id").asText(), r);
                }
            }
            Map<String, String> expected = new HashMap<>();
            try (var c = pg.connection(); var st = c.createStatement();
                    var rs = st.executeQuery("SELECT id, v, n FROM " + table)) {
                while (rs.next()) {
                    expected.put(Long.toString(rs.getLong(1)), rs.getString(2) + "/" + rs.getInt(3));
                }
            }
            Map<String, String> dest = new HashMap<>();
            latest.forEach((k, r) -> dest.put(k, r.get("v").asText() + "/" + r.get("n").asInt()));
            assertThat(dest).as("seed %d after %d kills", seed, o.kills()).isEqualTo(expected);
            System.out.println("postgres kill/resume trial " + i + ": " + o.kills() + " kills, seed " + seed);
            pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

}
