package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.core.AbstractDriver;
import io.tributary.core.CdcBackfill;
import io.tributary.core.Chunk;
import io.tributary.core.SyncListener;
import io.tributary.core.state.State;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.Rows;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.WriteLoad;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.replication.LogSequenceNumber;

/**
 * The watermark backfill ({@link CdcBackfill#WATERMARK}) on a real PostgreSQL: chunks are read in windows between
 * two logical decoding messages while the slot streams, under a steady load of inserts, updates and deletes.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresWatermarkTest {
    static TestingPostgres pg;

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
        try (WriteLoad churn = load("wm_t", 40_000, 1)) {
            sync.run(watermark(listener), cs);
            ops = churn.ops();
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
        WriteLoad churn = load("wm_fail", 30_000, 2);
        try (churn) {
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
        WriteLoad churn = load("wm_retry", 20_000, 6);
        try (churn) {
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
        WriteLoad churnA = load("wm_a", 10_000, 3);
        WriteLoad churnB = load("wm_b", 12_000, 4);
        try (churnA; churnB) {
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
        WriteLoad churnB2 = load("wm_b", 12_000, 5);
        try (churnB2) {
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
        await().atMost(Duration.ofSeconds(30)).until(() -> sync.dest.table(id).size() >= 5_000);
        for (int round = 0; round < 3; round++) {
            pg.execute("UPDATE cont_t SET v = 'round" + round + "' WHERE id <= 100");
            String want = "round" + round;
            int r = round;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sync.dest.table(id).get("100"))
                    .as("round %d arrived while running", r).isNotNull()
                    .extracting(rec -> rec.value("v")).isEqualTo(want));
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

    /**
     * A transaction whose commit is in the WAL (so the slot delivers it before the next watermark) but which is not
     * yet visible to other sessions: here it waits for a synchronous standby that never answers, the same state a
     * commit is in while its WAL is being flushed. The chunk that holds its row is read after the low watermark;
     * read at once, it would miss the update the stream delivered before the mark, and the old row would win.
     */
    @Test
    void aCommitDeliveredBeforeTheLowWatermarkButNotYetVisibleIsWaitedFor() throws Exception {
        createTable("wm_vis", 6_000);
        pg.execute("CREATE PUBLICATION wm_vis_slot FOR TABLE wm_vis",
                "SELECT pg_create_logical_replication_slot('wm_vis_slot', 'pgoutput')",
                "ALTER SYSTEM SET synchronous_commit = 'local'",
                "ALTER SYSTEM SET synchronous_standby_names = 'ghost_standby'",
                "SELECT pg_reload_conf()");
        Thread committer = null;
        java.util.concurrent.atomic.AtomicReference<Throwable> commitFailure =
                new java.util.concurrent.atomic.AtomicReference<>();
        try {
            PgSync sync = new PgSync(pg, config("wm_vis_slot"));
            StreamId id = StreamId.of("public", "wm_vis");
            ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
            committer = new Thread(() -> {
                try (Connection c = pg.connection(); Statement st = c.createStatement()) {
                    st.execute("SET synchronous_commit = on");
                    st.execute("UPDATE wm_vis SET v = 'after', n = 1 WHERE id = 17");
                    // autocommit: returns once the ghost standby is given up below
                } catch (Throwable e) {
                    commitFailure.set(e);
                }
            }, "sync-rep-commit");
            committer.start();
            awaitSyncRepWait();
            try (Connection c = pg.connection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT v FROM wm_vis WHERE id = 17")) {
                rs.next();
                assertThat(rs.getString(1)).as("the update is committed but not visible yet").isEqualTo("v17");
            }
            Thread releaser = new Thread(() -> {
                try {
                    Thread.sleep(3_000);
                    pg.execute("ALTER SYSTEM SET synchronous_standby_names = ''", "SELECT pg_reload_conf()");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "release-sync-rep");
            releaser.start();
            sync.run(watermark(SyncListener.NONE), cs);
            releaser.join();
            committer.join(30_000);
            assertThat(commitFailure.get()).isNull();
            sync.run(watermark(SyncListener.NONE), cs);
            assertThat(sync.dest.table(id).get("17").value("v")).isEqualTo("after");
            assertSame(sync, id, "wm_vis");
        } finally {
            pg.execute("ALTER SYSTEM RESET synchronous_standby_names", "ALTER SYSTEM RESET synchronous_commit",
                    "SELECT pg_reload_conf()");
            if (committer != null) {
                committer.join(30_000);
            }
        }
    }

    /** Until a session waits for the synchronous standby in its commit. */
    private static void awaitSyncRepWait() {
        await("a session waiting for the synchronous standby").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    try (Connection c = pg.connection(); Statement st = c.createStatement();
                            ResultSet rs = st.executeQuery(
                                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")) {
                        rs.next();
                        return rs.getLong(1) > 0;
                    }
                });
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

    /**
     * The kit's write load on a table of {@code rows} rows, 2 ms between changes; new keys from {@code seed}
     * millions, so that two loads one after the other on a table insert different keys.
     */
    private static WriteLoad load(String table, int rows, long seed) {
        try {
            return WriteLoad.start(table, WriteLoad.sql(pg.connection(), table),
                    new WriteLoad.Spec(seed, rows, seed * 1_000_000, Duration.ofMillis(2)));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Destination equals source row by row; a failure lists at most 20 differing keys. */
    private static void assertSame(PgSync sync, StreamId id, String table) {
        Map<String, String> expected;
        try (Connection c = pg.connection()) {
            expected = Rows.query(c, "SELECT id, v, n FROM " + table);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> actual = new HashMap<>();
        for (Map.Entry<String, Record> e : sync.dest.table(id).entrySet()) {
            actual.put(e.getKey(), e.getValue().value("v") + "/" + e.getValue().value("n"));
        }
        Rows.assertSameRows(expected, actual, table);
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
