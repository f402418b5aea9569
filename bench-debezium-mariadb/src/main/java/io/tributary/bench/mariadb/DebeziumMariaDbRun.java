package io.tributary.bench.mariadb;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One Debezium measurement for {@code io.tributary.bench.MySqlBench}, run in its own JVM: the embedded engine with the
 * MariaDB connector into a consumer that only counts the records of one table, Debezium's defaults otherwise (as
 * {@code DebeziumBench} does for PostgreSQL). Measures from engine start to the last record counted, with peak heap
 * and GC time, and prints {@code RESULT\twhat\trows\tseconds\tbytes\tpeakHeapMb\tgcMs}.
 *
 * <pre>{@code snapshot|stream CONNECT|JSON table count bytes workdir serverId host port user password database}</pre>
 * {@code snapshot}: the initial snapshot of {@code table} ({@code count} rows). {@code stream}: the engine starts
 * without a snapshot, streams until a probe row arrives, stops, prints {@code READY} and waits for a line on stdin
 * (the parent applies {@code count} changes to {@code table} meanwhile), then times the drain of those changes.
 */
public final class DebeziumMariaDbRun {
    private DebeziumMariaDbRun() {
    }

    public static void main(String[] a) {
        try {
            run(a);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // Kafka's non-daemon threads would keep a failed child (and the parent reading it) alive
        }
        System.exit(0);
    }

    private static void run(String[] a) throws Exception {
        String mode = a[0];
        boolean connect = a[1].equals("CONNECT");
        String table = a[2];
        long count = Long.parseLong(a[3]);
        long bytes = Long.parseLong(a[4]);
        Path work = Path.of(a[5]);
        int serverId = Integer.parseInt(a[6]);
        String host = a[7];
        int port = Integer.parseInt(a[8]);
        String user = a[9];
        String password = a[10];
        String db = a[11];
        String what;
        long start;
        long gcStart;
        if (mode.equals("snapshot")) {
            String name = "dbz_snap_" + a[1].toLowerCase(Locale.ROOT);
            Properties props = properties(host, port, user, password, db, name, db + "." + table, "initial_only",
                    work, serverId);
            System.gc();
            resetPeaks();
            gcStart = gcMillis();
            start = System.nanoTime();
            try (Counting c = new Counting(props, connect, count, name + "." + db + "." + table)) {
                c.await("snapshot");
            }
            what = "Debezium snapshot -> counting consumer (" + a[1].toLowerCase(Locale.ROOT) + ")";
        } else {
            String name = "dbz_stream";
            Properties props = properties(host, port, user, password, db, name, db + "." + table + "," + db
                    + ".dbz_probe", "no_data", work, serverId);
            String url = "jdbc:mariadb://" + host + ":" + port + "/" + db;
            try (Connection conn = DriverManager.getConnection(url, user, password);
                    Statement st = conn.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS dbz_probe (id int PRIMARY KEY)");
                try (Counting c = new Counting(props, true, 1, name + "." + db + ".dbz_probe")) {
                    // a probe row proves the engine streams from the binlog before it stops (its offset is flushed on
                    // stop)
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                    int probe = 0;
                    while (c.count.get() == 0 && System.nanoTime() < deadline) {
                        st.execute("INSERT INTO dbz_probe VALUES (" + probe++ + ")");
                        Thread.sleep(500);
                    }
                    c.await("streaming start");
                }
            }
            System.out.println("READY");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            System.gc();
            resetPeaks();
            gcStart = gcMillis();
            start = System.nanoTime();
            try (Counting c = new Counting(props, true, count, name + "." + db + "." + table)) {
                c.await("streaming drain");
            }
            what = "Debezium streaming drain -> counting consumer (connect)";
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                peak += p.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "RESULT\t%s\t%d\t%f\t%d\t%d\t%d%n", what, count, secs, bytes, peak / 1024 / 1024,
                gcMillis() - gcStart);
        System.out.flush();
    }

    private static Properties properties(String host, int port, String user, String password, String db, String name,
            String tables, String snapshotMode, Path work, int serverId) throws Exception {
        Properties p = new Properties();
        p.setProperty("name", name);
        p.setProperty("connector.class", "io.debezium.connector.mariadb.MariaDbConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", Files.createTempFile(work, name, ".offsets").toString());
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
        p.setProperty("schema.history.internal.file.filename", Files.createTempFile(work, name, ".history").toString());
        p.setProperty("database.hostname", host);
        p.setProperty("database.port", Integer.toString(port));
        p.setProperty("database.user", user);
        p.setProperty("database.password", password);
        p.setProperty("database.ssl.mode", "disable");
        p.setProperty("database.server.id", Integer.toString(serverId));
        p.setProperty("topic.prefix", name);
        p.setProperty("database.include.list", db);
        p.setProperty("table.include.list", tables);
        p.setProperty("snapshot.mode", snapshotMode);
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("decimal.handling.mode", "precise");
        return p;
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /** A running engine that counts the data records (not heartbeats, not tombstones) of one topic. */
    private static final class Counting implements AutoCloseable {
        final AtomicLong count = new AtomicLong();
        final CountDownLatch reached = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final DebeziumEngine<?> engine;
        private final ExecutorService executor = Executors.newSingleThreadExecutor();
        private final long target;

        Counting(Properties props, boolean connect, long target, String topic) {
            this.target = target;
            DebeziumEngine.CompletionCallback done = (ok, message, error) -> {
                if (!ok) {
                    failure.set(error != null ? error : new IllegalStateException(message));
                    reached.countDown();
                }
            };
            if (connect) {
                engine = DebeziumEngine.create(Connect.class).using(props).using(done)
                        .notifying((ChangeEvent<SourceRecord, SourceRecord> e) -> {
                            SourceRecord r = e.value();
                            if (r != null && r.value() != null && topic.equals(r.topic())) {
                                counted();
                            }
                        }).build();
            } else {
                engine = DebeziumEngine.create(Json.class).using(props).using(done)
                        .notifying((ChangeEvent<String, String> e) -> {
                            if (e.value() != null && topic.equals(e.destination())) {
                                counted();
                            }
                        }).build();
            }
            executor.execute(engine);
        }

        private void counted() {
            if (count.incrementAndGet() >= target) {
                reached.countDown();
            }
        }

        void await(String what) throws InterruptedException {
            if (!reached.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException(what + ": Debezium counted " + count.get() + " of " + target);
            }
            if (failure.get() != null) {
                throw new IllegalStateException(what + ": Debezium failed after " + count.get() + " records",
                        failure.get());
            }
        }

        @Override
        public void close() throws java.io.IOException {
            engine.close();
            executor.shutdown();
            try {
                executor.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
