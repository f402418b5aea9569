package io.tributary.core;

import io.tributary.core.concurrent.Retry;
import io.tributary.core.concurrent.TaskGroup;
import io.tributary.core.state.State;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.RetriableException;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterThread;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netflix DBLog's watermark backfill ({@link CdcBackfill#WATERMARK}) in one place. The change streams start at once
 * and every stream whose backfill is not finished is read in chunk windows beside them:
 * <ol>
 *   <li>a chunk reader registers a window ({@link Watermarks}), writes its low watermark
 *       ({@link WatermarkSupport#writeWatermark}), reads the chunk into memory, writes its high watermark and waits;</li>
 *   <li>the change stream ({@link StreamSide}) opens the window at the low watermark and notes every key the log
 *       changes while it is open; at the high watermark it emits the chunk's rows whose key was not noted (their log
 *       events are newer) through its own writer;</li>
 *   <li>the next checkpoint commits them with the position; the chunk leaves state after the position was saved,
 *       and the reader's wait ends.</li>
 * </ol>
 * Drivers whose watermarks are log positions read on the side deliver them with {@link WatermarkQueue}.
 */
final class WatermarkBackfill {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);

    private final SyncContext ctx;
    private final ChangeStreamRunner changeStreams;

    WatermarkBackfill(SyncContext ctx, ChangeStreamRunner changeStreams) {
        this.ctx = ctx;
        this.changeStreams = changeStreams;
    }

    /**
     * Starts the change streams and, beside them, the watermark backfill of every stream whose backfill is not
     * finished (chunk readers share {@code maxConnections} minus one connection per change stream). A change stream
     * goes on until the backfills of its streams are committed.
     */
    void run(Run run, List<ConfiguredStream> streams) {
        DriverInterface driver = ctx.driver;
        WatermarkSupport watermarks = driver.watermarks().orElseThrow(() -> new ConfigException("driver "
                + driver.type() + " cannot backfill while CDC runs (no watermark support); use cdc_backfill before_cdc"));
        ChangeStreamMode mode = driver.changeStreamMode();
        Map<Integer, List<ConfiguredStream>> byStream = new LinkedHashMap<>();
        Map<StreamId, Integer> identifiers = new HashMap<>();
        for (int i = 0; i < streams.size(); i++) {
            int id = mode == ChangeStreamMode.SEQUENTIAL ? 0 : i;
            byStream.computeIfAbsent(id, k -> new ArrayList<>()).add(streams.get(i));
            identifiers.put(streams.get(i).id(), id);
        }
        List<ConfiguredStream> toBackfill = streams.stream()
                .filter(s -> s.syncMode() != SyncMode.STRICT_CDC && !ctx.state.backfillCompleted(s.id())).toList();
        for (ConfiguredStream s : toBackfill) {
            if (s.primaryKey().isEmpty()) {
                throw new ConfigException("stream " + s.id() + " has no primary key: the watermark backfill needs "
                        + "one to merge the log into a chunk; use cdc_backfill before_cdc for it");
            }
        }
        Watermarks marks = new Watermarks();
        toBackfill.forEach(s -> marks.backfillStarted(identifiers.get(s.id())));
        int readers = Math.max(1, driver.maxConnections() - byStream.size());
        Semaphore readerPermits = new Semaphore(readers);
        LOG.info("CDC of {} streams in {} mode with a watermark backfill of {} of them ({} chunk readers)",
                streams.size(), mode, toBackfill.size(), readers);
        TaskGroup g = run.group("cdc", false);
        try {
            for (ConfiguredStream s : toBackfill) {
                int id = identifiers.get(s.id());
                g.submit("watermark backfill " + s.id(), () -> {
                    try {
                        backfill(run, s, id, marks, watermarks, readerPermits);
                    } finally {
                        marks.backfillEnded(id);
                    }
                });
            }
            for (Map.Entry<Integer, List<ConfiguredStream>> e : byStream.entrySet()) {
                // every change stream runs at once (not limited by maxConnections): a window can only complete
                // when its stream reads on, so a stream waiting for a connection would stall its readers forever
                g.submit("cdc " + e.getKey(), () -> changeStreams.cdc(run, e.getKey(), e.getValue(), Set.of(), marks));
            }
            g.await();
        } finally {
            g.close();
        }
    }

    private void backfill(Run run, ConfiguredStream s, int identifier, Watermarks marks, WatermarkSupport watermarks,
            Semaphore permits) {
        State state = ctx.state;
        StreamId id = s.id();
        List<Chunk> chunks;
        Optional<List<Chunk>> saved = state.chunks(id);
        if (saved.isPresent()) {
            chunks = new ArrayList<>(saved.get());
            LOG.info("stream {}: resuming watermark backfill with {} chunks left", id, chunks.size());
        } else {
            chunks = new ArrayList<>(ctx.driver.getOrSplitChunks(s, ctx.options.windowRows()));
            state.setChunks(id, chunks);
            LOG.info("stream {}: watermark backfill split into {} chunks", id, chunks.size());
        }
        chunks.sort(Chunk.BY_MIN);
        ctx.listener().backfillStarted(id, chunks.size(), chunks.size());
        TaskGroup g = new TaskGroup("watermark backfill " + id, run.executor, permits);
        try {
            Retry retry = ctx.retry("chunk");
            for (Chunk c : chunks) {
                g.submit("chunk " + c, () -> retry.run("stream " + id + " chunk " + c,
                        () -> readWindow(s, identifier, c, marks, watermarks)));
            }
            g.await();
        } finally {
            g.close();
        }
        state.markBackfillCompleted(id);
        ctx.listener().backfillCompleted(id);
        LOG.info("stream {}: watermark backfill completed", id);
    }

    /**
     * Reads one chunk between a low and a high watermark and waits until the change stream emitted it at the high
     * watermark and committed it (the chunk then left state).
     */
    private void readWindow(ConfiguredStream s, int identifier, Chunk chunk, Watermarks marks,
            WatermarkSupport watermarks) {
        DriverInterface driver = ctx.driver;
        long windowRows = ctx.options.windowRows();
        Watermarks.Window w = marks.register(identifier, s.id(), chunk);
        long start = System.nanoTime();
        try {
            watermarks.writeWatermark(identifier, Watermarks.LOW + w.id);
            RecordMaker maker = new RecordMaker(s, s.schema());
            Instant now = Instant.now();
            driver.chunkIterator(s, chunk, CursorValues.NONE, values -> {
                SyncContext.checkCancelled();
                Record r = maker.make(values, OpType.READ, now, null);
                w.rows.put(r.olakeId(), r);
            });
            int read = w.rows.size();
            if (read > 4 * windowRows) {
                LOG.warn("stream {}: chunk {} held {} rows in memory (window_rows {}): the driver ignores the chunk "
                        + "size hint", s.id(), chunk, read, windowRows);
            }
            w.filled = true;
            watermarks.writeWatermark(identifier, Watermarks.HIGH + w.id);
            long rows;
            try {
                rows = w.committed.get();
            } catch (InterruptedException e) {
                throw CancelledException.interrupted("stream " + s.id() + " chunk " + chunk, e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            }
            double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
            LOG.info("stream {}: chunk {} committed at its high watermark: {} of {} rows read ({} superseded by the "
                    + "log) in {} ms", s.id(), chunk, rows, read, read - rows, (long) (secs * 1000));
            ctx.listener().chunkCommitted(s.id(), chunk, rows, Duration.ofNanos(System.nanoTime() - start));
        } finally {
            marks.remove(w);
        }
    }

    /**
     * The change stream's side of the windows, for one attempt of change stream {@code identifier} (its thread
     * only): opens windows at their low watermark, notes the keys changed while they are open, emits the rows at the
     * high watermark, and completes the emitted windows once a checkpoint committed them.
     */
    static final class StreamSide {
        private final Watermarks marks;
        private final int identifier;
        private final Map<StreamId, List<Watermarks.Window>> open = new HashMap<>();
        private final List<Watermarks.Window> emitted = new ArrayList<>();

        StreamSide(Watermarks marks, int identifier) {
            this.marks = marks;
            this.identifier = identifier;
            // windows a previous attempt opened and committed past: this one goes on noting their keys
            marks.openWindows(identifier).forEach(w -> open.computeIfAbsent(w.stream, k -> new ArrayList<>())
                    .add(w));
        }

        /** A change of {@code stream} to the row with this {@code _olake_id} went to the writer. */
        void changed(StreamId stream, String olakeId) {
            List<Watermarks.Window> windows = open.get(stream);
            if (windows != null) {
                for (Watermarks.Window win : windows) {
                    win.touched.add(olakeId);
                }
            }
        }

        /** A watermark the change stream read; at a high one, pushes the window's rows to {@code writer}. */
        void watermark(String text, Function<StreamId, WriterThread> writer) {
            boolean low = text.startsWith(Watermarks.LOW);
            if (!low && !text.startsWith(Watermarks.HIGH)) {
                return;
            }
            String windowId = text.substring(low ? Watermarks.LOW.length() : Watermarks.HIGH.length());
            Optional<Watermarks.Window> found = marks.find(identifier, windowId);
            if (found.isEmpty()) {
                LOG.debug("change stream {}: watermark {} of no current window (an earlier attempt)", identifier,
                        text);
                return;
            }
            Watermarks.Window win = found.get();
            if (low) {
                if (win.phase == Watermarks.Phase.REGISTERED) {
                    win.phase = Watermarks.Phase.OPEN;
                    open.computeIfAbsent(win.stream, k -> new ArrayList<>()).add(win);
                }
                return;
            }
            if (win.phase != Watermarks.Phase.OPEN || !win.filled) {
                // its low watermark lies before where this attempt started reading: the window cannot be merged
                marks.remove(win);
                win.committed.completeExceptionally(new RetriableException("change stream "
                        + identifier + " reached the high watermark of " + win + " without its low watermark"));
                return;
            }
            if (!win.rows.isEmpty()) {
                WriterThread w = writer.apply(win.stream);
                for (Map.Entry<String, Record> e : win.rows.entrySet()) {
                    if (!win.touched.contains(e.getKey())) {
                        w.push(e.getValue());
                        win.emitted++;
                    }
                }
            }
            win.rows.clear();
            win.touched.clear();
            open.get(win.stream).remove(win);
            win.phase = Watermarks.Phase.EMITTED;
            emitted.add(win);
        }

        /** Windows emitted and waiting for a checkpoint. */
        int emitted() {
            return emitted.size();
        }

        /**
         * The checkpoint committed the emitted windows and saved the position: their chunks leave state (only now: a
         * crash before reads them again) and their readers are released. Returns the rows they committed.
         */
        long committed(State state) {
            long backfilled = 0;
            for (Watermarks.Window win : emitted) {
                state.removeChunk(win.stream, win.chunk);
                marks.remove(win);
                backfilled += win.emitted;
                win.committed.complete(win.emitted);
            }
            emitted.clear();
            return backfilled;
        }

        /** The attempt stopped without committing: its windows fail ({@link Watermarks#streamFailed}). */
        void failed(Throwable cause) {
            marks.streamFailed(identifier, cause);
        }
    }
}
