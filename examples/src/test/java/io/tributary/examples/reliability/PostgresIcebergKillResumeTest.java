package io.tributary.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.Rows;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.WriteLoad;
import io.tributary.testkit.reliability.KillResumeHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL CDC into Iceberg, in a child JVM killed with SIGKILL at random moments (during chunk reads, between a
 * commit and the state save, during CDC) while a load of inserts, updates and deletes runs, resumed from its state
 * each time, in both CDC backfill modes. Afterwards the Iceberg table (read through Iceberg's own reader, deletes
 * applied) must equal the source row by row, with no {@code _olake_id} twice. Trials per mode:
 * {@code -Dtributary.trials=N} (default 1 per mode here: Iceberg child JVMs are heavy, and
 * {@code drivers-postgres}' PostgresKillResumeTest runs the same trials into jsonl); the seed is printed,
 * {@code -Dtributary.seed=S} replays.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresIcebergKillResumeTest {
    private static final int ROWS = 10_000;

    static TestingPostgres pg;

    @ParameterizedTest
    @ValueSource(strings = {"before_cdc", "watermark"})
    void killedAtRandomMomentsTheIcebergTableEqualsTheSourceWithoutDuplicates(String mode, @TempDir Path dir)
            throws Exception {
        int trials = Integer.getInteger("tributary.trials", 1);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            long begin = System.nanoTime();
            String table = "ice_" + mode + "_" + i;
            String slot = table + "_slot";
            pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text, n integer)",
                    "INSERT INTO " + table + " SELECT g, 'v' || g, 0 FROM generate_series(1, " + ROWS + ") g",
                    "ANALYZE " + table);
            Path trial = Files.createDirectories(dir.resolve("t" + i));
            Path source = Files.writeString(trial.resolve("source.json"), "{\"host\": \"localhost\", \"port\": "
                    + pg.port() + ", \"database\": \"postgres\", \"username\": \"postgres\", \"password\": \""
                    + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 1000, "
                    + "\"max_threads\": 3, \"update_method\": {\"replication_slot\": \"" + slot
                    + "\", \"publication\": \"" + slot + "\", \"initial_wait_time\": 1, \"create_if_missing\": true}}");
            Path warehouse = trial.resolve("warehouse");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"catalog_type\": \"hadoop\", "
                    + "\"warehouse\": \"" + warehouse + "\"}");
            WriteLoad load = WriteLoad.start(table, WriteLoad.sql(pg.connection(), table),
                    WriteLoad.Spec.of(seed, ROWS, Duration.ofMillis(5)));
            KillResumeHarness.Outcome o;
            try {
                o = KillResumeHarness.run(new KillResumeHarness.Trial("postgres", source, "iceberg", writer,
                        trial.resolve("state.json"), "cdc", seed, 2, 500).withCdcBackfill(mode), load::close);
            } finally {
                load.close();
            }
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();

            Map<String, String> expected;
            try (Connection c = pg.connection()) {
                expected = Rows.query(c, "SELECT id, v, n FROM " + table);
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
            Rows.assertSameRows(expected, actual, "mode " + mode + " seed " + seed + " (" + load.ops()
                    + " load changes) after " + o.summary());
            System.out.printf("postgres->iceberg kill/resume %s trial %d, seed %d, %d load changes, %d ms: %s%n", mode,
                    i, seed, load.ops(), (System.nanoTime() - begin) / 1_000_000, o.summary());
            pg.execute("SELECT pg_drop_replication_slot('" + slot + "')", "DROP PUBLICATION IF EXISTS " + slot,
                    "DROP TABLE " + table); // the next trial's child discovers every table
        }
    }
}
