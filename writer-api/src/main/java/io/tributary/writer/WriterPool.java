package io.tributary.writer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import io.tributary.types.ValueErrors;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The writers of one sync: hands out {@link WriterThread}s over one {@link Destination}, batches their records,
 * flushes each batch on a pool thread while the producer fills the next (at most one batch in flight per
 * writer thread: a producer that outruns its destination blocks, so memory stays bounded at about
 * {@code 2 × batchSize} records per writer thread whatever the table size), and commits data with metadata
 * state together.
 */
public final class WriterPool implements AutoCloseable {
    /**
     * Pool options. {@code threadFactory} makes the flush threads (embedders may pass their own);
     * {@code valueErrors} says what the destination's writers do with a value their column cannot hold.
     */
    public record Options(int batchSize, ThreadFactory threadFactory, ValueErrors valueErrors) {
        public static final int DEFAULT_BATCH_SIZE = 10_000;

        public Options {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
            }
            requireNonNull(threadFactory, "threadFactory is null");
            requireNonNull(valueErrors, "valueErrors is null");
        }

        public static Options defaults() {
            return new Options(DEFAULT_BATCH_SIZE, daemonThreads("tributary-writer"), ValueErrors.FAIL);
        }

        public Options withBatchSize(int size) {
            return new Options(size, threadFactory, valueErrors);
        }

        public Options withValueErrors(ValueErrors handling) {
            return new Options(batchSize, threadFactory, handling);
        }
    }

    /**
     * Counts per stream: records pushed, records in committed writer threads (rows left out under
     * {@link ValueErrors#SKIP} included), records of aborted writer threads (discarded), and values written as NULL
     * or rows left out by committed writer threads; pushed − committed − discarded are in open writer threads
     * (buffered or written, not committed).
     */
    public static final class StreamStats {
        final LongAdder pushed = new LongAdder();
        final LongAdder committed = new LongAdder();
        final LongAdder commits = new LongAdder();
        final LongAdder discarded = new LongAdder();
        final LongAdder valueErrors = new LongAdder();

        public long pushed() {
            return pushed.sum();
        }

        public long committed() {
            return committed.sum();
        }

        public long commits() {
            return commits.sum();
        }

        /** Records pushed to writer threads that were then aborted (a failed attempt, retried or not). */
        public long discarded() {
            return discarded.sum();
        }

        /** Records in open writer threads: pushed, neither committed nor discarded yet. */
        public long uncommitted() {
            return pushed() - committed() - discarded();
        }

        /**
         * Values the committed writer threads wrote as NULL ({@link ValueErrors#NULL}) or rows they left out
         * ({@link ValueErrors#SKIP}) because the destination column could not hold a value; each was logged at WARN.
         */
        public long valueErrors() {
            return valueErrors.sum();
        }
    }

    private final Destination destination;
    private final Options options;
    private final ExecutorService flushPool;
    private final Map<StreamId, StreamStats> stats = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public WriterPool(Destination destination, Options options) {
        this.destination = requireNonNull(destination, "destination is null");
        this.options = requireNonNull(options, "options is null");
        this.flushPool = Executors.newCachedThreadPool(options.threadFactory());
    }

    /** A pool over the writer of {@code type} found by ServiceLoader, configured by {@code writerConfig}. */
    public static WriterPool open(String type, JsonNode writerConfig, Options options) {
        WriterFactory f = Providers.find(WriterFactory.class, WriterFactory::type, type, Providers.defaultLoader());
        return new WriterPool(f.create(writerConfig), options);
    }

    public Destination destination() {
        return destination;
    }

    public Options options() {
        return options;
    }

    /**
     * Opens a writer thread. {@link WriterThread#previousState()} tells what the destination already committed
     * under this thread ID (a re-run after a crash between the destination commit and the state save). The
     * destination's writer gets this pool's {@link Options#valueErrors()} in its {@link WriterOptions}.
     */
    public WriterThread newWriter(ConfiguredStream stream, WriterOptions writerOptions) {
        if (closed) {
            throw new IllegalStateException("writer pool is closed");
        }
        WriterOptions opts = writerOptions.valueErrors() == options.valueErrors()
                ? writerOptions : writerOptions.withValueErrors(options.valueErrors());
        Optional<MetadataState> previous = destination.committedState(stream.id(), opts.threadId());
        DestinationWriter w = destination.open(stream, opts);
        return new WriterThread(this, stream, opts, w, previous, stats(stream.id()));
    }

    /** The state last committed under a thread ID, without opening a writer. */
    public Optional<MetadataState> committedState(StreamId stream, String threadId) {
        return destination.committedState(stream, threadId);
    }

    public StreamStats stats(StreamId stream) {
        return stats.computeIfAbsent(stream, s -> new StreamStats());
    }

    public Map<StreamId, StreamStats> allStats() {
        return Map.copyOf(stats);
    }

    ExecutorService flushPool() {
        return flushPool;
    }

    /** Stops the flush threads and closes the destination; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        flushPool.shutdownNow();
        try {
            flushPool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            destination.close();
        }
    }

    /** Daemon threads named {@code prefix-N}. */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
