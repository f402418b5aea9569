package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedSyncExampleTest {
    @TempDir
    Path dir;

    @Test
    void embeddedSyncWritesEveryGeneratedRowAndResumesIncrementally() {
        assertThat(EmbedSyncExample.sync(dir)).isEqualTo(10_000 + 2); // backfill + first incremental pass at the max
        JsonlDestination d = new JsonlDestination(new JsonlConfig(dir.resolve("data").toString(), true));
        assertThat(d.read(StreamId.of("generated", "orders")).stream().map(n -> n.get("id").asLong()).distinct())
                .hasSize(5_000);
        // second call: state says the backfill is done; only the rows at the saved cursor are re-read
        assertThat(EmbedSyncExample.sync(dir)).isEqualTo(2);
    }
}
