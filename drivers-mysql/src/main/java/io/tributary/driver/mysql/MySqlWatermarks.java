package io.tributary.driver.mysql;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.MySqlGtid;
import io.tributary.core.ChangeSink;
import io.tributary.core.WatermarkQueue;
import io.tributary.driver.mysql.MySqlCdc.Position;
import io.tributary.types.CancelledException;
import io.tributary.types.RetriableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The binlog stream's watermarks. Thread-safe: written to by the chunk readers, read by the stream.
 *
 * <p>Watermarks ({@link #watermark}) are the binlog end read with {@code SHOW MASTER STATUS}; the stream hands one
 * over once it has read, outside a transaction, up to that position. A position read on the side cannot place the
 * mark exactly: the stream may already be at or past it, and then hands it over only after the transactions it reads
 * next (committed after the call, perhaps after the chunk's SELECT); and the server writes a transaction to the
 * binlog (where the stream may read it) before the engine commit makes it visible. So {@link #watermark} returns
 * only once the stream handed the mark over and every change it delivered before the mark is visible: a read view
 * opened after the call (the chunk's SELECT between a low and a high watermark) sees every change delivered before
 * the mark, and every change it does not see is delivered after the mark. Visibility is checked against the last
 * transaction of which the stream delivered a change: on MariaDB with the binlog position of a consistent snapshot
 * ({@code binlog_snapshot_position}) against the end of that transaction; on MySQL, which has no such position, with
 * the transaction's GTID ({@code WAIT_FOR_EXECUTED_GTID_SET}: MySQL adds a GTID to {@code @@global.gtid_executed} in
 * the commit stage, after the engine commit; the transactions before it are then visible too, as MySQL commits in
 * binlog order with {@code binlog_order_commits=ON}, the default). MySQL with {@code gtid_mode=OFF} (or a transaction
 * without a GTID under {@code gtid_mode=ON_PERMISSIVE}) gives neither: there a watermark does not wait for
 * visibility and keeps that second race (a window of microseconds between the binlog write and the engine commit of a
 * group commit), which is logged once.
 */
final class MySqlWatermarks {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlCdc.class);
    /** Put into the stream's event queue by {@link #watermark} so that an idle stream hands the mark over at once. */
    static final Event WAKE_UP = new Event(null, null);

    private final MySqlDriver driver;
    private final MySqlConfig config;
    /** Watermarks waiting for the stream to reach their binlog position. */
    private final WatermarkQueue<Position> marks = new WatermarkQueue<>();
    /** The running stream's event queue, woken up by a new watermark; null between runs. */
    private volatile BlockingQueue<Event> events;
    /**
     * The last transaction of which the stream delivered a change: where it ends in the binlog, and its GTID
     * ({@code null} where the binlog gives it none: MariaDB, whose GTIDs are not MySQL's, or MySQL with
     * {@code gtid_mode=OFF}).
     */
    private record Delivered(Position end, MySqlGtid gtid) {
    }

    /** The last transaction of which the stream delivered a change (written by the stream only). */
    private volatile Delivered lastChange;
    /** False once the server showed it has no {@code binlog_snapshot_position} (MySQL). */
    private volatile boolean snapshotPositions = true;
    /** True once a watermark was handed over without waiting for visibility, and that was logged. */
    private volatile boolean noWaitLogged;

    MySqlWatermarks(MySqlDriver driver, MySqlConfig config) {
        this.driver = driver;
        this.config = config;
    }

    /** The stream now reads into {@code queue} (null: it stopped). */
    void streaming(BlockingQueue<Event> queue) {
        events = queue;
    }

    /** Hands over every watermark at or before {@code current}; true when one was delivered. */
    boolean deliverUpTo(Position current, ChangeSink<MySqlPosition> fn) {
        return marks.deliverUpTo(current, fn::watermark);
    }

    /**
     * Registers a watermark at the current end of the binlog and returns once the stream handed it over and every
     * change the stream delivered before it is visible to new read views.
     */
    void watermark(String text) {
        try (Connection c = driver.open()) {
            CompletableFuture<Void> delivered = marks.addAwaited(MySqlCdc.masterStatus(c, config), text);
            BlockingQueue<Event> q = events;
            if (q != null) {
                q.offer(WAKE_UP); // when full, the stream is busy and reaches a transaction boundary soon anyway
            }
            try {
                delivered.get();
            } catch (InterruptedException e) {
                throw CancelledException.interrupted("waiting for the binlog stream to reach watermark " + text, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            Delivered seen = lastChange;
            if (seen != null) {
                awaitVisible(c, seen);
            }
        } catch (SQLException e) {
            throw driver.translate(e, "reading the binlog position");
        }
    }

    /** The stream delivered changes of the transaction ending at {@code end} with GTID {@code gtid} (or null). */
    void changesDeliveredUpTo(Position end, MySqlGtid gtid) {
        lastChange = new Delivered(end, gtid);
    }

    /**
     * Waits until the transaction {@code last} is visible to new read views. It was in the binlog already (the
     * stream read it), so its engine commit is under way. On MariaDB: until a consistent snapshot's binlog position
     * reaches its end. On MySQL: until its GTID is executed. A MySQL transaction without a GTID cannot be waited for:
     * returns at once.
     */
    private void awaitVisible(Connection c, Delivered last) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Position end = last.end();
        Position at;
        while ((at = snapshotPosition(c).orElse(null)) != null) {
            if (at.compareTo(end) >= 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new RetriableException("the transaction ending at binlog position " + end.name() + ":"
                        + end.pos() + " was read from the binlog but is still not visible after 60 s (the server "
                        + "shows snapshots at " + at.name() + ":" + at.pos() + ")");
            }
            try {
                Thread.sleep(1); // its commit is under way in another session
            } catch (InterruptedException e) {
                throw CancelledException.interrupted("waiting for binlog position " + end.name() + ":" + end.pos()
                        + " to be visible", e);
            }
        }
        if (last.gtid() != null) {
            awaitExecuted(c, last.gtid(), deadline);
        } else if (!noWaitLogged) {
            noWaitLogged = true;
            LOG.info("the server shows no binlog_snapshot_position (MySQL) and the binlog no GTID for the last "
                    + "change (gtid_mode=OFF): a watermark cannot wait for the changes before it to be visible");
        }
    }

    /**
     * Waits until {@code gtid} is in {@code @@global.gtid_executed} (MySQL adds it in the commit stage, after the
     * engine commit: a read view opened afterwards sees the transaction), in waits of one second so that an interrupt
     * is honoured, until {@code deadline} ({@link System#nanoTime()}).
     */
    private static void awaitExecuted(Connection c, MySqlGtid gtid, long deadline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT WAIT_FOR_EXECUTED_GTID_SET(?, 1)")) {
            ps.setString(1, gtid.toString());
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getInt(1) == 0 && !rs.wasNull()) {
                        return;
                    }
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancelledException("waiting for GTID " + gtid + " to be executed was interrupted");
                }
                if (System.nanoTime() > deadline) {
                    throw new RetriableException("the transaction with GTID " + gtid + " was read from the binlog "
                            + "but is still not in @@global.gtid_executed after 60 s");
                }
            }
        }
    }

    /** The binlog position of a consistent snapshot taken now (MariaDB), empty where the server has none. */
    private Optional<Position> snapshotPosition(Connection c) throws SQLException {
        if (!snapshotPositions) {
            return Optional.empty();
        }
        try (Statement st = c.createStatement()) {
            st.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            try (ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'binlog_snapshot_%'")) {
                String file = null;
                long pos = -1;
                while (rs.next()) {
                    switch (rs.getString(1).toLowerCase(Locale.ROOT)) {
                        case "binlog_snapshot_file" -> file = rs.getString(2);
                        case "binlog_snapshot_position" -> pos = rs.getLong(2);
                        default -> { }
                    }
                }
                if (file == null || file.isEmpty() || pos < 0) {
                    snapshotPositions = false; // MySQL: a watermark waits for GTIDs instead
                    return Optional.empty();
                }
                return Optional.of(new Position(file, pos));
            } finally {
                st.execute("COMMIT");
            }
        }
    }
}
