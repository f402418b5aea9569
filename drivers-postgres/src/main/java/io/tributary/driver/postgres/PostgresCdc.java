package io.tributary.driver.postgres;

import io.tributary.core.ChangeSink;
import io.tributary.core.ChangeStreamLoop;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.RetriableException;
import io.tributary.types.StreamId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CDC from a logical replication slot with the pgoutput plugin (protocol version 1): the slot's start position (with
 * an exported snapshot for a consistent backfill), the replication stream, watermarks and the slot's confirmed
 * position. The messages are decoded by {@link PgOutputDecoder} and handed over by {@link PgChangePoller} under the
 * engine's {@link io.tributary.core.ChangeStreamLoop}; the server side is set up by {@link PgPublication}.
 *
 * <p>Position: an LSN ({@link PostgresPosition}), saved by the engine as {@code {"lsn": "X/Y"}}. Checkpoints are taken
 * at commit boundaries; the slot is told a position ({@code flush_lsn}) only in {@link #acknowledge}, which the engine
 * calls after the writers committed everything before it and the position was saved. A bounded run ends when it has
 * read up to the WAL position current at its start (PostgreSQL 14+: a decoding message written at the start), or
 * when no message arrived for {@code initial_wait_time} seconds (one second once changes flowed).
 */
final class PostgresCdc implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCdc.class);
    /** Prefix of the logical decoding messages that carry watermarks. */
    static final String WATERMARK_PREFIX = "tributary";

    private final PostgresDriver driver;
    private final PostgresConfig.UpdateMethod method;
    private final Map<StreamId, ConfiguredStream> streams = new HashMap<>();
    private PGReplicationStream replication;
    private Connection replicationConnection;
    private Connection exporting;
    /** By text: the watermarks whose writer waits for the stream to hand them over. */
    private final Map<String, CompletableFuture<Long>> awaitedMarks = new ConcurrentHashMap<>();
    /** The xids of the transactions the stream delivered last, for {@link #watermark}'s visibility wait. */
    private final DeliveredXids delivered = new DeliveredXids(1 << 16);

    PostgresCdc(PostgresDriver driver, PostgresConfig.UpdateMethod method, List<ConfiguredStream> list) {
        this.driver = driver;
        this.method = method;
        list.forEach(s -> streams.put(s.id(), s));
    }

    /**
     * With {@code consistent_snapshot} and no slot yet: creates the slot on a replication connection, which exports
     * the snapshot of the slot's consistent point; the connection stays open (idle) so chunk readers can join the
     * snapshot, until {@link #releaseSnapshot()}. Returns the slot's consistent point and the snapshot name, or null
     * when the slot exists already.
     */
    private org.postgresql.replication.ReplicationSlotInfo createSlotWithSnapshot() throws SQLException {
        try (Connection c = driver.connections().open();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, method.replicationSlot());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    LOG.info("slot {} exists: backfill chunks use their own snapshots (overlap resolved by key)",
                            method.replicationSlot());
                    return null;
                }
            }
        }
        exporting = driver.connections().openReplication();
        org.postgresql.replication.ReplicationSlotInfo info = exporting.unwrap(PGConnection.class)
                .getReplicationAPI().createReplicationSlot().logical().withSlotName(method.replicationSlot())
                .withOutputPlugin("pgoutput").make();
        LOG.info("created slot {} at {} with exported snapshot {}", method.replicationSlot(),
                info.getConsistentPoint(), info.getSnapshotName());
        return info;
    }

    /** Ends the exported snapshot (the backfill is over, or it is no longer wanted). */
    void releaseSnapshot() {
        driver.snapshot(null);
        Connection c = exporting;
        exporting = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("closing the snapshot-exporting connection: {}", e.getMessage());
            }
        }
    }

    /**
     * The slot's position, where CDC starts when the state has none: with {@code consistent_snapshot} and no slot yet,
     * the consistent point of the slot created now (its exported snapshot is kept for the backfill).
     */
    LogSequenceNumber startPosition() {
        if (method.consistentSnapshot() && method.createIfMissing()) {
            try {
                org.postgresql.replication.ReplicationSlotInfo created = createSlotWithSnapshot();
                if (created != null) {
                    driver.snapshot(created.getSnapshotName());
                    return created.getConsistentPoint();
                }
            } catch (SQLException e) {
                releaseSnapshot();
                throw driver.connections().translate(e);
            }
        }
        try (Connection c = driver.connections().open();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, method.replicationSlot());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    throw new ConfigException("replication slot '" + method.replicationSlot() + "' does not exist");
                }
                String lsn = rs.getString(1);
                LOG.info("CDC starts at LSN {} (slot {})", lsn, method.replicationSlot());
                return LogSequenceNumber.valueOf(lsn);
            }
        } catch (SQLException e) {
            throw driver.connections().translate(e);
        }
    }

    /** Streams from {@code start} (the saved position) into {@code fn}. */
    /** Streams from {@code start} (the saved position) into {@code fn}, up to the engine's bound. */
    void stream(LogSequenceNumber start, ChangeSink<PostgresPosition> fn) {
        releaseSnapshot(); // every backfill finished before CDC (sequential mode)
        LogSequenceNumber end;
        boolean messages;
        // PostgreSQL 14+: the end of a bounded run is a logical decoding message written now, so the run ends the
        // moment it decodes it (the WAL end alone is often a non-commit record, which left the run waiting idle)
        String endMarker = "end:" + java.util.UUID.randomUUID();
        try (Connection c = driver.connections().open(); Statement st = c.createStatement()) {
            messages = driver.serverVersion() >= 140000;
            end = LogSequenceNumber.valueOf(PgPublication.scalar(st, messages
                    ? "SELECT pg_logical_emit_message(false, '" + WATERMARK_PREFIX + "', '" + endMarker + "')::text"
                    : "SELECT pg_current_wal_lsn()::text"));
        } catch (SQLException e) {
            throw driver.connections().translate(e);
        }
        PgChangePoller poller = null;
        try {
            replicationConnection = driver.connections().openReplication();
            org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder builder = replicationConnection
                    .unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(method.replicationSlot())
                    .withStartPosition(start)
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", method.publication());
            if (messages) {
                builder.withSlotOption("messages", "true");
            }
            replication = builder.withStatusInterval(10, TimeUnit.SECONDS).start();
            LOG.info("streaming changes from LSN {} up to {} (slot {})", start, end, method.replicationSlot());
            poller = new PgChangePoller(driver, method.replicationSlot(), streams, replication, delivered,
                    awaitedMarks, start, end, endMarker);
            ChangeStreamLoop.run("change stream of slot " + method.replicationSlot(), poller, fn,
                    Duration.ofSeconds(method.initialWaitTime()));
            LOG.info("change stream ended at LSN {} after {} changes", poller.lastCommit(), poller.total());
        } catch (SQLException e) {
            throw new RetriableException("replication from slot " + method.replicationSlot() + " failed: "
                    + e.getMessage(), e);
        } finally {
            if (poller != null) {
                poller.close();
            }
            close();
        }
    }

    /**
     * Writes watermark {@code text} as a non-transactional logical decoding message (which pgoutput delivers at its
     * place in the WAL: after every transaction whose commit record lies before it) and returns once the stream
     * handed it over and every transaction the stream delivered before it is visible to new snapshots.
     *
     * <p>The second wait matters: a commit is in the WAL, and may be decoded and delivered, before the committing
     * session leaves the proc array and other snapshots see it (while it flushes its WAL, or waits for a synchronous
     * standby). A chunk read at once would miss such an update that the stream delivered before the low watermark,
     * and its old row would overwrite the update. The transactions still in progress for a new snapshot that the
     * stream delivered (or that the commit log shows committed) are waited for, up to 60 s.
     */
    void watermark(String text) {
        CompletableFuture<Long> handedOver = new CompletableFuture<>();
        awaitedMarks.put(text, handedOver);
        try (Connection c = driver.connections().open()) {
            // PostgreSQL 17 flushes the message at once; before, the stream sees it when the WAL writer flushes
            String emit = "SELECT pg_logical_emit_message(false, '" + WATERMARK_PREFIX + "', ?"
                    + (driver.serverVersion() >= 170000 ? ", true)" : ")");
            try (PreparedStatement ps = c.prepareStatement(emit)) {
                ps.setString(1, text);
                ps.execute();
            }
            long before;
            try {
                before = handedOver.get();
            } catch (InterruptedException e) {
                throw CancelledException.interrupted("waiting for slot " + method.replicationSlot()
                        + " to deliver watermark " + text, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            awaitVisible(c, text, before);
        } catch (SQLException e) {
            throw driver.connections().translate(e);
        } finally {
            awaitedMarks.remove(text);
        }
    }

    /**
     * Waits until no transaction the stream delivered before watermark {@code text} (the first {@code before} it
     * delivered) is invisible to new snapshots: none is in progress for a snapshot taken now (in its xip list, or at
     * or past its xmax, as the newest commit under way is). The first snapshot fixes the set waited for: the
     * delivered transactions it sees in progress, and those in its xip list the commit log has committed (for
     * transactions delivered longer ago than the xids kept). Later snapshots only shrink that set, so neither commits
     * delivered after the mark (under a steady load with a synchronous standby one is always on its way) nor the ring
     * overwriting old xids meanwhile change what is waited for.
     */
    private void awaitVisible(Connection c, String text, long before) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        java.util.Set<Integer> waiting = null; // low 32 bits
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_snapshot_xmax(s)::text, x::text, "
                + "pg_xact_status(x) = 'committed' FROM pg_current_snapshot() s "
                + "LEFT JOIN LATERAL pg_snapshot_xip(s) x ON true")) {
            while (true) {
                long xmax = -1;
                List<Long> xip = new ArrayList<>();
                java.util.Set<Integer> committed = new java.util.HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        xmax = Long.parseLong(rs.getString(1));
                        String x = rs.getString(2);
                        if (x != null) {
                            xip.add(Long.parseLong(x));
                            if (rs.getBoolean(3)) {
                                committed.add((int) Long.parseLong(x));
                            }
                        }
                    }
                }
                if (waiting == null) {
                    waiting = new java.util.TreeSet<>(delivered.inProgress(before, (int) xmax, xip));
                    waiting.addAll(committed);
                } else {
                    java.util.Set<Integer> running = new java.util.HashSet<>();
                    xip.forEach(x -> running.add((int) x.longValue()));
                    int snapshotXmax = (int) xmax;
                    waiting.removeIf(x -> x - snapshotXmax < 0 && !running.contains(x));
                }
                if (waiting.isEmpty()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    List<Long> xids = waiting.stream().map(Integer::toUnsignedLong).toList();
                    throw new RetriableException("transactions " + xids + " committed before watermark " + text
                            + " but are still not visible to other sessions after 60 s (waiting for a synchronous "
                            + "standby?): a chunk read now would miss their changes");
                }
                try {
                    Thread.sleep(1); // their commits are under way in other sessions
                } catch (InterruptedException e) {
                    throw CancelledException.interrupted("waiting for transactions "
                            + waiting.stream().map(Integer::toUnsignedLong).toList() + " to become visible", e);
                }
            }
        }
    }

    /**
     * The last xids (32-bit, as pgoutput sends them) the change stream delivered, in a ring, numbered in delivery
     * order; thread-safe.
     */
    static final class DeliveredXids {
        private final int[] ring;
        private long count;

        DeliveredXids(int capacity) {
            ring = new int[capacity];
        }

        synchronized void add(int xid) {
            ring[(int) (count % ring.length)] = xid;
            count++;
        }

        /** How many xids were ever added: the number of the next one. */
        synchronized long count() {
            return count;
        }

        /**
         * Of the xids added before the {@code before}-th that are still kept, those a snapshot with {@code xmax} (its
         * low 32 bits) and {@code xip} (full xids) sees in progress: in xip, or at or after xmax (compared modulo
         * 2^32, as PostgreSQL does).
         */
        synchronized List<Integer> inProgress(long before, int xmax, List<Long> xip) {
            java.util.Set<Integer> running = new java.util.HashSet<>();
            xip.forEach(x -> running.add((int) x.longValue()));
            List<Integer> out = new ArrayList<>();
            for (long n = Math.max(0, count - ring.length); n < Math.min(before, count); n++) {
                int x = ring[(int) (n % ring.length)];
                if (x - xmax >= 0 || running.contains(x)) {
                    out.add(x);
                }
            }
            return out;
        }
    }

    /** Tells the slot that everything before {@code lsn} is committed (and saved), so it may recycle that WAL. */
    void acknowledge(LogSequenceNumber lsn) {
        try {
            if (replication != null && !replication.isClosed()) {
                replication.setAppliedLSN(lsn);
                replication.setFlushedLSN(lsn);
                replication.forceUpdateStatus();
            }
        } catch (SQLException e) {
            throw new RetriableException("cannot confirm LSN " + lsn + " to slot " + method.replicationSlot() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        releaseSnapshot();
        try {
            if (replication != null && !replication.isClosed()) {
                replication.close();
            }
        } catch (SQLException e) {
            LOG.debug("closing the replication stream: {}", e.getMessage());
        }
        try {
            if (replicationConnection != null) {
                replicationConnection.close();
            }
        } catch (SQLException e) {
            LOG.debug("closing connections: {}", e.getMessage());
        }
        replication = null;
        replicationConnection = null;
    }
}
