package io.tributary.bench;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.tributary.bench.BackfillBench.Measure;
import io.tributary.bench.BackfillBench.Result;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Destination;
import io.tributary.writer.WriterPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Backfill and CDC throughput on a private MariaDB ({@link TestingMariaDb}: the machine's {@code mariadbd}, binlog
 * ROW/FULL), every figure measured in the same run on the same table so the ratios hold on a noisy machine, in the
 * shape of {@link BackfillBench}:
 * <ul>
 *   <li>the backfill limit: MySQL Connector/J (the JDBC driver Tributary uses) streaming {@code SELECT *} with every
 *   column read as bytes, no conversion, on one connection and on as many (primary-key ranges) as Tributary uses; and
 *   the C client {@code mariadb --quick --batch} into {@code /dev/null} as a non-JVM reference;</li>
 *   <li>Tributary's backfill (driver {@code mysql}) into a null writer, {@code parquet} and {@code iceberg}, with 1, 2
 *   and 4 threads;</li>
 *   <li>Debezium's embedded MariaDB connector snapshot (Connect and JSON format), in a child JVM
 *   ({@link DebeziumMariaDbBench});</li>
 *   <li>the CDC drain of M changes: the binlog read by the binlog client drivers-mysql uses, counting rows (the
 *   limit), {@code mariadb-binlog --read-from-remote-server} into {@code /dev/null} (C reference), Tributary into each
 *   writer, and Debezium streaming.</li>
 * </ul>
 * Prints a markdown table and writes it to {@code bench/results/<date>-mysql.md}.
 *
 * <pre>{@code java -Xmx2g -cp bench/target/tributary-bench.jar io.tributary.bench.MySqlBench [rows] [writers] [threads]}</pre>
 * e.g. {@code 2000000 null,parquet,iceberg 1,2,4} (the defaults); {@code -Dbench.debezium=false},
 * {@code -Dbench.cdc=false}, {@code -Dbench.changes=N} (default rows/4), {@code -Dbench.bufferPoolMb=N} (InnoDB
 * buffer pool, default 1024, so the table is read from memory by every contender).
 */
public final class MySqlBench {
    private static final String DB = "shop";

