package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.CdcCommit;
import io.tributary.core.Chunk;
import io.tributary.core.StreamChanges;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressListenerTest {
    private static final StreamId ORDERS = StreamId.of("public", "orders");

    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);

    private String text() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalTheStatusIsRedrawnInPlaceWithoutTimestampsOrChunkLines() {
        ProgressListener p = new ProgressListener(out, true);
        p.backfillStarted(ORDERS, 4, 4);
        p.chunkCommitted(ORDERS, Chunk.of(0L, 10L), 1_000, Duration.ofMillis(5));
        p.tick();
        String t = text();
        assertThat(t).contains("\r\033[Kpublic.orders: backfill 1/4 chunks, 1,000 rows read, ")
                .contains("rows/s, ETA 0:00:").doesNotContain("chunk 1/4 committed");
        assertThat(t.lines().filter(l -> !l.isEmpty()).map(l -> l.replace("\r\033[K", "")))
                .noneMatch(l -> Character.isDigit(l.charAt(0)));
    }

    @Test
    void offATerminalEveryLineIsTimestampedAndCdcShowsChangesAndLag() {
        ProgressListener p = new ProgressListener(out, false);
        p.changeStreamStarted(0, List.of(ORDERS));
        p.tick();
        assertThat(text()).contains("change stream 0: 0 changes committed, 0 read since the last checkpoint")
                .contains("no change yet");
        Instant source = Instant.now().minusMillis(1_500);
        p.cdcCommitted(new CdcCommit(0, Json.object(), List.of(ORDERS),
                Map.of(ORDERS, new StreamChanges(2, 3, 1, source, source)), 0, source.plusMillis(1_500),
                Duration.ofMillis(12)));
        p.cdcProgress(0, 7, Instant.now().minusMillis(300));
        p.tick();
        List<String> lines = text().lines().toList();
        assertThat(lines).allSatisfy(l -> OffsetDateTime.parse(l.substring(0, l.indexOf(' '))));
        assertThat(lines).anyMatch(l -> l.endsWith("change stream 0: 6 changes committed in 12 ms, lag 1.5 s"));
        assertThat(lines).anyMatch(l -> l.contains("change stream 0: 6 changes committed, 7 read since the last "
                + "checkpoint (") && l.contains("ago), reading 0.") && l.endsWith(" s behind"));
        p.cdcCommitted(new CdcCommit(0, Json.object(), List.of(ORDERS), Map.of(), 0, Instant.now(), Duration.ZERO));
        p.cdcCommitted(new CdcCommit(0, Json.object(), List.of(ORDERS), Map.of(), 0, Instant.now(), Duration.ZERO));
        assertThat(text().lines().filter(l -> l.contains("caught up"))).hasSize(1); // said once, not every idle commit
    }
}
