package io.tributary.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.CdcCommit;
import io.tributary.core.Chunk;
import io.tributary.core.RetryEvent;
import io.tributary.core.StreamChanges;
import io.tributary.core.SyncListener;
import io.tributary.types.StreamId;
import io.tributary.writer.WriterPool;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows sync progress on stderr: a line per committed chunk (off a terminal), incremental pass and CDC checkpoint,
 * and, every {@code interval} once {@link #start} was called, a status line per stream being backfilled (chunks,
 * rows, rows/s, ETA) and per change stream (changes committed and read since the last checkpoint, lag). On a
 * terminal the status redraws one line in place; otherwise every line starts with an ISO-8601 timestamp (local time
 * with its offset, like the log lines), for a log collector.
 */
public final class ProgressListener implements SyncListener, AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final Map<StreamId, Progress> streams = new ConcurrentSkipListMap<>();
    private final Map<Integer, Cdc> cdc = new ConcurrentSkipListMap<>();
    private final Map<StreamId, Long> pushedAtStart = new ConcurrentHashMap<>();
    private volatile WriterPool pool;
    private volatile boolean cdcExpected;
    private Thread ticker;

    private static final class Progress {
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicLong rows = new AtomicLong();
        volatile long backfillStart;
        volatile boolean backfilling;
    }

    private static final class Cdc {
        final AtomicLong committed = new AtomicLong();
        volatile long pending;
        volatile Instant newestRead;
        volatile Duration lastLag;
        volatile long lastCommit = System.nanoTime();
        volatile boolean caughtUp;
    }

    public ProgressListener(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * Prints a status line every {@code interval} until {@link #close()}; rows in flight are read from
     * {@code writers}' counts. {@code cdcStreams}: CDC will run (a status line says so while waiting for it).
     */
    public synchronized void start(WriterPool writers, Duration interval, boolean cdcStreams) {
        this.pool = writers;
        this.cdcExpected = cdcStreams;
        if (ticker != null) {
            return;
        }
        long every = Math.max(1, interval.toMillis());
        ticker = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(every);
                    tick();
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "tributary-progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ticker = null;
            if (terminal) {
                out.println();
            }
        }
    }

    private Progress of(StreamId s) {
        return streams.computeIfAbsent(s, k -> new Progress());
    }

    private Cdc cdcOf(int identifier) {
        return cdc.computeIfAbsent(identifier, k -> new Cdc());
    }

    /** A whole line: timestamped when not on a terminal. */
    private synchronized void line(String text) {
        if (terminal) {
            out.print("\r\033[K");
            out.println(text);
        } else {
            out.println(now() + " " + text);
        }
    }

    @Override
    public void backfillStarted(StreamId stream, int remaining, int total) {
        Progress p = of(stream);
        p.total.set(total);
        p.done.set(0);
        p.rows.set(0);
        WriterPool w = pool;
        pushedAtStart.put(stream, w == null ? 0 : w.stats(stream).pushed());
        p.backfillStart = System.nanoTime();
        p.backfilling = true;
        line(stream + ": backfill of " + total + " chunks");
    }

    @Override
    public void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
        Progress p = of(stream);
        int done = p.done.incrementAndGet();
        long r = p.rows.addAndGet(rows);
        if (terminal) {
            tick(); // the status line, redrawn in place, says it all
            return;
        }
        double secs = Math.max(1e-3, (System.nanoTime() - p.backfillStart) / 1e9);
        line(String.format("%s: chunk %d/%d committed (%,d rows so far, %,.0f rows/s)", stream, done, p.total.get(),
                r, r / secs));
    }

    @Override
    public void backfillCompleted(StreamId stream) {
        Progress p = of(stream);
        p.backfilling = false;
        double secs = Math.max(1e-3, (System.nanoTime() - p.backfillStart) / 1e9);
        line(String.format("%s: backfill completed: %,d rows in %.1f s (%,.0f rows/s)", stream, p.rows.get(), secs,
                p.rows.get() / secs));
    }

    @Override
    public void incrementalCommitted(StreamId stream, long rows) {
        line(String.format("%s: incremental pass committed %,d rows", stream, rows));
    }

    @Override
    public void cdcCommitted(CdcCommit commit) {
        Cdc c = cdcOf(commit.identifier());
        long n = commit.totalChanges();
        c.committed.addAndGet(n);
        c.pending = 0;
        c.newestRead = null;
        c.lastCommit = System.nanoTime();
        Duration lag = Duration.ZERO;
        for (StreamChanges sc : commit.changes().values()) {
            Duration l = sc.lag(commit.committedAt());
            lag = l.compareTo(lag) > 0 ? l : lag;
        }
        c.lastLag = lag;
        SyncListener.super.cdcCommitted(commit);
        if (n > 0) {
            line(String.format("change stream %d: %,d changes committed in %d ms, lag %s", commit.identifier(), n,
                    commit.duration().toMillis(), seconds(lag)));
        }
    }

    @Override
    public void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
        Cdc c = cdcOf(identifier);
        if (changes == 0 && !c.caughtUp) {
            line(String.format("change stream %d: caught up at %s", identifier, position));
        }
        c.caughtUp = changes == 0;
    }

    @Override
    public void changeStreamStarted(int identifier, List<StreamId> ids) {
        cdcOf(identifier);
    }

    @Override
    public void cdcProgress(int identifier, long changes, Instant newestSourceCommit) {
        Cdc c = cdcOf(identifier);
        c.pending = changes;
        c.newestRead = newestSourceCommit;
    }

    @Override
    public void retrying(RetryEvent e) {
        line(String.format("%s failed (attempt %d of %d), retrying in %d ms: %s", e.what(), e.attempt(),
                e.maxAttempts(), e.backoff().toMillis(), e.cause()));
    }

    /** Prints the status of every stream being backfilled and every change stream. */
    void tick() {
        List<String> parts = new ArrayList<>();
        WriterPool w = pool;
        for (Map.Entry<StreamId, Progress> e : streams.entrySet()) {
            Progress p = e.getValue();
            if (!p.backfilling) {
                continue;
            }
            long read = w == null ? p.rows.get()
                    : Math.max(p.rows.get(), w.stats(e.getKey()).pushed() - pushedAtStart.getOrDefault(e.getKey(), 0L));
            double secs = Math.max(1e-3, (System.nanoTime() - p.backfillStart) / 1e9);
            double rate = read / secs;
            int done = p.done.get();
            int total = p.total.get();
            String eta = "ETA unknown";
            if (done > 0 && total > 0 && rate > 0) {
                double expected = (double) p.rows.get() * total / done;
                eta = "ETA " + clock(Math.max(0, expected - read) / rate);
            }
            parts.add(String.format("%s: backfill %d/%d chunks, %,d rows read, %,.0f rows/s, %s", e.getKey(), done,
                    total, read, rate, eta));
        }
        for (Map.Entry<Integer, Cdc> e : cdc.entrySet()) {
            Cdc c = e.getValue();
            Instant newest = c.newestRead;
            String lag = newest != null ? "reading " + seconds(Duration.between(newest, Instant.now())) + " behind"
                    : c.lastLag == null ? "no change yet" : "lag " + seconds(c.lastLag) + " at the last checkpoint";
            Duration sinceCommit = Duration.ofNanos(System.nanoTime() - c.lastCommit);
            parts.add(String.format("change stream %d: %,d changes committed, %,d read since the last checkpoint "
                    + "(%s ago), %s", e.getKey(), c.committed.get(), c.pending, seconds(sinceCommit), lag));
        }
        if (parts.isEmpty() && cdcExpected && streams.values().stream().noneMatch(p -> p.backfilling)) {
            parts.add("cdc: waiting for the change stream's first checkpoint");
        }
        if (parts.isEmpty()) {
            return;
        }
        synchronized (this) {
            if (terminal) {
                out.print("\r\033[K" + String.join(" | ", parts));
                out.flush();
            } else {
                for (String part : parts) {
                    out.println(now() + " " + part);
                }
            }
        }
    }

    /** The local time with its offset, as the log lines show it. */
    private static String now() {
        return java.time.OffsetDateTime.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static String seconds(Duration d) {
        return String.format("%.1f s", Math.max(0, d.toMillis()) / 1000.0);
    }

    private static String clock(double seconds) {
        long s = (long) Math.ceil(seconds);
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Prints rows written per stream and the overall throughput. */
    public void summary(WriterPool writers) {
        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        long total = 0;
        for (Map.Entry<StreamId, WriterPool.StreamStats> e : new TreeMap<>(writers.allStats()).entrySet()) {
            line(String.format("%-30s %,12d rows written", e.getKey(), e.getValue().committed()));
            total += e.getValue().committed();
        }
        line(String.format("%,d rows in %.1f s (%,.0f rows/s)", total, secs, total / secs));
    }
}
