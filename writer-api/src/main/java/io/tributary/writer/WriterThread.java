package io.tributary.writer;

import io.tributary.types.CancelledException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.TributaryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * One thread of work's writer (a backfill chunk, an incremental pass, a CDC batch): {@link #push} records, then
 * {@link #close(MetadataState)} to commit them with the state, or {@link #abort()}. Used by one producer thread.
 */
public final class WriterThread implements AutoCloseable {
    private final WriterPool pool;
    private final ConfiguredStream stream;
    private final WriterOptions options;
    private final DestinationWriter writer;
    private final Optional<MetadataState> previous;
    private final WriterPool.StreamStats stats;
    private final int batchSize;
    private List<Record> buffer;
    private Future<?> inFlight;
    private long pushed;
    private boolean finished;

    WriterThread(WriterPool pool, ConfiguredStream stream, WriterOptions options, DestinationWriter writer,
            Optional<MetadataState> previous, WriterPool.StreamStats stats) {
        this.pool = pool;
        this.stream = stream;
        this.options = options;
        this.writer = writer;
        this.previous = previous;
        this.stats = stats;
        this.batchSize = pool.options().batchSize();
        this.buffer = new ArrayList<>(Math.min(batchSize, 16_384));
    }

    /** The metadata state the destination holds for this thread ID from an earlier run, if any. */
    public Optional<MetadataState> previousState() {
        return previous;
    }

    public WriterOptions options() {
        return options;
    }

    public ConfiguredStream stream() {
        return stream;
    }

    /** Records pushed to this writer thread so far. */
    public long pushed() {
        return pushed;
    }

    /** Buffers a record; blocks while the previous batch is still being written (back-pressure). */
    public void push(Record record) {
        if (finished) {
            throw new IllegalStateException("writer thread " + options.threadId() + " is already closed");
        }
        buffer.add(record);
        pushed++;
        stats.pushed.increment();
        if (buffer.size() >= batchSize) {
            flush();
        }
    }

    /** Hands the buffered records to a flush thread, after the previous batch finished. */
    public void flush() {
        awaitInFlight();
        if (buffer.isEmpty()) {
            return;
        }
        List<Record> batch = buffer;
        buffer = new ArrayList<>(Math.min(batchSize, 16_384));
        inFlight = pool.flushPool().submit(() -> writer.write(batch));
    }

    /** Writes what is buffered and commits it with {@code state}, atomically. */
    public void close(MetadataState state) {
        if (finished) {
            throw new IllegalStateException("writer thread " + options.threadId() + " is already closed");
        }
        try {
            flush();
            awaitInFlight();
            writer.commit(state);
            finished = true;
            stats.committed.add(pushed);
            stats.commits.increment();
            stats.valueErrors.add(writer.valueErrors());
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Discards everything pushed; the destination is left as it was. Idempotent. */
    public void abort() {
        if (finished) {
            return;
        }
        finished = true;
        stats.discarded.add(pushed);
        buffer = List.of();
        if (inFlight != null) {
            try {
                inFlight.get(); // never abort while a batch is still being written
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception ignored) {
                // the batch is being discarded anyway
            }
            inFlight = null;
        }
        writer.abort();
    }

    /** Aborts unless already committed. */
    @Override
    public void close() {
        abort();
    }

    private void awaitInFlight() {
        if (inFlight == null) {
            return;
        }
        Future<?> f = inFlight;
        inFlight = null;
        try {
            f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            throw CancelledException.interrupted("writing stream " + stream.id(), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof TributaryException te) {
                throw te;
            }
            throw new TributaryException("writer thread " + options.threadId() + " of stream " + stream.id()
                    + " failed: " + c, c);
        }
    }
}