    private MySqlBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        List<String> writers = List.of((args.length > 1 ? args[1] : "null,parquet,iceberg").split(","));
        int[] threads = java.util.Arrays.stream((args.length > 2 ? args[2] : "1,2,4").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Path work = Files.createTempDirectory("tributary-bench-mysql");
        List<Result> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long tableBytes;
        String version;
        long bufferPool;
        if (!TestingMariaDb.available()) {
            throw new IllegalStateException("mariadb-server is not installed (apt-get install mariadb-server)");
        }
        try (TestingMariaDb db = new TestingMariaDb()) {
            bufferPool = bufferPool(db, Long.getLong("bench.bufferPoolMb", 1024) * 1024 * 1024);
            System.out.printf("generating %,d rows...%n", rows);
            createTable(db, "bench", rows);
            try (Connection c = db.connection(); Statement st = c.createStatement()) {
                st.execute("ANALYZE TABLE bench");
                try (ResultSet rs = st.executeQuery("SELECT data_length + index_length, version() FROM "
                        + "information_schema.tables WHERE table_schema = 'shop' AND table_name = 'bench'")) {
                    rs.next();
                    tableBytes = rs.getLong(1);
                    version = rs.getString(2);
                }
            }
            int maxThreads = java.util.Arrays.stream(threads).max().orElse(4);
            // one untimed read warms the buffer pool and Connector/J's code, so the first contender does not pay for it
            jdbc(db, 1, rows);
            results.add(jdbc(db, 1, rows));
            results.add(jdbc(db, maxThreads, rows));
            cli(db, rows, tableBytes).ifPresent(results::add);
            if (BackfillBench.WARMUP_ROWS > 0) {
                // every Tributary figure is a steady-state rate: the JIT compiles each path on a small table first
                System.out.printf("warming up on %,d rows...%n", BackfillBench.WARMUP_ROWS);
                createTable(db, "bench_warmup", BackfillBench.WARMUP_ROWS);
                for (String writer : writers) {
                    tributary(db, "bench_warmup", writer, 1, BackfillBench.WARMUP_ROWS, 0, work);
                }
            }
            for (String writer : writers) {
                for (int t : threads) {
                    results.add(tributary(db, "bench", writer, t, rows, tableBytes, work));
                }
            }
            boolean debezium = Boolean.parseBoolean(System.getProperty("bench.debezium", "true"));
            Optional<Path> dbzJar = DebeziumMariaDbBench.jar();
            DebeziumMariaDbBench.Target target = new DebeziumMariaDbBench.Target(db.host(), db.port(),
                    TestingMariaDb.ADMIN_USER, TestingMariaDb.ADMIN_PASSWORD, DB);
            if (debezium && dbzJar.isEmpty()) {
                notes.add("Debezium skipped: " + DebeziumMariaDbBench.JAR + " is not in target/debezium-mariadb/ (build "
                        + "the bench module with Maven, or pass -Dbench.debeziumMariaDbJar=PATH).");
                debezium = false;
            }
            if (debezium) {
                for (DebeziumBench.Format f : DebeziumBench.Format.values()) {
                    results.add(DebeziumMariaDbBench.snapshot(dbzJar.get(), target, "bench", rows, tableBytes, f,
                            work, 6400 + f.ordinal()));
                }
            }
            long changes = Long.getLong("bench.changes", Math.max(10_000, rows / 4));
            boolean cdc = Boolean.parseBoolean(System.getProperty("bench.cdc", "true"));
            if (cdc) {
                results.add(cdcRaw(db, changes));
                cdcMariadbBinlog(db, changes).ifPresent(results::add);
                for (String writer : writers) {
                    results.add(cdc(db, writer, changes, work));
                }
                if (debezium) {
                    createChangeTable(db, "cdc_dbz", changes);
                    results.add(DebeziumMariaDbBench.streaming(dbzJar.get(), target, "cdc_dbz", changes,
                            () -> applyChanges(db, "cdc_dbz", changes), work, 6500));
                }
            }
        }
        String table = markdown(results, rows, tableBytes, version, bufferPool, notes);
        System.out.println(table);
        Path out = Files.isDirectory(Path.of("bench")) ? Path.of("bench", "results") : Path.of("results");
        Files.createDirectories(out);
        Path file = out.resolve(LocalDate.now() + "-mysql.md");
        Files.writeString(file, table);
        System.out.println("written to " + file.toAbsolutePath());
    }

