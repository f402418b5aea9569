package io.tributary.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.SyncListener;
import io.tributary.core.state.State;
import io.tributary.metrics.TributaryMetrics;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Destination;
import io.tributary.writer.WriterPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the metrics cost, measured two ways in one run on one table.
 *
 * <p>Directly: the binder's whole cost is the time spent in its {@link SyncListener} callbacks (it does nothing
 * per row: counts arrive per chunk and per CDC checkpoint) and in the scrapes that read its meters (the writer-pool
 * gauges and counters are read only then). The "with" variant wraps the binder in {@link Timed}, which adds up
 * {@code System.nanoTime()} and the calling thread's CPU time around every callback, and times each scrape; the
 * sums are reported as a fraction of the run's wall time and of the JVM's CPU time during the run.
 *
 * <p>As an A/B: the same backfill (and CDC drain) with and without the binder, alternating round by round (ABBA), and
 * each round's with/without ratio taken from its two adjacent runs; the median of those paired ratios with its IQR
 * and a bootstrap 95 % interval. "With" is the binder on a Prometheus registry, watching the writer pool, scraped
 * every second by a thread of its own (a scrape interval 15× shorter than Prometheus' default). Prints a markdown
 * table and writes it to {@code bench/results/<date>-metrics-cost.md} ({@code -Dbench.out=name} changes the file
 * name's suffix). {@code -Dbench.scrapeMillis=N} changes the scrape interval (0: no scrape, the binder alone).
 *
 * <pre>{@code java -Xmx1g -cp bench/target/tributary-bench.jar io.tributary.bench.MetricsCostBench \
 *     [rows] [writers] [threads] [rounds] [changes]}</pre>
 * defaults {@code 1000000 null,parquet 2 6 200000}; {@code changes} 0 skips the CDC drain.
 */
public final class MetricsCostBench {
    private MetricsCostBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        List<String> writers = List.of((args.length > 1 ? args[1] : "null,parquet").split(","));
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        long changes = args.length > 4 ? Long.parseLong(args[4]) : 200_000;
        Path work = Files.createTempDirectory("tributary-metrics-bench");
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Cost>> costs = new LinkedHashMap<>();
        try (TestingPostgres pg = new TestingPostgres()) {
            System.out.printf("generating %,d rows...%n", rows);
            BackfillBench.createTable(pg, "bench", rows);
            for (String writer : writers) { // warm-up, untimed
                backfill(pg, writer, threads, rows, false, work);
                backfill(pg, writer, threads, rows, true, work);
            }
            for (int round = 0; round < rounds; round++) {
                for (String writer : writers) {
                    for (boolean on : round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                        Cost c = backfill(pg, writer, threads, rows, on, work);
                        double r = c.rate();
                        rates.computeIfAbsent("backfill " + writer + (on ? " with" : " without"),
                                k -> new ArrayList<>()).add(r);
                        if (on) {
                            costs.computeIfAbsent("backfill " + writer, k -> new ArrayList<>()).add(c);
                        }
                        System.out.printf(Locale.ROOT, "round %d backfill -> %s %s metrics: %,.0f rows/s%n", round,
                                writer, on ? "with" : "without", r);
                    }
                }
            }
            if (changes > 0) {
                for (int round = 0; round < rounds; round++) {
                    for (boolean on : round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                        Cost c = cdc(pg, changes, on, work, round);
                        double r = c.rate();
                        rates.computeIfAbsent("cdc drain null" + (on ? " with" : " without"),
                                k -> new ArrayList<>()).add(r);
                        if (on) {
                            costs.computeIfAbsent("cdc drain null", k -> new ArrayList<>()).add(c);
                        }
                        System.out.printf(Locale.ROOT, "round %d CDC drain -> null %s metrics: %,.0f changes/s%n",
                                round, on ? "with" : "without", r);
                    }
                }
            }
        }
        String md = markdown(rates, costs, rows, threads, rounds, changes, args);
        System.out.println(md);
        Path out = Path.of("bench", "results", LocalDate.now() + "-metrics-cost"
                + System.getProperty("bench.out", "") + ".md");
        if (Files.isDirectory(out.getParent())) {
            Files.writeString(out, md);
            System.out.println("written to " + out);
        }
    }

    /** Milliseconds between two scrapes of the "with" variant's registry ({@code -Dbench.scrapeMillis}; 0: none). */
    static final long SCRAPE_MILLIS = Long.getLong("bench.scrapeMillis", 1_000);

    /** The binder on a Prometheus registry scraped every {@link #SCRAPE_MILLIS}; closes it all. */
    static final class Metrics implements AutoCloseable {
        final TributaryMetrics binder = new TributaryMetrics("postgres");
        final Timed listener = new Timed(binder);
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final Thread scraper;
        volatile long scraped;
        volatile long scrapes;
        volatile long scrapeNanos;
        volatile long scrapeCpuNanos;

        Metrics(WriterPool pool) {
            binder.watch(pool).bindTo(registry);
            scraper = new Thread(() -> {
                try {
                    while (SCRAPE_MILLIS > 0 && !Thread.currentThread().isInterrupted()) {
                        Thread.sleep(SCRAPE_MILLIS);
                        long t0 = System.nanoTime();
                        long c0 = THREADS.getCurrentThreadCpuTime();
                        scraped += registry.scrape().length();
                        scrapeCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
                        scrapeNanos += System.nanoTime() - t0;
                        scrapes++;
                    }
                } catch (InterruptedException e) {
                    // done
                }
            }, "bench-scraper");
            scraper.setDaemon(true);
            scraper.start();
        }

        @Override
        public void close() {
            scraper.interrupt();
            try {
                scraper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            registry.close();
        }
    }

    static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** The JVM's CPU time so far (all threads). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The binder behind a stopwatch: every callback's wall time ({@code System.nanoTime()}) and its thread's CPU time
     * are added up, and the callbacks counted. The stopwatch itself (two clock reads and two CPU-time reads, about a
     * microsecond) is counted in, so the sums are an upper bound.
     */
    static final class Timed implements SyncListener {
        final SyncListener delegate;
        final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder nanos = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder cpuNanos = new java.util.concurrent.atomic.LongAdder();

        Timed(SyncListener delegate) {
            this.delegate = delegate;
        }

        private void time(Runnable call) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            call.run();
            cpuNanos.add(THREADS.getCurrentThreadCpuTime() - c0);
            nanos.add(System.nanoTime() - t0);
            calls.increment();
        }

        @Override
        public void backfillStarted(StreamId stream, int remaining, int total) {
            time(() -> delegate.backfillStarted(stream, remaining, total));
        }

        @Override
        public void chunkCommitted(StreamId stream, io.tributary.core.Chunk chunk, long rows) {
            time(() -> delegate.chunkCommitted(stream, chunk, rows));
        }

        @Override
        public void chunkCommitted(StreamId stream, io.tributary.core.Chunk chunk, long rows,
                java.time.Duration took) {
            time(() -> delegate.chunkCommitted(stream, chunk, rows, took));
        }

        @Override
        public void backfillCompleted(StreamId stream) {
            time(() -> delegate.backfillCompleted(stream));
        }

        @Override
        public void incrementalCommitted(StreamId stream, long rows) {
            time(() -> delegate.incrementalCommitted(stream, rows));
        }

        @Override
        public void cdcCheckpointed(int identifier, com.fasterxml.jackson.databind.node.ObjectNode position,
                long changes) {
            time(() -> delegate.cdcCheckpointed(identifier, position, changes));
        }

        @Override
        public void cdcCommitted(io.tributary.core.CdcCommit commit) {
            time(() -> delegate.cdcCommitted(commit));
        }

        @Override
        public void changeStreamStarted(int identifier, List<StreamId> streams) {
            time(() -> delegate.changeStreamStarted(identifier, streams));
        }

        @Override
        public void cdcProgress(int identifier, long changes, java.time.Instant newestSourceCommit) {
            time(() -> delegate.cdcProgress(identifier, changes, newestSourceCommit));
        }

        @Override
        public void retrying(io.tributary.core.RetryEvent event) {
            time(() -> delegate.retrying(event));
        }

        @Override
        public void failed(String operation, Throwable cause) {
            time(() -> delegate.failed(operation, cause));
        }
    }

    /**
     * One run: its rate, wall and JVM CPU time, and (with the binder) the callbacks' count, wall and CPU time and the
     * scrapes' count, wall and CPU time.
     */
    record Cost(double rate, long wallNanos, long cpuNanos, long calls, long callNanos, long callCpuNanos,
            long scrapes, long scrapeNanos, long scrapeCpuNanos) {
        static Cost of(double rate, long wall, long cpu, Metrics m) {
            if (m == null) {
                return new Cost(rate, wall, cpu, 0, 0, 0, 0, 0, 0);
            }
            return new Cost(rate, wall, cpu, m.listener.calls.sum(), m.listener.nanos.sum(),
                    m.listener.cpuNanos.sum(), m.scrapes, m.scrapeNanos, m.scrapeCpuNanos);
        }

        /** Callbacks + scrapes, wall time, as a fraction of the run's wall time. */
        double wallFraction() {
            return (callNanos + scrapeNanos) / (double) wallNanos;
        }

        /** Callbacks + scrapes, CPU time, as a fraction of the JVM's CPU time during the run. */
        double cpuFraction() {
            return (callCpuNanos + scrapeCpuNanos) / (double) cpuNanos;
        }

        /** Callbacks alone, wall time, as a fraction of the run's wall time (what sits on the sync's threads). */
        double callWallFraction() {
            return callNanos / (double) wallNanos;
        }
    }

    private static String source(TestingPostgres pg, String extra) {
        return "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}" + extra
                + "}";
    }

    static Cost backfill(TestingPostgres pg, String writer, int threads, long rows, boolean on, Path work)
            throws Exception {
        String config = source(pg, ", \"max_threads\": " + threads + ", \"chunk_size\": "
                + Math.max(10_000, rows / (threads * 4L)));
        Destination dest = BackfillBench.destination(writer, work.resolve("bf-" + writer + "-" + System.nanoTime()));
        System.gc();
        long start;
        long written;
        long wall;
        long cpu;
        Metrics m = null;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                Metrics metrics = on ? new Metrics(pool) : null) {
            m = metrics;
            SyncListener l = on ? metrics.listener : SyncListener.NONE;
            AbstractDriver sync = new AbstractDriver(d, State.inMemory(), AbstractDriver.Options.defaults()
                    .withListener(l));
            Stream s = d.produceSchema(StreamId.of("public", "bench")).withSyncMode(SyncMode.FULL_REFRESH);
            long cpu0 = processCpuNanos();
            start = System.nanoTime();
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            wall = System.nanoTime() - start;
            cpu = processCpuNanos() - cpu0;
            written = pool.stats(s.id()).committed();
        }
        if (written != rows) {
            throw new IllegalStateException(writer + " wrote " + written + " rows of " + rows);
        }
        return Cost.of(rows / (wall / 1e9), wall, cpu, m);
    }

    static Cost cdc(TestingPostgres pg, long changes, boolean on, Path work, int round) throws Exception {
        String slot = "metrics_cost_" + round + (on ? "_on" : "_off");
        String config = source(pg, ", \"update_method\": {\"replication_slot\": \"" + slot + "\", \"publication\": "
                + "\"metrics_cost_pub\", \"initial_wait_time\": 2, \"create_if_missing\": true}");
        Destination dest = BackfillBench.destination("null", work);
        State state = State.inMemory();
        pg.execute("CREATE TABLE IF NOT EXISTS cdc_cost (id bigint PRIMARY KEY, qty integer, label text)",
                "TRUNCATE cdc_cost", "INSERT INTO cdc_cost SELECT g, g % 100, 'x' || g FROM generate_series(1, "
                        + changes + ") g");
        Stream s;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults())) {
            AbstractDriver sync = new AbstractDriver(d, state);
            sync.setup();
            s = d.produceSchema(StreamId.of("public", "cdc_cost")).withSyncMode(SyncMode.STRICT_CDC);
            sync.read(pool, List.of(ConfiguredStream.of(s)));
        }
        BackfillBench.applyChanges(pg, "cdc_cost", changes);
        System.gc();
        long wall;
        long cpu;
        long written;
        Metrics m = null;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                Metrics metrics = on ? new Metrics(pool) : null) {
            m = metrics;
            AbstractDriver sync = new AbstractDriver(d, state, AbstractDriver.Options.defaults()
                    .withListener(on ? metrics.listener : SyncListener.NONE));
            long cpu0 = processCpuNanos();
            long start = System.nanoTime();
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            wall = System.nanoTime() - start;
            cpu = processCpuNanos() - cpu0;
            written = pool.stats(s.id()).committed();
        }
        pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        if (written != changes) {
            throw new IllegalStateException("CDC committed " + written + " of " + changes);
        }
        return Cost.of(changes / (wall / 1e9), wall, cpu, m);
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** The {@code q}-quantile of {@code xs} (linear interpolation). */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** A bootstrap 95 % interval of the median of {@code xs}: 10,000 resamples, fixed seed. */
    static double[] bootstrapMedian(List<Double> xs) {
        java.util.Random random = new java.util.Random(42);
        double[] medians = new double[10_000];
        for (int b = 0; b < medians.length; b++) {
            List<Double> resample = new ArrayList<>(xs.size());
            for (int i = 0; i < xs.size(); i++) {
                resample.add(xs.get(random.nextInt(xs.size())));
            }
            medians[b] = median(resample);
        }
        Arrays.sort(medians);
        return new double[] {quantile(medians, 0.025), quantile(medians, 0.975)};
    }

    static String markdown(Map<String, List<Double>> rates, Map<String, List<Cost>> costs, long rows, int threads,
            int rounds, long changes, String[] args) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Metrics cost, PostgreSQL ").append(LocalDate.now()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Backfill of %,d rows (the BackfillBench table) with %d threads, and a "
                + "CDC drain of %,d changes into the null writer, each %d times without and %d times with the "
                + "`tributary-metrics` binder (Prometheus registry, writer pool watched, scraped every " + SCRAPE_MILLIS
                + " ms; 0: never), the two alternating (ABBA: each round's pair of runs adjacent). Embedded "
                + "PostgreSQL 17 on the same machine; JVM %s, max heap %d MB, %d cores.%n%n",
                rows, threads, changes, rounds, rounds, System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() / 1024 / 1024, Runtime.getRuntime().availableProcessors()));
        sb.append("`java -cp bench/target/tributary-bench.jar io.tributary.bench.MetricsCostBench ")
                .append(String.join(" ", args)).append("`\n\n");
        sb.append("## Direct: time spent in the binder\n\n");
        sb.append("Per run with the binder: its callbacks (count, summed wall time of all calls on all threads, their "
                + "CPU time) and the scrapes that read its meters (count, wall, CPU), against the run's wall time and "
                + "the JVM's CPU time during the run. \"on the sync's threads\" is the callbacks' wall time / the run's "
                + "wall time: an upper bound of the slowdown they can cause, as if every callback sat on the critical "
                + "path. \"incl. scrapes\" adds the scrapes (which run on a thread of their own). Medians over the "
                + "rounds, worst round in brackets.\n\n");
        sb.append("| run | callbacks per run | callbacks wall µs | scrapes per run | scrapes wall µs | on the sync's "
                + "threads (wall) | incl. scrapes (wall) | incl. scrapes (CPU / JVM CPU) |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Cost>> e : costs.entrySet()) {
            List<Cost> cs = e.getValue();
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %s | %s | %s |%n", e.getKey(),
                    median(cs.stream().map(c -> (double) c.calls()).toList()),
                    median(cs.stream().map(c -> c.callNanos() / 1e3).toList()),
                    median(cs.stream().map(c -> (double) c.scrapes()).toList()),
                    median(cs.stream().map(c -> c.scrapeNanos() / 1e3).toList()),
                    pct(cs.stream().map(Cost::callWallFraction).toList()),
                    pct(cs.stream().map(Cost::wallFraction).toList()),
                    pct(cs.stream().map(Cost::cpuFraction).toList())));
        }
        sb.append("\n## A/B: throughput with and without the binder\n\n");
        sb.append("Paired ratio: with / without of the two runs of the same round. IQR: the middle half of the "
                + "paired ratios; interval: bootstrap 95 % interval of their median (10,000 resamples).\n\n");
        sb.append("| run | median rate without | median rate with | median paired ratio | IQR | bootstrap 95 % "
                + "| paired ratios (round order) |\n");
        sb.append("|---|---:|---:|---:|---|---|---|\n");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            if (!e.getKey().endsWith(" without")) {
                continue;
            }
            String name = e.getKey().substring(0, e.getKey().length() - " without".length());
            List<Double> without = e.getValue();
            List<Double> with = rates.get(name + " with");
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < Math.min(with.size(), without.size()); i++) {
                ratios.add(with.get(i) / without.get(i));
            }
            double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double[] ci = bootstrapMedian(ratios);
            sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.3f | %.3f–%.3f | %.3f–%.3f | %s |%n", name,
                    median(without), median(with), median(ratios), quantile(sorted, 0.25), quantile(sorted, 0.75),
                    ci[0], ci[1], String.join(" ", ratios.stream()
                            .map(x -> String.format(Locale.ROOT, "%.3f", x)).toList())));
        }
        sb.append("\nSamples (rows or changes per second, round order):\n\n");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            sb.append("- ").append(e.getKey()).append(": ").append(fmt(e.getValue())).append("\n");
        }
        return sb.toString();
    }

    private static String pct(List<Double> fractions) {
        return String.format(Locale.ROOT, "%.4f %% (%.4f %%)", median(fractions) * 100,
                fractions.stream().mapToDouble(Double::doubleValue).max().orElse(0) * 100);
    }

    private static String fmt(List<Double> xs) {
        return String.join(" ", Arrays.stream(xs.stream().mapToDouble(Double::doubleValue).toArray())
                .mapToObj(x -> String.format(Locale.ROOT, "%,.0f", x)).toList());
    }
}
