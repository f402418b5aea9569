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
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 a backfill in a child JVM at random moments, resume from state each time, and check the destination:
 * every row exactly once with the right values. Trials: {@code -Dtributary.trials=N} (default 3 here; the full
 * reliability suite runs more).
 */
class KillResumeTest {
    private static final int ROWS = 20_000;

    @TempDir
    Path dir;

    @Test
    void backfillKilledAtRandomMomentsLosesAndDuplicatesNothing() throws Exception {
        int trials = Integer.getInteger("tributary.trials", 3);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            Path trialDir = Files.createDirectory(dir.resolve("trial-" + i));
            Path source = Files.writeString(trialDir.resolve("source.json"),
                    "{\"streams\": [\"orders\", \"users\"], \"rows\": " + ROWS + ", \"chunk_size\": 1000, "
                            + "\"max_threads\": 2}");
            Path out = trialDir.resolve("out");
            Path writer = Files.writeString(trialDir.resolve("writer.json"), "{\"path\": \"" + out + "\"}");
            KillResumeHarness.Outcome o = KillResumeHarness.run(new KillResumeHarness.Trial("generator", source,
                    "jsonl", writer, trialDir.resolve("state.json"), "full_refresh", seed, 3, 100), () -> { });
            assertThat(o.exitCode()).as("seed %d, output:%n%s", seed, o.lastOutput()).isZero();
            System.out.println("trial " + i + ", seed " + seed + ": " + o.summary());
            assertThat(o.killed()).as("the sync must have been killed mid-way").isPositive();

            JsonlDestination d = new JsonlDestination(new JsonlConfig(out.toString(), true));
            for (String stream : List.of("orders", "users")) {
                List<ObjectNode> rows = d.read(StreamId.of("generated", stream));
                Map<String, ObjectNode> byId = new HashMap<>();
                for (ObjectNode r : rows) {
                    assertThat(byId.put(r.get("_olake_id").asText(), r)).as("duplicate row, seed %d", seed).isNull();
                }
                assertThat(byId).as("rows of %s after %s, seed %d", stream, o.summary(), seed).hasSize(ROWS);
                for (long id = 0; id < ROWS; id += 997) {
                    Object[] expected = GeneratorDriver.row(id);
                    ObjectNode r = byId.get(Long.toString(id));
                    assertThat(r.get("name").asText()).isEqualTo(expected[1]);
                    assertThat(r.get("amount").decimalValue()).isEqualByComparingTo((BigDecimal) expected[2]);
                    assertThat(Instant.parse(r.get("created_at").asText())).isEqualTo(expected[3]);
                }
            }
        }
    }
}
