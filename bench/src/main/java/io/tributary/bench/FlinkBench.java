package io.tributary.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.OperatingSystemMXBean;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.State;
import io.tributary.flink.TributaryFlink;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.WriterPool;
import io.tributary.writer.iceberg.IcebergDestination;
import io.tributary.writer.iceberg.IcebergWriterFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * One table, full refresh into Iceberg (hadoop catalog on the local disk), in one run: (a) the embedded engine
 * ({@link AbstractDriver} + {@link WriterPool} {@code iceberg}, {@code max_threads} 2), (b) the Flink job
 * ({@link TributaryFlink}) at parallelism 1 and (c) at parallelism 2, on one local {@link MiniCluster} (one task
 * manager, 2 slots) started once, checkpoints every second. After {@code -Dbench.warmupRounds} (2) untimed
 * rounds of all three, the variants are interleaved round by round (the order rotates each round), each run writes
 * a fresh warehouse, and each result is read back from Iceberg: every id of the source exactly once, or the run
 * fails. A Flink job may restart up to 3 times from its last checkpoint; restarts are counted and reported. Prints a
 * markdown table and writes it to
 * {@code bench/results/<date>-flink.md}.
 *
 * <p>A run's time goes from opening the source (the driver's setup and preflight, the table's creation) to the last
 * commit: for the embedded engine {@code read} returned, for Flink the job finished (its final checkpoint committed).
 * The MiniCluster's own start-up is outside (a cluster runs before a job is submitted); the job's scheduling, the
 * enumerator's chunk planning and the final checkpoint are inside.
 *
 * <pre>{@code java -Xmx2g --add-opens java.base/java.util=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED \
 *     --add-opens java.base/java.lang.reflect=ALL-UNNAMED --add-opens java.base/java.time=ALL-UNNAMED \
 *     --add-opens java.base/java.math=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
 *     -cp bench/target/tributary-bench.jar io.tributary.bench.FlinkBench [rows] [rounds] [chunk_size]}</pre>
 * defaults {@code 1000000 5 100000}.
 */
public final class FlinkBench {
    private FlinkBench() {
    }

    private static final StreamId TABLE = StreamId.of("public", "bench");
    /** Untimed rounds of every variant on the full table before the timed ones (Flink's paths warm up slowly). */
    private static final int WARMUP_ROUNDS = Integer.getInteger("bench.warmupRounds", 2);
    private static final int EMBEDDED_THREADS = 2;
    private static final int SLOTS = 2;

    /** Restarts a Flink job may take before the bench fails (each one is counted and reported). */
    private static final int RESTARTS = 3;