    /** Grows the InnoDB buffer pool (the test fixture starts with 64 MB) and waits for the resize; returns its size. */
    static long bufferPool(TestingMariaDb db, long bytes) throws Exception {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("SET GLOBAL innodb_buffer_pool_size = " + bytes);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SHOW STATUS LIKE 'Innodb_buffer_pool_resize_status'")) {
                    String s = rs.next() ? rs.getString(2) : "";
                    if (s.isEmpty() || s.startsWith("Completed")) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            try (ResultSet rs = st.executeQuery("SELECT @@innodb_buffer_pool_size")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The JVM's limit: Connector/J streaming {@code SELECT *} ({@code fetchSize = Integer.MIN_VALUE}, as the driver
     * reads), every column taken as bytes ({@code getBytes}, no conversion), the table split into {@code n} primary-key
     * ranges read on {@code n} connections.
     */
    static Result jdbc(TestingMariaDb db, int n, long rows) throws Exception {
        long per = (rows + n - 1) / n;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        System.gc();
        Measure m = Measure.start();
        List<Future<long[]>> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long from = i * per + 1;
            long to = (i + 1) * per;
            boolean last = i == n - 1;
            parts.add(pool.submit(() -> {
                try (Connection c = db.connection(); Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY,
                        ResultSet.CONCUR_READ_ONLY)) {
                    st.setFetchSize(Integer.MIN_VALUE);
                    long count = 0;
                    long bytes = 0;
                    try (ResultSet rs = st.executeQuery("SELECT * FROM bench WHERE id >= " + from
                            + (last ? "" : " AND id <= " + to))) {
                        int cols = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            for (int col = 1; col <= cols; col++) {
                                byte[] b = rs.getBytes(col);
                                bytes += b == null ? 0 : b.length;
                            }
                            count++;
                        }
                    }
                    return new long[] {count, bytes};
                }
            }));
        }
        long count = 0;
        long bytes = 0;
        for (Future<long[]> f : parts) {
            count += f.get()[0];
            bytes += f.get()[1];
        }
        pool.shutdown();
        if (count != rows) {
            throw new IllegalStateException("JDBC read " + count + " rows of " + rows);
        }
        return m.stop("JDBC SELECT * as bytes -> null sink", n, rows, bytes);
    }

    /** MariaDB's C client, {@code mariadb --quick --batch -e 'SELECT * FROM bench'} into /dev/null, if installed. */
    static Optional<Result> cli(TestingMariaDb db, long rows, long tableBytes) throws Exception {
        Path client = Path.of("/usr/bin/mariadb");
        if (!Files.isExecutable(client)) {
            return Optional.empty();
        }
        ProcessBuilder pb = new ProcessBuilder(client.toString(), "--no-defaults", "-h", db.host(), "-P",
                Integer.toString(db.port()), "-u", TestingMariaDb.ADMIN_USER, "--skip-ssl", "--quick", "--batch",
                "-e", "SELECT * FROM " + DB + ".bench");
        return Optional.of(timed(pb, "mariadb --quick --batch (C client) -> /dev/null", rows, tableBytes));
    }

    /** Runs a MariaDB client tool (output discarded) and times it; fails with its stderr if it fails. */
    private static Result timed(ProcessBuilder pb, String what, long rows, long bytes) throws Exception {
        pb.environment().put("MYSQL_PWD", TestingMariaDb.ADMIN_PASSWORD);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.PIPE);
        System.gc();
        Measure m = Measure.start();
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(pb.command().get(0) + " failed: " + err);
        }
        return m.stop(what, 1, rows, bytes);
    }

    static String sourceConfig(TestingMariaDb db, int threads, long chunkSize, boolean cdc) {
        return "{\"host\": \"" + db.host() + "\", \"port\": " + db.port() + ", \"database\": \"" + DB + "\", "
                + "\"username\": \"" + TestingMariaDb.ADMIN_USER + "\", \"password\": \""
                + TestingMariaDb.ADMIN_PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"max_threads\": " + threads
                + ", \"chunk_size\": " + chunkSize
                + (cdc ? ", \"update_method\": {\"initial_wait_time\": 2}" : "")
                + System.getProperty("bench.source", "") + "}";
    }

    /** Tributary's full-refresh backfill of the table with {@code threads} connections, as BackfillBench does. */
    /** The bench table (bigint key, int, decimal(12,2), text ~40 chars, timestamp(6), bool, json), outside the binlog. */
    static void createTable(TestingMariaDb db, String table, long rows) {
        db.execute(("""
                CREATE TABLE %s (id bigint PRIMARY KEY, qty int NOT NULL, amount decimal(12,2) NOT NULL,
                  label text NOT NULL, created_at timestamp(6) NOT NULL, active bool NOT NULL, doc json)""")
                .formatted(table));
        for (long from = 1; from <= rows; from += 250_000) {
            long to = Math.min(rows, from + 249_999);
            // not written to the binlog: the backfill table is no part of the CDC figures
            db.execute("SET SESSION sql_log_bin = 0", ("INSERT INTO %s SELECT seq, seq %% 1000, (seq %% 1000000)"
                    + " / 100, concat(md5(seq), '-label'), timestamp '2024-01-01 00:00:00' + interval seq second,"
                    + " seq %% 3 = 0, json_object('k', seq %% 17, 'tag', 'x') FROM seq_%d_to_%d")
                    .formatted(table, from, to));
        }
    }

    static Result tributary(TestingMariaDb db, String table, String writer, int threads, long rows, long tableBytes,
            Path work) throws Exception {
        String config = sourceConfig(db, threads, Math.max(10_000, rows / (threads * 4L)), false);
        Destination dest = BackfillBench.destination(writer, work.resolve(table + "-" + writer + "-" + threads));
        System.gc();
        Measure m = Measure.start();
        long written;
        try (DriverInterface d = Drivers.configured("mysql", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, State.inMemory())) {
            Stream s = d.produceSchema(StreamId.of(DB, table)).withSyncMode(SyncMode.FULL_REFRESH);
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            written = pool.stats(s.id()).committed();
        }
        if (written != rows) {
            throw new IllegalStateException(writer + " wrote " + written + " rows of " + rows);
        }
        return m.stop("Tributary backfill -> " + writer + " writer", threads, rows, tableBytes);
    }

    /** A change table of {@code rows} rows, (re)created outside the binlog. */
    static void createChangeTable(TestingMariaDb db, String table, long rows) {
        db.execute("SET SESSION sql_log_bin = 0", "DROP TABLE IF EXISTS " + table,
                "CREATE TABLE " + table + " (id bigint PRIMARY KEY, qty int, label text)",
                "INSERT INTO " + table + " SELECT seq, seq % 100, concat('x', seq) FROM seq_1_to_" + rows);
    }

    /** {@code changes} changes to a table of {@code changes} rows: 60 % updates, 20 % inserts, 20 % deletes. */
    static void applyChanges(Consumer<String> sql, String table, long changes) {
        long updates = changes * 6 / 10;
        long inserts = changes * 2 / 10;
        long deletes = changes - updates - inserts;
        // every statement is one transaction (autocommit) of up to 10 000 rows
        for (long from = 1; from <= updates; from += 10_000) {
            sql.accept("UPDATE " + table + " SET qty = qty + 1 WHERE id BETWEEN " + from + " AND "
                    + Math.min(updates, from + 9_999));
        }
        for (long from = 0; from < inserts; from += 10_000) {
            sql.accept("INSERT INTO " + table + " SELECT seq, 1, 'new' FROM seq_" + (changes + 1 + from) + "_to_"
                    + (changes + Math.min(inserts, from + 10_000)));
        }
        for (long from = updates + 1; from <= updates + deletes; from += 10_000) {
            sql.accept("DELETE FROM " + table + " WHERE id BETWEEN " + from + " AND "
                    + Math.min(updates + deletes, from + 9_999));
        }
    }

    static void applyChanges(TestingMariaDb db, String table, long changes) {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            applyChanges(sql -> {
                try {
                    st.execute(sql);
                } catch (SQLException e) {
                    throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
                }
            }, table, changes);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    record BinlogPosition(String file, long pos) {
        static BinlogPosition current(TestingMariaDb db) throws SQLException {
            try (Connection c = db.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                return new BinlogPosition(rs.getString(1), rs.getLong(2));
            }
        }
    }

    /**
     * The binlog's limit in a JVM: the changes read by the binlog client drivers-mysql uses (zendesk
     * mysql-binlog-connector-java, the driver's deserializer settings), nothing done per event beyond counting the rows
     * of row events: no queue, no type mapping, no writer. From connect to the last change.
     */
    static Result cdcRaw(TestingMariaDb db, long changes) throws Exception {
        createChangeTable(db, "cdc_raw", changes);
        BinlogPosition start = BinlogPosition.current(db);
        applyChanges(db, "cdc_raw", changes);
        BinaryLogClient client = new BinaryLogClient(db.host(), db.port(), TestingMariaDb.ADMIN_USER,
                TestingMariaDb.ADMIN_PASSWORD);
        client.setServerId(5999);
        client.setBinlogFilename(start.file());
        client.setBinlogPosition(start.pos());
        client.setKeepAlive(false);
        EventDeserializer ed = new EventDeserializer();
        ed.setCompatibilityMode(EventDeserializer.CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO,
                EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY);
        client.setEventDeserializer(ed);
        AtomicLong seen = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Exception> failure = new AtomicReference<>();
        client.registerEventListener(e -> {
            EventData d = e.getData();
            long n = d instanceof WriteRowsEventData w ? w.getRows().size()
                    : d instanceof UpdateRowsEventData u ? u.getRows().size()
                    : d instanceof DeleteRowsEventData x ? x.getRows().size() : 0;
            if (n > 0 && seen.addAndGet(n) >= changes) {
                done.countDown();
            }
        });
        client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
            @Override
            public void onCommunicationFailure(BinaryLogClient c, Exception ex) {
                failure.set(ex);
                done.countDown();
            }

            @Override
            public void onEventDeserializationFailure(BinaryLogClient c, Exception ex) {
                failure.set(ex);
                done.countDown();
            }
        });
        System.gc();
        Measure m = Measure.start();
        client.connect(10_000);
        if (!done.await(30, TimeUnit.MINUTES) || failure.get() != null) {
            client.disconnect();
            throw new IllegalStateException("binlog client counted " + seen.get() + " of " + changes, failure.get());
        }
        Result r = m.stop("binlog client, rows counted only (the log's limit)", 1, seen.get(), 0);
        client.disconnect();
        return r;
    }

    /**
     * The same changes read by MariaDB's C client {@code mariadb-binlog --read-from-remote-server} (to the end of the
     * last binlog) into /dev/null: if the JVM reader were what limits the drain, this would be faster.
     */
    static Optional<Result> cdcMariadbBinlog(TestingMariaDb db, long changes) throws Exception {
        Path tool = Path.of("/usr/bin/mariadb-binlog");
        if (!Files.isExecutable(tool)) {
            return Optional.empty();
        }
        createChangeTable(db, "cdc_recv", changes);
        BinlogPosition start = BinlogPosition.current(db);
        applyChanges(db, "cdc_recv", changes);
        ProcessBuilder pb = new ProcessBuilder(tool.toString(), "--no-defaults", "--read-from-remote-server",
                "--host=" + db.host(), "--port=" + db.port(), "--user=" + TestingMariaDb.ADMIN_USER, "--skip-ssl",
                "--start-position=" + start.pos(), "--to-last-log", start.file());
        return Optional.of(timed(pb, "mariadb-binlog --read-from-remote-server (C) -> /dev/null", changes, 0));
    }

    /**
     * CDC drain: a strict_cdc sync records the binlog position, {@code changes} changes are applied (60 % updates,
     * 20 % inserts, 20 % deletes, in transactions of 10 000), then a second sync's time to read and commit them.
     */
    static Result cdc(TestingMariaDb db, String writer, long changes, Path work) throws Exception {
        String config = sourceConfig(db, 1, 100_000, true);
        Destination dest = BackfillBench.destination(writer, work.resolve("cdc-" + writer));
        State state = State.inMemory();
        createChangeTable(db, "cdc_bench", changes);
        Stream s;
        try (DriverInterface d = Drivers.configured("mysql", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, state)) {
            sync.setup();
            s = d.produceSchema(StreamId.of(DB, "cdc_bench")).withSyncMode(SyncMode.STRICT_CDC);
            sync.read(pool, List.of(ConfiguredStream.of(s)));
        }
        applyChanges(db, "cdc_bench", changes);
        System.gc();
        Measure m = Measure.start();
        long written;
        try (DriverInterface d = Drivers.configured("mysql", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, state)) {
            sync.read(pool, List.of(ConfiguredStream.of(s)));
            written = pool.stats(s.id()).committed();
        }
        if (written != changes) {
            throw new IllegalStateException("CDC into " + writer + " committed " + written + " of " + changes);
        }
        // a bounded run: it ends at the binlog end it read at its start, right after the last change
        return m.stop("Tributary CDC drain -> " + writer + " writer", 1, changes, 0);
    }

    static String markdown(List<Result> results, long rows, long tableBytes, String version, long bufferPool,
            List<String> notes) {
        List<Result> backfill = results.stream().filter(r -> !isCdc(r)).toList();
        List<Result> cdc = results.stream().filter(MySqlBench::isCdc).toList();
        double limit1 = backfill.get(0).rowsPerSecond();
        double limitN = backfill.get(1).rowsPerSecond();
        StringBuilder sb = new StringBuilder();
        sb.append("# Backfill and CDC benchmark, MySQL driver on MariaDB ").append(LocalDate.now()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "%,d rows (bigint PK, int, decimal(12,2), text ~40 chars, timestamp(6), "
                + "bool, json), table %.0f MB (InnoDB data + index); MariaDB %s (private mariadbd, binlog ROW/FULL, "
                + "InnoDB buffer pool %d MB, warmed) on the same machine; JVM %s, max heap %d MB, %d cores, %.1f GB "
                + "memory. %s%n%n", rows, tableBytes / 1e6, version, bufferPool / 1024 / 1024,
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() / 1024 / 1024,
                Runtime.getRuntime().availableProcessors(), totalMemoryGb(), BackfillBench.warmupNote(false)));
        sb.append("## Backfill\n\n| what | threads | rows/s | MB/s | vs JDBC (1 conn) | vs JDBC (")
                .append(backfill.get(1).threads())
                .append(" conns) | peak heap MB | GC ms |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : backfill) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.2f | %.2f | %d | %d |%n", r.what(),
                    r.threads(), r.rowsPerSecond(), r.mbPerSecond(), r.rowsPerSecond() / limit1,
                    r.rowsPerSecond() / limitN, r.peakHeapMb(), r.gcMillis()));
        }
        Result binlog = BackfillBench.find(cdc, "binlog client");
        Result dbzStream = BackfillBench.find(cdc, "Debezium streaming drain");
        if (!cdc.isEmpty()) {
            sb.append("\n## CDC drain\n\n| what | changes/s | vs binlog client | vs Debezium | peak heap MB | GC ms |\n"
                    + "|---|---:|---:|---:|---:|---:|\n");
            for (Result r : cdc) {
                sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s | %d | %d |%n", r.what(),
                        r.rowsPerSecond(), ratio(r, binlog), ratio(r, dbzStream), r.peakHeapMb(), r.gcMillis()));
            }
        }
        Result dbzSnap = BackfillBench.find(results, "Debezium snapshot -> counting consumer (connect)");
        Result bestNull = backfill.stream().filter(r -> r.what().equals("Tributary backfill -> null writer"))
                .max(java.util.Comparator.comparingDouble(Result::rowsPerSecond)).orElse(null);
        Result cdcNull = BackfillBench.find(cdc, "Tributary CDC drain -> null writer");
        sb.append("\n");
        if (bestNull != null) {
            sb.append(String.format(Locale.ROOT, "**tributary/limit, backfill**: %.2f (Tributary null writer, %d threads, "
                    + "%,.0f rows/s vs JDBC as bytes on %d connections, %,.0f rows/s)  %n", bestNull.rowsPerSecond()
                    / limitN, bestNull.threads(), bestNull.rowsPerSecond(), backfill.get(1).threads(), limitN));
        }
        BackfillBench.debeziumBackfillRatio(sb, bestNull, dbzSnap);
        if (binlog != null && cdcNull != null) {
            sb.append(String.format(Locale.ROOT, "**tributary/limit, CDC drain**: %.2f (%,.0f vs %,.0f changes/s)  %n",
                    cdcNull.rowsPerSecond() / binlog.rowsPerSecond(), cdcNull.rowsPerSecond(),
                    binlog.rowsPerSecond()));
        }
        BackfillBench.debeziumCdcRatio(sb, cdcNull, dbzStream);
        sb.append("\nMB/s for JDBC counts the column bytes read; for every other backfill row, the table's InnoDB size. "
                + "The C client row is a reference outside the JVM (it also formats every row as tab-separated text). "
                + "CDC rows are changes (60 % updates, 20 % inserts, 20 % deletes, 10 000 per transaction) read from the "
                + "binlog from a position taken before they were applied; the binlog-client row deserializes every row "
                + "event with the driver's library and settings and counts rows, nothing else. Debezium is "
                + "debezium-connector-mariadb 3.5.0.Final on its 3.5.0 embedded engine (no 3.6 MariaDB connector was "
                + "published; the 3.6.1 MySQL connector sends MySQL 8.4's SHOW BINARY LOG STATUS to MariaDB and fails), "
                + "run in a child JVM with the same heap settings (its binlog client fork shares Java packages with the "
                + "driver's); its figures are measured inside that JVM from engine start.\n");
        for (String n : notes) {
            sb.append("\n").append(n).append("\n");
        }
        return sb.toString();
    }

    private static boolean isCdc(Result r) {
        return r.what().contains("CDC") || r.what().contains("binlog") || r.what().contains("streaming");
    }

    private static String ratio(Result r, Result base) {
        return base == null ? "" : String.format(Locale.ROOT, "%.2f", r.rowsPerSecond() / base.rowsPerSecond());
    }

    private static double totalMemoryGb() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getTotalMemorySize() / 1e9 : 0;
    }
}
