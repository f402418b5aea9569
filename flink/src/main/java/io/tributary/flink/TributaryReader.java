package io.tributary.flink;

import io.tributary.core.CdcChange;
import io.tributary.core.CdcSource;
import io.tributary.core.ChangeMapper;
import io.tributary.core.ChangeSink;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverInterface;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads splits with the driver on one worker thread and hands rows to Flink through a bounded queue (the queue's
 * capacity is the reader's backpressure and memory bound). The worker reads a chunk with {@code chunkIterator}, or a
 * change stream with the driver's {@link CdcSource}; with each change-stream boundary it queues the position, and the
 * split's position in the reader's state is the last boundary whose changes were all emitted. A position is
 * acknowledged to the source (slot confirm) only when the checkpoint holding it completed, and by the worker thread
 * (a replication connection is not shared between threads).
 */
@SuppressWarnings("try") // close() joins the worker thread: interruptible by design
final class TributaryReader implements SourceReader<SourceRecord, TributarySplit> {
    private static final Logger LOG = LoggerFactory.getLogger(TributaryReader.class);
    /** Batches the queue holds at most: with {@link #BATCH} rows each, the reader's memory bound. */
    static final int QUEUE_CAPACITY = 64;
    /** Rows handed from the worker to the task thread at once (fewer at a chunk's end or a change-stream boundary). */
    static final int BATCH = 256;

    private final SourceReaderContext context;
    private final SourceSpec spec;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final BlockingQueue<TributarySplit> todo = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private CompletableFuture<Void> available;
    private Thread worker;
    private volatile boolean closing;
    /** The worker's driver, closed by {@link #close()} when the worker does not stop on its own (blocked in I/O). */
    private volatile DriverInterface driver;
    private boolean noMoreSplits;

    // mailbox thread only
    /** Splits assigned and not yet started by the worker: they stay in state until the worker starts them. */
    private final Map<String, TributarySplit> assigned = new LinkedHashMap<>();
    private TributarySplit chunk;
    private long emitted;
    private final Map<String, TributarySplit> finishedChunks = new LinkedHashMap<>();
    private TributarySplit changes;
    private final TreeMap<Long, String> unacknowledged = new TreeMap<>();
    /** A position of a completed checkpoint, for the worker to acknowledge. */
    private final AtomicReference<String> toAcknowledge = new AtomicReference<>();

    private record Rows(List<SourceRecord> records) {
    }

    private record ChunkStarted(TributarySplit split) {
    }

    private record ChunkEnded(TributarySplit split) {
    }

    private record Boundary(String position) {
    }

    private record Failure(Throwable cause) {
    }

    TributaryReader(SourceReaderContext context, SourceSpec spec) {
        this.context = context;
        this.spec = spec;
    }

    @Override
    public void start() {
        worker = new Thread(this::work, "tributary-reader-" + context.getIndexOfSubtask());
        worker.setDaemon(true);
        worker.start();
        context.sendSplitRequest();
    }

    @Override
    public InputStatus pollNext(ReaderOutput<SourceRecord> output) throws Exception {
        Object item = queue.poll();
        if (item == null) {
            boolean idle = assigned.isEmpty() && chunk == null && changes == null;
            return noMoreSplits && idle ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
        }
        if (item instanceof Rows r) {
            for (SourceRecord record : r.records()) {
                output.collect(record);
            }
            if (chunk != null) {
                emitted += r.records().size();
            }
        } else if (item instanceof ChunkStarted s) {
            assigned.remove(s.split().splitId());
            chunk = s.split();
            emitted = 0;
        } else if (item instanceof ChunkEnded e) {
            TributarySplit done = e.split().withProgress(Math.max(emitted, e.split().rowsEmitted()), true);
            chunk = null;
            emitted = 0;
            finishedChunks.put(done.splitId(), done);
            context.sendSourceEventToCoordinator(new ChunksFinished(List.of(done.splitId())));
            context.sendSplitRequest();
        } else if (item instanceof Boundary b) {
            changes = changes.withPosition(b.position());
        } else if (item instanceof Failure f) {
            Throwable t = f.cause();
            if (t instanceof Exception ex) {
                throw ex;
            }
            throw (Error) t;
        }
        return InputStatus.MORE_AVAILABLE;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        synchronized (lock) {
            if (!queue.isEmpty() || (noMoreSplits && assigned.isEmpty() && chunk == null && changes == null)) {
                return CompletableFuture.completedFuture(null);
            }
            if (available == null || available.isDone()) {
                available = new CompletableFuture<>();
            }
            return available;
        }
    }

    private void signal() {
        synchronized (lock) {
            if (available != null) {
                available.complete(null);
            }
        }
    }

    @Override
    public List<TributarySplit> snapshotState(long checkpointId) {
        List<TributarySplit> out = new ArrayList<>(assigned.values());
        if (chunk != null) {
            out.add(chunk.withProgress(Math.max(emitted, chunk.rowsEmitted()), false));
        }
        out.addAll(finishedChunks.values());
        if (changes != null) {
            out.add(changes);
            unacknowledged.put(checkpointId, changes.positionJson());
        }
        return out;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map.Entry<Long, String> done = unacknowledged.floorEntry(checkpointId);
        if (done != null) {
            toAcknowledge.set(done.getValue());
            unacknowledged.headMap(checkpointId, true).clear();
        }
    }

    @Override
    public void addSplits(List<TributarySplit> splits) {
        for (TributarySplit s : splits) {
            if (s.kind() == TributarySplit.Kind.CHUNK && s.finished()) {
                // restored: finished before the checkpoint, perhaps unknown to the enumerator's state
                finishedChunks.put(s.splitId(), s);
                context.sendSourceEventToCoordinator(new ChunksFinished(List.of(s.splitId())));
                continue;
            }
            if (s.kind() == TributarySplit.Kind.CHANGES) {
                changes = s;
            } else {
                assigned.put(s.splitId(), s);
            }
            todo.add(s);
        }
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        signal();
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (event instanceof BackfillReleased) {
            finishedChunks.clear();
        }
    }

    @Override
    public void close() throws Exception {
        closing = true;
        if (worker != null) {
            worker.interrupt();
            worker.join(5_000);
            DriverInterface d = driver;
            if (worker.isAlive() && d != null) {
                LOG.warn("reader {}: the worker did not stop within 5 s; closing its driver to end a blocked read",
                        context.getIndexOfSubtask());
                d.close(); // closes its connections: a blocked read fails, the worker ends
                worker.join(25_000);
            }
        }
    }

    // ---- the worker thread

    private void work() {
        try (DriverInterface driver = spec.driver()) {
            this.driver = driver;
            driver.setup();
            while (!closing) {
                TributarySplit split = todo.take();
                if (split.kind() == TributarySplit.Kind.CHUNK) {
                    readChunk(driver, split);
                } else {
                    streamChanges(driver, split);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (!closing) {
                LOG.error("reader {} failed: {}", context.getIndexOfSubtask(), t.toString());
                queue.clear(); // the task fails at this item: what was queued before it is not wanted anyway
                queue.offer(new Failure(t));
                signal();
            }
        }
    }

    /** Rows the worker read and has not queued yet (worker thread only). */
    private List<SourceRecord> rows = new ArrayList<>(BATCH);

    private void put(Object item) throws InterruptedException {
        if (!(item instanceof Rows)) {
            flushRows(); // rows before a chunk's end or a position go first
        }
        queue.put(item);
        signal();
    }

    private void row(SourceRecord record) throws InterruptedException {
        rows.add(record);
        if (rows.size() >= BATCH) {
            flushRows();
        }
    }

    private void flushRows() throws InterruptedException {
        if (!rows.isEmpty()) {
            List<SourceRecord> batch = rows;
            rows = new ArrayList<>(BATCH);
            queue.put(new Rows(batch));
            signal();
        }
    }

    private void readChunk(DriverInterface driver, TributarySplit split) throws InterruptedException {
        put(new ChunkStarted(split));
        ConfiguredStream stream = spec.stream(split.stream());
        Chunk chunk = Json.mapper().convertValue(Json.parse(split.chunkJson()), Chunk.class);
        // rows of this chunk reached an earlier commit before a restore: read again, they replace those by key
        WriteMode mode = split.rowsEmitted() > 0 ? ChangeMapper.writeMode(stream, false) : WriteMode.APPEND;
        Function<Object[], Record> records = new ChangeMapper(List.of(stream), Set.of())
                .backfillRows(stream, stream.schema(), Instant.now());
        StreamId id = stream.id();
        try {
            driver.chunkIterator(stream, chunk, CursorValues.NONE, values -> {
                try {
                    row(new SourceRecord(id, mode, records.apply(values)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new io.tributary.types.CancelledException("reader was closed");
                }
            });
        } finally {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
        }
        put(new ChunkEnded(split));
    }

    private void streamChanges(DriverInterface driver, TributarySplit split) throws InterruptedException {
        List<ConfiguredStream> streams = split.streams().stream().map(spec::stream).toList();
        // every change stream of the job, as the enumerator gave them: identifiers index this list
        driver.preCDC(spec.cdcStreams());
        CdcSource<?> source = driver.cdcSource().orElseThrow();
        stream(source, split, streams);
    }

    private <P> void stream(CdcSource<P> source, TributarySplit split, List<ConfiguredStream> streams)
            throws InterruptedException {
        ChangeMapper mapper = new ChangeMapper(streams, Set.of());
        int identifier = split.identifier();
        String[] from = {split.positionJson()};
        LOG.info("reader {}: change stream {} of {} from {}", context.getIndexOfSubtask(), identifier,
                split.streams(), from[0]);
        while (!closing) {
            source.streamChanges(identifier, source.positionCodec().decodeSaved(Json.parse(from[0])), new ChangeSink<P>() {
                @Override
                public void accept(CdcChange change) {
                    ChangeMapper.Mapped m = mapper.map(change, Instant.now());
                    if (m != null) {
                        try {
                            row(new SourceRecord(m.stream().id(), ChangeMapper.writeMode(m.stream(), false),
                                    m.record()));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new io.tributary.types.CancelledException("reader was closed");
                        }
                    }
                }

                @Override
                public void checkpoint(P position) {
                    String json = Json.write(source.positionCodec().encodeSaved(position));
                    if (!json.equals(from[0])) {
                        from[0] = json;
                        offer(new Boundary(json));
                    } else {
                        try {
                            flushRows(); // a boundary: what was read so far goes to the task without waiting
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new io.tributary.types.CancelledException("reader was closed");
                        }
                    }
                    acknowledgeCompleted();
                }

                @Override
                public void watermark(String watermark) {
                    // the Flink source runs change streams after the backfill: no watermark windows
                }

                @Override
                public boolean keepStreaming() {
                    return !closing;
                }

                @Override
                public boolean checkpointWanted() {
                    acknowledgeCompleted();
                    return true; // every boundary: the split's position follows the emitted changes closely
                }

                private void acknowledgeCompleted() {
                    String done = toAcknowledge.getAndSet(null);
                    if (done != null) {
                        source.acknowledge(identifier, source.positionCodec().decodeSaved(Json.parse(done)));
                    }
                }

                private void offer(Object item) {
                    try {
                        put(item);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new io.tributary.types.CancelledException("reader was closed");
                    }
                }
            });
        }
    }
}
