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
 * What the metrics cost: the same backfill (and CDC drain) with and without a {@link TributaryMetrics} binder, in one
 * run on one table, the two variants alternating round by round (ABBA) so drift on a shared machine hits both. "With"
 * is the binder on a Prometheus registry, watching the writer pool, scraped every second by a thread of its own (a
 * scrape interval 15× shorter than Prometheus' default). Prints a markdown table and writes it to
 * {@code bench/results/<date>-metrics-cost.md}. {@code -Dbench.scrapeMillis=N} changes the scrape interval (0: no
 * scrape, the binder alone).
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
                        double r = backfill(pg, writer, threads, rows, on, work);
                        rates.computeIfAbsent("backfill " + writer + (on ? " with" : " without"),
                                k -> new ArrayList<>()).add(r);
                        System.out.printf(Locale.ROOT, "round %d backfill -> %s %s metrics: %,.0f rows/s%n", round,
                                writer, on ? "with" : "without", r);
                    }
                }
            }
            if (changes > 0) {
                for (int round = 0; round < rounds; round++) {
                    for (boolean on : round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                        double r = cdc(pg, changes, on, work, round);
                        rates.computeIfAbsent("cdc drain null" + (on ? " with" : " without"),
                                k -> new ArrayList<>()).add(r);
                        System.out.printf(Locale.ROOT, "round %d CDC drain -> null %s metrics: %,.0f changes/s%n",
                                round, on ? "with" : "without", r);
                    }
                }
            }
        }
        String md = markdown(rates, rows, threads, rounds, changes, args);
        System.out.println(md);
        Path out = Path.of("bench", "results", LocalDate.now() + "-metrics-cost.md");
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
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final Thread scraper;
        volatile long scraped;

        Metrics(WriterPool pool) {
            binder.watch(pool).bindTo(registry);
            scraper = new Thread(() -> {
                try {
                    while (SCRAPE_MILLIS > 0 && !Thread.currentThread().isInterrupted()) {
                        Thread.sleep(SCRAPE_MILLIS);
                        scraped += registry.scrape().length();
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

    private static String source(TestingPostgres pg, String extra) {
        return "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}" + extra
                + "}";
    }

    static double backfill(TestingPostgres pg, String writer, int threads, long rows, boolean on, Path work)
            throws Exception {
        String config = source(pg, ", \"max_threads\": " + threads + ", \"chunk_size\": "
                + Math.max(10_000, rows / (threads * 4L)));
        Destination dest = BackfillBench.destination(writer, work.resolve("bf-" + writer + "-" + System.nanoTime()));
        System.gc();
        long start;
        long written;
        double secs;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                Metrics m = on ? new Metrics(pool) : null) {
            SyncListener l = on ? m.binder : SyncListener.NONE;
            AbstractDriver sync = new AbstractDriver(d, State.inMemory(), AbstractDriver.Options.defaults()
                    .withListener(l));
            Stream s = d.produceSchema(StreamId.of("public", "bench")).withSyncMode(SyncMode.FULL_REFRESH);
            start = System.nanoTime();
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            secs = (System.nanoTime() - start) / 1e9;
            written = pool.stats(s.id()).committed();
        }
        if (written != rows) {
            throw new IllegalStateException(writer + " wrote " + written + " rows of " + rows);
        }
        return rows / secs;
    }

    static double cdc(TestingPostgres pg, long changes, boolean on, Path work, int round) throws Exception {
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
        double secs;
        long written;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                Metrics m = on ? new Metrics(pool) : null) {
            AbstractDriver sync = new AbstractDriver(d, state, AbstractDriver.Options.defaults()
                    .withListener(on ? m.binder : SyncListener.NONE));
            long start = System.nanoTime();
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            secs = (System.nanoTime() - start) / 1e9;
            written = pool.stats(s.id()).committed();
        }
        pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        if (written != changes) {
            throw new IllegalStateException("CDC committed " + written + " of " + changes);
        }
        return changes / secs;
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static String markdown(Map<String, List<Double>> rates, long rows, int threads, int rounds, long changes,
            String[] args) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Metrics cost, PostgreSQL ").append(LocalDate.now()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Backfill of %,d rows (the BackfillBench table) with %d threads, and a "
                + "CDC drain of %,d changes into the null writer, each %d times without and %d times with the "
                + "`tributary-metrics` binder (Prometheus registry, writer pool watched, scraped every " + SCRAPE_MILLIS
                + " ms; 0: never), the "
                + "two alternating. Embedded PostgreSQL 17 on the same machine; JVM %s, max heap %d MB, %d cores.%n%n",
                rows, threads, changes, rounds, rounds, System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() / 1024 / 1024, Runtime.getRuntime().availableProcessors()));
        sb.append("`java -cp bench/target/tributary-bench.jar io.tributary.bench.MetricsCostBench ")
                .append(String.join(" ", args)).append("`\n\n");
        sb.append("| run | median rows/s without | median rows/s with | with/without | samples without "
                + "| samples with |\n");
        sb.append("|---|---:|---:|---:|---|---|\n");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            if (!e.getKey().endsWith(" without")) {
                continue;
            }
            String name = e.getKey().substring(0, e.getKey().length() - " without".length());
            List<Double> with = rates.get(name + " with");
            double a = median(e.getValue());
            double b = median(with);
            sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.3f | %s | %s |%n", name, a, b, b / a,
                    fmt(e.getValue()), fmt(with)));
        }
        return sb.toString();
    }

    private static String fmt(List<Double> xs) {
        return String.join(" ", Arrays.stream(xs.stream().mapToDouble(Double::doubleValue).toArray())
                .mapToObj(x -> String.format(Locale.ROOT, "%,.0f", x)).toList());
    }
}
