package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.AbstractDriver;
import io.tributary.core.CdcBackfill;
import io.tributary.core.Chunk;
import io.tributary.core.SyncListener;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.replication.LogSequenceNumber;

/**
 * The watermark backfill ({@link CdcBackfill#WATERMARK}) on a real PostgreSQL: chunks are read in windows between
 * two logical decoding messages while the slot streams, under a steady load of inserts, updates and deletes.
 */
class PostgresWatermarkTest {
    static TestingPostgres pg;

    @BeforeAll
    static void start() {
        pg = new TestingPostgres();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static String config(String slot) {
        return "\"max_threads\": 3, \"update_method\": {\"replication_slot\": \"" + slot + "\", \"publication\": \""
                + slot + "\", \"initial_wait_time\": 2, \"create_if_missing\": true}";
    }

    private static AbstractDriver.Options watermark(SyncListener listener) {
        return PgSync.options().withCdcBackfill(CdcBackfill.WATERMARK).withWindowRows(2_000).withListener(listener);
    }

    private static void createTable(String table, int rows) {
        pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text, n integer)",
                "INSERT INTO " + table + " SELECT g, 'v' || g, 0 FROM generate_series(1, " + rows + ") g",
                "ANALYZE " + table);
    }

    @Test
    void backfillRunsBesideCdcUnderLoadTheSlotMovesAndTheDestinationEqualsTheSource() {
        createTable("wm_t", 40_000);
        PgSync sync = new PgSync(pg, config("wm_slot"));
        StreamId id = StreamId.of("public", "wm_t");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        List<LogSequenceNumber> slotDuringBackfill = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger chunks = new AtomicInteger();
        SyncListener listener = new SyncListener() {
            @Override
            public void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
                chunks.incrementAndGet();
                slotDuringBackfill.add(slotLsn("wm_slot"));
            }
        };
        long ops;
        try (Churn churn = new Churn("wm_t", 40_000, 1)) {
            sync.run(watermark(listener), cs);
            ops = churn.ops.get();
        }
        sync.run(watermark(SyncListener.NONE), cs); // drains what the load wrote after the first run's end

        assertThat(ops).as("changes made while the backfill ran").isGreaterThan(50);
        assertThat(chunks.get()).isGreaterThanOrEqualTo(10);
        assertSame(sync, id, "wm_t");
        // the slot was confirmed further and further while chunks were still being read
        assertThat(slotDuringBackfill.stream().distinct().count()).isGreaterThanOrEqualTo(3);
        assertThat(slotDuringBackfill.get(slotDuringBackfill.size() - 1))
                .isGreaterThan(slotDuringBackfill.get(0));
        State state = sync.state();
        assertThat(state.backfillCompleted(id)).isTrue();
        assertThat(state.chunks(id).orElse(List.of())).isEmpty();
        // the log superseded some buffered rows: fewer reads than rows, and each change of the load exactly once
        long reads = sync.dest.records(id).stream().filter(r -> r.op() == OpType.READ).count();
        assertThat(reads).isLessThanOrEqualTo(40_000 + ops);
    }

    @Test
    void aRunThatFailsMidBackfillResumesFromTheChunksLeftInState() {
        createTable("wm_fail", 30_000);
        PgSync sync = new PgSync(pg, config("wm_fail_slot"));
        StreamId id = StreamId.of("public", "wm_fail");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        AtomicInteger commits = new AtomicInteger();
        sync.dest.beforeCommit(m -> {
            if (commits.incrementAndGet() == 6) {
                throw new NonRetriableException("destination failure injected at commit 6");
            }
        });
        try (Churn churn = new Churn("wm_fail", 30_000, 2)) {
            assertThatThrownBy(() -> sync.run(watermark(SyncListener.NONE), cs))
                    .hasMessageContaining("injected at commit 6");
            List<Chunk> left = sync.state().chunks(id).orElseThrow();
            assertThat(left).isNotEmpty().hasSizeLessThan(15);
            assertThat(sync.state().backfillCompleted(id)).isFalse();
            sync.run(watermark(SyncListener.NONE), cs);
        }
        sync.run(watermark(SyncListener.NONE), cs);
        assertThat(sync.state().backfillCompleted(id)).isTrue();
        assertSame(sync, id, "wm_fail");
    }

    @Test
    void aChangeStreamThatFailsMidWindowIsRetriedAndItsOpenWindowsAreReadAgain() {
        createTable("wm_retry", 20_000);
        PgSync sync = new PgSync(pg, config("wm_retry_slot"));
        StreamId id = StreamId.of("public", "wm_retry");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        AtomicInteger commits = new AtomicInteger();
        sync.dest.beforeCommit(m -> {
            int n = commits.incrementAndGet();
            if (n == 3 || n == 7) {
                throw new io.tributary.types.RetriableException("transient destination failure at commit " + n);
            }
        });
        try (Churn churn = new Churn("wm_retry", 20_000, 6)) {
            sync.run(watermark(SyncListener.NONE), cs); // one run: the change stream and its chunks are retried
        }
        sync.run(watermark(SyncListener.NONE), cs);
        assertThat(commits.get()).isGreaterThan(7);
        assertThat(sync.state().backfillCompleted(id)).isTrue();
        assertSame(sync, id, "wm_retry");
    }

    @Test
    void aNewTableAndAResnapshotAreBackfilledWhileTheOtherTablesChangesFlow() {
        createTable("wm_a", 10_000);
        PgSync sync = new PgSync(pg, config("wm_ab_slot"));
        StreamId a = StreamId.of("public", "wm_a");
        ConfiguredStream csA = sync.stream(a, SyncMode.CDC);
        sync.run(watermark(SyncListener.NONE), csA);
        assertSame(sync, a, "wm_a");

        // a table added to the catalog later: backfilled in windows while wm_a's changes keep flowing
        createTable("wm_b", 12_000);
        StreamId b = StreamId.of("public", "wm_b");
        ConfiguredStream csB = sync.stream(b, SyncMode.CDC);
        try (Churn churnA = new Churn("wm_a", 10_000, 3); Churn churnB = new Churn("wm_b", 12_000, 4)) {
            sync.run(watermark(SyncListener.NONE), csA, csB);
        }
        sync.run(watermark(SyncListener.NONE), csA, csB);
        assertSame(sync, a, "wm_a");
        assertSame(sync, b, "wm_b");

        // a re-snapshot of wm_a on request: read again beside the CDC of both, no destination clearing needed
        long readsBefore = sync.dest.records(a).stream().filter(r -> r.op() == OpType.READ).count();
        try (var d = sync.driver()) {
            new AbstractDriver(d, State.load(sync.store)).resnapshot(List.of(a));
        }
        try (Churn churnB = new Churn("wm_b", 12_000, 5)) {
            sync.run(watermark(SyncListener.NONE), csA, csB);
        }
        sync.run(watermark(SyncListener.NONE), csA, csB);
        long readsAfter = sync.dest.records(a).stream().filter(r -> r.op() == OpType.READ).count();
        assertThat(readsAfter - readsBefore).isGreaterThan(9_000);
        assertSame(sync, a, "wm_a");
        assertSame(sync, b, "wm_b");
    }

    @Test
    void aContinuousChangeStreamCommitsWhileChangesFlowAndStopsCleanly() throws Exception {
        createTable("cont_t", 5_000);
        PgSync sync = new PgSync(pg, config("cont_slot"));
        StreamId id = StreamId.of("public", "cont_t");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        AtomicInteger checkpoints = new AtomicInteger();
        AbstractDriver.Options options = watermark(new SyncListener() {
            @Override
            public void cdcCheckpointed(int identifier, com.fasterxml.jackson.databind.node.ObjectNode position,
                    long changes) {
                checkpoints.incrementAndGet();
            }
        }).withContinuousCdc(java.time.Duration.ofMillis(200));
        java.util.concurrent.atomic.AtomicReference<AbstractDriver> running = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try (var d = sync.driver();
                    var pool = new io.tributary.writer.WriterPool(sync.dest,
                            io.tributary.writer.WriterPool.Options.defaults().withBatchSize(1_000));
                    AbstractDriver a = new AbstractDriver(d, State.load(sync.store), options)) {
                running.set(a);
                a.setup();
                a.read(pool, List.of(cs));
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "continuous");
        t.start();
        // the backfill finishes and the stream keeps running: later changes arrive without a new run
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (sync.dest.table(id).size() < 5_000 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        for (int round = 0; round < 3; round++) {
            pg.execute("UPDATE cont_t SET v = 'round" + round + "' WHERE id <= 100");
            long until = System.nanoTime() + 10_000_000_000L;
            String want = "round" + round;
            while (!want.equals(sync.dest.table(id).get("100") == null ? null
                    : sync.dest.table(id).get("100").value("v")) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(sync.dest.table(id).get("100").value("v")).as("round %d arrived while running", round)
                    .isEqualTo(want);
        }
        assertThat(t.isAlive()).as("the stream is still running").isTrue();
        running.get().stop();
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(checkpoints.get()).isGreaterThanOrEqualTo(3);
        assertSame(sync, id, "cont_t");
        assertThat(sync.state().global().orElseThrow().get("lsn").asText()).isEqualTo(slotLsn("cont_slot").asString());
    }

    @Test
    void aWatermarkNeedsNoTableAndNoWriteGrant() throws SQLException {
        // the app role has REPLICATION and pg_read_all_data only
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.port()
                + "/postgres", TestingPostgres.APP_USER, TestingPostgres.APP_PASSWORD);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_logical_emit_message(false, 'tributary', 'probe')::text")) {
            assertThat(rs.next()).isTrue();
            assertThat(LogSequenceNumber.valueOf(rs.getString(1))).isNotEqualTo(LogSequenceNumber.INVALID_LSN);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Random single-row inserts, updates and deletes on a table, each its own transaction, until closed. */
    static final class Churn implements AutoCloseable {
        final AtomicLong ops = new AtomicLong();
        private final Thread thread;
        private volatile boolean stop;

        Churn(String table, int rows, long seed) {
            thread = new Thread(() -> {
                Random random = new Random(seed);
                long next = 1_000_000;
                try (Connection c = pg.connection(); Statement st = c.createStatement()) {
                    while (!stop) {
                        int op = random.nextInt(10);
                        long key = 1 + random.nextInt(rows);
                        if (op < 5) {
                            st.execute("UPDATE " + table + " SET n = n + 1, v = 'u" + ops.get() + "' WHERE id = " + key);
                        } else if (op < 8) {
                            st.execute("INSERT INTO " + table + " VALUES (" + next++ + ", 'new', 0)");
                        } else {
                            st.execute("DELETE FROM " + table + " WHERE id = " + key);
                        }
                        ops.incrementAndGet();
                        Thread.sleep(2);
                    }
                } catch (SQLException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, "churn-" + table);
            thread.start();
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Destination equals source row by row; a failure lists at most 20 differing keys. */
    private static void assertSame(PgSync sync, StreamId id, String table) {
        Map<String, String> expected = source(table);
        Map<String, String> actual = destination(sync, id);
        Map<String, String> diff = new java.util.TreeMap<>();
        for (String k : expected.keySet()) {
            if (!expected.get(k).equals(actual.get(k))) {
                diff.put(k, "source " + expected.get(k) + " / destination " + actual.get(k));
            }
        }
        actual.keySet().stream().filter(k -> !expected.containsKey(k))
                .forEach(k -> diff.put(k, "source (none) / destination " + actual.get(k)));
        assertThat(diff.entrySet().stream().limit(20).toList()).as("%d rows differ", diff.size()).isEmpty();
        assertThat(actual).hasSameSizeAs(expected);
    }

    private static Map<String, String> source(String table) {
        Map<String, String> out = new HashMap<>();
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, v, n FROM " + table)) {
            while (rs.next()) {
                out.put(Long.toString(rs.getLong(1)), rs.getString(2) + "/" + rs.getInt(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static Map<String, String> destination(PgSync sync, StreamId id) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, Record> e : sync.dest.table(id).entrySet()) {
            out.put(e.getKey(), e.getValue().value("v") + "/" + e.getValue().value("n"));
        }
        return out;
    }

    private static LogSequenceNumber slotLsn(String slot) {
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                        + "WHERE slot_name = '" + slot + "'")) {
            rs.next();
            return LogSequenceNumber.valueOf(rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
