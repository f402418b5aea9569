package io.tributary.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.concurrent.Retry;
import io.tributary.core.concurrent.TaskGroup;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.writer.MetadataState;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterThread;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunked backfill: splits a stream once (the chunks are saved in state), reads the chunks left in parallel and
 * commits each under a deterministic writer thread ID with the chunk as metadata state; a chunk leaves state only
 * after its writer committed.
 */
final class BackfillRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);
    /** Stream-state key of the ID of the planned backfill (part of each chunk's writer thread ID). */
    static final String BACKFILL_ID = "backfill_id";

    private final SyncContext ctx;

    BackfillRunner(SyncContext ctx) {
        this.ctx = ctx;
    }

    /** Reads a stream's remaining chunks in parallel, each committed with its chunk as metadata state. */
    void backfill(Run run, ConfiguredStream s, CursorValues upperBound) {
        State state = ctx.state;
        StreamId id = s.id();
        Optional<List<Chunk>> saved = state.chunks(id);
        String backfillId = state.streamValue(id, BACKFILL_ID).map(JsonNode::asText).orElse(null);
        List<Chunk> chunks;
        if (saved.isPresent() && backfillId != null) {
            chunks = new ArrayList<>(saved.get());
            LOG.info("stream {}: resuming backfill with {} chunks left", id, chunks.size());
        } else {
            backfillId = UUID.randomUUID().toString().substring(0, 8);
            state.setStreamValue(id, BACKFILL_ID, Json.mapper().getNodeFactory().textNode(backfillId));
            chunks = new ArrayList<>(ctx.driver.getOrSplitChunks(s));
            state.setChunks(id, chunks);
            LOG.info("stream {}: backfill split into {} chunks", id, chunks.size());
        }
        chunks.sort(Chunk.BY_MIN);
        ctx.listener().backfillStarted(id, chunks.size(), chunks.size());
        String bid = backfillId;
        TaskGroup g = run.group("backfill " + id, true);
        try {
            Retry retry = ctx.retry("chunk");
            for (Chunk c : chunks) {
                g.submit("chunk " + c, () -> retry.run("stream " + id + " chunk " + c,
                        () -> readChunk(run, s, bid, c, upperBound)));
            }
            g.await();
        } finally {
            g.close();
        }
        state.markBackfillCompleted(id);
        ctx.listener().backfillCompleted(id);
        LOG.info("stream {}: backfill completed", id);
    }

    private void readChunk(Run run, ConfiguredStream s, String backfillId, Chunk chunk, CursorValues upperBound) {
        String threadId = ThreadIds.backfill(s.id(), backfillId, chunk);
        long start = System.nanoTime();
        long rows;
        try (WriterThread w = run.pool.newWriter(s, new WriterOptions(threadId, SyncContext.mode(s, true)))) {
            if (w.previousState().isPresent()) {
                LOG.info("stream {}: chunk {} was committed by an earlier run; skipping it", s.id(), chunk);
                ctx.state.removeChunk(s.id(), chunk);
                return;
            }
            Map<Schema, RecordMaker> makers = new IdentityHashMap<>();
            RecordMaker maker = SyncContext.maker(makers, s, s.schema());
            Instant now = Instant.now();
            ctx.driver.chunkIterator(s, chunk, upperBound, values -> {
                SyncContext.checkCancelled();
                w.push(maker.make(values, OpType.READ, now, null));
            });
            ObjectNode payload = Json.object();
            payload.set("chunk", State.chunkJson(chunk));
            w.close(new MetadataState(threadId, payload));
            rows = w.pushed();
        }
        ctx.state.removeChunk(s.id(), chunk);
        double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        LOG.info("stream {}: chunk {} committed: {} rows in {} ms ({} rows/s)", s.id(), chunk, rows,
                (long) (secs * 1000), (long) (rows / secs));
        ctx.listener().chunkCommitted(s.id(), chunk, rows, Duration.ofNanos(System.nanoTime() - start));
    }
}
