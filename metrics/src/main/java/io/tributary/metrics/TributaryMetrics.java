package io.tributary.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tributary.core.CdcCommit;
import io.tributary.core.Chunk;
import io.tributary.core.RetryEvent;
import io.tributary.core.StreamChanges;
import io.tributary.core.SyncListener;
import io.tributary.types.StreamId;
import io.tributary.writer.WriterPool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Micrometer meters of a sync, fed by its {@link SyncListener} events: pass this object both to
 * {@link io.tributary.core.AbstractDriver.Options#withListener} (or inside {@link SyncListener#composite}) and to a
 * registry ({@code metrics.bindTo(registry)}, or Spring's / Quarkus' {@code MeterBinder} discovery).
 *
 * <p>Every meter carries the tag {@code driver} (the source type); per-table meters carry {@code stream}
 * ({@code namespace.name}), change counters carry {@code op} ({@code insert}, {@code update}, {@code delete}).
 * Nothing here is updated per row: counts arrive per chunk and per CDC checkpoint.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 *   <tr><td>{@code tributary.cdc.changes}</td><td>counter</td><td>stream, op</td><td>changes committed</td></tr>
 *   <tr><td>{@code tributary.cdc.lag}</td><td>timer</td><td>stream</td><td>per checkpoint: source commit of the
 *       stream's newest change → its destination commit</td></tr>
 *   <tr><td>{@code tributary.cdc.lag.latest}</td><td>gauge (s)</td><td>stream</td><td>the last such lag; 0 after a
 *       checkpoint that found the log drained</td></tr>
 *   <tr><td>{@code tributary.cdc.checkpoint}</td><td>timer</td><td>change_stream</td><td>checkpoint commit time
 *       (writers' commits + the source acknowledgement)</td></tr>
 *   <tr><td>{@code tributary.cdc.checkpoint.age}</td><td>gauge (s)</td><td>change_stream</td><td>time since the last
 *       checkpoint committed (or the change stream started)</td></tr>
 *   <tr><td>{@code tributary.backfill.rows}</td><td>counter</td><td>stream</td><td>backfill rows committed</td></tr>
 *   <tr><td>{@code tributary.backfill.chunks.planned} / {@code .remaining}</td><td>gauge</td><td>stream</td>
 *       <td>the backfill plan</td></tr>
 *   <tr><td>{@code tributary.backfill.rows.per.second}</td><td>gauge</td><td>stream</td><td>rows committed / time
 *       since the stream's backfill began</td></tr>
 *   <tr><td>{@code tributary.incremental.rows}</td><td>counter</td><td>stream</td><td>incremental rows
 *       committed</td></tr>
 *   <tr><td>{@code tributary.retries}</td><td>counter</td><td>operation, exception</td><td>failed attempts that
 *       were retried</td></tr>
 *   <tr><td>{@code tributary.errors}</td><td>counter</td><td>operation, exception</td><td>syncs that
 *       failed</td></tr>
 *   <tr><td>{@code tributary.writer.records.pushed} / {@code .committed} / {@code .discarded}</td><td>counter</td>
 *       <td>stream</td><td>records handed to writers / committed by them / discarded with an aborted attempt (with
 *       {@link #watch(WriterPool)})</td></tr>
 *   <tr><td>{@code tributary.writer.value.errors}</td><td>counter</td><td>stream</td><td>values the destination
 *       could not hold, written as NULL or their rows left out ({@code value_errors} null or skip)</td></tr>
 *   <tr><td>{@code tributary.writer.records.uncommitted}</td><td>gauge</td><td>stream</td><td>records in open writer
 *       threads: the writers' buffer occupancy</td></tr>
 * </table>
 */
public final class TributaryMetrics implements SyncListener, MeterBinder {
    private final Tags common;
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private final Map<StreamId, PerStream> streams = new ConcurrentHashMap<>();
    private final Map<Integer, PerChangeStream> changeStreams = new ConcurrentHashMap<>();
    private final Map<List<String>, LongAdder> retries = new ConcurrentHashMap<>();
    private final Map<List<String>, LongAdder> errors = new ConcurrentHashMap<>();
    private volatile WriterPool pool;

    /** Meters tagged {@code driver=<driverType>}. */
    public TributaryMetrics(String driverType) {
        this.common = Tags.of("driver", requireNonNull(driverType, "driverType is null"));
    }

    /** Also exposes the writer pool's per-stream record counts and buffer occupancy. */
    public TributaryMetrics watch(WriterPool writerPool) {
        this.pool = requireNonNull(writerPool, "writerPool is null");
        streams.keySet().forEach(id -> registries.forEach(r -> registerWriter(r, id)));
        return this;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        requireNonNull(registry, "registry is null");
        registries.add(registry);
        streams.forEach((id, s) -> register(registry, id, s));
        changeStreams.forEach((id, c) -> register(registry, id, c));
        retries.forEach((k, v) -> registerCount(registry, "tributary.retries", "failed attempts that were retried",
                k, v));
        errors.forEach((k, v) -> registerCount(registry, "tributary.errors", "syncs that failed", k, v));
    }

    // ------------------------------------------------------------------ state

    private static final class PerStream {
        final LongAdder backfillRows = new LongAdder();
        final LongAdder incrementalRows = new LongAdder();
        final AtomicInteger chunksTotal = new AtomicInteger();
        final AtomicInteger chunksRemaining = new AtomicInteger();
        final AtomicLong backfillStartNanos = new AtomicLong();
        final AtomicLong backfillEndNanos = new AtomicLong();
        final LongAdder rowsSinceStart = new LongAdder();
        final LongAdder inserts = new LongAdder();
        final LongAdder updates = new LongAdder();
        final LongAdder deletes = new LongAdder();
        volatile double lagSeconds = Double.NaN;

        double rowsPerSecond() {
            long start = backfillStartNanos.get();
            if (start == 0) {
                return 0;
            }
            long end = backfillEndNanos.get();
            double secs = ((end == 0 ? System.nanoTime() : end) - start) / 1e9;
            return secs <= 0 ? 0 : rowsSinceStart.sum() / secs;
        }
    }

    private static final class PerChangeStream {
        volatile long lastCommitNanos = System.nanoTime();

        double age() {
            return (System.nanoTime() - lastCommitNanos) / 1e9;
        }
    }

    private PerStream stream(StreamId id) {
        PerStream s = streams.get(id);
        if (s != null) {
            return s;
        }
        synchronized (this) {
            return streams.computeIfAbsent(id, k -> {
                PerStream created = new PerStream();
                registries.forEach(r -> register(r, k, created));
                return created;
            });
        }
    }

    private PerChangeStream changeStream(int identifier) {
        PerChangeStream c = changeStreams.get(identifier);
        if (c != null) {
            return c;
        }
        synchronized (this) {
            return changeStreams.computeIfAbsent(identifier, k -> {
                PerChangeStream created = new PerChangeStream();
                registries.forEach(r -> register(r, k, created));
                return created;
            });
        }
    }

    private Tags tags(StreamId id) {
        return common.and("stream", id.id());
    }

    private void register(MeterRegistry r, StreamId id, PerStream s) {
        Tags t = tags(id);
        FunctionCounter.builder("tributary.backfill.rows", s.backfillRows, LongAdder::doubleValue).tags(t)
                .baseUnit("rows").description("backfill rows committed").register(r);
        FunctionCounter.builder("tributary.incremental.rows", s.incrementalRows, LongAdder::doubleValue).tags(t)
                .baseUnit("rows").description("incremental rows committed").register(r);
        Gauge.builder("tributary.backfill.chunks.planned", s.chunksTotal, AtomicInteger::get).tags(t)
                .description("chunks of the stream's backfill plan").register(r);
        Gauge.builder("tributary.backfill.chunks.remaining", s.chunksRemaining, AtomicInteger::get).tags(t)
                .description("chunks of the backfill not yet committed").register(r);
        Gauge.builder("tributary.backfill.rows.per.second", s, PerStream::rowsPerSecond).tags(t)
                .description("backfill rows committed per second since the stream's backfill began").register(r);
        counter(r, "insert", s.inserts, t);
        counter(r, "update", s.updates, t);
        counter(r, "delete", s.deletes, t);
        Gauge.builder("tributary.cdc.lag.latest", s, p -> p.lagSeconds).tags(t).baseUnit("seconds")
                .description("source commit of the newest change -> its destination commit, at the last checkpoint "
                        + "(0 once the log was drained)").register(r);
        lagTimer(r, id); // present (count 0) from the start, so an alert on it does not see "absent"
        registerWriter(r, id);
    }

    private static void counter(MeterRegistry r, String op, LongAdder n, Tags t) {
        FunctionCounter.builder("tributary.cdc.changes", n, LongAdder::doubleValue).tags(t.and("op", op))
                .description("changes committed").register(r);
    }

    private void registerWriter(MeterRegistry r, StreamId id) {
        WriterPool p = pool;
        if (p == null) {
            return;
        }
        WriterPool.StreamStats st = p.stats(id);
        Tags t = tags(id);
        FunctionCounter.builder("tributary.writer.records.pushed", st, WriterPool.StreamStats::pushed).tags(t)
                .description("records handed to the writers").register(r);
        FunctionCounter.builder("tributary.writer.records.committed", st, WriterPool.StreamStats::committed).tags(t)
                .description("records the writers committed").register(r);
        FunctionCounter.builder("tributary.writer.records.discarded", st, WriterPool.StreamStats::discarded)
                .tags(t).description("records of writer threads aborted by a failed attempt").register(r);
        FunctionCounter.builder("tributary.writer.value.errors", st, WriterPool.StreamStats::valueErrors).tags(t)
                .description("values written as NULL or rows left out (value_errors null|skip)").register(r);
        Gauge.builder("tributary.writer.records.uncommitted", st, WriterPool.StreamStats::uncommitted).tags(t)
                .description("records in open writer threads: buffered or written, not yet committed").register(r);
    }

    private void register(MeterRegistry r, int identifier, PerChangeStream c) {
        Tags t = common.and("change_stream", Integer.toString(identifier));
        Gauge.builder("tributary.cdc.checkpoint.age", c, PerChangeStream::age).tags(t).baseUnit("seconds")
                .description("time since the change stream's last committed checkpoint (or its start)").register(r);
        checkpointTimer(r, identifier);
    }

    private Timer lagTimer(MeterRegistry r, StreamId id) {
        return Timer.builder("tributary.cdc.lag").tags(tags(id))
                .description("source commit of a checkpoint's newest change -> its destination commit").register(r);
    }

    private Timer checkpointTimer(MeterRegistry r, int identifier) {
        return Timer.builder("tributary.cdc.checkpoint").tags(common.and("change_stream",
                Integer.toString(identifier))).description("time to commit a CDC checkpoint").register(r);
    }

    private void registerCount(MeterRegistry r, String name, String description, List<String> key, LongAdder n) {
        FunctionCounter.builder(name, n, LongAdder::doubleValue).tags(common.and(Tag.of("operation", key.get(0)),
                Tag.of("exception", key.get(1)))).description(description).register(r);
    }

    private void count(Map<List<String>, LongAdder> counts, String name, String description, String operation,
            Throwable cause) {
        List<String> key = List.of(operation, cause.getClass().getSimpleName());
        LongAdder n = counts.get(key);
        if (n == null) {
            synchronized (this) {
                n = counts.computeIfAbsent(key, k -> {
                    LongAdder created = new LongAdder();
                    registries.forEach(r -> registerCount(r, name, description, k, created));
                    return created;
                });
            }
        }
        n.increment();
    }

    // ------------------------------------------------------------------ events

    @Override
    public void backfillStarted(StreamId stream, int remaining, int total) {
        PerStream s = stream(stream);
        s.chunksTotal.set(total);
        s.chunksRemaining.set(remaining);
        s.rowsSinceStart.reset();
        s.backfillEndNanos.set(0);
        s.backfillStartNanos.set(System.nanoTime());
    }

    @Override
    public void chunkCommitted(StreamId stream, Chunk chunk, long rows, Duration took) {
        PerStream s = stream(stream);
        s.backfillRows.add(rows);
        s.rowsSinceStart.add(rows);
        s.chunksRemaining.updateAndGet(n -> Math.max(0, n - 1));
    }

    @Override
    public void backfillCompleted(StreamId stream) {
        PerStream s = stream(stream);
        s.chunksRemaining.set(0);
        s.backfillEndNanos.set(System.nanoTime());
    }

    @Override
    public void incrementalCommitted(StreamId stream, long rows) {
        stream(stream).incrementalRows.add(rows);
    }

    @Override
    public void changeStreamStarted(int identifier, List<StreamId> ids) {
        changeStream(identifier);
        ids.forEach(this::stream);
    }

    @Override
    public void cdcCommitted(CdcCommit commit) {
        changeStream(commit.identifier()).lastCommitNanos = System.nanoTime();
        for (MeterRegistry r : registries) {
            checkpointTimer(r, commit.identifier()).record(commit.duration());
        }
        if (commit.changes().isEmpty()) {
            // the change stream read to the end of the log: its streams are caught up
            for (StreamId id : commit.streams()) {
                stream(id).lagSeconds = 0;
            }
            return;
        }
        for (Map.Entry<StreamId, StreamChanges> e : commit.changes().entrySet()) {
            PerStream s = stream(e.getKey());
            StreamChanges c = e.getValue();
            s.inserts.add(c.inserts());
            s.updates.add(c.updates());
            s.deletes.add(c.deletes());
            Duration lag = c.lag(commit.committedAt());
            s.lagSeconds = lag.toNanos() / 1e9;
            for (MeterRegistry r : registries) {
                lagTimer(r, e.getKey()).record(lag.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public void retrying(RetryEvent event) {
        count(retries, "tributary.retries", "failed attempts that were retried", event.operation(), event.cause());
    }

    @Override
    public void failed(String operation, Throwable cause) {
        count(errors, "tributary.errors", "syncs that failed", operation, cause);
    }
}
