package io.tributary.driver.mysql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.MySqlGtid;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.XAPrepareEventData;
import io.tributary.core.CdcChange;
import io.tributary.core.ChangePoller;
import io.tributary.core.ChangeSink;
import io.tributary.core.ChangeStreamLoop;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.RetriableException;
import io.tributary.types.StreamId;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binlog CDC (sequential mode) with zendesk's binlog client: table-map caching, write/update/delete rows mapped by
 * column position onto the discovered schema (described again after a DDL statement or when a table map shows a
 * different column count), transaction boundaries from BEGIN/GTID and XID events. Position: a {@link MySqlPosition}
 * (the reader's server ID and a typed binlog {@link Position} compared by file number, never by string), which the
 * engine saves as {@code {"server_id": N, "state": {"position": {"name": "binlog.000003", "pos": 1234}}}} (OLake's
 * shape) after the writers committed. The run's bound and checkpoints are the engine's
 * ({@link io.tributary.core.ChangeStreamLoop}): a bounded run stops at the end position taken at its start, or after
 * {@code initial_wait_time} seconds without events (one second once changes flowed). Transaction, savepoint and XA
 * tracking is {@link MySqlTransactions}'; watermarks are {@link MySqlWatermarks}'.
 *
 * <p>XA transactions: the binlog holds a prepared XA transaction's rows at its XA PREPARE, and its XA COMMIT or
 * XA ROLLBACK (possibly much later, from another session) in a group of its own. Its changes are held in memory from
 * the prepare and emitted at the commit (dropped at the rollback); while any is prepared, checkpoints stay at the
 * start of the first one's group, so a restart reads it again (and the transactions after it: replayed changes are
 * upserts of the same rows). A one-phase XA COMMIT is an ordinary transaction on MariaDB; MySQL logs its XA START and
 * XA END around the rows and ends the group with an XA_PREPARE event flagged one-phase, where the changes are emitted.
 *
 * <p>Watermarks ({@link #watermark}) are the binlog end read with {@code SHOW MASTER STATUS}, handed over once the
 * stream has read up to them outside a transaction, and awaited until the changes before them are visible
 * ({@link MySqlWatermarks} says how and why).
 */
final class MySqlCdc implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlCdc.class);

    /** A binlog position. */
    record Position(String name, long pos) implements Comparable<Position> {
        long fileNumber() {
            int dot = name.lastIndexOf('.');
            return dot < 0 ? 0 : Long.parseLong(name.substring(dot + 1));
        }

        @Override
        public int compareTo(Position o) {
            int c = Long.compare(fileNumber(), o.fileNumber());
            return c != 0 ? c : Long.compare(pos, o.pos);
        }

        ObjectNode toJson(long serverId) {
            ObjectNode n = Json.object();
            n.put("server_id", serverId);
            ObjectNode p = n.putObject("state").putObject("position");
            p.put("name", name);
            p.put("pos", pos);
            return n;
        }

        static Position fromJson(JsonNode n) {
            JsonNode p = n.path("state").path("position");
            if (!p.has("name")) {
                throw new ConfigException("state: the global binlog position is malformed: " + n);
            }
            return new Position(p.get("name").asText(), p.get("pos").asLong());
        }
    }

    private final MySqlDriver driver;
    private final MySqlConfig config;
    private final BinlogRowMapper rows;
    private BinaryLogClient client;
    private final MySqlWatermarks watermarks;
    private long serverId;

    MySqlCdc(MySqlDriver driver, MySqlConfig config, List<ConfiguredStream> list) {
        this.driver = driver;
        this.config = config;
        this.watermarks = new MySqlWatermarks(driver, config);
        this.rows = new BinlogRowMapper(driver, list);
    }

    static void checkSetup(Connection c, MySqlConfig config) throws SQLException {
        Map<String, String> vars = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SHOW VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image')")) {
            while (rs.next()) {
                vars.put(rs.getString(1).toLowerCase(), rs.getString(2).toUpperCase());
            }
        }
        if (!"ON".equals(vars.get("log_bin"))) {
            throw new ConfigException("CDC needs the binary log: start the server with log_bin (log-bin=mysql-bin)");
        }
        if (!"ROW".equals(vars.get("binlog_format"))) {
            throw new ConfigException("CDC needs binlog_format=ROW but the server has " + vars.get("binlog_format")
                    + ": run SET GLOBAL binlog_format = 'ROW'; and set it in the server config");
        }
        if (!"FULL".equals(vars.get("binlog_row_image"))) {
            throw new ConfigException("CDC needs binlog_row_image=FULL but the server has "
                    + vars.get("binlog_row_image") + ": run SET GLOBAL binlog_row_image = 'FULL';");
        }
        masterStatus(c, config);
    }

    static Position masterStatus(Connection c, MySqlConfig config) throws SQLException {
        return binlogEnd(c, config, "SHOW MASTER STATUS");
    }

    /** The binlog end; MySQL 8.4 removed {@code SHOW MASTER STATUS} (a syntax error there) for its new name. */
    private static Position binlogEnd(Connection c, MySqlConfig config, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new ConfigException(sql + " returned nothing: user '" + config.username()
                        + "' needs REPLICATION CLIENT (MariaDB: BINLOG MONITOR) and the binlog must be on");
            }
            return new Position(rs.getString(1), rs.getLong(2));
        } catch (SQLException e) {
            if (e.getErrorCode() == 1064 && sql.equals("SHOW MASTER STATUS")) {
                return binlogEnd(c, config, "SHOW BINARY LOG STATUS"); // MySQL 8.2+; 8.4 has only this one
            }
            if (e.getErrorCode() == 1227) {
                throw new ConfigException("user '" + config.username() + "' may not read the binlog position: run "
                        + "GRANT REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO '" + config.username() + "';", e);
            }
            throw e;
        }
    }

    /** The binlog's current end and the server ID this reader will use (configured, or random). */
    MySqlPosition startPosition() {
        try (Connection c = driver.open()) {
            Position p = masterStatus(c, config);
            long id = config.updateMethod().map(MySqlConfig.UpdateMethod::serverId).filter(v -> v != null)
                    .orElse(ThreadLocalRandom.current().nextLong(1_000, Integer.MAX_VALUE));
            LOG.info("binlog CDC starts at {}:{} as server_id {}", p.name(), p.pos(), id);
            return new MySqlPosition(id, p);
        } catch (SQLException e) {
            throw driver.translate(e, "reading the binlog position");
        }
    }

    /**
     * Registers a watermark at the current end of the binlog and returns once the stream handed it over and every
     * change the stream delivered before it is visible to new read views ({@link MySqlWatermarks#watermark}).
     */
    void watermark(String text) {
        watermarks.watermark(text);
    }

    /** The stream delivered changes of the transaction ending at {@code end}, which has no MySQL GTID. */
    void changesDeliveredUpTo(Position end) {
        watermarks.changesDeliveredUpTo(end, null);
    }

    /** The stream delivered changes of the transaction ending at {@code end} with GTID {@code gtid} (or null). */
    void changesDeliveredUpTo(Position end, MySqlGtid gtid) {
        watermarks.changesDeliveredUpTo(end, gtid);
    }

    /**
     * An XA statement as the binlog shows it ({@code XA START X'31',X'',1}, {@code XA COMMIT 'a' ONE PHASE}, ...):
     * its verb and its xid normalised to {@code gtrid-hex,bqual-hex,formatID}, so every spelling of one xid matches.
     */
    record Xa(String verb, String xid) {
        /** The xid of an XA PREPARE event: {@code data} holds gtrid then bqual. */
        static String xid(byte[] data, int gtridLength, int bqualLength, int formatId) {
            java.util.HexFormat hex = java.util.HexFormat.of();
            return hex.formatHex(data, 0, gtridLength) + "," + hex.formatHex(data, gtridLength,
                    gtridLength + bqualLength) + "," + formatId;
        }

        /** {@code sql} (an XA statement) parsed ({@link MySqlTransactions#parseXa}). */
        static Xa parse(String sql) {
            return MySqlTransactions.parseXa(sql);
        }
    }

    /** Streams from {@code from} (the saved position) into {@code fn}, up to the engine's bound. */
    void stream(MySqlPosition from, ChangeSink<MySqlPosition> fn) {
        serverId = from.serverId();
        Position start = from.binlog();
        Position end;
        try (Connection c = driver.open()) {
            end = masterStatus(c, config);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
                boolean found = false;
                while (rs.next()) {
                    found |= rs.getString(1).equals(start.name());
                }
                if (!found) {
                    throw new NonRetriableException("the saved binlog file " + start.name() + " was purged from the "
                            + "server; clear the state of the CDC streams to backfill them again");
                }
            }
        } catch (SQLException e) {
            throw driver.translate(e, "reading the binlog position");
        }
        BlockingQueue<Event> queue = new LinkedBlockingQueue<>(10_000);
        AtomicReference<Exception> failure = new AtomicReference<>();
        client = new BinaryLogClient(config.host(), config.port(), config.username(), config.password().reveal());
        client.setServerId(serverId);
        client.setBinlogFilename(start.name());
        client.setBinlogPosition(start.pos());
        client.setKeepAlive(false);
        client.setEventDeserializer(BinlogRows.eventDeserializer());
        client.registerEventListener(e -> {
            try {
                queue.put(e); // bounded: a slow writer holds the binlog reader back
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
        client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
            @Override
            public void onCommunicationFailure(BinaryLogClient c, Exception ex) {
                failure.set(ex);
            }

            @Override
            public void onEventDeserializationFailure(BinaryLogClient c, Exception ex) {
                failure.set(ex);
            }
        });
        watermarks.streaming(queue);
        try {
            client.connect(10_000);
            Poller poller = new Poller(queue, failure, start, end);
            ChangeStreamLoop.run("binlog stream", poller, fn,
                    Duration.ofSeconds(config.updateMethod().get().initialWaitTime()));
            LOG.info("binlog stream read {} changes, now at {}:{}", poller.total, poller.current.name(),
                    poller.current.pos());
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            throw new RetriableException("cannot read the binlog from " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        } finally {
            watermarks.streaming(null);
            close();
        }
    }

    /**
     * One run of the binlog stream: each poll takes one event from the client's queue and decodes it; transactions,
     * savepoints and XA transactions are {@link MySqlTransactions}' to track. The position is the end of the last
     * event group read, held back before a prepared XA transaction.
     */
    private final class Poller implements ChangePoller<MySqlPosition> {
        private final BlockingQueue<Event> queue;
        private final AtomicReference<Exception> failure;
        private final Position end;
        private final MySqlTransactions tx;
        private final Map<Long, StreamId> tables = new HashMap<>();
        private String file;
        private Position current;
        /** The GTID of the event group being read (MySQL with GTIDs). */
        private MySqlGtid gtid;
        private long total;
        private long delivered;

        Poller(BlockingQueue<Event> queue, AtomicReference<Exception> failure, Position start, Position end) {
            this.queue = queue;
            this.failure = failure;
            this.end = end;
            this.current = start;
            this.file = start.name();
            this.tx = new MySqlTransactions(start);
        }

        @Override
        public int poll(ChangeSink<MySqlPosition> fn, Duration max) throws InterruptedException {
            if (failure.get() != null) {
                throw new RetriableException("binlog stream failed: " + failure.get().getMessage(), failure.get());
            }
            Event e = queue.poll(max.toNanos(), TimeUnit.NANOSECONDS);
            if (e == null || e == MySqlWatermarks.WAKE_UP) {
                if (!tx.inTransaction()) {
                    watermarks.deliverUpTo(current, fn);
                }
                return NOTHING;
            }
            if (!tx.inTransaction()) {
                watermarks.deliverUpTo(current, fn); // a mark due here goes before the next transaction, not after it
            }
            int read = 0;
            EventType type = e.getHeader().getEventType();
            long next = e.getHeader() instanceof EventHeaderV4 h ? h.getNextPosition() : 0;
            switch (type) {
                case ROTATE -> {
                    RotateEventData r = e.getData();
                    file = r.getBinlogFilename();
                    if (!tx.inTransaction()) {
                        current = new Position(file, r.getBinlogPosition());
                    }
                    return 0;
                }
                case TABLE_MAP -> {
                    TableMapEventData t = e.getData();
                    tables.put(t.getTableId(), StreamId.of(t.getDatabase(), t.getTable()));
                }
                case MARIADB_GTID, GTID -> {
                    gtid = type == EventType.GTID && e.getData() instanceof GtidEventData m ? m.getMySqlGtid() : null;
                    tx.gtid(current, stamp(e), e.getData() instanceof MariadbGtidEventData g ? g.getFlags() : 0);
                }
                case XA_PREPARE -> {
                    XAPrepareEventData x = e.getData() instanceof XAPrepareEventData d ? d : null;
                    String xid = x != null && x.getData() != null
                            ? Xa.xid(x.getData(), x.getGtridLength(), x.getBqualLength(), x.getFormatID()) : null;
                    read += commitHeld(fn, tx.xaPrepare(xid, x != null && x.isOnePhase()), stamp(e));
                }
                case QUERY -> {
                    QueryEventData q = e.getData();
                    Instant at = stamp(e);
                    MySqlTransactions.Outcome o = tx.query(q.getSql(), current, at);
                    if (o.ddl()) {
                        rows.schemaChanged(q.getDatabase());
                    }
                    read += commitHeld(fn, o.committed(), at);
                }
                case WRITE_ROWS, EXT_WRITE_ROWS -> {
                    WriteRowsEventData w = e.getData();
                    for (Serializable[] row : w.getRows()) {
                        total += rows.emit(fn, tables.get(w.getTableId()), OpType.CREATE, row, tx.time(), tx.held());
                    }
                    read += w.getRows().size();
                }
                case UPDATE_ROWS, EXT_UPDATE_ROWS -> {
                    UpdateRowsEventData u = e.getData();
                    for (Map.Entry<Serializable[], Serializable[]> row : u.getRows()) {
                        total += rows.emit(fn, tables.get(u.getTableId()), OpType.UPDATE, row.getValue(), tx.time(),
                                tx.held());
                    }
                    read += u.getRows().size();
                }
                case DELETE_ROWS, EXT_DELETE_ROWS -> {
                    DeleteRowsEventData d = e.getData();
                    for (Serializable[] row : d.getRows()) {
                        total += rows.emit(fn, tables.get(d.getTableId()), OpType.DELETE, row, tx.time(), tx.held());
                    }
                    read += d.getRows().size();
                }
                case XID -> tx.xid();
                default -> {
                    // format description, heartbeats, previous-GTID lists: nothing to replicate
                }
            }
            if (!tx.inTransaction() && next > 0) {
                current = new Position(file, next);
                if (total != delivered) {
                    watermarks.changesDeliveredUpTo(current, gtid); // before a watermark after it is handed over
                    delivered = total;
                }
                gtid = null; // the next group has a GTID event of its own, if any
                watermarks.deliverUpTo(current, fn);
            }
            // rows of tables not synced count too, so that the position advances on a server busy with other tables
            return read;
        }

        private static Instant stamp(Event e) {
            return Instant.ofEpochMilli(e.getHeader().getTimestamp());
        }

        /** Emits the held changes of an XA transaction committed at {@code at}; returns how many. */
        private int commitHeld(ChangeSink<?> fn, List<CdcChange> changes, Instant at) {
            for (CdcChange c : changes) {
                fn.accept(new CdcChange(c.stream(), c.kind(), at, c.schema(), c.values()));
            }
            total += changes.size();
            return changes.size();
        }

        @Override
        public boolean atBoundary() {
            return !tx.inTransaction();
        }

        @Override
        public MySqlPosition position() {
            return new MySqlPosition(serverId, tx.checkpointAt(current));
        }

        @Override
        public boolean reachedEnd() {
            return current.compareTo(end) >= 0;
        }
    }

    @Override
    public void close() {
        BinaryLogClient c = client;
        client = null;
        if (c != null) {
            try {
                c.disconnect();
            } catch (IOException e) {
                LOG.debug("closing the binlog client: {}", e.getMessage());
            }
        }
    }
}
