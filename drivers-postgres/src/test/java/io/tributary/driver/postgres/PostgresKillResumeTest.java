package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.Rows;
import io.tributary.testkit.TestingPostgres;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A PostgreSQL CDC sync in a child JVM killed with SIGKILL while a load of inserts, updates and deletes runs —
 * during chunk reads and commits, and during CDC with changes flowing — resumed from its state each time, in both
 * CDC backfill modes; the jsonl destination, latest row per {@code _olake_id}, must then equal the source. Trials
 * per mode: {@code -Dtributary.trials=N} (default 10 here), seeds printed, {@code -Dtributary.seed=S} replays.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresKillResumeTest {
    private static final int ROWS = 5_000;

    static TestingPostgres pg;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"before_cdc", "watermark"})
    void cdcSyncKilledAtRandomMomentsLosesAndDuplicatesNothing(String mode) throws Exception {
        int trials = Integer.getInteger("tributary.trials", 10);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            long begin = System.nanoTime();
            String table = "kr_" + mode + "_" + i;
            String slot = table + "_slot";
            pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text, n integer)",
                    "INSERT INTO " + table + " SELECT g, 'v' || g, 0 FROM generate_series(1, " + ROWS + ") g",
                    "ANALYZE " + table);
            Path trial = Files.createDirectories(dir.resolve(table));
            Path source = Files.writeString(trial.resolve("source.json"), PgSync.config(pg,
                    "\"chunk_size\": 500, \"max_threads\": 2, \"update_method\": {\"replication_slot\": \"" + slot
                            + "\", \"publication\": \"" + slot + "\", \"initial_wait_time\": 1, "
                            + "\"create_if_missing\": true}"));
            Path out = trial.resolve("out");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"path\": \"" + out + "\"}");
            WriteLoad load = WriteLoad.start(table, WriteLoad.sql(pg.connection(), table),
                    WriteLoad.Spec.of(seed, ROWS, Duration.ofMillis(5)));
            KillResumeHarness.Outcome o;
            try {
                o = KillResumeHarness.run(new KillResumeHarness.Trial("postgres", source, "jsonl", writer,
                        trial.resolve("state.json"), "cdc", seed, 2, 150).withCdcBackfill(mode), load::close);
            } finally {
                load.close();
            }
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();

            Map<String, String> expected;
            try (Connection c = pg.connection()) {
                expected = Rows.query(c, "SELECT id, v, n FROM " + table);
            }
            Map<String, String> actual = Rows.latest(new JsonlDestination(new JsonlConfig(out.toString(), true))
                    .read(StreamId.of("public", table)), Rows::vn);
            Rows.assertSameRows(expected, actual, "mode " + mode + " seed " + seed + " after " + o.summary());
            System.out.printf("postgres kill/resume %s trial %d, seed %d, %d load changes, %d ms: %s%n", mode, i,
                    seed, load.ops(), (System.nanoTime() - begin) / 1_000_000, o.summary());
            pg.execute("SELECT pg_drop_replication_slot('" + slot + "')", "DROP PUBLICATION IF EXISTS " + slot,
                    "DROP TABLE " + table); // the next trial's child discovers every table
        }
    }
}
