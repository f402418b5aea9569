package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.shyiko.mysql.binlog.event.MySqlGtid;
import io.tributary.core.CdcChange;
import io.tributary.core.ChangeSink;
import io.tributary.core.Drivers;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link MySqlCdc#watermark} against a real binlog stream: it returns only once the stream handed the mark over and
 * every change the stream delivered before it is visible to new read views (a chunk read after a low watermark
 * then sees every change delivered before it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlWatermarkTest {
    private TestingMySqlServer db;

    private MySqlDriver driver;
    private MySqlCdc cdc;
    private MySqlPosition start;
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private volatile boolean streaming = true;
    private Thread stream;

    /** Starts the server, or skips the test class when it cannot run here ({@link MySql8WatermarkTest}: MySQL 8). */
    TestingMySqlServer newServer() {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        return new TestingMariaDb();
    }

    @BeforeAll
    void start() {
        db = newServer();
        db.execute("CREATE TABLE IF NOT EXISTS shop.wm_other (id bigint PRIMARY KEY AUTO_INCREMENT, v int)",
                "CREATE TABLE IF NOT EXISTS shop.wm_keys (id bigint PRIMARY KEY, v int)",
                "INSERT INTO shop.wm_keys VALUES (1, 0)");
    }

    @AfterAll
    void stop() {
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void createCdc() {
        delivered.clear(); // one instance serves every test of the class
        streaming = true;
        stream = null;
        driver = (MySqlDriver) Drivers.configured("mysql", Json.parse(MySqlConformanceTest.config(db,
                TestingMySqlServer.ADMIN_USER, TestingMySqlServer.ADMIN_PASSWORD, true)), "source.json");
        ConfiguredStream keys = ConfiguredStream.of(driver.produceSchema(StreamId.of("shop", "wm_keys"))
                .withSyncMode(SyncMode.CDC));
        cdc = new MySqlCdc(driver, (MySqlConfig) driver.config(), List.of(keys));
        start = cdc.startPosition();
    }

    @AfterEach
    void stopStream() throws InterruptedException {
        streaming = false;
        if (stream != null) {
            stream.join(30_000);
        }
        cdc.close();
    }

    private void startStream() {
        ChangeSink<MySqlPosition> fn = new ChangeSink<>() {
            @Override
            public void accept(CdcChange change) {
                delivered.add("change v=" + change.values()[1]);
            }

            @Override
            public void checkpoint(MySqlPosition position) {
            }

            @Override
            public void watermark(String watermark) {
                delivered.add(watermark);
            }

            @Override
            public boolean keepStreaming() {
                return streaming;
            }

            @Override
            public boolean checkpointWanted() {
                return false;
            }
        };
        stream = new Thread(() -> cdc.stream(start, fn), "binlog stream");
        stream.start();
    }

    private CompletableFuture<Void> watermarkAsync(String text) {
        return CompletableFuture.runAsync(() -> cdc.watermark(text));
    }

    private boolean showsSnapshotPositions() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'binlog_snapshot_position'")) {
            return rs.next();
        }
    }

    /** The GTID the server gives its next transaction (MySQL with {@code gtid_mode=ON}); skips the test otherwise. */
    private MySqlGtid nextGtid() throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT @@global.gtid_mode, @@server_uuid, @@global.gtid_executed")) {
            rs.next();
            assumeTrue("ON".equals(rs.getString(1)), db.product() + " shows neither binlog_snapshot_position nor "
                    + "GTIDs: a watermark cannot wait for the changes before it to be visible (see MySqlCdc)");
            String uuid = rs.getString(2);
            long last = 0;
            for (String set : rs.getString(3).replaceAll("\\s", "").split(",")) {
                if (set.startsWith(uuid + ":")) {
                    String[] intervals = set.substring(uuid.length() + 1).split(":");
                    String interval = intervals[intervals.length - 1];
                    last = Long.parseLong(interval.substring(interval.indexOf('-') + 1));
                }
            }
            return new MySqlGtid(UUID.fromString(uuid), last + 1);
        }
    }

    private MySqlCdc.Position binlogEnd() throws SQLException {
        try (Connection c = driver.open()) {
            return MySqlCdc.masterStatus(c, (MySqlConfig) driver.config());
        }
    }

    /**
     * A SAVEPOINT inside a transaction is a query event in the binlog; it once counted as a statement that ends the
     * transaction (like DDL), so a checkpoint or a watermark could land in the middle of a transaction, and a resumed
     * stream would start there.
     */
    @Test
    void aSavepointInsideATransactionIsNoTransactionBoundary() throws Exception {
        MySqlCdc.Position before = binlogEnd();
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("INSERT INTO shop.wm_keys VALUES (10, 1)");
            st.execute("SAVEPOINT sp");
            st.execute("INSERT INTO shop.wm_keys VALUES (11, 1)");
            st.execute("SAVEPOINT sp2");
            st.execute("INSERT INTO shop.wm_keys VALUES (12, 1)");
            st.execute("ROLLBACK TO SAVEPOINT sp2");
            c.commit();
        }
        MySqlCdc.Position after = binlogEnd();
        List<Object> ids = new CopyOnWriteArrayList<>();
        List<MySqlCdc.Position> checkpoints = new CopyOnWriteArrayList<>();
        cdc.stream(start, new ChangeSink<MySqlPosition>() {
            @Override
            public void accept(CdcChange change) {
                ids.add(change.values()[0]);
            }

            @Override
            public void checkpoint(MySqlPosition position) {
                checkpoints.add(position.binlog());
            }

            @Override
            public void watermark(String watermark) {
            }

            @Override
            public boolean keepStreaming() {
                return false;
            }

            @Override
            public boolean checkpointWanted() {
                return true; // as often as the stream offers one
            }
        });
        assertThat(ids).containsExactly(10L, 11L);
        assertThat(checkpoints).isNotEmpty().allSatisfy(p -> assertThat(p.compareTo(before) <= 0
                || p.compareTo(after) >= 0).as("checkpoint %s outside the transaction %s..%s", p, before, after)
                .isTrue());
    }

    @Test
    void aWatermarkReturnsOnlyOnceTheStreamHandedItOver() throws Exception {
        CompletableFuture<Void> w = new CompletableFuture<>();
        Thread caller = new Thread(() -> {
            try {
                cdc.watermark("w1");
                w.complete(null);
            } catch (Throwable e) {
                w.completeExceptionally(e);
            }
        }, "watermark w1");
        caller.start();
        // the event: the call blocks (parks) waiting for a stream to hand the mark over, instead of returning
        await("the watermark call waits").atMost(Duration.ofSeconds(30))
                .until(() -> w.isDone() || caller.getState() == Thread.State.WAITING);
        assertThat(w).as("no stream reads the binlog yet").isNotDone();
        startStream();
        w.get(30, TimeUnit.SECONDS);
        assertThat(delivered).containsExactly("w1");
    }

    @Test
    void aChangeCommittedAfterAWatermarkReturnedIsDeliveredAfterIt() throws Exception {
        startStream();
        watermarkAsync("caught up").get(30, TimeUnit.SECONDS);
        for (int i = 1; i <= 5; i++) {
            // the stream is idle at the binlog end: the mark must not wait for the next transaction to be handed over
            cdc.watermark("low-" + i);
            db.execute("UPDATE shop.wm_keys SET v = " + i + " WHERE id = 1");
            String change = "change v=" + i;
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                    .untilAsserted(() -> assertThat(delivered).contains(change));
            assertThat(delivered.indexOf("low-" + i)).as("the mark before the change committed after it: %s",
                    delivered).isBetween(0, delivered.indexOf(change));
        }
    }

    @Test
    void aWatermarkWaitsUntilTheChangesDeliveredBeforeItAreVisible() throws Exception {
        startStream();
        watermarkAsync("caught up").get(30, TimeUnit.SECONDS);
        // what the binlog shows a stream before the engine commit makes it visible: a transaction the stream has
        // delivered but a read view opened now does not see (here: one that ends past the current binlog end, and on
        // MySQL, which waits for GTIDs instead, one with the GTID of the next transaction)
        MySqlCdc.Position end = binlogEnd();
        MySqlCdc.Position pastEnd = new MySqlCdc.Position(end.name(), end.pos() + 1);
        if (showsSnapshotPositions()) {
            cdc.changesDeliveredUpTo(pastEnd);
        } else {
            cdc.changesDeliveredUpTo(pastEnd, nextGtid());
        }
        CompletableFuture<Void> w = watermarkAsync("low");
        Thread.sleep(500);
        assertThat(delivered).as("the stream handed the mark over").contains("low");
        assertThat(w).as("a chunk read now would miss a change delivered before the mark").isNotDone();
        db.execute("INSERT INTO shop.wm_other (v) VALUES (1)"); // commits past that position, with that GTID
        w.get(30, TimeUnit.SECONDS);
    }
}
