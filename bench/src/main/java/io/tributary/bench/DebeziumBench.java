package io.tributary.bench;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.embedded.Connect;
import io.debezium.engine.format.Json;
import io.tributary.testkit.TestingPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium's embedded engine (PostgreSQL connector, pgoutput) on the same database as the rest of the benchmark, into
 * consumers that only count records: the initial snapshot of a table, and the streaming drain of changes applied
 * while the engine was stopped. {@code Connect} format (the engine's {@code SourceRecord}s, no serialization) is the
 * main figure; {@code Json} (what most embedders use) is reported too. Debezium's own defaults otherwise
 * (max.batch.size, max.queue.size, snapshot.fetch.size).
 */
final class DebeziumBench {
    private DebeziumBench() {
    }

    enum Format { CONNECT, JSON }

    private static Properties properties(TestingPostgres pg, String name, String table, String snapshotMode,
            Path offsets) {
        Properties p = new Properties();
        p.setProperty("name", name);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", offsets.toString());
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("database.hostname", "localhost");
        p.setProperty("database.port", Integer.toString(pg.port()));
        p.setProperty("database.user", TestingPostgres.USER);
        p.setProperty("database.password", TestingPostgres.PASSWORD);
        p.setProperty("database.dbname", pg.database());
        p.setProperty("topic.prefix", name);
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", name);
        p.setProperty("publication.name", name);
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", "public." + table);
        p.setProperty("snapshot.mode", snapshotMode);
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("decimal.handling.mode", "precise");
        return p;
    }

    /** A running engine that counts the data records (not heartbeats, not tombstones) of one table. */
    private static final class Counting implements AutoCloseable {
        final AtomicLong count = new AtomicLong();
        final CountDownLatch reached = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final DebeziumEngine<?> engine;
        private final ExecutorService executor = Executors.newSingleThreadExecutor();
        private final long target;
        private final String topic;

        Counting(Properties props, Format format, String table, long target) {
            this.target = target;
            this.topic = props.getProperty("topic.prefix") + ".public." + table;
            DebeziumEngine.CompletionCallback done = (ok, message, error) -> {
                if (!ok) {
                    failure.set(error != null ? error : new IllegalStateException(message));
                    reached.countDown();
                }
            };
            if (format == Format.CONNECT) {
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

    /** The initial snapshot of {@code table} ({@code rows} rows), from engine start to the last row counted. */
    static BackfillBench.Result snapshot(TestingPostgres pg, String table, long rows, long tableBytes, Format format,
            Path work) throws Exception {
        String name = "dbz_snap_" + format.name().toLowerCase(java.util.Locale.ROOT);
        Path offsets = Files.createTempFile(work, name, ".offsets");
        System.gc();
        BackfillBench.Measure m = BackfillBench.Measure.start();
        try (Counting c = new Counting(properties(pg, name, table, "initial_only", offsets), format, table, rows)) {
            c.await("snapshot");
        }
        BackfillBench.Result r = m.stop("Debezium snapshot -> counting consumer (" + format.name().toLowerCase(
                java.util.Locale.ROOT) + ")", 1, rows, tableBytes);
        pg.execute("SELECT pg_drop_replication_slot('" + name + "') FROM pg_replication_slots WHERE slot_name = '"
                + name + "'");
        return r;
    }

    /**
     * Streaming: the engine starts once to create its slot and publication, stops, {@code apply} makes
     * {@code changes} changes, then the time from the engine's restart to the last change counted.
     */
    static BackfillBench.Result streaming(TestingPostgres pg, String table, long changes, Runnable apply,
            Path work) throws Exception {
        String name = "dbz_stream";
        Path offsets = Files.createTempFile(work, name, ".offsets");
        Properties props = properties(pg, name, table, "no_data", offsets);
        pg.execute("CREATE TABLE IF NOT EXISTS dbz_probe (id int PRIMARY KEY)");
        props.setProperty("table.include.list", "public." + table + ",public.dbz_probe");
        try (Counting c = new Counting(props, Format.CONNECT, "dbz_probe", 1)) {
            // a probe row proves the engine streams from its slot before it stops (its offset is flushed on stop)
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            int probe = 0;
            while (c.count.get() == 0 && System.nanoTime() < deadline) {
                pg.execute("INSERT INTO dbz_probe VALUES (" + probe++ + ")");
                Thread.sleep(500);
            }
            c.await("streaming start");
        }
        apply.run();
        System.gc();
        BackfillBench.Measure m = BackfillBench.Measure.start();
        try (Counting c = new Counting(props, Format.CONNECT, table, changes)) {
            c.await("streaming drain");
        }
        BackfillBench.Result r = m.stop("Debezium streaming drain -> counting consumer (connect)", 1, changes, 0);
        pg.execute("SELECT pg_drop_replication_slot('" + name + "') FROM pg_replication_slots WHERE slot_name = '"
                + name + "'");
        return r;
    }
}
