package io.tributary.driver.postgres;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.types.ValueException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the messages of the pgoutput plugin (protocol version 1) from the bytes of a logical replication stream
 * and hands them to a {@link Handler}: Begin/Commit (transaction boundaries, the commit time), Relation (a table's
 * columns, resolved by the handler into a schema once per relation), Insert/Update/Delete (a row's values parsed from
 * their text form by the column's type), Truncate, and logical decoding messages. Pure: no connection; the
 * relations it was told about are its only state.
 *
 * <p>Columns pgoutput leaves out of a tuple (an unchanged TOAST value, kind {@code 'u'}) are taken from the old row
 * of an update under REPLICA IDENTITY FULL; otherwise they are {@link #UNCHANGED} in the values handed over, and the
 * handler fills them in (from the table, by key). A NULL (kind {@code 'n'}) is {@code null}.
 */
final class PgOutputDecoder {
    /** A column pgoutput did not send (an unchanged TOAST value) and the old row did not give. */
    static final Object UNCHANGED = new Object();

    /** One column of a Relation message. */
    record Column(boolean key, String name, int typeOid, int typmod) {
    }

    /** A Relation message: a table's identifier in this stream, its name and columns as the server has them now. */
    record RelationMessage(int relid, String namespace, String name, List<Column> columns) {
    }

    /**
     * A table as changes are decoded: its stream, schema and column types, one per column of its Relation message;
     * {@code stream} is null for a table that is not synced (its values are skipped, its changes not handed over).
     */
    record Relation(StreamId id, Schema schema, PostgresTypes.PgType[] types, ConfiguredStream stream) {
    }

    /** Receives the decoded messages. */
    interface Handler {
        /** A Relation message: the table that its changes belong to from now on. */
        Relation relation(RelationMessage message);

        /** A transaction begins: {@code xid} (32 bits, as pgoutput sends it), committed at {@code commitTime}. */
        void begin(int xid, Instant commitTime);

        /** The transaction ends; {@code endLsn}: the WAL position after it. */
        void commit(long endLsn);

        /**
         * A row change of a synced table; {@code values} (positional on {@code relation.schema()}) hold
         * {@link #UNCHANGED} where {@code unchanged} says a column was left out.
         */
        void change(Relation relation, OpType op, Object[] values, boolean unchanged);

        /** A TRUNCATE of a table (synced or not). */
        void truncate(Relation relation);

        /** A logical decoding message ({@code pg_logical_emit_message}) at {@code lsn}. */
        void message(boolean transactional, long lsn, String prefix, byte[] content);
    }

    private final Map<Integer, Relation> relations = new HashMap<>();
    /** Whether the tuple decoded last has a column {@link #UNCHANGED}. */
    private boolean unchanged;

    /**
     * Decodes one message (from its position to its end) and hands it to {@code handler}; returns 1 when it was a row
     * change handed over, else 0. Type and Origin messages are skipped.
     */
    int decode(ByteBuffer msg, Handler handler) {
        byte type = msg.get();
        switch (type) {
            case 'B' -> {
                msg.getLong(); // final LSN
                Instant commitTime = PostgresTypes.epochMicros2000(msg.getLong());
                handler.begin(msg.getInt(), commitTime);
            }
            case 'C' -> {
                msg.get(); // flags
                msg.getLong(); // commit LSN
                long end = msg.getLong(); // end of the transaction
                msg.getLong(); // commit time (the Begin message's)
                handler.commit(end);
            }
            case 'R' -> relation(msg, handler);
            case 'I' -> {
                return change(msg, OpType.CREATE, handler);
            }
            case 'U' -> {
                return change(msg, OpType.UPDATE, handler);
            }
            case 'D' -> {
                return change(msg, OpType.DELETE, handler);
            }
            case 'T' -> {
                int n = msg.getInt();
                msg.get(); // options (CASCADE, RESTART IDENTITY)
                for (int i = 0; i < n; i++) {
                    Relation r = relations.get(msg.getInt());
                    if (r != null) {
                        handler.truncate(r);
                    }
                }
            }
            case 'M' -> {
                boolean transactional = (msg.get() & 1) != 0;
                long lsn = msg.getLong();
                String prefix = string(msg);
                byte[] content = new byte[msg.getInt()];
                msg.get(content);
                handler.message(transactional, lsn, prefix, content);
            }
            default -> {
                // Type and Origin messages carry nothing to replicate
            }
        }
        return 0;
    }

    private void relation(ByteBuffer msg, Handler handler) {
        int relid = msg.getInt();
        String ns = string(msg);
        String name = string(msg);
        msg.get(); // replica identity
        int n = msg.getShort();
        List<Column> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean key = (msg.get() & 1) != 0;
            String col = string(msg);
            int oid = msg.getInt();
            int typmod = msg.getInt();
            columns.add(new Column(key, col, oid, typmod));
        }
        relations.put(relid, handler.relation(new RelationMessage(relid, ns, name, columns)));
    }

    private int change(ByteBuffer msg, OpType op, Handler handler) {
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
            return 0;
        }
        handler.change(r, op, values, unchanged);
        return 1;
    }

    private Object[] tuple(ByteBuffer msg, Relation r, Object[] old) {
        int n = msg.getShort();
        unchanged = false;
        Object[] values = new Object[r.schema().size()];
        ValueException failed = null;
        for (int i = 0; i < n; i++) {
            byte kind = msg.get();
            switch (kind) {
                case 'n' -> values[i] = null;
                case 'u' -> {
                    values[i] = old != null ? old[i] : UNCHANGED;
                    unchanged |= values[i] == UNCHANGED;
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
        return values;
    }

    /** A NUL-terminated UTF-8 string. */
    static String string(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // find the terminating NUL
        }
        return new String(b.array(), b.arrayOffset() + start, b.position() - start - 1, StandardCharsets.UTF_8);
    }
}
