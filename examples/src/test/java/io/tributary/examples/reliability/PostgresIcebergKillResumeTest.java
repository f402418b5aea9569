package io.tributary.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.reliability.KillResumeHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL CDC into Iceberg, in a child JVM killed with SIGKILL at random moments (during chunk reads, between a
 * commit and the state save, during CDC) while a load of inserts, updates and deletes runs, resumed from its state
 * each time, in both CDC backfill modes. Afterwards the Iceberg table (read through Iceberg's own reader, deletes
 * applied) must equal the source row by row, with no {@code _olake_id} twice. Trials per mode:
 * {@code -Dtributary.trials=N} (default 1 per mode here; each trial takes about 30 s); the seed is printed, {@code -Dtributary.seed=S} replays.
 */
class PostgresIcebergKillResumeTest {
    static TestingPostgres pg;

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

    @ParameterizedTest
    @ValueSource(strings = {"before_cdc", "watermark"})
    void killedAtRandomMomentsTheIcebergTableEqualsTheSourceWithoutDuplicates(String mode, @org.junit.jupiter.api.io.TempDir
            Path dir) throws Exception {
        int trials = Integer.getInteger("tributary.trials", 1);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            String table = "ice_" + mode + "_" + i;
            String slot = table + "_slot";
            pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text, n integer)",
                    "INSERT INTO " + table + " SELECT g, 'v' || g, 0 FROM generate_series(1, 40000) g",
                    "ANALYZE " + table);
            Path trial = Files.createDirectories(dir.resolve("t" + i));
            Path source = Files.writeString(trial.resolve("source.json"), "{\"host\": \"localhost\", \"port\": "
                    + pg.port() + ", \"database\": \"postgres\", \"username\": \"postgres\", \"password\": \""
                    + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 3000, "
                    + "\"max_threads\": 3, \"update_method\": {\"replication_slot\": \"" + slot
                    + "\", \"publication\": \"" + slot + "\", \"initial_wait_time\": 1, \"create_if_missing\": true}}");
            Path warehouse = trial.resolve("warehouse");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"catalog_type\": \"hadoop\", "
                    + "\"warehouse\": \"" + warehouse + "\"}");
            Load load = new Load(table, seed);
            KillResumeHarness.Outcome o;
            try {
                o = KillResumeHarness.run(new KillResumeHarness.Trial("postgres", source, "iceberg", writer,
                        trial.resolve("state.json"), "cdc", seed, 3, 1_500, 5_000).withCdcBackfill(mode));
            } finally {
                load.close();
            }
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();
            KillResumeHarness.Outcome drain = KillResumeHarness.run(new KillResumeHarness.Trial("postgres", source,
                    "iceberg", writer, trial.resolve("state.json"), "cdc", seed, 0, 0, 0).withCdcBackfill(mode));
            assertThat(drain.exitCode()).as("seed %d:%n%s", seed, drain.lastOutput()).isZero();

            Map<String, String> expected = new HashMap<>();
            try (Connection c = pg.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT id, v, n FROM " + table)) {
                while (rs.next()) {
                    expected.put(Long.toString(rs.getLong(1)), rs.getString(2) + "/" + rs.getInt(3));
                }
            }
            Map<String, String> actual = new HashMap<>();
            Map<String, Integer> duplicates = new TreeMap<>();
            HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
            try (CloseableIterable<Record> it = IcebergGenerics.read(catalog.loadTable(TableIdentifier.of("public",
                    table))).build()) {
                for (Record r : it) {
                    String id = (String) r.getField("_olake_id");
                    if (actual.put(id, r.getField("v") + "/" + r.getField("n")) != null) {
                        duplicates.merge(id, 1, Integer::sum);
                    }
                }
            }
            assertThat(duplicates).as("duplicate _olake_id, mode %s seed %d", mode, seed).isEmpty();
            Map<String, String> diff = new TreeMap<>();
            expected.forEach((k, v) -> {
                if (!v.equals(actual.get(k))) {
                    diff.put(k, "source " + v + " / iceberg " + actual.get(k));
                }
            });
            actual.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> diff.put(k, "not in source"));
            assertThat(diff.entrySet().stream().limit(20).toList())
                    .as("%d rows differ, mode %s seed %d after %d kills (%d load changes)", diff.size(), mode, seed,
                            o.kills(), load.ops)
                    .isEmpty();
            System.out.printf("postgres->iceberg kill/resume %s trial %d: %d kills, %d load changes, seed %d%n", mode,
                    i, o.kills(), load.ops, seed);
            pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    /** Single-row inserts, updates and deletes, each its own transaction, until closed. */
    private static final class Load implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        private volatile long ops;

        Load(String table, long seed) {
            thread = new Thread(() -> {
                Random random = new Random(seed);
                long next = 1_000_000;
                try (Connection c = pg.connection(); Statement st = c.createStatement()) {
                    while (!stop) {
                        int op = random.nextInt(10);
                        long key = 1 + random.nextInt(40_000);
                        if (op < 5) {
                            st.execute("UPDATE " + table + " SET n = n + 1, v = 'u" + ops + "' WHERE id = " + key);
                        } else if (op < 8) {
                            st.execute("INSERT INTO " + table + " VALUES (" + next++ + ", 'new', 0)");
                        } else {
                            st.execute("DELETE FROM " + table + " WHERE id = " + key);
                        }
                        ops++;
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "load-" + table);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }
}
