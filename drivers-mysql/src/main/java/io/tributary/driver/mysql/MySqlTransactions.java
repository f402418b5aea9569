package io.tributary.driver.mysql;

import io.tributary.core.CdcChange;
import io.tributary.driver.mysql.MySqlCdc.Position;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the binlog stream is with respect to transactions: inside an event group or between two (where a checkpoint,
 * a watermark or the end of a run may come), the group's start and commit time, savepoints (inside a transaction, no
 * boundary), DDL (an implicit commit), and XA transactions (see {@link MySqlCdc}): the changes of one are held from
 * its XA START (MariaDB: its prepare group's GTID event) up to its XA PREPARE, then until its XA COMMIT (emitted) or
 * XA ROLLBACK (dropped); while any is prepared, {@link #checkpointAt} stays at the start of the first one's group.
 * Used by the stream's thread only.
 */
final class MySqlTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(MySqlCdc.class);
    /** MariaDB's GTID event flag of an XA transaction's prepare group (its FL_PREPARED_XA). */
    static final int MARIADB_PREPARED_XA = 64;
    /** How long a prepared XA transaction may pin the checkpoint before checkpoints warn about it (once a minute). */
    private static final long HELD_WARN_NANOS = TimeUnit.MINUTES.toNanos(10);

    /** What a statement did: the changes it commits now (an XA COMMIT's), and whether it was DDL. */
    record Outcome(List<CdcChange> committed, boolean ddl) {
        static final Outcome NONE = new Outcome(List.of(), false);
        static final Outcome DDL = new Outcome(List.of(), true);
    }

    /** A prepared XA transaction: where its group starts, its held changes, and when the stream read its prepare. */
    private record Prepared(Position start, List<CdcChange> changes, long readAtNanos) {
    }

    /**
     * By normalised xid: the XA transactions the stream read up to their XA PREPARE and not yet their XA COMMIT or
     * XA ROLLBACK, with the position their event group starts at. Their changes are held back until the commit, and
     * no checkpoint goes past the first one's start, so a restart reads them again.
     */
    private final Map<String, Prepared> prepared = new LinkedHashMap<>();
    private long lastHeldWarning = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
    private boolean inTransaction;
    private Position groupStart;
    /** The XA transaction whose events are being read, up to its XA PREPARE ("" on MariaDB until it names it). */
    private String xaOpen;
    private List<CdcChange> xaChanges = new ArrayList<>();
    private Instant time = Instant.now();

    /** A stream (re)starting at {@code start}: nothing open, nothing prepared (a restart reads them again). */
    MySqlTransactions(Position start) {
        groupStart = start;
    }

    /** True inside an event group: no checkpoint, watermark or end of a run here. */
    boolean inTransaction() {
        return inTransaction;
    }

    /** The commit time of the transaction being read (its first event's timestamp). */
    Instant time() {
        return time;
    }

    /** Where the row changes read now go: null to emit them, or the open XA transaction's held changes. */
    List<CdcChange> held() {
        return xaOpen == null ? null : xaChanges;
    }

    /** A GTID event (MySQL's or MariaDB's) at {@code current}: a group begins. */
    void gtid(Position current, Instant at, int mariadbFlags) {
        groupStart = current;
        inTransaction = true;
        time = at;
        if ((mariadbFlags & MARIADB_PREPARED_XA) != 0) {
            xaOpen = ""; // MariaDB logs no XA START: the group's XA PREPARE event names it
            xaChanges = new ArrayList<>();
        }
    }

    /** An XID event: the transaction commits. */
    void xid() {
        inTransaction = false;
    }

    /**
     * An XA_PREPARE event ({@code xid}: its normalised xid, null when the event carries none): ends the group. Returns
     * the changes to emit now: those of a one-phase commit (MySQL's XA COMMIT ... ONE PHASE), else none (held).
     */
    List<CdcChange> xaPrepare(String xid, boolean onePhase) {
        List<CdcChange> emit = List.of();
        if (xaOpen != null) {
            if (onePhase) {
                emit = xaChanges;
            } else {
                String id = xid != null ? xid : xaOpen;
                prepared.put(id, new Prepared(groupStart, xaChanges, System.nanoTime()));
                LOG.info("XA transaction {} prepared with {} changes: held until its XA COMMIT", id, xaChanges.size());
            }
            xaOpen = null;
            xaChanges = new ArrayList<>();
        }
        inTransaction = false;
        return emit;
    }

    /** A QUERY event's statement {@code raw}, read at {@code current} with timestamp {@code at}. */
    Outcome query(String raw, Position current, Instant at) {
        String sql = raw.trim().toUpperCase(Locale.ROOT);
        if (sql.equals("BEGIN")) {
            groupStart = inTransaction ? groupStart : current;
            inTransaction = true;
            time = at;
        } else if (sql.equals("COMMIT")) {
            inTransaction = false;
        } else if (inTransaction && (sql.startsWith("SAVEPOINT") || sql.startsWith("ROLLBACK TO")
                || sql.startsWith("RELEASE SAVEPOINT"))) {
            // inside the transaction (an XA one too): no boundary, no checkpoint or mark here
        } else if (sql.startsWith("XA ")) {
            return xa(MySqlCdc.Xa.parse(raw.trim()), current, at);
        } else {
            inTransaction = false; // DDL commits implicitly
            return Outcome.DDL;
        }
        return Outcome.NONE;
    }

    private Outcome xa(MySqlCdc.Xa xa, Position current, Instant at) {
        switch (xa.verb()) {
            case "START", "BEGIN" -> {
                groupStart = inTransaction ? groupStart : current;
                xaOpen = xa.xid();
                xaChanges = new ArrayList<>();
                inTransaction = true;
                time = at;
            }
            case "COMMIT" -> {
                List<CdcChange> changes;
                if (xa.xid().equals(xaOpen)) { // XA COMMIT ... ONE PHASE
                    changes = xaChanges;
                    xaOpen = null;
                    xaChanges = new ArrayList<>();
                } else {
                    Prepared p = prepared.remove(xa.xid());
                    if (p == null) {
                        LOG.warn("XA transaction {} committed, but its XA PREPARE lies before this stream's start "
                                + "position: its changes cannot be read", xa.xid());
                    }
                    changes = p == null ? List.of() : p.changes();
                }
                inTransaction = false;
                return new Outcome(changes, false);
            }
            case "ROLLBACK" -> {
                if (xa.xid().equals(xaOpen)) {
                    xaOpen = null;
                    xaChanges = new ArrayList<>();
                }
                Prepared p = prepared.remove(xa.xid());
                if (p != null) {
                    LOG.info("XA transaction {} rolled back: its {} changes are dropped", xa.xid(), p.changes().size());
                }
                inTransaction = false;
            }
            default -> {
                // XA END: the XA PREPARE (or the one-phase commit) follows
            }
        }
        return Outcome.NONE;
    }

    /**
     * Where a checkpoint taken at {@code current} saves: there, or at the start of the first XA transaction still
     * prepared (its changes are held in memory only: a restart must read it again). Warns, once a minute, about one
     * held for more than ten minutes.
     */
    Position checkpointAt(Position current) {
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
        return at;
    }

    /**
     * An XA statement as the binlog shows it ({@code XA START X'31',X'',1}, {@code XA COMMIT 'a' ONE PHASE}, ...):
     * its verb and its xid normalised to {@code gtrid-hex,bqual-hex,formatID}, so every spelling of one xid matches.
     */
    static MySqlCdc.Xa parseXa(String sql) {
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
        return new MySqlCdc.Xa(verb, gtrid + "," + bqual + "," + format);
    }
}
