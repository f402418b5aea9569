package io.tributary.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.Chunk;
import io.tributary.core.SyncListener;
import io.tributary.types.StreamId;
import io.tributary.writer.WriterPool;
import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows sync progress: on a terminal, one progress bar per stream redrawn in place; otherwise plain lines
 * (one per committed chunk) that a log collector keeps.
 */
public final class ProgressListener implements SyncListener {
    private final PrintStream out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final Map<StreamId, Progress> streams = new ConcurrentHashMap<>();

    private static final class Progress {
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicLong rows = new AtomicLong();
    }

    public ProgressListener(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    private Progress of(StreamId s) {
        return streams.computeIfAbsent(s, k -> new Progress());
    }

    @Override
    public void backfillStarted(StreamId stream, int remaining, int total) {
        of(stream).total.set(total);
        if (!terminal) {
            out.println(stream + ": backfill of " + total + " chunks");
        }
    }

    @Override
    public synchronized void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
        Progress p = of(stream);
        int done = p.done.incrementAndGet();
        long r = p.rows.addAndGet(rows);
        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        if (terminal) {
            int width = 30;
            int filled = p.total.get() == 0 ? width : Math.min(width, done * width / p.total.get());
            out.printf("\r%-30s [%s%s] %d/%d chunks %,d rows %,.0f rows/s", stream,
                    "#".repeat(filled), " ".repeat(width - filled), done, p.total.get(), r, r / secs);
            if (done == p.total.get()) {
                out.println();
            }
        } else {
            out.printf("%s: chunk %d/%d committed (%,d rows so far, %,.0f rows/s)%n", stream, done, p.total.get(), r,
                    r / secs);
        }
    }

    @Override
    public void incrementalCommitted(StreamId stream, long rows) {
        out.printf("%s: incremental pass committed %,d rows%n", stream, rows);
    }

    @Override
    public void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
        out.printf("change stream %d: %,d changes committed at %s%n", identifier, changes, position);
    }

    /** Prints rows written per stream and the overall throughput. */
    public void summary(WriterPool pool) {
        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long total = 0;
        for (Map.Entry<StreamId, WriterPool.StreamStats> e : new TreeMap<>(pool.allStats()).entrySet()) {
            out.printf("%-30s %,12d rows written%n", e.getKey(), e.getValue().committed());
            total += e.getValue().committed();
        }
        out.printf("%,d rows in %.1f s (%,.0f rows/s)%n", total, secs, total / secs);
    }
}
