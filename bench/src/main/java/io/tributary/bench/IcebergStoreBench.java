package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.TestingRestCatalog;
import io.tributary.testkit.TestingS3;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
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
import java.util.function.IntFunction;

/**
 * Backfill into Iceberg on the local file system vs on a local S3 server, in one run on one table, the variants
 * interleaved round by round (the order rotates each round) so that drift on a shared machine hits them alike:
 * <ul>
 *   <li>{@code hadoop + local FS}: the default catalog, warehouse a local folder;</li>
 *   <li>{@code jdbc + local FS}: Iceberg's JDBC catalog on the bench's PostgreSQL, warehouse a local folder;</li>
 *   <li>{@code jdbc + S3}: the same catalog, warehouse on S3Proxy ({@code S3FileIO}; testkit's {@code TestingS3},
 *       a child JVM with a file-system blob store);</li>
 *   <li>{@code rest + S3}: Iceberg's reference REST catalog server ({@code TestingRestCatalog}, a child JVM) on the
 *       same S3.</li>
 * </ul>
 * {@code jdbc + local FS} vs {@code jdbc + S3} isolates the store (same catalog); the other two are what a user
 * picks. Each run writes a table of its own (a fresh namespace). Prints a markdown table and writes it to
 * {@code bench/results/<date>-iceberg-s3-vs-fs.md}.
 *
 * <pre>{@code java -Xmx1g -cp bench/target/tributary-bench.jar io.tributary.bench.IcebergStoreBench \
 *     [rows] [threads] [rounds]}</pre>
 * defaults {@code 1000000 2 4}.
 */
public final class IcebergStoreBench {
    private IcebergStoreBench() {
    }

