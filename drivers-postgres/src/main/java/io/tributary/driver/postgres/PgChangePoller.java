package io.tributary.driver.postgres;

import io.tributary.core.CdcChange;
import io.tributary.core.ChangePoller;
import io.tributary.core.ChangeSink;
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
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a replication stream under the engine's {@link io.tributary.core.ChangeStreamLoop}: reads the messages
 * pgjdbc hands over, decodes them ({@link PgOutputDecoder}), and keeps the position: the end of the last transaction
 * (or watermark message) delivered. Resolves relations (a partition to its partitioned table's stream, types by oid)
 * and fills in unchanged TOAST values from the table, by key, on a connection of its own.
 */
final class PgChangePoller implements ChangePoller<PostgresPosition>, PgOutputDecoder.Handler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCdc.class);

    private final PostgresDriver driver;
    private final String slot;
    private final Map<StreamId, ConfiguredStream> streams;
    private final PGReplicationStream replication;
    private final PostgresCdc.DeliveredXids delivered;
    private final Map<String, CompletableFuture<Long>> awaitedMarks;
    private final LogSequenceNumber end;
    private final String endMarker;
    private final PgOutputDecoder decoder = new PgOutputDecoder();
    private Connection lookup;
    private ChangeSink<PostgresPosition> sink;
    private LogSequenceNumber lastCommit;
    private boolean endSeen;
    private boolean inTransaction;
    private int xid;
    private Instant commitTime = Instant.EPOCH;
    private int idle;
    private long total;

    /**
     * Reads {@code replication} from {@code start}; the run's end is {@code end}, or the decoding message
     * {@code endMarker} where the server writes one.
     */
    PgChangePoller(PostgresDriver driver, String slot, Map<StreamId, ConfiguredStream> streams,
            PGReplicationStream replication, PostgresCdc.DeliveredXids delivered,
            Map<String, CompletableFuture<Long>> awaitedMarks, LogSequenceNumber start, LogSequenceNumber end,
            String endMarker) {
        this.driver = driver;
        this.slot = slot;
        this.streams = streams;
        this.replication = replication;
        this.delivered = delivered;
        this.awaitedMarks = awaitedMarks;
        this.lastCommit = start;
        this.end = end;
        this.endMarker = endMarker;
    }

    @Override
    public int poll(ChangeSink<PostgresPosition> to, Duration max) throws InterruptedException {
        sink = to;
        try {
            ByteBuffer msg = replication.readPending();
            if (msg == null) {
                pause(++idle, max);
                return NOTHING;
            }
            idle = 0;
            return decoder.decode(msg, this);
        } catch (SQLException e) {
            throw new RetriableException("replication from slot " + slot + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean atBoundary() {
        return !inTransaction;
    }

    @Override
    public PostgresPosition position() {
        return new PostgresPosition(lastCommit);
    }

    @Override
    public boolean reachedEnd() {
        // only a decoded commit (or message) proves the log was read up to a point: a keepalive's WAL end can run
        // ahead of transactions still being decoded
        return endSeen || lastCommit.compareTo(end) >= 0;
    }

    /** The last position delivered and the changes handed over, for the run's log line. */
    LogSequenceNumber lastCommit() {
        return lastCommit;
    }

    long total() {
        return total;
    }

    @Override
    public void begin(int transaction, Instant at) {
        xid = transaction;
        commitTime = at;
        inTransaction = true;
    }

    @Override
    public void commit(long endLsn) {
        delivered.add(xid);
        lastCommit = LogSequenceNumber.valueOf(endLsn);
        inTransaction = false;
    }

    @Override
    public void change(PgOutputDecoder.Relation r, OpType op, Object[] values, boolean unchanged) {
        if (unchanged) {
            try {
                fillUnchangedToast(r, values);
            } catch (ValueException e) {
                throw PostgresTypes.located(e, r.id(), r.schema(), r.stream().primaryKey(), values);
            } catch (SQLException e) {
                throw new RetriableException("replication from slot " + slot + " failed: " + e.getMessage(), e);
            }
        }
        sink.accept(new CdcChange(r.id(), op, commitTime, r.schema(), values));
        total++;
    }

    @Override
    public void truncate(PgOutputDecoder.Relation r) {
        if (r.stream() != null) {
            LOG.warn("stream {}: TRUNCATE is not replicated; run a full refresh (clear state) of this stream", r.id());
        }
    }

    @Override
    public void message(boolean transactional, long lsn, String prefix, byte[] content) {
        if (transactional || !PostgresCdc.WATERMARK_PREFIX.equals(prefix)) {
            return;
        }
        // between transactions: everything committed before it was delivered, so its LSN is a position the slot may
        // be confirmed at
        LogSequenceNumber at = LogSequenceNumber.valueOf(lsn);
        if (at.compareTo(lastCommit) > 0) {
            lastCommit = at;
        }
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.equals(endMarker)) {
            endSeen = true;
        } else {
            sink.watermark(text);
            CompletableFuture<Long> waiting = awaitedMarks.remove(text);
            if (waiting != null) {
                waiting.complete(delivered.count());
            }
        }
    }

    @Override
    public PgOutputDecoder.Relation relation(PgOutputDecoder.RelationMessage m) {
        StreamId id = StreamId.of(m.namespace(), m.name());
        ConfiguredStream cs = streams.get(id);
        int n = m.columns().size();
        List<Field> fields = new ArrayList<>(n);
        PostgresTypes.PgType[] types = new PostgresTypes.PgType[n];
        PostgresTypes pgTypes;
        try (Connection c = driver.connections().open()) {
            pgTypes = driver.types(c);
            if (cs == null) {
                // a partition: published under its own name unless the publication has publish_via_partition_root
                StreamId root = partitionRoot(c, m.relid());
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
            PgOutputDecoder.Column col = m.columns().get(i);
            Field known = cs == null ? null : cs.schema().field(col.name()).orElse(null);
            fields.add(known != null ? known : pgTypes.field(col.name(), col.typeOid(), col.typmod(), true));
            types[i] = pgTypes.resolve(col.typeOid());
        }
        Schema schema = new Schema(fields);
        if (cs != null && schema.equals(cs.schema())) {
            schema = cs.schema();
        } else if (cs != null) {
            LOG.info("stream {}: relation now has columns {}", id, schema.names());
        }
        return new PgOutputDecoder.Relation(id, schema, types, cs);
    }

    /** Reads the columns pgoutput left out (unchanged TOAST) from the table, by primary key. */
    private void fillUnchangedToast(PgOutputDecoder.Relation r, Object[] values) throws SQLException {
        List<String> key = r.stream().primaryKey();
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == PgOutputDecoder.UNCHANGED) {
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

    /**
     * Waits for the server after {@code idle} empty reads in a row: 50 µs at first, doubling to 10 ms (at most
     * {@code max}). While a backlog drains, the walsender often has the next message ready microseconds later, and a
     * flat 10 ms nap per empty read capped the drain rate; an idle stream still settles at 100 naps a second.
     */
    private static void pause(int idle, Duration max) throws InterruptedException {
        long nanos = Math.min(Math.min(10_000_000L, max.toNanos()), 50_000L << Math.min(idle - 1, 10));
        LockSupport.parkNanos(nanos);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public void close() {
        try {
            if (lookup != null) {
                lookup.close();
            }
        } catch (SQLException e) {
            LOG.debug("closing the TOAST lookup connection: {}", e.getMessage());
        }
        lookup = null;
    }
}
