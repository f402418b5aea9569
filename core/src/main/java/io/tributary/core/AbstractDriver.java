package io.tributary.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.concurrent.TaskGroup;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator (OLake's {@code AbstractDriver}): turns a {@link DriverInterface} into discovery, chunked
 * parallel backfill with resume, incremental sync on a primary and secondary cursor, and CDC in sequential,
 * parallel or concurrent mode, writing through a {@link WriterPool} and keeping progress in {@link State}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>A chunk leaves state only after its writer committed; its writer commits under a deterministic thread ID
 *       with the chunk as metadata state, so a run killed at any point and resumed re-reads no committed chunk
 *       and loses none (a crash between the destination commit and the state save is detected through
 *       {@link WriterThread#previousState()}).</li>
 *   <li>Cursors and CDC positions are saved only after the writers committed the rows before them.</li>
 *   <li>No thread outlives {@link #read}: every task runs on an executor owned by the call and shut down before
 *       it returns or throws. The first non-retriable failure cancels every other task.</li>
 * </ul>
 */
public class AbstractDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);

    /**
     * Orchestrator options.
     *
     * @param retryInitialBackoff first sleep before a retry (doubles each time)
     * @param retryMaxBackoff longest sleep between retries
     * @param threadFactory makes the orchestrator's threads (embedders may pass their own)
     * @param listener progress callbacks
     * @param cdcBackfill whether CDC streams are backfilled before their change stream runs or beside it
     * @param windowRows with {@link CdcBackfill#WATERMARK}: the chunk size asked of the driver, i.e. about how many
     *     rows one chunk reader holds in memory until the change stream reaches the chunk's high watermark
     * @param continuousCheckpoint {@link Duration#ZERO}: change streams are bounded (a run reads up to the end of the
     *     log as of its start and returns); otherwise they run until {@link AbstractDriver#stop()} (or
     *     cancellation), committing at least this often while changes flow
     */
    public record Options(Duration retryInitialBackoff, Duration retryMaxBackoff, ThreadFactory threadFactory,
            SyncListener listener, CdcBackfill cdcBackfill, long windowRows, Duration continuousCheckpoint) {
        /** Default {@link #windowRows}. */
        public static final long DEFAULT_WINDOW_ROWS = 50_000;

        public Options {
            requireNonNull(retryInitialBackoff, "retryInitialBackoff is null");
            requireNonNull(retryMaxBackoff, "retryMaxBackoff is null");
            requireNonNull(threadFactory, "threadFactory is null");
            requireNonNull(listener, "listener is null");
            requireNonNull(cdcBackfill, "cdcBackfill is null");
            requireNonNull(continuousCheckpoint, "continuousCheckpoint is null");
            if (windowRows < 1) {
                throw new IllegalArgumentException("windowRows must be >= 1: " + windowRows);
            }
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(1), Duration.ofSeconds(60),
                    WriterPool.daemonThreads("tributary-sync"), SyncListener.NONE, CdcBackfill.BEFORE_CDC,
                    DEFAULT_WINDOW_ROWS, Duration.ZERO);
        }

        public Options withRetryBackoff(Duration initial, Duration max) {
            return new Options(initial, max, threadFactory, listener, cdcBackfill, windowRows,
                    continuousCheckpoint);
        }

        public Options withListener(SyncListener l) {
            return new Options(retryInitialBackoff, retryMaxBackoff, threadFactory, l, cdcBackfill, windowRows,
                    continuousCheckpoint);
        }

        public Options withThreadFactory(ThreadFactory f) {
            return new Options(retryInitialBackoff, retryMaxBackoff, f, listener, cdcBackfill, windowRows,
                    continuousCheckpoint);
        }

        public Options withCdcBackfill(CdcBackfill b) {
            return new Options(retryInitialBackoff, retryMaxBackoff, threadFactory, listener, b, windowRows,
                    continuousCheckpoint);
        }

        /**
         * Change streams that run until {@link AbstractDriver#stop()}, committing (and acknowledging to the source)
         * at least every {@code checkpointInterval} while changes flow. Drivers that only stream bounded runs are
         * restarted from their saved position.
         */
        public Options withContinuousCdc(Duration checkpointInterval) {
            if (checkpointInterval.isZero() || checkpointInterval.isNegative()) {
                throw new IllegalArgumentException("checkpointInterval must be positive: " + checkpointInterval);
            }
            return new Options(retryInitialBackoff, retryMaxBackoff, threadFactory, listener, cdcBackfill, windowRows,
                    checkpointInterval);
        }

        public Options withWindowRows(long rows) {
            return new Options(retryInitialBackoff, retryMaxBackoff, threadFactory, listener, cdcBackfill, rows,
                    continuousCheckpoint);
        }
    }

    private final SyncContext ctx;
    private final FullRefreshRunner fullRefresh;
    private final IncrementalRunner incremental;
    private final ChangeStreamRunner changeStreams;

    public AbstractDriver(DriverInterface driver, State state, Options options) {
        requireNonNull(driver, "driver is null");
        requireNonNull(state, "state is null");
        requireNonNull(options, "options is null");
        this.ctx = new SyncContext(driver, state, options);
        BackfillRunner backfill = new BackfillRunner(ctx);
        this.fullRefresh = new FullRefreshRunner(ctx, backfill);
        this.incremental = new IncrementalRunner(ctx, backfill);
        this.changeStreams = new ChangeStreamRunner(ctx, backfill);
    }

    public AbstractDriver(DriverInterface driver, State state) {
        this(driver, state, Options.defaults());
    }

    public DriverInterface driver() {
        return ctx.driver;
    }

    public State state() {
        return ctx.state;
    }

    public String type() {
        return ctx.driver.type();
    }

    public JsonNode spec() {
        return ctx.driver.spec();
    }

    public DriverConfig getConfigRef() {
        return ctx.driver.config();
    }

    /**
     * Asks continuous change streams ({@link Options#withContinuousCdc}) to end: each commits what it read, and
     * {@link #read} returns normally. Thread-safe; a no-op for bounded runs.
     */
    public void stop() {
        ctx.stop();
    }

    /** Checks connectivity, permissions and settings ({@link DriverInterface#setup()}). */
    public void setup() {
        ctx.driver.setup();
    }

    /**
     * Discovers every stream: {@code produceSchema} for each name, at most {@code maxThreads} at once, then picks
     * each stream's default sync mode (cdc → incremental → strict_cdc → full_refresh, by what the stream supports
     * and the driver has configured) and a deterministic default cursor (the first cursor-capable column by
     * name, the primary key's first column when it can be a cursor). Sorted by stream ID.
     */
    public List<Stream> discover(int maxThreads) {
        return new Discovery(ctx).discover(maxThreads);
    }

    /**
     * Syncs the streams: full refresh, incremental and CDC streams run concurrently, each group as its sync mode
     * says. Returns when everything is committed; throws the first non-retriable failure after cancelling the
     * rest. No thread started here outlives this call.
     */
    public void read(WriterPool pool, List<ConfiguredStream> streams) {
        requireNonNull(pool, "pool is null");
        ctx.observed("read", () -> readChecked(pool, streams));
    }

    private void readChecked(WriterPool pool, List<ConfiguredStream> streams) {
        ctx.checkSyncModes(streams);
        // the state must belong to this source, and every stream is checked, before anything is written: a
        // foreign state must not resume, a missing grant must not clear a full refresh first
        ctx.bindSource();
        pool.destination().preflight(streams); // two streams into one table: refused before the source is touched
        List<ConfiguredStream> checked = Preflight.check(ctx.driver, streams);
        List<ConfiguredStream> full = new ArrayList<>();
        List<ConfiguredStream> inc = new ArrayList<>();
        List<ConfiguredStream> cdc = new ArrayList<>();
        for (ConfiguredStream s : checked) {
            switch (s.syncMode()) {
                case FULL_REFRESH -> full.add(s);
                case INCREMENTAL -> inc.add(s);
                case CDC, STRICT_CDC -> cdc.add(s);
            }
        }
        try (Run run = new Run(ctx, pool)) {
            TaskGroup g = run.group("sync", false);
            if (!full.isEmpty()) {
                g.submit("full refresh", () -> fullRefresh.run(run, full));
            }
            if (!inc.isEmpty()) {
                g.submit("incremental", () -> incremental.run(run, inc));
            }
            if (!cdc.isEmpty()) {
                g.submit("cdc", () -> changeStreams.run(run, cdc));
            }
            g.await();
        }
    }

    /** Runs a full refresh of the streams (backfill only). A stream whose last full refresh finished starts over. */
    public void fullRefresh(WriterPool pool, List<ConfiguredStream> streams) {
        runAlone("full_refresh", pool, streams, fullRefresh::run);
    }

    /** Runs incremental syncs of the streams. */
    public void incremental(WriterPool pool, List<ConfiguredStream> streams) {
        runAlone("incremental", pool, streams, incremental::run);
    }

    /**
     * Runs CDC for the streams: {@code preCDC}, the backfill of every {@code cdc} stream whose backfill has not
     * finished ({@code strict_cdc} streams skip it), then change streaming in the driver's
     * {@link ChangeStreamMode}: sequential (one change stream for all, after every backfill), parallel (one per
     * stream, after every backfill) or concurrent (one per stream, right after its own backfill).
     */
    public void runChangeStream(WriterPool pool, List<ConfiguredStream> streams) {
        runAlone("cdc", pool, streams, changeStreams::run);
    }

    private void runAlone(String operation, WriterPool pool, List<ConfiguredStream> streams,
            BiConsumer<Run, List<ConfiguredStream>> runner) {
        ctx.observed(operation, () -> {
            ctx.bindSource();
            pool.destination().preflight(streams);
            try (Run run = new Run(ctx, pool)) {
                runner.accept(run, streams);
            }
        });
    }

    /**
     * Asks for a new backfill of these streams while CDC keeps its position: forgets their chunks and backfill
     * completion (not the change streams' position). With {@link CdcBackfill#WATERMARK} the next
     * {@link #runChangeStream} reads them in watermark windows while the change stream of every stream flows, and
     * upserts the rows by key, so the destination needs no clearing. With {@link CdcBackfill#BEFORE_CDC} the backfill
     * appends: clear the streams in the destination first ({@code dropStreams}).
     */
    public State resnapshot(Collection<StreamId> streams) {
        ctx.state.resetBackfill(streams);
        LOG.info("streams {} will be backfilled again", streams);
        return ctx.state;
    }

    /** Forgets the state of these streams (chunks, cursors, backfill completion) and returns the state. */
    public State clearState(Collection<StreamId> streams) {
        ctx.state.clear(streams);
        return ctx.state;
    }

    /** The text form a cursor value is saved in (OLake's {@code FormatCursorValue}). */
    public static JsonNode formatCursorValue(Object cursorValue) {
        return CursorFormat.format(cursorValue);
    }

    /** A saved cursor value typed again by its column's type (OLake's {@code ReformatCursorValue}). */
    public static Object reformatCursorValue(String cursorField, JsonNode cursorValue, Stream stream) {
        return CursorFormat.reformat(cursorField, cursorValue, stream.schema());
    }

    /** The saved cursor values of an incremental stream, typed. */
    public CursorValues savedCursor(ConfiguredStream s) {
        return Cursors.saved(ctx.state, s);
    }

    /** The writer thread ID of a backfill chunk: {@code <stream>_<backfill id>_min[<min>]-max[<max>]}. */
    public static String backfillThreadId(StreamId stream, String backfillId, Chunk chunk) {
        return ThreadIds.backfill(stream, backfillId, chunk);
    }

    /** The writer thread ID of a stream's CDC commits; {@link WriterPool#committedState} with it gives the last. */
    public static String cdcThreadId(StreamId stream) {
        return ThreadIds.cdc(stream);
    }

    /** The writer thread ID of an incremental pass that starts at {@code from}. */
    public static String incrementalThreadId(StreamId stream, CursorValues from) {
        return ThreadIds.incremental(stream, from);
    }

    /** Closes the driver. */
    @Override
    public void close() {
        ctx.driver.close();
    }
}
