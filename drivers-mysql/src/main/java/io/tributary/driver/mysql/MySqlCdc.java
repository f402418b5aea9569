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
import io.tributary.core.ChangeSink;
import io.tributary.core.WatermarkQueue;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.types.ValueException;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 * shape) after the writers committed. A bounded run stops at the end position taken at its start, or after
 * {@code initial_wait_time} seconds without events.
 *
 * <p>XA transactions: the binlog holds a prepared XA transaction's rows at its XA PREPARE, and its XA COMMIT or
 * XA ROLLBACK (possibly much later, from another session) in a group of its own. Its changes are held in memory from
 * the prepare and emitted at the commit (dropped at the rollback); while any is prepared, checkpoints stay at the
 * start of the first one's group, so a restart reads it again (and the transactions after it: replayed changes are
 * upserts of the same rows). A one-phase XA COMMIT is an ordinary transaction on MariaDB; MySQL logs its XA START and
 * XA END around the rows and ends the group with an XA_PREPARE event flagged one-phase, where the changes are emitted.
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

    /**
     * The schema position of each binlog column ({@code -1}: not in the schema), for {@code columns} and
     * {@code schema} (compared by identity: both are replaced, never changed, when the table changes).
     */
    private record ColumnPositions(List<MySqlTypes.Column> columns, Schema schema, int[] at) {
        static ColumnPositions of(List<MySqlTypes.Column> columns, Schema schema) {
            int[] at = new int[columns.size()];
            for (int i = 0; i < at.length; i++) {
                at[i] = schema.indexOf(columns.get(i).field().name());
            }
            return new ColumnPositions(columns, schema, at);
        }
    }

    private final MySqlDriver driver;
    private final MySqlConfig config;
    private final Map<StreamId, ConfiguredStream> streams = new HashMap<>();
    private final Map<StreamId, Schema> schemas = new HashMap<>();
    private final Map<StreamId, List<MySqlTypes.Column>> columns = new HashMap<>();
    /** Per table: where each binlog column goes in the schema, for the columns and schema it was computed from. */
    private final Map<StreamId, ColumnPositions> positions = new HashMap<>();
    private BinaryLogClient client;
    /** Put into the stream's event queue by {@link #watermark} so that an idle stream hands the mark over at once. */
    private static final Event WAKE_UP = new Event(null, null);
    private volatile BlockingQueue<Event> events;
    /** Watermarks waiting for the stream to reach their binlog position. */
    private final WatermarkQueue<Position> marks = new WatermarkQueue<>();
    /** MariaDB's GTID event flag of an XA transaction's prepare group (its FL_PREPARED_XA). */
    private static final int MARIADB_PREPARED_XA = 64;
    /**
     * By normalised xid: the XA transactions the stream read up to their XA PREPARE and not yet their XA COMMIT or
     * XA ROLLBACK, with the position their event group starts at. Their changes are held back until the commit, and
     * no checkpoint goes past the first one's start, so a restart reads them again.
     */
    private final Map<String, Prepared> prepared = new LinkedHashMap<>();

    /** A prepared XA transaction: where its group starts, its held changes, and when the stream read its prepare. */
    private record Prepared(Position start, List<CdcChange> changes, long readAtNanos) {
    }

    /** How long a prepared XA transaction may pin the checkpoint before checkpoints warn about it (once a minute). */
    private static final long HELD_WARN_NANOS = TimeUnit.MINUTES.toNanos(10);
    private long lastHeldWarning = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
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
    private long serverId;

    MySqlCdc(MySqlDriver driver, MySqlConfig config, List<ConfiguredStream> list) {
        this.driver = driver;
        this.config = config;
        list.forEach(s -> {
            streams.put(s.id(), s);
            schemas.put(s.id(), s.schema());
        });
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
     * change the stream delivered before it is visible to new read views.
     */
    void watermark(String text) {
        try (Connection c = driver.open()) {
            CompletableFuture<Void> delivered = marks.addAwaited(masterStatus(c, config), text);
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

    /** The stream delivered changes of the transaction ending at {@code end}, which has no MySQL GTID. */
    void changesDeliveredUpTo(Position end) {
        changesDeliveredUpTo(end, null);
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

    /**
     * A checkpoint at {@code current}, or at the start of the first XA transaction still prepared (its changes are
     * held in memory only: a restart must read it again).
     */
    private void checkpoint(ChangeSink<MySqlPosition> fn, Position current) {
        Position at = current;
        for (Map.Entry<String, Prepared> e : prepared.entrySet()) {
            Prepared p = e.getValue();
            if (p.start().compareTo(at) < 0) {
                at = p.start();
            }
            long now = System.nanoTime();
            long held = now - p.readAtNanos();
            if (held > HELD_WARN_NANOS && now - lastHeldWarning >= TimeUnit.MINUTES.toNanos(1)) {
                lastHeldWarning = now;
                LOG.warn("XA transaction {} has been held as prepared for {} min (since this stream read its XA "
                        + "PREPARE): the saved binlog position stays at {}:{} before it (a restart reads the binlog "
                        + "again from there, and fails if that file is purged); run XA RECOVER on the server and "
                        + "resolve it", e.getKey(),
                        TimeUnit.NANOSECONDS.toMinutes(held), p.start().name(), p.start().pos());
            }
        }
        fn.checkpoint(new MySqlPosition(serverId, at));
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

        static Xa parse(String sql) {
            String rest = sql.trim().substring(2).trim();
            int sp = rest.indexOf(' ');
            String verb = (sp < 0 ? rest : rest.substring(0, sp)).toUpperCase(Locale.ROOT);
            String spec = sp < 0 ? "" : rest.substring(sp + 1).trim();
            String upper = spec.toUpperCase(Locale.ROOT);
            for (String suffix : new String[] {"ONE PHASE", "SUSPEND FOR MIGRATE", "SUSPEND", "JOIN", "RESUME"}) {
                if (upper.endsWith(" " + suffix) || upper.equals(suffix)) {
                    spec = spec.substring(0, spec.length() - suffix.length()).trim();
                    break;
                }
            }
            List<String> parts = new ArrayList<>();
            int i = 0;
            while (i < spec.length() && parts.size() < 3) {
                char c = spec.charAt(i);
                if (c == ',' || Character.isWhitespace(c)) {
                    i++;
                } else if (c == '\'' || c == '"') {
                    StringBuilder b = new StringBuilder();
                    int j = i + 1;
                    while (j < spec.length()) {
                        char d = spec.charAt(j);
                        if (d == c && j + 1 < spec.length() && spec.charAt(j + 1) == c) {
                            b.append(c);
                            j += 2;
                        } else if (d == c) {
                            break;
                        } else {
                            b.append(d);
                            j++;
                        }
                    }
                    parts.add(java.util.HexFormat.of().formatHex(b.toString().getBytes(
                            java.nio.charset.StandardCharsets.UTF_8)));
                    i = j + 1;
                } else if ((c == 'X' || c == 'x') && i + 1 < spec.length() && spec.charAt(i + 1) == '\'') {
                    int j = spec.indexOf('\'', i + 2);
                    parts.add(spec.substring(i + 2, j < 0 ? spec.length() : j).toLowerCase(Locale.ROOT));
                    i = j < 0 ? spec.length() : j + 1;
                } else {
                    int j = i;
                    while (j < spec.length() && spec.charAt(j) != ',' && !Character.isWhitespace(spec.charAt(j))) {
                        j++;
                    }
                    String token = spec.substring(i, j);
                    if (parts.size() < 2 && token.toLowerCase(Locale.ROOT).startsWith("0x")) {
                        parts.add(token.substring(2).toLowerCase(Locale.ROOT));
                    } else {
                        parts.add(token);
                    }
                    i = j;
                }
            }
            String gtrid = parts.size() > 0 ? parts.get(0) : "";
            String bqual = parts.size() > 1 ? parts.get(1) : "";
            String format = parts.size() > 2 ? parts.get(2) : "1";
            return new Xa(verb, gtrid + "," + bqual + "," + format);
        }
    }

    /** Hands over every watermark at or before {@code current}; true when one was delivered. */
    private boolean deliverMarks(ChangeSink<MySqlPosition> fn, Position current) {
        return marks.deliverUpTo(current, fn::watermark);
    }

    /** Streams from {@code from} (the saved position) into {@code fn}. */
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
        events = queue;
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
        Position current = start;
        long total = 0;
        long since = 0;
        long delivered = 0;
        MySqlGtid gtid = null; // of the event group being read (MySQL with GTIDs)
        try {
            client.connect(10_000);
            Map<Long, StreamId> tables = new HashMap<>();
            String file = start.name();
            boolean inTransaction = false;
            Position groupStart = start;
            String xaOpen = null; // the XA transaction whose events are being read, up to its XA PREPARE
            List<CdcChange> xaChanges = new ArrayList<>();
            prepared.clear(); // a restart reads them again from the held-back position
            long last = System.nanoTime();
            boolean any = false;
            Instant txTime = Instant.now();
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancelledException("binlog stream was cancelled");
                }
                if (failure.get() != null) {
                    throw new RetriableException("binlog stream failed: " + failure.get().getMessage(), failure.get());
                }
                Event e = queue.poll(100, TimeUnit.MILLISECONDS);
                if (e == WAKE_UP) {
                    if (!inTransaction) {
                        deliverMarks(fn, current);
                    }
                    continue;
                }
                if (e == null) {
                    if (!inTransaction) {
                        deliverMarks(fn, current);
                        if (fn.checkpointWanted()) {
                            checkpoint(fn, current);
                            since = 0;
                        }
                        if (fn.keepStreaming()) {
                            continue;
                        }
                    }
                    long idle = (System.nanoTime() - last) / 1_000_000;
                    if (!inTransaction && (current.compareTo(end) >= 0 || idle >= (any
                            ? Math.min(1_000, config.updateMethod().get().initialWaitTime() * 1_000L)
                            : config.updateMethod().get().initialWaitTime() * 1_000L))) {
                        break;
                    }
                    continue;
                }
                last = System.nanoTime();
                any = true;
                if (!inTransaction) {
                    deliverMarks(fn, current); // a mark due here goes before the next transaction, not after it
                }
                EventType type = e.getHeader().getEventType();
                long next = e.getHeader() instanceof EventHeaderV4 h ? h.getNextPosition() : 0;
                switch (type) {
                    case ROTATE -> {
                        RotateEventData r = e.getData();
                        file = r.getBinlogFilename();
                        if (!inTransaction) {
                            current = new Position(file, r.getBinlogPosition());
                        }
                        continue;
                    }
                    case TABLE_MAP -> {
                        TableMapEventData t = e.getData();
                        tables.put(t.getTableId(), StreamId.of(t.getDatabase(), t.getTable()));
                    }
                    case MARIADB_GTID, GTID -> {
                        groupStart = current;
                        inTransaction = true;
                        gtid = type == EventType.GTID && e.getData() instanceof GtidEventData m ? m.getMySqlGtid()
                                : null;
                        txTime = Instant.ofEpochMilli(e.getHeader().getTimestamp());
                        if (e.getData() instanceof MariadbGtidEventData g
                                && (g.getFlags() & MARIADB_PREPARED_XA) != 0) {
                            xaOpen = ""; // MariaDB logs no XA START: the group's XA PREPARE event names it
                            xaChanges = new ArrayList<>();
                        }
                    }
                    case XA_PREPARE -> {
                        if (xaOpen != null) {
                            XAPrepareEventData x = e.getData() instanceof XAPrepareEventData d ? d : null;
                            if (x != null && x.isOnePhase()) { // MySQL's XA COMMIT ... ONE PHASE ends here
                                int n = commitHeld(fn, xaChanges, Instant.ofEpochMilli(e.getHeader().getTimestamp()));
                                total += n;
                                since += n;
                            } else {
                                String xid = x != null && x.getData() != null
                                        ? Xa.xid(x.getData(), x.getGtridLength(), x.getBqualLength(), x.getFormatID())
                                        : xaOpen;
                                prepared.put(xid, new Prepared(groupStart, xaChanges, System.nanoTime()));
                                LOG.info("XA transaction {} prepared with {} changes: held until its XA COMMIT", xid,
                                        xaChanges.size());
                            }
                            xaOpen = null;
                            xaChanges = new ArrayList<>();
                        }
                        inTransaction = false;
                    }
                    case QUERY -> {
                        QueryEventData q = e.getData();
                        String raw = q.getSql().trim();
                        String sql = raw.toUpperCase(Locale.ROOT);
                        if (sql.equals("BEGIN")) {
                            groupStart = inTransaction ? groupStart : current;
                            inTransaction = true;
                            txTime = Instant.ofEpochMilli(e.getHeader().getTimestamp());
                        } else if (sql.equals("COMMIT")) {
                            inTransaction = false;
                        } else if (inTransaction && (sql.startsWith("SAVEPOINT") || sql.startsWith("ROLLBACK TO")
                                || sql.startsWith("RELEASE SAVEPOINT"))) {
                            // inside the transaction (an XA one too): no boundary, no checkpoint or mark here
                        } else if (sql.startsWith("XA ")) {
                            Xa xa = Xa.parse(raw);
                            switch (xa.verb()) {
                                case "START", "BEGIN" -> {
                                    groupStart = inTransaction ? groupStart : current;
                                    xaOpen = xa.xid();
                                    xaChanges = new ArrayList<>();
                                    inTransaction = true;
                                    txTime = Instant.ofEpochMilli(e.getHeader().getTimestamp());
                                }
                                case "COMMIT" -> {
                                    Instant at = Instant.ofEpochMilli(e.getHeader().getTimestamp());
                                    List<CdcChange> changes;
                                    if (xa.xid().equals(xaOpen)) { // XA COMMIT ... ONE PHASE
                                        changes = xaChanges;
                                        xaOpen = null;
                                        xaChanges = new ArrayList<>();
                                    } else {
                                        Prepared p = prepared.remove(xa.xid());
                                        if (p == null) {
                                            LOG.warn("XA transaction {} committed, but its XA PREPARE lies before "
                                                    + "this stream's start position: its changes cannot be read",
                                                    xa.xid());
                                        }
                                        changes = p == null ? List.of() : p.changes();
                                    }
                                    int n = commitHeld(fn, changes, at);
                                    total += n;
                                    since += n;
                                    inTransaction = false;
                                }
                                case "ROLLBACK" -> {
                                    if (xa.xid().equals(xaOpen)) {
                                        xaOpen = null;
                                        xaChanges = new ArrayList<>();
                                    }
                                    Prepared p = prepared.remove(xa.xid());
                                    if (p != null) {
                                        LOG.info("XA transaction {} rolled back: its {} changes are dropped",
                                                xa.xid(), p.changes().size());
                                    }
                                    inTransaction = false;
                                }
                                default -> {
                                    // XA END: the XA PREPARE (or the one-phase commit) follows
                                }
                            }
                        } else {
                            inTransaction = false; // DDL commits implicitly
                            schemaChanged(q.getDatabase());
                        }
                    }
                    case WRITE_ROWS, EXT_WRITE_ROWS -> {
                        WriteRowsEventData w = e.getData();
                        for (Serializable[] row : w.getRows()) {
                            total += emit(fn, tables.get(w.getTableId()), OpType.CREATE, row, txTime,
                                    xaOpen == null ? null : xaChanges);
                        }
                        since += w.getRows().size();
                    }
                    case UPDATE_ROWS, EXT_UPDATE_ROWS -> {
                        UpdateRowsEventData u = e.getData();
                        for (Map.Entry<Serializable[], Serializable[]> row : u.getRows()) {
                            total += emit(fn, tables.get(u.getTableId()), OpType.UPDATE, row.getValue(), txTime,
                                    xaOpen == null ? null : xaChanges);
                        }
                        since += u.getRows().size();
                    }
                    case DELETE_ROWS, EXT_DELETE_ROWS -> {
                        DeleteRowsEventData d = e.getData();
                        for (Serializable[] row : d.getRows()) {
                            total += emit(fn, tables.get(d.getTableId()), OpType.DELETE, row, txTime,
                                    xaOpen == null ? null : xaChanges);
                        }
                        since += d.getRows().size();
                    }
                    case XID -> inTransaction = false;
                    default -> {
                        // format description, heartbeats, previous-GTID lists: nothing to replicate
                    }
                }
                if (!inTransaction && next > 0) {
                    current = new Position(file, next);
                    if (total != delivered) {
                        changesDeliveredUpTo(current, gtid); // before a watermark after it is handed over
                        delivered = total;
                    }
                    gtid = null; // the next group has a GTID event of its own, if any
                    deliverMarks(fn, current);
                    // the engine counts the changes it receives; rows of tables not synced count here too, so that
                    // the position advances on a server busy with other tables
                    if (since >= ChangeSink.CHECKPOINT_EVERY || fn.checkpointWanted()) {
                        checkpoint(fn, current);
                        since = 0;
                    }
                    if (current.compareTo(end) >= 0 && !fn.keepStreaming()) {
                        break; // a bounded run under a steady load: events never pause long enough to go idle
                    }
                }
            }
            checkpoint(fn, current);
            LOG.info("binlog stream read {} changes, now at {}:{}", total, current.name(), current.pos());
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            throw new RetriableException("cannot read the binlog from " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            throw CancelledException.interrupted("binlog stream", e);
        } finally {
            events = null;
            close();
        }
    }

    /** Emits the held changes of an XA transaction committed at {@code at}; returns how many. */
    private static int commitHeld(ChangeSink<?> fn, List<CdcChange> changes, Instant at) {
        for (CdcChange c : changes) {
            fn.accept(new CdcChange(c.stream(), c.kind(), at, c.schema(), c.values()));
        }
        return changes.size();
    }

    /** Emits one row change, or adds it to {@code held} (an XA transaction's changes); 1 when emitted. */
    private int emit(ChangeSink<?> fn, StreamId id, OpType op, Serializable[] row, Instant at, List<CdcChange> held) {
        if (id == null || !streams.containsKey(id)) {
            return 0;
        }
        List<MySqlTypes.Column> cols = columns.computeIfAbsent(id, driver::describe);
        if (cols.size() != row.length) {
            cols = driver.describe(id);
            columns.put(id, cols);
        }
        Schema schema = schemas.get(id);
        if (schema.size() != cols.size()) {
            schema = schema.merge(new Schema(cols.stream().map(MySqlTypes.Column::field).toList()));
            schemas.put(id, schema);
        }
        ColumnPositions cp = positions.get(id);
        if (cp == null || cp.columns() != cols || cp.schema() != schema) {
            cp = ColumnPositions.of(cols, schema);
            positions.put(id, cp);
        }
        int[] pos = cp.at();
        Object[] values = new Object[schema.size()];
        for (int i = 0; i < pos.length && i < row.length; i++) {
            if (pos[i] >= 0) {
                try {
                    values[pos[i]] = MySqlTypes.fromBinlog(row[i], cols.get(i));
                } catch (ValueException e) {
                    throw e.in(id.toString(), key(streams.get(id), cols, row));
                }
            }
        }
        CdcChange change = new CdcChange(id, op, at, schema, values);
        if (held != null) {
            held.add(change);
            return 0;
        }
        fn.accept(change);
        return 1;
    }

    /** The row's key as {@code _olake_id} shows a one-column key ({@code a|b} for a composite one), for messages. */
    private static String key(ConfiguredStream stream, List<MySqlTypes.Column> cols, Serializable[] row) {
        List<String> parts = new ArrayList<>();
        for (String k : stream.primaryKey()) {
            for (int i = 0; i < cols.size() && i < row.length; i++) {
                if (cols.get(i).field().name().equals(k)) {
                    Object v;
                    try {
                        v = MySqlTypes.fromBinlog(row[i], cols.get(i));
                    } catch (RuntimeException e) {
                        v = row[i];
                    }
                    parts.add(v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(v));
                }
            }
        }
        return parts.isEmpty() ? null : String.join("|", parts);
    }

    private void schemaChanged(String database) {
        for (StreamId id : streams.keySet()) {
            if (id.namespace().equals(database)) {
                columns.remove(id); // described again at the next row event
            }
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
