package io.tributary.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.examples.driver.GeneratorDriver;
import io.tributary.testkit.reliability.KillResumeHarness;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 a backfill in a child JVM at random moments, resume from state each time, and check the destination
 * (jsonl, and Parquet read back by DuckDB): every row exactly once with the right values. Trials: {@code -Dtributary.trials=N} (default 3 here; the full
 * reliability suite runs more).
 */
class KillResumeTest {
    private static final int ROWS = 20_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"jsonl", "parquet"})
    void backfillKilledAtRandomMomentsLosesAndDuplicatesNothing(String writerType) throws Exception {
        int trials = Integer.getInteger("tributary.trials", 3);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            Path trialDir = Files.createDirectory(dir.resolve(writerType + "-trial-" + i));
            Path source = Files.writeString(trialDir.resolve("source.json"),
                    "{\"streams\": [\"orders\", \"users\"], \"rows\": " + ROWS + ", \"chunk_size\": 1000, "
                            + "\"max_threads\": 2}");
            Path out = trialDir.resolve("out");
            Path writer = Files.writeString(trialDir.resolve("writer.json"), "{\"path\": \"" + out + "\"}");
            KillResumeHarness.Outcome o = KillResumeHarness.run(new KillResumeHarness.Trial("generator", source,
                    writerType, writer, trialDir.resolve("state.json"), "full_refresh", seed, 3, 100), () -> { });
            assertThat(o.exitCode()).as("seed %d, output:%n%s", seed, o.lastOutput()).isZero();
            System.out.println("trial " + i + ", seed " + seed + ": " + o.summary());
            assertThat(o.killed()).as("the sync must have been killed mid-way").isPositive();

            for (String stream : List.of("orders", "users")) {
                List<Map<String, Object>> rows = rows(writerType, out, StreamId.of("generated", stream));
                Map<String, Map<String, Object>> byId = new HashMap<>();
                for (Map<String, Object> r : rows) {
                    assertThat(byId.put(r.get("_olake_id").toString(), r)).as("duplicate row, seed %d", seed).isNull();
                }
                assertThat(byId).as("rows of %s after %s, seed %d", stream, o.summary(), seed).hasSize(ROWS);
                for (long id = 0; id < ROWS; id += 997) {
                    Object[] expected = GeneratorDriver.row(id);
                    Map<String, Object> r = byId.get(Long.toString(id));
                    assertThat(r.get("name")).isEqualTo(expected[1]);
                    assertThat(new BigDecimal(r.get("amount").toString())).isEqualByComparingTo((BigDecimal) expected[2]);
                    assertThat(Instant.parse(r.get("created_at").toString())).isEqualTo(expected[3]);
                }
            }
        }
    }

    /** Every row of a stream as column → value (timestamps as ISO-8601 text). */
    private static List<Map<String, Object>> rows(String writerType, Path out, StreamId id) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (writerType.equals("jsonl")) {
            for (ObjectNode r : new JsonlDestination(new JsonlConfig(out.toString(), true)).read(id)) {
                Map<String, Object> m = new HashMap<>();
                r.properties().forEach(e -> m.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
                rows.add(m);
            }
            return rows;
        }
        Path files = out.resolve(id.namespace()).resolve(id.name());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SET TimeZone='UTC'; SELECT _olake_id, name, amount, "
                        + "strftime(created_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS created_at FROM read_parquet('" + files
                        + "/*.parquet')")) {
            while (rs.next()) {
                Map<String, Object> m = new HashMap<>();
                for (String col : List.of("_olake_id", "name", "amount", "created_at")) {
                    m.put(col, rs.getString(col));
                }
                rows.add(m);
            }
        }
        return rows;
    }
}
