package io.tributary.bench;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Destination;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterFactory;
import io.tributary.writer.Providers;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;

/**
 * Backfill throughput on an embedded PostgreSQL, every figure measured in the same run on the same table so the
 * ratios hold on a noisy machine: (a) the physical limit, {@code COPY (SELECT …) TO STDOUT (FORMAT binary)} into a
 * null sink, on one connection and on as many as Tributary uses; (b) Tributary's backfill into a null writer, the
 * {@code parquet} writer and the {@code iceberg} writer, with 1, 2 and 4 threads. Prints a markdown table and
 * writes it to {@code bench/results/<date>-postgres.md}.
 *
 * <pre>{@code java -Xmx2g -jar bench/target/tributary-bench.jar [rows] [writers] [threads]}</pre>
 * e.g. {@code 2000000 null,parquet,iceberg 1,2,4} (the defaults).
 */
public final class BackfillBench {
    private BackfillBench() {
    }

    record Result(String what, int threads, long rows, double seconds, long bytes, long peakHeapMb, long gcMillis) {
        double rowsPerSecond() {
            return rows / seconds;
        }

        double mbPerSecond() {
            return bytes / 1e6 / seconds;
        }
    }

    /** Rows of the untimed warm-up run per writer (and Debezium) before the timed runs; 0: none. */
    static final long WARMUP_ROWS = Long.getLong("bench.warmup", 200_000);

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        List<String> writers = List.of((args.length > 1 ? args[1] : "null,parquet,iceberg").split(","));
        int[] threads = java.util.Arrays.stream((args.length > 2 ? args[2] : "1,2,4").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Path work = Files.createTempDirectory("tributary-bench");
        List<Result> results = new ArrayList<>();
        long tableBytes;
        try (TestingPostgres pg = new TestingPostgres()) {
            System.out.printf("generating %,d rows...%n", rows);
            createTable(pg, "bench", rows);
            try (Connection c = pg.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT pg_table_size('bench')")) {
                rs.next();
                tableBytes = rs.getLong(1);
            }
            int maxThreads = java.util.Arrays.stream(threads).max().orElse(4);
            results.add(copy(pg, 1, rows));
            results.add(copy(pg, maxThreads, rows));
            boolean debezium = Boolean.parseBoolean(System.getProperty("bench.debezium", "true"));
            if (WARMUP_ROWS > 0) {
                // every figure is a steady-state rate: the JIT compiles each path on a small table first
                System.out.printf("warming up on %,d rows...%n", WARMUP_ROWS);
                createTable(pg, "bench_warmup", WARMUP_ROWS);
                for (String writer : writers) {
                    tributary(pg, "bench_warmup", writer, 1, WARMUP_ROWS, 0, work);
                }
                if (debezium) {
                    DebeziumBench.snapshot(pg, "bench_warmup", WARMUP_ROWS, 0, DebeziumBench.Format.CONNECT, work);
                }
            }
            for (String writer : writers) {
                for (int t : threads) {
                    results.add(tributary(pg, "bench", writer, t, rows, tableBytes, work));
                }
            }
            if (debezium) {
                results.add(DebeziumBench.snapshot(pg, "bench", rows, tableBytes, DebeziumBench.Format.CONNECT, work));
                results.add(DebeziumBench.snapshot(pg, "bench", rows, tableBytes, DebeziumBench.Format.JSON, work));
            }
            long changes = Long.getLong("bench.changes", Math.max(10_000, rows / 4));
            boolean cdc = Boolean.parseBoolean(System.getProperty("bench.cdc", "true"));
            if (cdc) {
                results.add(cdcRaw(pg, changes, false));
                if (Boolean.getBoolean("bench.cdcBinary")) {
                    results.add(cdcRaw(pg, changes, true));
                }
                Path recv = recvlogical();
                if (recv != null) {
                    results.add(cdcRecvlogical(pg, recv, changes));
                }
            }
            for (String writer : cdc ? writers : List.<String>of()) {
                results.add(cdc(pg, writer, changes, work));
            }
            if (cdc && Boolean.getBoolean("bench.cdcLimitAfter")) {
                pg.execute("DROP TABLE cdc_raw", "DROP PUBLICATION cdc_raw_pub",
                        "SELECT pg_drop_replication_slot('cdc_raw_slot')");
                results.add(cdcRaw(pg, changes, false));
                Path recv = recvlogical();
                if (recv != null) {
                    pg.execute("DROP TABLE cdc_recv", "DROP PUBLICATION cdc_recv_pub",
                            "SELECT pg_drop_replication_slot('cdc_recv_slot')");
                    results.add(cdcRecvlogical(pg, recv, changes));
                }
            }
            if (debezium && cdc) {
                pg.execute("CREATE TABLE cdc_dbz (id bigint PRIMARY KEY, qty integer, label text)",
                        "INSERT INTO cdc_dbz SELECT g, g % 100, 'x' || g FROM generate_series(1, " + changes + ") g");
                results.add(DebeziumBench.streaming(pg, "cdc_dbz", changes,
                        () -> applyChanges(pg, "cdc_dbz", changes), work));
            }
            if (Boolean.getBoolean("bench.slotStats")) {
                try (Connection c = pg.connection(); Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT slot_name, spill_txns, spill_count, spill_bytes, "
                                + "stream_txns, total_txns, total_bytes FROM pg_stat_replication_slots")) {
                    while (rs.next()) {
                        System.out.printf("SLOTSTAT %s spill_txns=%d spill_count=%d spill_bytes=%d stream_txns=%d "
                                + "total_txns=%d total_bytes=%d%n", rs.getString(1), rs.getLong(2), rs.getLong(3),
                                rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7));
                    }
                }
            }
        }
        String table = markdown(results, rows, tableBytes);
        System.out.println(table);
        Path out = Files.isDirectory(Path.of("bench")) ? Path.of("bench", "results") : Path.of("results");
        Files.createDirectories(out);
        Path file = out.resolve(LocalDate.now() + "-postgres.md");
        Files.writeString(file, table);
        System.out.println("written to " + file.toAbsolutePath());
    }

    /** COPY … TO STDOUT (FORMAT binary) into a counting sink, the table split into {@code n} ctid ranges. */
    static Result copy(TestingPostgres pg, int n, long rows) throws Exception {
        long pages;
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_relation_size('bench') / current_setting('block_size')::int")) {
            rs.next();
            pages = rs.getLong(1);
        }
        long per = (pages + n - 1) / n;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        Measure m = Measure.start();
        List<Future<Long>> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long from = i * per;
            long to = (i + 1) * per;
            boolean last = i == n - 1;
            parts.add(pool.submit(() -> {
                try (Connection c = pg.connection()) {
                    CountingSink sink = new CountingSink();
                    String where = "ctid >= '(" + from + ",0)'::tid" + (last ? "" : " AND ctid < '(" + to + ",0)'::tid");
                    c.unwrap(PGConnection.class).getCopyAPI().copyOut(
                            "COPY (SELECT * FROM bench WHERE " + where + ") TO STDOUT (FORMAT binary)", sink);
                    return sink.bytes;
                }
            }));
        }
        long bytes = 0;
        for (Future<Long> f : parts) {
            bytes += f.get();
        }
        pool.shutdown();
        return m.stop("COPY binary -> null sink", n, rows, bytes);
    }

    /** The results' sentence on the warm-up runs. */
    static String warmupNote(boolean debeziumToo) {
        return WARMUP_ROWS > 0 ? String.format(Locale.ROOT, "Steady-state rates: each writer%s first ran untimed on "
                + "a %,d-row table of the same shape.", debeziumToo ? " (and Debezium's snapshot)" : "", WARMUP_ROWS)
                : "No warm-up run (-Dbench.warmup=0): every rate includes JIT compilation.";
    }

    /** A writer by type ({@code null}: {@link NullDestination}) writing under {@code dir}. */
    static Destination destination(String writer, Path dir) {
        if (writer.equals("null")) {
            return new NullDestination();
        }
        String json = writer.equals("iceberg") ? "{\"warehouse\": \"" + dir + "\"}" : "{\"path\": \"" + dir + "\"}";
        return Providers.find(WriterFactory.class, WriterFactory::type, writer, Providers.defaultLoader())
                .create(Json.parse(json));
    }

    /** The bench table: bigint key, int, numeric(12,2), text ~40 chars, timestamptz, bool, jsonb. */
    static void createTable(TestingPostgres pg, String table, long rows) throws Exception {
        pg.execute(("""
                CREATE TABLE %s (id bigint PRIMARY KEY, qty integer NOT NULL, amount numeric(12,2) NOT NULL,
                  label text NOT NULL, created_at timestamptz NOT NULL, active boolean NOT NULL, doc jsonb)""")
                        .formatted(table),
                ("INSERT INTO %s SELECT g, g %% 1000, (g %% 1000000) / 100.0, md5(g::text) || '-label',"
                        + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', g %% 3 = 0,"
                        + " jsonb_build_object('k', g %% 17, 'tag', 'x') FROM generate_series(1, %d) g")
                        .formatted(table, rows),
                "VACUUM ANALYZE " + table);
    }

    static Result tributary(TestingPostgres pg, String table, String writer, int threads, long rows, long tableBytes,
            Path work) throws Exception {
        String config = "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}, "
                + "\"max_threads\": " + threads + ", \"chunk_size\": " + Math.max(10_000, rows / (threads * 4L))
                + System.getProperty("bench.source", "") + "}";
        Destination dest = destination(writer, work.resolve(table + "-" + writer + "-" + threads));
        System.gc();
        Measure m = Measure.start();
        long written;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, State.inMemory())) {
            Stream s = d.produceSchema(StreamId.of("public", table)).withSyncMode(SyncMode.FULL_REFRESH);
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            written = pool.stats(s.id()).committed();
        }
        if (written != rows) {
            throw new IllegalStateException(writer + " wrote " + written + " rows of " + rows);
        }
        return m.stop("Tributary backfill -> " + writer + " writer", threads, rows, tableBytes);
    }

    /**
     * CDC drain: a strict_cdc sync records the slot position, {@code changes} changes are applied (60 % updates,
     * 20 % inserts, 20 % deletes, in transactions of 10 000), then a second sync's time to read and commit them.
     */
    static Result cdc(TestingPostgres pg, String writer, long changes, Path work) throws Exception {
        String slot = "bench_" + writer;
        String config = "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}, "
                + "\"update_method\": {\"replication_slot\": \"" + slot + "\", \"publication\": \"bench_pub\", "
                + "\"initial_wait_time\": 2, \"create_if_missing\": true}}";
        Destination dest = destination(writer, work.resolve("cdc-" + writer));
        State state = State.inMemory();
        pg.execute("CREATE TABLE IF NOT EXISTS cdc_bench (id bigint PRIMARY KEY, qty integer, label text)",
                "TRUNCATE cdc_bench", "INSERT INTO cdc_bench SELECT g, g % 100, 'x' || g FROM generate_series(1, "
                        + changes + ") g");
        Stream s;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, state)) {
            sync.setup();
            s = d.produceSchema(StreamId.of("public", "cdc_bench")).withSyncMode(SyncMode.STRICT_CDC);
            sync.read(pool, List.of(ConfiguredStream.of(s)));
        }
        applyChanges(pg, "cdc_bench", changes);
        System.gc();
        Measure m = Measure.start();
        long written;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, state)) {
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            written = pool.stats(s.id()).committed();
        }
        if (written != changes) {
            throw new IllegalStateException("CDC into " + writer + " committed " + written + " of " + changes);
        }
        // a bounded run: it ends at the end marker it wrote at its start, right after the last change
        return m.stop("Tributary CDC drain -> " + writer + " writer", 1, changes, 0);
    }

    /**
     * The change log's physical limit: the same pgoutput stream read by pgjdbc's replication API with nothing done per
     * message beyond counting the row changes (no decoding, no writer), from the start of the stream to the last
     * change. Only an in-process reader could go faster than this.
     */
    static Result cdcRaw(TestingPostgres pg, long changes, boolean binary) throws Exception {
        String t = binary ? "cdc_rawb" : "cdc_raw";
        pg.execute("CREATE TABLE " + t + " (id bigint PRIMARY KEY, qty integer, label text)",
                "INSERT INTO " + t + " SELECT g, g % 100, 'x' || g FROM generate_series(1, " + changes + ") g",
                "CREATE PUBLICATION " + t + "_pub FOR TABLE " + t,
                "SELECT pg_create_logical_replication_slot('" + t + "_slot', 'pgoutput')");
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", "postgres");
        props.setProperty("password", "postgres");
        props.setProperty("replication", "database");
        props.setProperty("preferQueryMode", "simple");
        props.setProperty("assumeMinServerVersion", "10");
        applyChanges(pg, t, changes);
        System.gc();
        Measure m = Measure.start();
        long seen = 0;
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.port()
                + "/postgres", props)) {
            org.postgresql.replication.PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical().withSlotName(t + "_slot").withSlotOption("proto_version", "1")
                    .withSlotOption("binary", Boolean.toString(binary))
                    .withSlotOption("publication_names", t + "_pub").start();
            while (seen < changes) {
                java.nio.ByteBuffer msg = stream.readPending();
                if (msg == null) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    continue;
                }
                byte type = msg.get(msg.position());
                if (type == 'I' || type == 'U' || type == 'D') {
                    seen++;
                }
            }
            stream.close();
        }
        return m.stop("pgoutput stream" + (binary ? " (binary)" : "") + ", counted only (the log's limit)", 1, seen, 0);
    }

    /** PostgreSQL's own {@code pg_recvlogical} (C, libpq), when installed: {@code -Dbench.recvlogical=path} or found. */
    static Path recvlogical() {
        String p = System.getProperty("bench.recvlogical");
        if (p != null) {
            return Path.of(p);
        }
        for (String v : List.of("17", "16", "15", "14")) {
            Path c = Path.of("/usr/lib/postgresql", v, "bin", "pg_recvlogical");
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        return null;
    }

    /**
     * The same stream read by PostgreSQL's C client {@code pg_recvlogical} into {@code /dev/null}, up to the WAL
     * position after the last change: if the JVM readers were what limits the drain, this would be faster.
     */
    static Result cdcRecvlogical(TestingPostgres pg, Path recv, long changes) throws Exception {
        String t = "cdc_recv";
        pg.execute("CREATE TABLE " + t + " (id bigint PRIMARY KEY, qty integer, label text)",
                "INSERT INTO " + t + " SELECT g, g % 100, 'x' || g FROM generate_series(1, " + changes + ") g",
                "CREATE PUBLICATION " + t + "_pub FOR TABLE " + t,
                "SELECT pg_create_logical_replication_slot('" + t + "_slot', 'pgoutput')");
        applyChanges(pg, t, changes);
        String end;
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            end = rs.getString(1);
        }
        System.gc();
        ProcessBuilder pb = new ProcessBuilder(recv.toString(), "-h", "localhost", "-p", Integer.toString(pg.port()),
                "-U", "postgres", "-d", "postgres", "--slot", t + "_slot", "--start", "--endpos", end,
                "-o", "proto_version=1", "-o", "publication_names=" + t + "_pub", "-f", "/dev/null", "--no-loop");
        pb.environment().put("PGPASSWORD", "postgres");
        pb.redirectErrorStream(true);
        Measure m = Measure.start();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pg_recvlogical failed: " + out);
        }
        return m.stop("pg_recvlogical (C client) -> /dev/null", 1, changes, 0);
    }

    /** {@code changes} changes to a table of {@code changes} rows: 60 % updates, 20 % inserts, 20 % deletes. */
    static void applyChanges(TestingPostgres pg, String table, long changes) {
        long updates = changes * 6 / 10;
        long inserts = changes * 2 / 10;
        long deletes = changes - updates - inserts;
        for (long from = 1; from <= updates; from += 10_000) {
            pg.execute("UPDATE " + table + " SET qty = qty + 1 WHERE id BETWEEN " + from + " AND " + (from + 9_999)
                    + " AND id <= " + updates);
        }
        for (long from = 0; from < inserts; from += 10_000) {
            pg.execute("INSERT INTO " + table + " SELECT g, 1, 'new' FROM generate_series(" + (changes + 1 + from)
                    + ", " + (changes + Math.min(inserts, from + 10_000)) + ") g");
        }
        for (long from = updates + 1; from <= updates + deletes; from += 10_000) {
            pg.execute("DELETE FROM " + table + " WHERE id BETWEEN " + from + " AND " + Math.min(updates + deletes,
                    from + 9_999));
        }
    }

    /** The {@code tributary/debezium} line for backfill: the best null-writer run against Debezium's snapshot. */
    static void debeziumBackfillRatio(StringBuilder sb, Result bestNull, Result dbzSnap) {
        if (dbzSnap != null && bestNull != null) {
            sb.append(String.format(Locale.ROOT, "**tributary/debezium, backfill**: %.1f× (Tributary null writer, %d "
                    + "threads, %,.0f rows/s vs Debezium snapshot, Connect format, %,.0f rows/s)  %n",
                    bestNull.rowsPerSecond() / dbzSnap.rowsPerSecond(), bestNull.threads(), bestNull.rowsPerSecond(),
                    dbzSnap.rowsPerSecond()));
        }
    }

    /** The {@code tributary/debezium} line for the CDC drain. */
    static void debeziumCdcRatio(StringBuilder sb, Result cdcNull, Result dbzStream) {
        if (dbzStream != null && cdcNull != null) {
            sb.append(String.format(Locale.ROOT, "**tributary/debezium, CDC drain**: %.1f× (%,.0f vs %,.0f changes/s)%n",
                    cdcNull.rowsPerSecond() / dbzStream.rowsPerSecond(), cdcNull.rowsPerSecond(),
                    dbzStream.rowsPerSecond()));
        }
    }

    static String markdown(List<Result> results, long rows, long tableBytes) {
        double limit1 = results.get(0).rowsPerSecond();
        double limitN = results.get(1).rowsPerSecond();
        StringBuilder sb = new StringBuilder();
        sb.append("# Backfill benchmark, PostgreSQL ").append(LocalDate.now()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "%,d rows (bigint PK, int, numeric(12,2), text ~40 chars, timestamptz, "
                + "bool, jsonb), table %.0f MB; embedded PostgreSQL 17 on the same machine; JVM %s, max heap %d MB, "
                + "%d cores. %s%n%n", rows, tableBytes / 1e6, System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() / 1024 / 1024, Runtime.getRuntime().availableProcessors(),
                warmupNote(true)));
        sb.append("| what | threads | rows/s | MB/s | vs COPY (1 conn) | vs COPY (").append(results.get(1).threads())
                .append(" conns) | peak heap MB | GC ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.2f | %.2f | %d | %d |%n", r.what(),
                    r.threads(), r.rowsPerSecond(), r.mbPerSecond(), r.rowsPerSecond() / limit1,
                    r.rowsPerSecond() / limitN, r.peakHeapMb(), r.gcMillis()));
        }
        Result dbzSnap = find(results, "Debezium snapshot -> counting consumer (connect)");
        Result dbzStream = find(results, "Debezium streaming drain");
        Result bestNull = results.stream().filter(r -> r.what().equals("Tributary backfill -> null writer"))
                .max(java.util.Comparator.comparingDouble(Result::rowsPerSecond)).orElse(null);
        Result cdcNull = find(results, "Tributary CDC drain -> null writer");
        sb.append("\n");
        debeziumBackfillRatio(sb, bestNull, dbzSnap);
        debeziumCdcRatio(sb, cdcNull, dbzStream);
        sb.append("\nMB/s for COPY counts the binary COPY stream; for Tributary backfill, the table's on-disk size. "
                + "CDC rows are changes (60 % updates, 20 % inserts, 20 % deletes, 10 000 per transaction), read from "
                + "a pgoutput slot and committed; their \"vs COPY\" columns compare change rate with COPY's row rate. "
                + "Peak heap: the most heap in use at one moment during the run (the heap just before each GC).\n");
        return sb.toString();
    }

    /** The first result whose label starts with {@code prefix}, or null. */
    static Result find(List<Result> results, String prefix) {
        return results.stream().filter(r -> r.what().startsWith(prefix)).findFirst().orElse(null);
    }

    /** Wall time, peak heap ({@link HeapPeak}) and GC time of one run. */
    record Measure(long startNanos, long gcAtStart, HeapPeak heap) {
        static Measure start() {
            return new Measure(System.nanoTime(), gcMillis(), HeapPeak.start());
        }

        Result stop(String what, int threads, long rows, long bytes) {
            double secs = (System.nanoTime() - startNanos) / 1e9;
            long peak = heap.peakBytes();
            heap.close();
            Result r = new Result(what, threads, rows, secs, bytes, peak / 1024 / 1024, gcMillis() - gcAtStart);
            System.out.printf(Locale.ROOT, "%-40s threads=%d %,12.0f rows/s %8.1f MB/s%n", what, threads,
                    r.rowsPerSecond(), r.mbPerSecond());
            return r;
        }

        private static long gcMillis() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        }
    }

    private static final class CountingSink extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            bytes += len;
        }
    }
}
