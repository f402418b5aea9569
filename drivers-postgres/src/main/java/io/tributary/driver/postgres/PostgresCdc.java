package io.tributary.driver.postgres;

import io.tributary.core.CdcChange;
import io.tributary.core.ChangeSink;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.types.ValueException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
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
 * CDC from a logical replication slot with the pgoutput plugin (protocol version 1), decoded here from the bytes
 * pgjdbc's replication stream hands over: Relation messages (a column added makes a new schema), Begin/Commit
 * (transaction boundaries; the commit time becomes {@code _cdc_timestamp}), Insert/Update/Delete. Unchanged TOAST
 * values (which pgoutput does not send) are taken from the old row under REPLICA IDENTITY FULL, otherwise read
 * from the table by key. TRUNCATE is logged, not replicated (run a full refresh of that stream).
 *
 * <p>Position: an LSN ({@link PostgresPosition}), saved by the engine as {@code {"lsn": "X/Y"}}. Checkpoints are taken
 * at commit boundaries; the slot is told a position ({@code flush_lsn}) only in {@link #acknowledge}, which the engine
 * calls after the writers committed everything before it and the position was saved. A bounded run ends when it has read up
 * to the WAL position current at its start, or when no message arrived for {@code initial_wait_time} seconds
 * (one second once changes flowed).
 */
final class PostgresCdc implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCdc.class);
    /** Prefix of the logical decoding messages that carry watermarks. */
    static final String WATERMARK_PREFIX = "tributary";

    private final PostgresDriver driver;
    private final PostgresConfig.UpdateMethod method;
    private final Map<StreamId, ConfiguredStream> streams = new HashMap<>();
    private final Map<Integer, Relation> relations = new HashMap<>();
    private PGReplicationStream replication;
    private Connection replicationConnection;
    private Connection lookup;
    private Connection exporting;
    /** By text: the watermarks whose writer waits for the stream to hand them over. */
    private final Map<String, CompletableFuture<Long>> awaitedMarks = new ConcurrentHashMap<>();
    /** The xids of the transactions the stream delivered last, for {@link #watermark}'s visibility wait. */
    private final DeliveredXids delivered = new DeliveredXids(1 << 16);

    private record Relation(StreamId id, Schema schema, PostgresTypes.PgType[] types, ConfiguredStream stream) {
    }

    PostgresCdc(PostgresDriver driver, PostgresConfig.UpdateMethod method, List<ConfiguredStream> list) {
        this.driver = driver;
        this.method = method;
        list.forEach(s -> streams.put(s.id(), s));
    }

    static void checkSetup(Connection c, PostgresConfig config) throws SQLException {
        PostgresConfig.UpdateMethod um = config.updateMethod().orElseThrow();
        try (Statement st = c.createStatement()) {
            String wal = scalar(st, "SHOW wal_level");
            if (!"logical".equals(wal)) {
                throw new ConfigException("CDC needs wal_level=logical but " + config.host() + ":" + config.port()
                        + " has wal_level=" + wal + ": run ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL");
            }
            String canReplicate = scalar(st, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles "
                    + "WHERE rolname = current_user");
            if (!"true".equals(canReplicate)) {
                throw new ConfigException("user '" + config.username() + "' may not replicate: run ALTER ROLE "
                        + PostgresDriver.quote(config.username()) + " WITH REPLICATION;");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, um.publication());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    if (!um.createIfMissing()) {
                        throw new ConfigException("publication '" + um.publication() + "' does not exist: run CREATE "
                                + "PUBLICATION " + PostgresDriver.quote(um.publication())
                                + " FOR TABLE <the tables to capture>; or set update_method.create_if_missing");
                    }
                    // created when a CDC sync starts (provision), not by a check or a discover
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, database = current_database() "
                + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, um.replicationSlot());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    if (um.createIfMissing() && um.consistentSnapshot()) {
                        return; // created with an exported snapshot when CDC starts (recordStartPosition)
                    }
                    if (!um.createIfMissing()) {
                        throw new ConfigException("replication slot '" + um.replicationSlot() + "' does not exist: "
                                + "run SELECT pg_create_logical_replication_slot('" + um.replicationSlot()
                                + "', 'pgoutput'); or set update_method.create_if_missing");
                    }
                    // created when a CDC sync starts (provision): a discover or a failed preflight keeps no WAL
                } else if (!"pgoutput".equals(rs.getString(1))) {
                    throw new ConfigException("replication slot '" + um.replicationSlot() + "' uses plugin "
                            + rs.getString(1) + "; Tributary needs a pgoutput slot");
                } else if (!rs.getBoolean(2)) {
                    throw new ConfigException("replication slot '" + um.replicationSlot()
                            + "' belongs to another database than '" + config.database() + "'");
                }
            }
        }
    }

    /**
     * Makes sure the publication carries a CDC stream's table (or, for a partitioned table, its partitions): with
     * {@code create_if_missing} the table is added to it, otherwise a missing table is a config error naming the
     * statement to run. Without this, changes to the table would never arrive.
     */
    static void checkPublished(Connection c, PostgresConfig config, StreamId id, long oid) throws SQLException {
        published(c, config, id, oid, false);
    }

    private static void published(Connection c, PostgresConfig config, StreamId id, long oid, boolean publish)
            throws SQLException {
        PostgresConfig.UpdateMethod um = config.updateMethod().orElseThrow();
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_publication_tables pt "
                + "WHERE pt.pubname = ? AND format('%I.%I', pt.schemaname, pt.tablename)::regclass::oid IN "
                + "(SELECT relid FROM pg_partition_tree(?::oid) UNION SELECT ?::oid)), "
                + "EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ? AND puballtables)")) {
            ps.setString(1, um.publication());
            ps.setLong(2, oid);
            ps.setLong(3, oid);
            ps.setString(4, um.publication());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1) || rs.getBoolean(2)) {
                    return;
                }
            }
        }
        String add = "ALTER PUBLICATION " + PostgresDriver.quote(um.publication()) + " ADD TABLE "
                + PostgresDriver.quote(id.namespace()) + "." + PostgresDriver.quote(id.name());
        if (!um.createIfMissing()) {
            throw new ConfigException("stream " + id + " is not in publication '" + um.publication()
                    + "', so its changes would never arrive: run " + add + "; (or set update_method.create_if_missing)");
        }
        if (!publish) {
            return; // added by provision when the CDC sync starts
        }
        try (Statement st = c.createStatement()) {
            st.execute(add);
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new ConfigException("stream " + id + " is not in publication '" + um.publication() + "' and user '"
                        + config.username() + "' may not add it (only the table's owner may): run " + add
                        + "; as the owner", e);
            }
            throw e;
        }
        LOG.info("stream {}: added to publication {}", id, um.publication());
    }

    /**
     * With {@code create_if_missing}, when a CDC sync starts (after every stream passed its preflight): creates the
     * publication, adds the CDC streams' tables to it, then creates the slot (in this order, so the slot decodes
     * their changes from its first position), each only where missing. A {@code consistent_snapshot} slot is created
     * later, with its exported snapshot ({@link #recordStartPosition}). Nothing is created by a check or a discover.
     */
    static void provision(Connection c, PostgresConfig config, Map<StreamId, Long> tables) throws SQLException {
        PostgresConfig.UpdateMethod um = config.updateMethod().orElseThrow();
        if (!um.createIfMissing()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, um.publication());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // Not FOR ALL TABLES: that would make UPDATE and DELETE fail on every table of the database
                    // without a replica identity, and needs a superuser
                    try (Statement st = c.createStatement()) {
                        boolean viaRoot = Integer.parseInt(scalar(st, "SHOW server_version_num")) >= 130000;
                        st.execute("CREATE PUBLICATION " + PostgresDriver.quote(um.publication())
                                + (viaRoot ? " WITH (publish_via_partition_root = true)" : ""));
                    }
                    LOG.info("created publication {}", um.publication());
                }
            }
        }
        for (Map.Entry<StreamId, Long> t : tables.entrySet()) {
            published(c, config, t.getKey(), t.getValue(), true);
        }
        if (um.consistentSnapshot()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, um.replicationSlot());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement create = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            create.setString(1, um.replicationSlot());
            create.execute();
        }
        LOG.info("created replication slot {}", um.replicationSlot());
    }

    private static String scalar(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
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
    void stream(LogSequenceNumber start, ChangeSink<PostgresPosition> fn) {
        releaseSnapshot(); // every backfill finished before CDC (sequential mode)
        LogSequenceNumber end;
        boolean messages;
        // PostgreSQL 14+: the end of a bounded run is a logical decoding message written now, so the run ends the
        // moment it decodes it (the WAL end alone is often a non-commit record, which left the run waiting idle)
        String endMarker = "end:" + java.util.UUID.randomUUID();
        try (Connection c = driver.connections().open(); Statement st = c.createStatement()) {
            messages = driver.serverVersion() >= 140000;
            end = LogSequenceNumber.valueOf(scalar(st, messages
                    ? "SELECT pg_logical_emit_message(false, '" + WATERMARK_PREFIX + "', '" + endMarker + "')::text"
                    : "SELECT pg_current_wal_lsn()::text"));
        } catch (SQLException e) {
            throw driver.connections().translate(e);
        }
        LogSequenceNumber lastCommit = start;
        boolean endSeen = false;
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
            long lastMessage = System.nanoTime();
            boolean anyMessage = false;
            boolean inTransaction = false;
            int xid = 0;
            Instant commitTime = Instant.EPOCH;
            long total = 0;
            int idle = 0;
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancelledException("change stream of slot " + method.replicationSlot() + " was cancelled");
                }
                ByteBuffer msg = replication.readPending();
                if (msg == null) {
                    idle++;
                    if (!inTransaction) {
                        if (fn.checkpointWanted()) {
                            fn.checkpoint(new PostgresPosition(lastCommit));
                        }
                        if (fn.keepStreaming()) {
                            pause(idle);
                            continue;
                        }
                        // only a decoded commit (or message) proves the log was read up to a point: a keepalive's
                        // WAL end can run ahead of transactions still being decoded
                        if (endSeen || lastCommit.compareTo(end) >= 0) {
                            break;
                        }
                        long idleMillis = (System.nanoTime() - lastMessage) / 1_000_000;
                        long limit = anyMessage ? Math.min(1_000, method.initialWaitTime() * 1_000L)
                                : method.initialWaitTime() * 1_000L;
                        if (idleMillis >= limit) {
                            break;
                        }
                    }
                    pause(idle);
                    continue;
                }
                idle = 0;
                lastMessage = System.nanoTime();
                anyMessage = true;
                byte type = msg.get();
                switch (type) {
                    case 'B' -> {
                        msg.getLong(); // final LSN
                        commitTime = PostgresTypes.epochMicros2000(msg.getLong());
                        xid = msg.getInt();
                        inTransaction = true;
                    }
                    case 'C' -> {
                        delivered.add(xid);
                        msg.get(); // flags
                        msg.getLong(); // commit LSN
                        lastCommit = LogSequenceNumber.valueOf(msg.getLong()); // end of the transaction
                        inTransaction = false;
                        if (fn.checkpointWanted()) { // the engine's cadence: every 20,000 changes, or sooner
                            fn.checkpoint(new PostgresPosition(lastCommit));
                        }
                    }
                    case 'R' -> relation(msg);
                    case 'I' -> {
                        if (change(msg, OpType.CREATE, commitTime, fn)) {
                            total++;
                        }
                    }
                    case 'U' -> {
                        if (change(msg, OpType.UPDATE, commitTime, fn)) {
                            total++;
                        }
                    }
                    case 'D' -> {
                        if (change(msg, OpType.DELETE, commitTime, fn)) {
                            total++;
                        }
                    }
                    case 'T' -> truncate(msg);
                    case 'M' -> {
                        boolean transactional = (msg.get() & 1) != 0;
                        LogSequenceNumber at = LogSequenceNumber.valueOf(msg.getLong());
                        String prefix = string(msg);
                        byte[] content = new byte[msg.getInt()];
                        msg.get(content);
                        if (!transactional && WATERMARK_PREFIX.equals(prefix)) {
                            // between transactions: everything committed before it was delivered, so its LSN is
                            // a position the slot may be confirmed at
                            if (at.compareTo(lastCommit) > 0) {
                                lastCommit = at;
                            }
                            String text = new String(content, StandardCharsets.UTF_8);
                            if (text.equals(endMarker)) {
                                endSeen = true;
                            } else {
                                fn.watermark(text);
                                CompletableFuture<Long> waiting = awaitedMarks.remove(text);
                                if (waiting != null) {
                                    waiting.complete(delivered.count());
                                }
                            }
                            if (fn.checkpointWanted()) {
                                fn.checkpoint(new PostgresPosition(lastCommit));
                            }
                        }
                    }
                    default -> {
                        // Type and Origin messages carry nothing to replicate
                    }
                }
                if (!inTransaction && (endSeen || lastCommit.compareTo(end) >= 0) && !fn.keepStreaming()) {
                    break; // the bounded run's end, reached while changes keep coming (never idle)
                }
            }
            fn.checkpoint(new PostgresPosition(lastCommit));
            LOG.info("change stream ended at LSN {} after {} changes", lastCommit, total);
        } catch (SQLException e) {
            throw new RetriableException("replication from slot " + method.replicationSlot() + " failed: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw CancelledException.interrupted("change stream of slot " + method.replicationSlot(), e);
        } finally {
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

    /**
     * Waits for the server after {@code idle} empty reads in a row: 50 µs at first, doubling to 10 ms. While a backlog
     * drains, the walsender often has the next message ready microseconds later, and a flat 10 ms nap per empty read
     * capped the drain rate; an idle stream still settles at 100 naps a second.
     */
    private static void pause(int idle) throws InterruptedException {
        long nanos = Math.min(10_000_000L, 50_000L << Math.min(idle - 1, 10));
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
        if (Thread.interrupted()) {
            throw new InterruptedException();
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

    private void relation(ByteBuffer msg) {
        int relid = msg.getInt();
        String ns = string(msg);
        String name = string(msg);
        msg.get(); // replica identity
        int n = msg.getShort();
        StreamId id = StreamId.of(ns, name);
        ConfiguredStream cs = streams.get(id);
        List<Field> fields = new ArrayList<>(n);
        PostgresTypes.PgType[] types = new PostgresTypes.PgType[n];
        PostgresTypes pgTypes;
        try (Connection c = lookup()) {
            pgTypes = driver.types(c);
            if (cs == null) {
                // a partition: published under its own name unless the publication has publish_via_partition_root
                StreamId root = partitionRoot(c, relid);
                if (root != null && streams.containsKey(root)) {
                    LOG.debug("relation {} is a partition of stream {}", id, root);
                    id = root;
                    cs = streams.get(root);
                }
            }
        } catch (SQLException e) {
            throw driver.connections().translate(e);
        }
        for (int i = 0; i < n; i++) {
            msg.get(); // flags (part of the key)
            String col = string(msg);
            int oid = msg.getInt();
            int typmod = msg.getInt();
            Field known = cs == null ? null : cs.schema().field(col).orElse(null);
            fields.add(known != null ? known : pgTypes.field(col, oid, typmod, true));
            types[i] = pgTypes.resolve(oid);
        }
        Schema schema = new Schema(fields);
        if (cs != null && schema.equals(cs.schema())) {
            schema = cs.schema();
        } else if (cs != null) {
            LOG.info("stream {}: relation now has columns {}", id, schema.names());
        }
        relations.put(relid, new Relation(id, schema, types, cs));
    }

    /** Emits an Insert, Update or Delete; false when its table is not synced. */
    private boolean change(ByteBuffer msg, OpType op, Instant commitTime, ChangeSink<?> fn) throws SQLException {
        Relation r = relations.get(msg.getInt());
        if (r == null) {
            throw new RetriableException("pgoutput sent a change before its relation; restarting the stream");
        }
        Object[] values;
        if (op == OpType.CREATE) {
            msg.get(); // 'N'
            values = tuple(msg, r, null);
        } else if (op == OpType.UPDATE) {
            byte kind = msg.get();
            Object[] old = null;
            if (kind == 'K' || kind == 'O') {
                old = tuple(msg, r, null);
                msg.get(); // 'N'
            }
            values = tuple(msg, r, kind == 'O' ? old : null);
        } else {
            msg.get(); // 'K' or 'O'
            values = tuple(msg, r, null);
        }
        if (r.stream() == null) {
            return false;
        }
        fn.accept(new CdcChange(r.id(), op, commitTime, r.schema(), values));
        return true;
    }

    private static final Object UNCHANGED = new Object();

    private Object[] tuple(ByteBuffer msg, Relation r, Object[] old) throws SQLException {
        int n = msg.getShort();
        Object[] values = new Object[r.schema().size()];
        boolean missing = false;
        ValueException failed = null;
        for (int i = 0; i < n; i++) {
            byte kind = msg.get();
            switch (kind) {
                case 'n' -> values[i] = null;
                case 'u' -> {
                    if (old != null && old[i] != UNCHANGED) {
                        values[i] = old[i];
                    } else {
                        values[i] = UNCHANGED;
                        missing = true;
                    }
                }
                case 't', 'b' -> {
                    int len = msg.getInt();
                    if (r.stream() == null) {
                        msg.position(msg.position() + len); // a table not synced: its values are not read
                        continue;
                    }
                    byte[] b = new byte[len];
                    msg.get(b);
                    try {
                        values[i] = PostgresTypes.parseText(new String(b, StandardCharsets.UTF_8),
                                r.schema().field(i), r.types()[i]);
                    } catch (ValueException e) {
                        failed = failed == null ? e : failed; // read the rest: the key names the row
                    }
                }
                default -> throw new RetriableException("unknown pgoutput tuple kind " + (char) kind);
            }
        }
        if (failed != null) {
            throw PostgresTypes.located(failed, r.id(), r.schema(), r.stream().primaryKey(), values);
        }
        if (missing && r.stream() != null) {
            try {
                fillUnchangedToast(r, values);
            } catch (ValueException e) {
                throw PostgresTypes.located(e, r.id(), r.schema(), r.stream().primaryKey(), values);
            }
        }
        return values;
    }

    /** Reads the columns pgoutput left out (unchanged TOAST) from the table, by primary key. */
    private void fillUnchangedToast(Relation r, Object[] values) throws SQLException {
        List<String> key = r.stream().primaryKey();
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == UNCHANGED) {
                missing.add(i);
            }
        }
        if (key.isEmpty()) {
            throw new RetriableException("stream " + r.id() + ": an unchanged TOAST value cannot be looked up "
                    + "without a primary key; set REPLICA IDENTITY FULL on the table");
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int j = 0; j < missing.size(); j++) {
            sql.append(j == 0 ? "" : ", ").append(PostgresDriver.quote(r.schema().field(missing.get(j)).name()));
        }
        sql.append(" FROM ").append(PostgresDriver.qualified(r.id())).append(" WHERE ");
        for (int k = 0; k < key.size(); k++) {
            sql.append(k == 0 ? "" : " AND ").append(PostgresDriver.quote(key.get(k))).append(" = ?");
        }
        if (lookup == null || lookup.isClosed()) {
            lookup = driver.connections().open();
        }
        try (PreparedStatement ps = lookup.prepareStatement(sql.toString())) {
            for (int k = 0; k < key.size(); k++) {
                // as text of unknown type: the server reads it as the key column's type (uuid, timestamp, …)
                ps.setObject(k + 1, PostgresTypes.text(values[r.schema().indexOf(key.get(k))]), Types.OTHER);
            }
            try (ResultSet rs = ps.executeQuery()) {
                boolean found = rs.next();
                for (int j = 0; j < missing.size(); j++) {
                    int i = missing.get(j);
                    // a row deleted since: its delete follows in the log; keep NULL meanwhile
                    values[i] = found ? PostgresTypes.read(rs, j + 1, r.schema().field(i), r.types()[i]) : null;
                }
            }
        }
    }

    /** The partitioned table a partition belongs to (its top), or null for a table that is not a partition. */
    private static StreamId partitionRoot(Connection c, int relid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, r.relname FROM pg_class r "
                + "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = pg_partition_root(?::oid) "
                + "AND r.oid <> ?::oid")) {
            ps.setLong(1, relid & 0xffffffffL);
            ps.setLong(2, relid & 0xffffffffL);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? StreamId.of(rs.getString(1), rs.getString(2)) : null;
            }
        }
    }

    private Connection lookup() throws SQLException {
        return driver.connections().open();
    }

    private void truncate(ByteBuffer msg) {
        int n = msg.getInt();
        msg.get();
        for (int i = 0; i < n; i++) {
            Relation r = relations.get(msg.getInt());
            if (r != null && r.stream() != null) {
                LOG.warn("stream {}: TRUNCATE is not replicated; run a full refresh (clear state) of this stream",
                        r.id());
            }
        }
    }

    private static String string(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // find the terminating NUL
        }
        return new String(b.array(), b.arrayOffset() + start, b.position() - start - 1, StandardCharsets.UTF_8);
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
            if (lookup != null) {
                lookup.close();
            }
        } catch (SQLException e) {
            LOG.debug("closing connections: {}", e.getMessage());
        }
        replication = null;
        replicationConnection = null;
        lookup = null;
    }
}
