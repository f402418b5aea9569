package io.tributary.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.concurrent.Retry;
import io.tributary.core.concurrent.TaskGroup;
import io.tributary.core.filter.Filter;
import io.tributary.core.state.State;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterThread;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
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
    /** Stream-state key of the ID of the planned backfill (part of each chunk's writer thread ID). */
    static final String BACKFILL_ID = "backfill_id";
    /** At most one {@link SyncListener#cdcProgress} a second per change stream. */
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);

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

    private final DriverInterface driver;
    private final State state;
    private final Options options;
    private volatile boolean stopping;

    public AbstractDriver(DriverInterface driver, State state, Options options) {
        this.driver = requireNonNull(driver, "driver is null");
        this.state = requireNonNull(state, "state is null");
        this.options = requireNonNull(options, "options is null");
        driver.setupState(state);
    }

    public AbstractDriver(DriverInterface driver, State state) {
        this(driver, state, Options.defaults());
    }

    public DriverInterface driver() {
        return driver;
    }

    public State state() {
        return state;
    }

    public String type() {
        return driver.type();
    }

    public JsonNode spec() {
        return driver.spec();
    }

    public DriverConfig getConfigRef() {
        return driver.config();
    }

    /**
     * Asks continuous change streams ({@link Options#withContinuousCdc}) to end: each commits what it read, and
     * {@link #read} returns normally. Thread-safe; a no-op for bounded runs.
     */
    public void stop() {
        stopping = true;
    }

    private boolean continuous() {
        return !options.continuousCheckpoint().isZero() && !stopping;
    }

    /** Checks connectivity, permissions and settings ({@link DriverInterface#setup()}). */
    public void setup() {
        driver.setup();
    }

    // ------------------------------------------------------------------ discover

    /**
     * Discovers every stream: {@code produceSchema} for each name, at most {@code maxThreads} at once, then picks
     * each stream's default sync mode (cdc → incremental → strict_cdc → full_refresh, by what the stream supports
     * and the driver has configured) and a deterministic default cursor (the first cursor-capable column by
     * name, the primary key's first column when it can be a cursor). Sorted by stream ID.
     */
    public List<Stream> discover(int maxThreads) {
        List<StreamId> names = driver.getStreamNames();
        Map<StreamId, Stream> found = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newCachedThreadPool(options.threadFactory());
        try (TaskGroup g = new TaskGroup("discover", pool, new Semaphore(Math.max(1, maxThreads)))) {
            Retry retry = retry("discover");
            for (StreamId id : names) {
                g.submit("discover " + id, () -> retry.run("discover " + id,
                        () -> found.put(id, defaults(driver.produceSchema(id)))));
            }
            g.await();
        } finally {
            shutdown(pool);
        }
        List<Stream> out = new ArrayList<>(found.values());
        out.sort(Comparator.comparing(Stream::id));
        LOG.info("discovered {} streams", out.size());
        return out;
    }

    private Stream defaults(Stream s) {
        Set<SyncMode> modes = EnumSet.noneOf(SyncMode.class);
        modes.addAll(s.supportedSyncModes());
        if (!driver.cdcSupported()) {
            modes.remove(SyncMode.CDC);
            modes.remove(SyncMode.STRICT_CDC);
        }
        if (modes.isEmpty()) {
            modes.add(SyncMode.FULL_REFRESH);
        }
        SyncMode mode;
        if (modes.contains(SyncMode.CDC)) {
            mode = SyncMode.CDC;
        } else if (modes.contains(SyncMode.INCREMENTAL) && !s.cursorFields().isEmpty()) {
            mode = SyncMode.INCREMENTAL;
        } else if (modes.contains(SyncMode.STRICT_CDC)) {
            mode = SyncMode.STRICT_CDC;
        } else {
            mode = SyncMode.FULL_REFRESH;
        }
        Optional<String> cursor = s.cursorField();
        if (cursor.isEmpty() && !s.cursorFields().isEmpty()) {
            String pk0 = s.primaryKey().isEmpty() ? null : s.primaryKey().get(0);
            cursor = Optional.of(pk0 != null && s.cursorFields().contains(pk0) ? pk0
                    : s.cursorFields().stream().sorted().findFirst().orElseThrow());
        }
        return s.withSupportedSyncModes(modes).withSyncMode(mode).withCursorField(cursor);
    }

    // ------------------------------------------------------------------ read

    /**
     * Syncs the streams: full refresh, incremental and CDC streams run concurrently, each group as its sync mode
     * says. Returns when everything is committed; throws the first non-retriable failure after cancelling the
     * rest. No thread started here outlives this call.
     */
    public void read(WriterPool pool, List<ConfiguredStream> streams) {
        requireNonNull(pool, "pool is null");
        observed("read", () -> readChecked(pool, streams));
    }

    private void readChecked(WriterPool pool, List<ConfiguredStream> streams) {
        List<ConfiguredStream> cdcStreams = new ArrayList<>();
        for (ConfiguredStream s : streams) {
            s.validate();
            if (s.syncMode() == SyncMode.CDC || s.syncMode() == SyncMode.STRICT_CDC) {
                cdcStreams.add(s);
            }
        }
        if (!cdcStreams.isEmpty() && !driver.cdcSupported()) {
            throw new ConfigException("streams " + cdcStreams.stream().map(ConfiguredStream::id).toList()
                    + " are set to sync_mode cdc but the source config does not enable CDC (update_method)");
        }
        // the state must belong to this source, and every stream is checked, before anything is written: a
        // foreign state must not resume, a missing grant must not clear a full refresh first
        bindSource();
        pool.destination().preflight(streams); // two streams into one table: refused before the source is touched
        List<ConfiguredStream> checked = Preflight.check(driver, streams);
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
        try (Run run = new Run(pool)) {
            TaskGroup g = run.group("sync", false);
            if (!full.isEmpty()) {
                g.submit("full refresh", () -> fullRefresh(run, full));
            }
            if (!inc.isEmpty()) {
                g.submit("incremental", () -> incremental(run, inc));
            }
            if (!cdc.isEmpty()) {
                g.submit("cdc", () -> runChangeStream(run, cdc));
            }
            g.await();
        }
    }

    /** Runs a full refresh of the streams (backfill only). A stream whose last full refresh finished starts over. */
    public void fullRefresh(WriterPool pool, List<ConfiguredStream> streams) {
        observed("full_refresh", () -> {
            bindSource();
            pool.destination().preflight(streams);
            try (Run run = new Run(pool)) {
                fullRefresh(run, streams);
            }
        });
    }

    /** Runs incremental syncs of the streams. */
    public void incremental(WriterPool pool, List<ConfiguredStream> streams) {
        observed("incremental", () -> {
            bindSource();
            pool.destination().preflight(streams);
            try (Run run = new Run(pool)) {
                incremental(run, streams);
            }
        });
    }

    /**
     * Runs CDC for the streams: {@code preCDC}, the backfill of every {@code cdc} stream whose backfill has not
     * finished ({@code strict_cdc} streams skip it), then change streaming in the driver's
     * {@link ChangeStreamMode}: sequential (one change stream for all, after every backfill), parallel (one per
     * stream, after every backfill) or concurrent (one per stream, right after its own backfill).
     */
    public void runChangeStream(WriterPool pool, List<ConfiguredStream> streams) {
        observed("cdc", () -> {
            bindSource();
            pool.destination().preflight(streams);
            try (Run run = new Run(pool)) {
                runChangeStream(run, streams);
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
        state.resetBackfill(streams);
        LOG.info("streams {} will be backfilled again", streams);
        return state;
    }

    /** Forgets the state of these streams (chunks, cursors, backfill completion) and returns the state. */
    public State clearState(Collection<StreamId> streams) {
        state.clear(streams);
        return state;
    }

    /**
     * Ties the state to the driver's {@link DriverInterface#sourceIdentity() source identity}: a state written for
     * another source is a {@link ConfigException} (nothing read or written); a state without one adopts it.
     */
    private void bindSource() {
        Optional<String> identity = driver.sourceIdentity();
        if (identity.isPresent()) {
            state.bindSource(identity.get());
        } else {
            LOG.debug("driver {} gives no source identity: the state's source is not checked", driver.type());
        }
    }

    // ------------------------------------------------------------------ cursor values

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
        Object p = s.primaryCursor().flatMap(c -> state.streamValue(s.id(), c))
                .map(v -> reformatCursorValue(s.primaryCursor().get(), v, s.stream())).orElse(null);
        Object q = s.secondaryCursor().flatMap(c -> state.streamValue(s.id(), c))
                .map(v -> reformatCursorValue(s.secondaryCursor().get(), v, s.stream())).orElse(null);
        return new CursorValues(p, q);
    }

    private void saveCursor(ConfiguredStream s, CursorValues v) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        s.primaryCursor().ifPresent(c -> values.put(c, formatCursorValue(v.primary())));
        s.secondaryCursor().ifPresent(c -> values.put(c, formatCursorValue(v.secondary())));
        state.setStreamValues(s.id(), values);
    }

    private static ObjectNode cursorPayload(ConfiguredStream s, CursorValues v) {
        ObjectNode n = Json.object();
        s.primaryCursor().ifPresent(c -> n.set(c, formatCursorValue(v.primary())));
        s.secondaryCursor().ifPresent(c -> n.set(c, formatCursorValue(v.secondary())));
        return n;
    }

    // ------------------------------------------------------------------ thread IDs

    /** The writer thread ID of a backfill chunk: {@code <stream>_<backfill id>_min[<min>]-max[<max>]}. */
    public static String backfillThreadId(StreamId stream, String backfillId, Chunk chunk) {
        return stream.id() + "_" + backfillId + "_min[" + (chunk.min() == null ? "" : chunk.min()) + "]-max["
                + (chunk.max() == null ? "" : chunk.max()) + "]";
    }

    /** The writer thread ID of a stream's CDC commits; {@link WriterPool#committedState} with it gives the last. */
    public static String cdcThreadId(StreamId stream) {
        return stream.id() + "_cdc";
    }

    /** The writer thread ID of an incremental pass that starts at {@code from}. */
    public static String incrementalThreadId(StreamId stream, CursorValues from) {
        return stream.id() + "_" + formatCursorValue(from.primary()).asText() + "_"
                + formatCursorValue(from.secondary()).asText();
    }

    // ------------------------------------------------------------------ internals

    private Retry retry(String operation) {
        SyncListener l = options.listener();
        return new Retry(driver.maxRetries(), options.retryInitialBackoff(), options.retryMaxBackoff(),
                (what, attempt, attempts, cause, backoff) -> l.retrying(new RetryEvent(operation, what, attempt,
                        attempts, cause, backoff)));
    }

    /** Runs an entry point, telling the listener of its failure before throwing it. */
    private void observed(String operation, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            try {
                options.listener().failed(operation, e);
            } catch (RuntimeException le) {
                e.addSuppressed(le);
            }
            throw e;
        }
    }

    /** What one {@code read} owns: its executor, the connection limit, the writer pool. */
    private final class Run implements AutoCloseable {
        final WriterPool pool;
        final ExecutorService executor;
        final Semaphore connections;

        Run(WriterPool pool) {
            this.pool = pool;
            this.executor = Executors.newCachedThreadPool(options.threadFactory());
            this.connections = new Semaphore(Math.max(1, driver.maxConnections()));
        }

        /** A task group; {@code usesConnection} = each task holds one of the driver's connections. */
        TaskGroup group(String name, boolean usesConnection) {
            return new TaskGroup(name, executor, usesConnection ? connections : null);
        }

        @Override
        public void close() {
            shutdown(executor);
        }
    }

    private static void shutdown(ExecutorService executor) {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("orchestrator threads did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void fullRefresh(Run run, List<ConfiguredStream> streams) {
        TaskGroup g = run.group("full refresh", false);
        try {
            for (ConfiguredStream s : streams) {
                g.submit("full refresh " + s.id(), () -> {
                    boolean resuming = state.chunks(s.id()).map(c -> !c.isEmpty()).orElse(false)
                            && !state.backfillCompleted(s.id());
                    if (!resuming) {
                        LOG.info("stream {}: full refresh starts over: clearing its state and destination", s.id());
                        state.clear(List.of(s.id()));
                        run.pool.destination().dropStreams(List.of(s.id()));
                    }
                    state.setSyncMode(s.id(), s.syncMode());
                    backfill(run, s, CursorValues.NONE);
                });
            }
            g.await();
        } finally {
            g.close();
        }
    }

    private void incremental(Run run, List<ConfiguredStream> streams) {
        TaskGroup g = run.group("incremental", false);
        try {
            for (ConfiguredStream s : streams) {
                g.submit("incremental " + s.id(), () -> {
                    state.setSyncMode(s.id(), s.syncMode());
                    if (!state.backfillCompleted(s.id())) {
                        if (state.chunks(s.id()).isEmpty()) {
                            CursorValues max = driver.fetchMaxCursorValues(s);
                            LOG.info("stream {}: max cursor before backfill {}", s.id(), max);
                            saveCursor(s, max);
                        }
                        backfill(run, s, savedCursor(s));
                    }
                    TaskGroup one = run.group("incremental " + s.id(), true);
                    try {
                        one.submit("incremental " + s.id(), () -> retry("incremental").run("incremental pass of stream "
                                + s.id(), () -> incrementalPass(run, s)));
                        one.await();
                    } finally {
                        one.close();
                    }
                });
            }
            g.await();
        } finally {
            g.close();
        }
    }

    private void incrementalPass(Run run, ConfiguredStream s) {
        for (int attempt = 0; attempt < 2; attempt++) {
            CursorValues from = savedCursor(s);
            String threadId = incrementalThreadId(s.id(), from);
            try (WriterThread w = run.pool.newWriter(s, new WriterOptions(threadId, mode(s, false)))) {
                Optional<MetadataState> prev = w.previousState();
                if (prev.isPresent() && attempt == 0) {
                    // a pass from this cursor was committed by a run that died before saving state: adopt the
                    // cursor it reached, then read on from there (rows at the cursor are re-read and upserted)
                    ObjectNode p = prev.get().payload();
                    CursorValues adopted = new CursorValues(
                            s.primaryCursor().map(c -> reformatCursorValue(c, p.get(c), s.stream())).orElse(null),
                            s.secondaryCursor().map(c -> reformatCursorValue(c, p.get(c), s.stream())).orElse(null));
                    if (!adopted.equals(from)) {
                        LOG.info("stream {}: incremental pass from {} was already committed; adopting cursor {}",
                                s.id(), from, adopted);
                        saveCursor(s, adopted);
                        continue;
                    }
                }
                CursorTracker tracker = new CursorTracker(s, from);
                Map<Schema, RecordMaker> makers = new IdentityHashMap<>();
                Instant now = Instant.now();
                driver.streamIncrementalChanges(s, from, values -> {
                    checkCancelled();
                    tracker.observe(values);
                    w.push(maker(makers, s, s.schema()).make(values, OpType.UPDATE, now, null));
                });
                CursorValues reached = tracker.max();
                w.close(new MetadataState(threadId, cursorPayload(s, reached)));
                saveCursor(s, reached);
                LOG.info("stream {}: incremental pass committed {} rows, cursor now {}", s.id(), w.pushed(), reached);
                options.listener().incrementalCommitted(s.id(), w.pushed());
                return;
            }
        }
    }

    /** Tracks the largest cursor values of the rows an incremental pass emitted. */
    private static final class CursorTracker {
        private final int primary;
        private final int secondary;
        private Object maxPrimary;
        private Object maxSecondary;

        CursorTracker(ConfiguredStream s, CursorValues from) {
            this.primary = s.primaryCursor().map(c -> s.schema().indexOf(c)).orElse(-1);
            this.secondary = s.secondaryCursor().map(c -> s.schema().indexOf(c)).orElse(-1);
            this.maxPrimary = from.primary();
            this.maxSecondary = from.secondary();
        }

        void observe(Object[] values) {
            if (primary >= 0) {
                maxPrimary = max(maxPrimary, values[primary]);
            }
            if (secondary >= 0) {
                maxSecondary = max(maxSecondary, values[secondary]);
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object max(Object a, Object b) {
            if (b == null) {
                return a;
            }
            if (a == null) {
                return b;
            }
            return ((Comparable) a).compareTo(b) >= 0 ? a : b;
        }

        CursorValues max() {
            return new CursorValues(maxPrimary, maxSecondary);
        }
    }

    private void runChangeStream(Run run, List<ConfiguredStream> streams) {
        for (ConfiguredStream s : streams) {
            state.setSyncMode(s.id(), s.syncMode());
        }
        driver.preCDC(run.pool, streams);
        if (options.cdcBackfill() == CdcBackfill.WATERMARK) {
            watermarkChangeStream(run, streams);
            return;
        }
        Set<StreamId> backfilledNow = ConcurrentHashMap.newKeySet();
        ChangeStreamMode mode = driver.changeStreamMode();
        LOG.info("CDC of {} streams in {} mode", streams.size(), mode);
        TaskGroup g = run.group("cdc", false);
        try {
            if (mode == ChangeStreamMode.CONCURRENT) {
                for (int i = 0; i < streams.size(); i++) {
                    int id = i;
                    ConfiguredStream s = streams.get(i);
                    g.submit("cdc " + s.id(), () -> {
                        backfillForCdc(run, s, backfilledNow);
                        cdc(run, id, List.of(s), backfilledNow, null);
                    });
                }
                g.await();
                return;
            }
            for (ConfiguredStream s : streams) {
                g.submit("backfill " + s.id(), () -> backfillForCdc(run, s, backfilledNow));
            }
            g.await();
        } finally {
            g.close();
        }
        if (mode == ChangeStreamMode.SEQUENTIAL) {
            cdc(run, 0, streams, backfilledNow, null);
            return;
        }
        TaskGroup p = run.group("parallel cdc", false);
        try {
            for (int i = 0; i < streams.size(); i++) {
                int id = i;
                ConfiguredStream s = streams.get(i);
                p.submit("cdc " + s.id(), () -> cdc(run, id, List.of(s), backfilledNow, null));
            }
            p.await();
        } finally {
            p.close();
        }
    }

    private void backfillForCdc(Run run, ConfiguredStream s, Set<StreamId> backfilledNow) {
        if (s.syncMode() == SyncMode.STRICT_CDC || state.backfillCompleted(s.id())) {
            return;
        }
        backfill(run, s, CursorValues.NONE);
        backfilledNow.add(s.id());
    }

    /**
     * {@link CdcBackfill#WATERMARK}: the change streams start at once; every stream whose backfill is not finished
     * is read in watermark windows beside them (chunk readers share {@code maxConnections} minus one connection per
     * change stream). A change stream goes on until the backfills of its streams are committed.
     */
    private void watermarkChangeStream(Run run, List<ConfiguredStream> streams) {
        if (!driver.watermarksSupported()) {
            throw new ConfigException("driver " + driver.type() + " cannot backfill while CDC runs (no watermark "
                    + "support); use cdc_backfill before_cdc");
        }
        ChangeStreamMode mode = driver.changeStreamMode();
        Map<Integer, List<ConfiguredStream>> byStream = new LinkedHashMap<>();
        Map<StreamId, Integer> identifiers = new HashMap<>();
        for (int i = 0; i < streams.size(); i++) {
            int id = mode == ChangeStreamMode.SEQUENTIAL ? 0 : i;
            byStream.computeIfAbsent(id, k -> new ArrayList<>()).add(streams.get(i));
            identifiers.put(streams.get(i).id(), id);
        }
        List<ConfiguredStream> toBackfill = streams.stream()
                .filter(s -> s.syncMode() != SyncMode.STRICT_CDC && !state.backfillCompleted(s.id())).toList();
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
                        watermarkBackfill(run, s, id, marks, readerPermits);
                    } finally {
                        marks.backfillEnded(id);
                    }
                });
            }
            for (Map.Entry<Integer, List<ConfiguredStream>> e : byStream.entrySet()) {
                // every change stream runs at once (not limited by maxConnections): a window can only complete
                // when its stream reads on, so a stream waiting for a connection would stall its readers forever
                g.submit("cdc " + e.getKey(), () -> cdc(run, e.getKey(), e.getValue(), Set.of(), marks));
            }
            g.await();
        } finally {
            g.close();
        }
    }

    private void watermarkBackfill(Run run, ConfiguredStream s, int identifier, Watermarks marks,
            Semaphore permits) {
        StreamId id = s.id();
        List<Chunk> chunks;
        Optional<List<Chunk>> saved = state.chunks(id);
        if (saved.isPresent()) {
            chunks = new ArrayList<>(saved.get());
            LOG.info("stream {}: resuming watermark backfill with {} chunks left", id, chunks.size());
        } else {
            chunks = new ArrayList<>(driver.getOrSplitChunks(run.pool, s, options.windowRows()));
            state.setChunks(id, chunks);
            LOG.info("stream {}: watermark backfill split into {} chunks", id, chunks.size());
        }
        chunks.sort(Chunk.BY_MIN);
        options.listener().backfillStarted(id, chunks.size(), chunks.size());
        TaskGroup g = new TaskGroup("watermark backfill " + id, run.executor, permits);
        try {
            Retry retry = retry("chunk");
            for (Chunk c : chunks) {
                g.submit("chunk " + c, () -> retry.run("stream " + id + " chunk " + c,
                        () -> readWindow(run, s, identifier, c, marks)));
            }
            g.await();
        } finally {
            g.close();
        }
        state.markBackfillCompleted(id);
        options.listener().backfillCompleted(id);
        LOG.info("stream {}: watermark backfill completed", id);
    }

    /**
     * Reads one chunk between a low and a high watermark and waits until the change stream emitted it at the high
     * watermark and committed it (the chunk then left state).
     */
    private void readWindow(Run run, ConfiguredStream s, int identifier, Chunk chunk, Watermarks marks) {
        Watermarks.Window w = marks.register(identifier, s.id(), chunk);
        long start = System.nanoTime();
        try {
            driver.writeWatermark(identifier, Watermarks.LOW + w.id);
            RecordMaker maker = new RecordMaker(s, s.schema());
            Instant now = Instant.now();
            driver.chunkIterator(s, chunk, CursorValues.NONE, values -> {
                checkCancelled();
                Record r = maker.make(values, OpType.READ, now, null);
                w.rows.put(r.olakeId(), r);
            });
            int read = w.rows.size();
            if (read > 4 * options.windowRows()) {
                LOG.warn("stream {}: chunk {} held {} rows in memory (window_rows {}): the driver ignores the chunk "
                        + "size hint", s.id(), chunk, read, options.windowRows());
            }
            w.filled = true;
            driver.writeWatermark(identifier, Watermarks.HIGH + w.id);
            long rows;
            try {
                rows = w.committed.get();
            } catch (InterruptedException e) {
                throw CancelledException.interrupted("stream " + s.id() + " chunk " + chunk, e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            }
            double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
            LOG.info("stream {}: chunk {} committed at its high watermark: {} of {} rows read ({} superseded by the "
                    + "log) in {} ms", s.id(), chunk, rows, read, read - rows, (long) (secs * 1000));
            options.listener().chunkCommitted(s.id(), chunk, rows, Duration.ofNanos(System.nanoTime() - start));
        } finally {
            marks.remove(w);
        }
    }

    /** One change stream, holding one connection, retried as a whole from the saved position. */
    private void cdc(Run run, int identifier, List<ConfiguredStream> streams, Set<StreamId> backfilledNow,
            Watermarks marks) {
        TaskGroup one = run.group("cdc " + identifier, marks == null);
        try {
            one.submit("cdc " + identifier, () -> retry("change_stream").run("change stream " + identifier + " "
                    + streams.stream().map(ConfiguredStream::id).toList(), () -> {
                        do {
                            CdcSession session = new CdcSession(run, identifier, streams, backfilledNow, marks);
                            options.listener().changeStreamStarted(identifier,
                                    streams.stream().map(ConfiguredStream::id).toList());
                            try {
                                driver.streamChanges(identifier, session);
                                session.finish();
                            } catch (RuntimeException | Error e) {
                                session.abort(e);
                                throw e;
                            }
                        } while ((marks != null && marks.keepStreaming(identifier)) || continuous());
                    }));
            one.await();
        } finally {
            one.close();
        }
    }

    /** Receives one change stream's changes; commits writers at each checkpoint, then lets the driver ack. */
    private final class CdcSession implements CdcMsgFn {
        private final Run run;
        private final int identifier;
        private final Map<StreamId, ConfiguredStream> streams = new HashMap<>();
        private final Set<StreamId> overlap;
        private final Map<StreamId, WriterThread> writers = new LinkedHashMap<>();
        private final Map<StreamId, Map<Schema, RecordMaker>> makers = new HashMap<>();
        private final Set<StreamId> ignored = new HashSet<>();
        private final Map<StreamId, Optional<Filter>> filters = new HashMap<>();
        private final Watermarks marks;
        private final Map<StreamId, List<Watermarks.Window>> open = new HashMap<>();
        private final List<Watermarks.Window> emitted = new ArrayList<>();
        private final Map<StreamId, Counts> counts = new HashMap<>();
        private StreamId lastCounted; // the stream of the last change and its counts: changes come in runs
        private Counts lastCounts;
        private long changes;
        private Instant newest;
        private long lastCheckpoint = System.nanoTime();
        private long lastProgress = lastCheckpoint;

        CdcSession(Run run, int identifier, List<ConfiguredStream> list, Set<StreamId> backfilledNow,
                Watermarks marks) {
            this.run = run;
            this.identifier = identifier;
            list.forEach(s -> streams.put(s.id(), s));
            this.overlap = new HashSet<>(backfilledNow);
            this.marks = marks;
            if (marks != null) {
                // windows a previous attempt opened and committed past: this one goes on noting their keys
                marks.openWindows(identifier).forEach(w -> open.computeIfAbsent(w.stream, k -> new ArrayList<>())
                        .add(w));
            }
        }

        private WriterThread writer(ConfiguredStream cs) {
            return writers.computeIfAbsent(cs.id(), id -> run.pool.newWriter(cs,
                    new WriterOptions(cdcThreadId(id), mode(cs, false))));
        }

        @Override
        public void accept(CdcChange change) {
            checkCancelled();
            ConfiguredStream s = streams.get(change.stream());
            if (s == null) {
                if (ignored.add(change.stream())) {
                    LOG.debug("ignoring changes of unselected stream {}", change.stream());
                }
                return;
            }
            if (change.schema() != s.schema() && !change.schema().equals(s.schema())) {
                Schema merged = s.schema().merge(change.schema());
                if (merged != s.schema()) {
                    LOG.info("stream {}: schema changed to {}", s.id(), merged);
                    s = s.withStream(s.stream().withSchema(merged));
                    streams.put(s.id(), s);
                }
            }
            ConfiguredStream cs = s;
            OpType op = change.kind();
            Optional<Filter> filter = filters.computeIfAbsent(s.id(), k -> cs.filter().map(Filter::parse));
            if (filter.isPresent() && !filter.get().test(change.schema(), change.values(), op == OpType.DELETE)) {
                // the row is outside the stream's filter: an update took it out (delivered as a delete, so the
                // destination keeps no row the filter excludes); an insert or a delete of such a row is dropped
                if (op != OpType.UPDATE) {
                    return;
                }
                op = OpType.DELETE;
            }
            WriterThread w = writer(cs);
            if (op == OpType.CREATE && overlap.contains(s.id())) {
                op = OpType.INSERT_OVERLAP;
            }
            Map<Schema, RecordMaker> m = makers.computeIfAbsent(s.id(), k -> new IdentityHashMap<>());
            Record r = maker(m, cs, change.schema()).make(change.values(), op, Instant.now(), change.timestamp());
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
                    options.listener().cdcProgress(identifier, changes, newest);
                }
            }
            List<Watermarks.Window> windows = open.get(s.id());
            if (windows != null) {
                for (Watermarks.Window win : windows) {
                    win.touched.add(r.olakeId());
                }
            }
        }

        @Override
        public void watermark(String text) {
            checkCancelled();
            if (marks == null) {
                return;
            }
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
                win.committed.completeExceptionally(new io.tributary.types.RetriableException("change stream "
                        + identifier + " reached the high watermark of " + win + " without its low watermark"));
                return;
            }
            ConfiguredStream cs = streams.get(win.stream);
            if (!win.rows.isEmpty()) {
                WriterThread w = writer(cs);
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

        @Override
        public boolean keepStreaming() {
            return (marks != null && marks.keepStreaming(identifier)) || continuous();
        }

        @Override
        public boolean checkpointWanted() {
            return !emitted.isEmpty() || (changes > 0 && !options.continuousCheckpoint().isZero()
                    && System.nanoTime() - lastCheckpoint >= options.continuousCheckpoint().toNanos())
                    || (changes > 0 && stopping);
        }

        @Override
        public void checkpoint(ObjectNode position) {
            checkCancelled();
            long began = System.nanoTime();
            for (Map.Entry<StreamId, WriterThread> e : writers.entrySet()) {
                e.getValue().close(new MetadataState(cdcThreadId(e.getKey()), position));
                overlap.remove(e.getKey());
            }
            writers.clear();
            driver.postCDC(identifier);
            // the chunks leave state only after the position was saved: a crash in between reads them again
            long backfilled = 0;
            for (Watermarks.Window win : emitted) {
                state.removeChunk(win.stream, win.chunk);
                marks.remove(win);
                backfilled += win.emitted;
                win.committed.complete(win.emitted);
            }
            LOG.info("change stream {}: checkpoint {} committed {} changes{}", identifier, position, changes,
                    emitted.isEmpty() ? "" : " and " + backfilled + " backfill rows of " + emitted.size() + " chunks");
            emitted.clear();
            long now = System.nanoTime();
            Map<StreamId, StreamChanges> byStream = new HashMap<>();
            counts.forEach((id, c) -> byStream.put(id, c.done()));
            options.listener().cdcCommitted(new CdcCommit(identifier, position, List.copyOf(streams.keySet()),
                    byStream, backfilled, Instant.now(), Duration.ofNanos(now - began)));
            counts.clear();
            lastCounted = null;
            lastCounts = null;
            changes = 0;
            newest = null;
            lastCheckpoint = now;
            lastProgress = now;
        }

        void finish() {
            if (!writers.isEmpty() || !emitted.isEmpty()) {
                throw new NonRetriableException("driver " + driver.type() + " returned from streamChanges("
                        + identifier + ") with " + changes + " changes it never checkpointed; they were discarded");
            }
        }

        void abort(Throwable cause) {
            writers.values().forEach(WriterThread::abort);
            writers.clear();
            if (marks != null) {
                marks.streamFailed(identifier, cause);
            }
        }
    }

    /** Per-stream change counts of one checkpoint (one change stream's thread only). */
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

    /** Reads a stream's remaining chunks in parallel, each committed with its chunk as metadata state. */
    private void backfill(Run run, ConfiguredStream s, CursorValues upperBound) {
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
            chunks = new ArrayList<>(driver.getOrSplitChunks(run.pool, s));
            state.setChunks(id, chunks);
            LOG.info("stream {}: backfill split into {} chunks", id, chunks.size());
        }
        chunks.sort(Chunk.BY_MIN);
        options.listener().backfillStarted(id, chunks.size(), chunks.size());
        String bid = backfillId;
        TaskGroup g = run.group("backfill " + id, true);
        try {
            Retry retry = retry("chunk");
            for (Chunk c : chunks) {
                g.submit("chunk " + c, () -> retry.run("stream " + id + " chunk " + c,
                        () -> readChunk(run, s, bid, c, upperBound)));
            }
            g.await();
        } finally {
            g.close();
        }
        state.markBackfillCompleted(id);
        options.listener().backfillCompleted(id);
        LOG.info("stream {}: backfill completed", id);
    }

    private void readChunk(Run run, ConfiguredStream s, String backfillId, Chunk chunk, CursorValues upperBound) {
        String threadId = backfillThreadId(s.id(), backfillId, chunk);
        long start = System.nanoTime();
        long rows;
        try (WriterThread w = run.pool.newWriter(s, new WriterOptions(threadId, mode(s, true)))) {
            if (w.previousState().isPresent()) {
                LOG.info("stream {}: chunk {} was committed by an earlier run; skipping it", s.id(), chunk);
                state.removeChunk(s.id(), chunk);
                return;
            }
            Map<Schema, RecordMaker> makers = new IdentityHashMap<>();
            RecordMaker maker = maker(makers, s, s.schema());
            Instant now = Instant.now();
            driver.chunkIterator(s, chunk, upperBound, values -> {
                checkCancelled();
                w.push(maker.make(values, OpType.READ, now, null));
            });
            ObjectNode payload = Json.object();
            payload.set("chunk", State.chunkJson(chunk));
            w.close(new MetadataState(threadId, payload));
            rows = w.pushed();
        }
        state.removeChunk(s.id(), chunk);
        double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        LOG.info("stream {}: chunk {} committed: {} rows in {} ms ({} rows/s)", s.id(), chunk, rows,
                (long) (secs * 1000), (long) (rows / secs));
        options.listener().chunkCommitted(s.id(), chunk, rows, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Backfills append; so do append-mode streams and streams without a primary key, whose {@code _olake_id} (a
     * hash of the row) is shared by identical rows: an upsert or delete by it would touch every copy.
     */
    static WriteMode mode(ConfiguredStream s, boolean backfill) {
        return backfill || s.appendMode() || s.primaryKey().isEmpty() ? WriteMode.APPEND : WriteMode.UPSERT;
    }

    private static RecordMaker maker(Map<Schema, RecordMaker> cache, ConfiguredStream s, Schema schema) {
        return cache.computeIfAbsent(schema, sc -> new RecordMaker(s, sc));
    }

    private static void checkCancelled() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancelledException("sync was cancelled");
        }
    }

    /** Closes the driver. */
    @Override
    public void close() {
        driver.close();
    }
}