    private static final String BUCKET = "lake";
    private static final String CATALOG_USER = "bench_catalog";
    private static final String CATALOG_PASSWORD = "bench-catalog-pw";

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path work = Files.createTempDirectory("tributary-iceberg-store-bench");
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try (TestingPostgres pg = new TestingPostgres(); TestingS3 s3 = new TestingS3(BUCKET);
                TestingRestCatalog rest = new TestingRestCatalog(s3, BUCKET, "rest-warehouse")) {
            pg.execute("CREATE ROLE " + CATALOG_USER + " LOGIN PASSWORD '" + CATALOG_PASSWORD + "'",
                    "CREATE SCHEMA AUTHORIZATION " + CATALOG_USER);
            Map<String, IntFunction<ObjectNode>> variants = new LinkedHashMap<>();
            variants.put("hadoop + local FS", run -> {
                ObjectNode c = Json.object();
                c.put("warehouse", work.resolve("hadoop-wh").toString());
                return c;
            });
            variants.put("jdbc + local FS", run -> jdbc(pg, work.resolve("jdbc-wh").toString()));
            variants.put("jdbc + S3", run -> s3Keys(jdbc(pg, "s3://" + BUCKET + "/jdbc-wh"), s3));
            variants.put("rest + S3", run -> {
                ObjectNode c = Json.object();
                c.put("catalog_type", "rest");
                c.put("warehouse", rest.warehouse());
                c.putObject("properties").put("uri", rest.uri());
                return s3Keys(c, s3);
            });
            System.out.printf("generating %,d rows...%n", rows);
            BackfillBench.createTable(pg, "bench", rows);
            long warm = Math.min(rows, BackfillBench.WARMUP_ROWS);
            BackfillBench.createTable(pg, "bench_warmup", warm);
            int run = 0;
            for (Map.Entry<String, IntFunction<ObjectNode>> v : variants.entrySet()) { // untimed warm-up
                backfill(pg, "bench_warmup", v.getValue().apply(run), "warm" + run++, threads, warm);
            }
            List<String> names = new ArrayList<>(variants.keySet());
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((i + round) % names.size());
                    double r = backfill(pg, "bench", variants.get(name).apply(run), "r" + run++, threads, rows);
                    rates.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
                    System.out.printf(Locale.ROOT, "round %d %s: %,.0f rows/s%n", round, name, r);
                }
            }
        }
        String md = markdown(rates, rows, threads, rounds, args);
        System.out.println(md);
        Path out = Path.of("bench", "results", LocalDate.now() + "-iceberg-s3-vs-fs.md");
        if (Files.isDirectory(out.getParent())) {
            Files.writeString(out, md);
            System.out.println("written to " + out);
        }
    }

    private static ObjectNode jdbc(TestingPostgres pg, String warehouse) {
        ObjectNode c = Json.object();
        c.put("catalog_type", "jdbc");
        c.put("warehouse", warehouse);
        c.putObject("properties").put("uri", "jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + pg.database())
                .put("jdbc.user", CATALOG_USER).put("jdbc.password", CATALOG_PASSWORD);
        return c;
    }

    private static ObjectNode s3Keys(ObjectNode c, TestingS3 s3) {
        c.put("s3_endpoint", s3.endpoint());
        c.put("aws_region", TestingS3.REGION);
        c.put("s3_path_style", true);
        c.put("aws_access_key", s3.accessKey());
        c.put("aws_secret_key", s3.secretKey());
        return c;
    }

    /** One backfill of {@code table} into a fresh namespace; rows per second from the sync's start to its end. */
    static double backfill(TestingPostgres pg, String table, ObjectNode writer, String namespace, int threads,
            long rows) throws Exception {
        writer.put("namespace", namespace);
        String config = "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}, "
                + "\"max_threads\": " + threads + ", \"chunk_size\": " + Math.max(10_000, rows / (threads * 4L)) + "}";
        System.gc();
        long written;
        double secs;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = WriterPool.open("iceberg", writer, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, State.inMemory())) {
            Stream s = d.produceSchema(StreamId.of("public", table)).withSyncMode(SyncMode.FULL_REFRESH);
            long start = System.nanoTime();
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            secs = (System.nanoTime() - start) / 1e9;
            written = pool.stats(s.id()).committed();
        }
        if (written != rows) {
            throw new IllegalStateException("iceberg wrote " + written + " rows of " + rows);
        }
        return rows / secs;
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static String markdown(Map<String, List<Double>> rates, long rows, int threads, int rounds, String[] args) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Iceberg backfill: local file system vs local S3 server, PostgreSQL ").append(LocalDate.now())
                .append("\n\n");
        sb.append(String.format(Locale.ROOT, "Backfill of %,d rows (the BackfillBench table) with %d threads into "
                + "the iceberg writer, %d rounds, the four variants interleaved (order rotated each round; one "
                + "untimed warm-up run each). S3 is S3Proxy 2.6 with its file-system blob store in a child JVM "
                + "(testkit `TestingS3`), the REST catalog Iceberg's reference server in another (testkit "
                + "`TestingRestCatalog`), the JDBC catalog on the bench's embedded PostgreSQL 17; all on "
                + "127.0.0.1. JVM %s, max heap %d MB, %d cores.%n%n", rows, threads, rounds,
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() / 1024 / 1024,
                Runtime.getRuntime().availableProcessors()));
        sb.append("`java -cp bench/target/tributary-bench.jar io.tributary.bench.IcebergStoreBench ")
                .append(String.join(" ", args)).append("`\n\n");
        double base = median(rates.values().iterator().next());
        sb.append("| variant | median rows/s | vs ").append(rates.keySet().iterator().next())
                .append(" | samples (rows/s, in run order) |\n|---|---:|---:|---|\n");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            double m = median(e.getValue());
            sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %.3f | %s |%n", e.getKey(), m, m / base,
                    String.join(" ", Arrays.stream(e.getValue().stream().mapToDouble(Double::doubleValue).toArray())
                            .mapToObj(x -> String.format(Locale.ROOT, "%,.0f", x)).toList())));
        }
        List<Double> local = rates.get("jdbc + local FS");
        List<Double> s3 = rates.get("jdbc + S3");
        if (local != null && s3 != null) {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < Math.min(local.size(), s3.size()); i++) {
                ratios.add(s3.get(i) / local.get(i));
            }
            sb.append(String.format(Locale.ROOT, "%nSame catalog (JDBC), store only: S3 / local FS per round %s, "
                    + "median %.3f.%n", String.join(" ", ratios.stream().map(x -> String.format(Locale.ROOT, "%.3f",
                    x)).toList()), median(ratios)));
        }
        return sb.toString();
    }
}
