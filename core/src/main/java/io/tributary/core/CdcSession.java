package io.tributary.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.StreamId;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterThread;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one attempt of one change stream: applies each stream's filter and schema changes, pushes changes to
 * the stream's CDC writer, takes part in a watermark backfill, and at each checkpoint commits the writers, then
 * lets the engine save the position and the driver acknowledge it ({@link TypedChangeStream}). Used by the change stream's thread only.
 */
final class CdcSession {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);
    /** At most one {@link SyncListener#cdcProgress} a second per change stream. */
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SyncContext ctx;
    private final Run run;
    private final int identifier;
    private final ChangeMapper mapper;
    private final Map<StreamId, WriterThread> writers = new LinkedHashMap<>();
    private final Watermarks marks;
    private final WatermarkBackfill.StreamSide windows;
    private final Map<StreamId, Counts> counts = new HashMap<>();
    private StreamId lastCounted; // the stream of the last change and its counts: changes come in runs
    private Counts lastCounts;
    private long changes;
    private Instant newest;
    private long lastCheckpoint = System.nanoTime();
    private long lastProgress = lastCheckpoint;

    CdcSession(SyncContext ctx, Run run, int identifier, List<ConfiguredStream> list, Set<StreamId> backfilledNow,
            Watermarks marks) {
        this.ctx = ctx;
        this.run = run;
        this.identifier = identifier;
        this.mapper = new ChangeMapper(list, backfilledNow);
        this.marks = marks;
        this.windows = marks == null ? null : new WatermarkBackfill.StreamSide(marks, identifier);
    }

    private WriterThread writer(ConfiguredStream cs) {
        return writers.computeIfAbsent(cs.id(), id -> run.pool.newWriter(cs,
                new WriterOptions(ThreadIds.cdc(id), SyncContext.mode(cs, false))));
    }

    void accept(CdcChange change) {
        SyncContext.checkCancelled();
        ChangeMapper.Mapped m = mapper.map(change, Instant.now());
        if (m == null) {
            return;
        }
        ConfiguredStream s = m.stream();
        Record r = m.record();
        OpType op = r.op();
        WriterThread w = writer(s);
        w.push(r);
        changes++;
        if (!s.id().equals(lastCounted)) {
            lastCounted = s.id();
            lastCounts = counts.computeIfAbsent(lastCounted, k -> new Counts());
        }
        lastCounts.add(op, change.timestamp());
        newest = change.timestamp();
        if ((changes & 15) == 1) { // the clock read at the first change after a checkpoint, then every 16th
            long t = System.nanoTime();
            if (t - lastProgress >= PROGRESS_NANOS) {
                lastProgress = t;
                ctx.listener().cdcProgress(identifier, changes, newest);
            }
        }
        if (windows != null) {
            windows.changed(s.id(), r.olakeId());
        }
    }

    void watermark(String text) {
        SyncContext.checkCancelled();
        if (windows != null) {
            windows.watermark(text, id -> writer(mapper.stream(id)));
        }
    }

    boolean keepStreaming() {
        return (marks != null && marks.keepStreaming(identifier)) || ctx.continuous();
    }

    boolean checkpointWanted() {
        Duration every = ctx.options.continuousCheckpoint();
        return (windows != null && windows.emitted() > 0) || changes >= ChangeSink.CHECKPOINT_EVERY
                || (changes > 0 && !every.isZero() && System.nanoTime() - lastCheckpoint >= every.toNanos())
                || (changes > 0 && ctx.stopping());
    }

    /**
     * A checkpoint at {@code position} (its saved form): commits the writers with it as metadata state, then runs
     * {@code saveAndAcknowledge} (the engine's save and the source's acknowledgement),
     * then lets the emitted watermark windows go.
     */
    void commit(ObjectNode position, Runnable saveAndAcknowledge) {
        SyncContext.checkCancelled();
        long began = System.nanoTime();
        for (Map.Entry<StreamId, WriterThread> e : writers.entrySet()) {
            e.getValue().close(new MetadataState(ThreadIds.cdc(e.getKey()), position));
            mapper.overlapCommitted(e.getKey());
        }
        writers.clear();
        saveAndAcknowledge.run();
        // the chunks leave state only after the position was saved: a crash in between reads them again
        int chunks = windows == null ? 0 : windows.emitted();
        long backfilled = windows == null ? 0 : windows.committed(ctx.state);
        LOG.info("change stream {}: checkpoint {} committed {} changes{}", identifier, position, changes,
                chunks == 0 ? "" : " and " + backfilled + " backfill rows of " + chunks + " chunks");
        long now = System.nanoTime();
        Map<StreamId, StreamChanges> byStream = new HashMap<>();
        counts.forEach((id, c) -> byStream.put(id, c.done()));
        ctx.listener().cdcCommitted(new CdcCommit(identifier, position, List.copyOf(mapper.streamIds()),
                byStream, backfilled, Instant.now(), Duration.ofNanos(now - began)));
        counts.clear();
        lastCounted = null;
        lastCounts = null;
        changes = 0;
        newest = null;
        lastCheckpoint = now;
        lastProgress = now;
    }

    /** The driver returned from {@link CdcSource#streamChanges}: nothing may be left uncommitted. */
    void finish() {
        if (!writers.isEmpty() || (windows != null && windows.emitted() > 0)) {
            throw new NonRetriableException("driver " + ctx.driver.type() + " returned from streamChanges("
                    + identifier + ") with " + changes + " changes it never checkpointed; they were discarded");
        }
    }

    /** The attempt failed: its writers are aborted and its watermark windows fail. */
    void abort(Throwable cause) {
        writers.values().forEach(WriterThread::abort);
        writers.clear();
        if (windows != null) {
            windows.failed(cause);
        }
    }

    /** Per-stream change counts of one checkpoint. */
    private static final class Counts {
        long inserts;
        long updates;
        long deletes;
        Instant oldest;
        Instant newest;

        void add(OpType op, Instant sourceCommit) {
            switch (op) {
                case DELETE -> deletes++;
                case UPDATE -> updates++;
                default -> inserts++;
            }
            if (oldest == null || sourceCommit.isBefore(oldest)) {
                oldest = sourceCommit;
            }
            if (newest == null || sourceCommit.isAfter(newest)) {
                newest = sourceCommit;
            }
        }

        StreamChanges done() {
            return new StreamChanges(inserts, updates, deletes, oldest, newest);
        }
    }
}