    /**
     * One timed run: rows/s over the whole sync, the table's snapshot count; for Flink also the job's own runtime and
     * how often it restarted from a checkpoint.
     */
    record Run(double rowsPerSecond, double seconds, double jobSeconds, int snapshots, int restarts,
            double cpuSeconds, String load) {
        /** The same run with the machine's load average at its start. */
        Run withLoad(String load1) {
            return new Run(rowsPerSecond, seconds, jobSeconds, snapshots, restarts, cpuSeconds, load1);
        }
    }

    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** The 1-minute load average ({@code /proc/loadavg}), or "?" where there is none. */
    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long chunkSize = args.length > 2 ? Long.parseLong(args[2]) : 100_000;
        Path work = Files.createTempDirectory("tributary-flink-bench");
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        runs.put("embedded engine, 2 threads", new ArrayList<>());
        runs.put("Flink job, parallelism 1", new ArrayList<>());
        runs.put("Flink job, parallelism 2", new ArrayList<>());
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(SLOTS).setConfiguration(new Configuration()).build());
        Planning planning;
        try (TestingPostgres pg = new TestingPostgres()) {
            cluster.start();
            System.out.printf("generating %,d rows...%n", rows);
            BackfillBench.createTable(pg, TABLE.name(), rows);
            JsonNode source = source(pg, chunkSize);
            Stream table = discover(source, TABLE);
            planning = plan(source, table);
            System.out.printf(Locale.ROOT, "%d chunks planned in %.0f ms%n", planning.chunks(), planning.millis());
            int n = 0;
            List<String> names = new ArrayList<>(runs.keySet());
            for (int round = -WARMUP_ROUNDS; round < rounds; round++) {
                for (int i = 0; i < names.size(); i++) {
                    int v = Math.floorMod(i + round, names.size());
                    Path wh = work.resolve("r" + n++);
                    String load1 = load();
                    Run r = switch (v) {
                        case 0 -> embedded(source, table, wh, rows);
                        case 1 -> flink(cluster, source, table, wh, 1, rows);
                        default -> flink(cluster, source, table, wh, 2, rows);
                    };
                    r = r.withLoad(load1);
                    if (round < 0) {
                        System.out.printf(Locale.ROOT, "warm-up %s: %,.0f rows/s (%d restart(s))%n", names.get(v),
                                r.rowsPerSecond(), r.restarts());
                        continue;
                    }
                    runs.get(names.get(v)).add(r);
                    System.out.printf(Locale.ROOT, "round %d %s: %,.0f rows/s (%.2f s, %d snapshot(s), %d "
                            + "restart(s), JVM CPU %.1f s, load %s)%n", round, names.get(v), r.rowsPerSecond(),
                            r.seconds(), r.snapshots(), r.restarts(), r.cpuSeconds(), r.load());
                }
            }
        } finally {
            cluster.close();
        }
        String md = markdown(runs, rows, rounds, chunkSize, planning, args);
        System.out.println(md);
        Path out = Path.of("bench", "results", LocalDate.now() + "-flink.md");
        if (Files.isDirectory(out.getParent())) {
            Files.writeString(out, md);
            System.out.println("written to " + out);
        }
    }

    private static JsonNode source(TestingPostgres pg, long chunkSize) {
        return Json.parse("{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"" + TestingPostgres.PASSWORD + "\", \"ssl\": "
                + "{\"mode\": \"disable\"}, \"max_threads\": " + EMBEDDED_THREADS + ", \"chunk_size\": " + chunkSize
                + "}");
    }

    private static Stream discover(JsonNode source, StreamId id) {
        try (DriverInterface d = Drivers.configured("postgres", source, "bench source")) {
            return d.produceSchema(id).withSyncMode(SyncMode.FULL_REFRESH);
        }
    }

    /** The driver's chunk plan of {@code stream}, as the Flink enumerator makes it at job start. */
    record Planning(int chunks, double millis) {
    }

    private static Planning plan(JsonNode source, Stream stream) {
        try (DriverInterface d = Drivers.configured("postgres", source, "bench source")) {
            d.setup();
            long start = System.nanoTime();
            int chunks = d.getOrSplitChunks(ConfiguredStream.of(stream)).size();
            return new Planning(chunks, (System.nanoTime() - start) / 1e6);
        }
    }

    private static JsonNode destination(Path warehouse) {
        return Json.parse("{\"warehouse\": \"" + warehouse + "\"}");
    }

    /** (a) The embedded engine: one full refresh of {@code stream}. */
    static Run embedded(JsonNode source, Stream stream, Path warehouse, long rows) throws IOException {
        System.gc();
        long cpu0 = OS.getProcessCpuTime();
        long start = System.nanoTime();
        long committed;
        try (DriverInterface d = Drivers.configured("postgres", source, "bench source");
                WriterPool pool = WriterPool.open("iceberg", Json.parse(Json.write(destination(warehouse))),
                        WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, State.inMemory())) {
            sync.read(pool, List.of(ConfiguredStream.of(stream)));
            committed = pool.stats(stream.id()).committed();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e9;
        if (committed != rows) {
            throw new IllegalStateException("embedded engine committed " + committed + " rows of " + rows);
        }
        int snapshots = verify(warehouse, stream.id(), rows);
        return new Run(rows / secs, secs, Double.NaN, snapshots, 0, cpu, "");
    }

    /** (b), (c) The Flink job at {@code parallelism}: one full refresh of {@code stream}, a bounded job. */
    static Run flink(MiniCluster cluster, JsonNode source, Stream stream, Path warehouse, int parallelism, long rows)
            throws Exception {
        System.gc();
        long cpu0 = OS.getProcessCpuTime();
        long start = System.nanoTime();
        JsonNode catalog = Catalog.selectAll(List.of(stream)).toJson();
        TributaryFlink pipeline = TributaryFlink.pipeline("postgres", source, catalog, destination(warehouse));
        Configuration conf = new Configuration();
        conf.setString("execution.checkpointing.interval", "1 s");
        // a few restarts from the last checkpoint, as a deployed job would take them; counted and reported
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", Integer.toString(RESTARTS));
        conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        pipeline.build(env, parallelism);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        JobExecutionResult result = cluster.executeJobBlocking(graph);
        double secs = (System.nanoTime() - start) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpu0) / 1e9;
        int restarts = 0;
        ArchivedExecutionGraph done = cluster.getArchivedExecutionGraph(graph.getJobID()).get();
        for (AccessExecutionVertex v : done.getAllExecutionVertices()) {
            restarts = Math.max(restarts, v.getCurrentExecutionAttempt().getAttemptNumber());
        }
        if (restarts > 0 && done.getFailureInfo() != null) {
            System.out.println("RESTARTED (" + restarts + "), last failure: "
                    + done.getFailureInfo().getExceptionAsString().lines()
                            .filter(l -> l.startsWith("Caused by") || !l.startsWith("\t")).toList());
        }
        int snapshots = verify(warehouse, stream.id(), rows);
        return new Run(rows / secs, secs, result.getNetRuntime() / 1e3, snapshots, restarts, cpu, "");
    }

    /**
     * Reads the table back: ids 1..{@code rows} each exactly once and nothing else, or an exception. Returns the
     * table's snapshot count.
     */
    static int verify(Path warehouse, StreamId stream, long rows) throws IOException {
        try (IcebergDestination d = (IcebergDestination) new IcebergWriterFactory().create(destination(warehouse))) {
            Table t = d.catalog().loadTable(d.identifier(stream));
            BitSet seen = new BitSet();
            long count = 0;
            try (CloseableIterable<Record> it = IcebergGenerics.read(t).select("id").build()) {
                for (Record r : it) {
                    long id = ((Number) r.getField("id")).longValue();
                    if (id < 1 || id > rows || seen.get((int) id)) {
                        throw new IllegalStateException(stream + ": id " + id + " unexpected or repeated in " + t);
                    }
                    seen.set((int) id);
                    count++;
                }
            }
            if (count != rows) {
                throw new IllegalStateException(stream + ": Iceberg holds " + count + " rows of " + rows);
            }
            int snapshots = 0;
            for (Snapshot ignored : t.snapshots()) {
                snapshots++;
            }
            return snapshots;
        }
    }

    private static String range(List<Double> xs) {
        return String.format(Locale.ROOT, "%,.0f–%,.0f", xs.stream().mapToDouble(x -> x).min().orElse(0),
                xs.stream().mapToDouble(x -> x).max().orElse(0));
    }

    static String markdown(Map<String, List<Run>> runs, long rows, int rounds, long chunkSize, Planning planning,
            String[] args) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Flink runner vs the embedded engine, PostgreSQL → Iceberg, one table, ").append(LocalDate.now())
                .append("\n\n");
        sb.append(String.format(Locale.ROOT, "Full refresh of %,d rows (the BackfillBench table), `chunk_size` %,d "
                + "(the driver plans %d chunks, in %.0f ms), into Iceberg (hadoop catalog, local disk, a fresh "
                + "warehouse per run), %d rounds, the three variants interleaved (order rotated each round) after %d "
                + "untimed warm-up rounds of all three on the same table. Embedded engine: `max_threads` %d. Flink %s: "
                + "one MiniCluster in the bench JVM (1 task manager, %d slots), checkpoints every 1 s, restart "
                + "strategy fixed-delay (%d attempts, 100 ms; restarts counted per run). Every result read back from "
                + "Iceberg (each id exactly once). JVM %s, max heap %d MB, %d cores.%n%n", rows, chunkSize,
                planning.chunks(), planning.millis(), rounds, WARMUP_ROUNDS, EMBEDDED_THREADS,
                org.apache.flink.runtime.util.EnvironmentInformation.getVersion(), SLOTS, RESTARTS,
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() / 1024 / 1024,
                Runtime.getRuntime().availableProcessors()));
        sb.append("`java … io.tributary.bench.FlinkBench ").append(String.join(" ", args)).append("`\n\n");
        List<Double> base = runs.values().iterator().next().stream().map(Run::rowsPerSecond).toList();
        double baseMedian = IcebergStoreBench.median(base);
        sb.append("| variant | median rows/s | range rows/s | vs embedded (median) | vs embedded per round | "
                + "median s | median job runtime s | median bench-JVM CPU s | snapshots | restarts | "
                + "samples (rows/s, in run order) | load average at each start |\n"
                + "|---|---:|---:|---:|---|---:|---:|---:|---|---|---|---|\n");
        for (Map.Entry<String, List<Run>> e : runs.entrySet()) {
            List<Double> rates = e.getValue().stream().map(Run::rowsPerSecond).toList();
            double m = IcebergStoreBench.median(rates);
            List<String> perRound = new ArrayList<>();
            for (int i = 0; i < Math.min(rates.size(), base.size()); i++) {
                perRound.add(String.format(Locale.ROOT, "%.2f", rates.get(i) / base.get(i)));
            }
            List<Double> job = e.getValue().stream().map(Run::jobSeconds).filter(x -> !x.isNaN()).toList();
            sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %.2f | %s | %.2f | %s | %.1f | %s | %s | %s "
                    + "| %s |%n",
                    e.getKey(), m, range(rates), m / baseMedian, String.join(" ", perRound),
                    IcebergStoreBench.median(e.getValue().stream().map(Run::seconds).toList()),
                    job.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f", IcebergStoreBench.median(job)),
                    IcebergStoreBench.median(e.getValue().stream().map(Run::cpuSeconds).toList()),
                    String.join(" ", e.getValue().stream().map(r -> Integer.toString(r.snapshots())).toList()),
                    String.join(" ", e.getValue().stream().map(r -> Integer.toString(r.restarts())).toList()),
                    String.join(" ", rates.stream().map(x -> String.format(Locale.ROOT, "%,.0f", x)).toList()),
                    String.join(" ", e.getValue().stream().map(Run::load).toList())));
        }
        return sb.toString();
    }
}
