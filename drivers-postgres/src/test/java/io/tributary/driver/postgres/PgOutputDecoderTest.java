package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.RetriableException;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** pgoutput protocol version 1 messages, built byte by byte as the server sends them, decoded without a server. */
class PgOutputDecoderTest {
    private static final StreamId USERS = StreamId.of("public", "users");
    private static final Schema SCHEMA = new Schema(List.of(Field.of("id", DataType.INT64, false),
            Field.nullable("name", DataType.STRING), Field.nullable("bio", DataType.STRING)));
    private static final ConfiguredStream STREAM = ConfiguredStream.of(Stream.of(USERS, SCHEMA, List.of("id"),
            Set.of(), Set.of(SyncMode.CDC)));
    private static final PostgresTypes.PgType INT8 = new PostgresTypes.PgType(20, "int8", 'b', 'N');
    private static final PostgresTypes.PgType TEXT = new PostgresTypes.PgType(25, "text", 'b', 'S');

    private final PgOutputDecoder decoder = new PgOutputDecoder();
    private final Recorder got = new Recorder();

    /** Records every call, and resolves relation 16384 as the users stream, any other as a table not synced. */
    private static final class Recorder implements PgOutputDecoder.Handler {
        final List<String> calls = new ArrayList<>();
        final List<Object[]> values = new ArrayList<>();
        final List<PgOutputDecoder.RelationMessage> relations = new ArrayList<>();

        @Override
        public PgOutputDecoder.Relation relation(PgOutputDecoder.RelationMessage m) {
            relations.add(m);
            calls.add("relation " + m.relid());
            return m.relid() == 16384
                    ? new PgOutputDecoder.Relation(USERS, SCHEMA, new PostgresTypes.PgType[] {INT8, TEXT, TEXT}, STREAM)
                    : new PgOutputDecoder.Relation(StreamId.of(m.namespace(), m.name()), SCHEMA,
                            new PostgresTypes.PgType[] {INT8, TEXT, TEXT}, null);
        }

        @Override
        public void begin(int xid, Instant commitTime) {
            calls.add("begin " + xid + " " + commitTime);
        }

        @Override
        public void commit(long endLsn) {
            calls.add("commit " + Long.toHexString(endLsn));
        }

        @Override
        public void change(PgOutputDecoder.Relation r, OpType op, Object[] row, boolean unchanged) {
            calls.add(op + " " + r.id() + (unchanged ? " unchanged" : ""));
            values.add(row);
        }

        @Override
        public void truncate(PgOutputDecoder.Relation r) {
            calls.add("truncate " + r.id());
        }

        @Override
        public void message(boolean transactional, long lsn, String prefix, byte[] content) {
            calls.add("message " + transactional + " " + Long.toHexString(lsn) + " " + prefix + " "
                    + new String(content, StandardCharsets.UTF_8));
        }
    }

    /** Builds one message. */
    private static final class Msg {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Msg(char type) {
            b(type);
        }

        Msg b(int v) {
            return io(() -> out.writeByte(v));
        }

        Msg i16(int v) {
            return io(() -> out.writeShort(v));
        }

        Msg i32(int v) {
            return io(() -> out.writeInt(v));
        }

        Msg i64(long v) {
            return io(() -> out.writeLong(v));
        }

        Msg str(String s) {
            return io(() -> {
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.writeByte(0);
            });
        }

        /** A tuple: each value a String (text), null ('n') or UNCHANGED ('u'). */
        Msg tuple(Object... columns) {
            i16(columns.length);
            for (Object c : columns) {
                if (c == null) {
                    b('n');
                } else if (c == PgOutputDecoder.UNCHANGED) {
                    b('u');
                } else {
                    byte[] t = ((String) c).getBytes(StandardCharsets.UTF_8);
                    b('t').i32(t.length);
                    io(() -> out.write(t));
                }
            }
            return this;
        }

        ByteBuffer buffer() {
            // the message inside a larger array, as pgjdbc hands it over: the decoder must honour the offset
            byte[] m = bytes.toByteArray();
            byte[] framed = new byte[m.length + 5];
            System.arraycopy(m, 0, framed, 5, m.length);
            return ByteBuffer.wrap(framed, 5, m.length).slice();
        }

        private interface Write {
            void run() throws IOException;
        }

        private Msg io(Write w) {
            try {
                w.run();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return this;
        }
    }

    private static ByteBuffer usersRelation(int relid, String table) {
        return new Msg('R').i32(relid).str("public").str(table).b('d').i16(3)
                .b(1).str("id").i32(20).i32(-1)
                .b(0).str("name").i32(25).i32(-1)
                .b(0).str("bio").i32(25).i32(-1).buffer();
    }

    private int decode(ByteBuffer msg) {
        int n = decoder.decode(msg, got);
        assertThat(msg.remaining()).as("the whole message was read").isZero();
        return n;
    }

    @Test
    void aTransactionWithInsertUpdateDeleteAndItsBoundaries() {
        long micros = 789_000_000_000_000L + 123_456; // since 2000-01-01
        decode(new Msg('B').i64(0x16B3748L).i64(micros).i32(7421).buffer());
        decode(usersRelation(16384, "users"));
        assertThat(decode(new Msg('I').i32(16384).b('N').tuple("1", "ann", null).buffer())).isEqualTo(1);
        assertThat(decode(new Msg('U').i32(16384).b('N').tuple("1", "anna", "hi").buffer())).isEqualTo(1);
        assertThat(decode(new Msg('D').i32(16384).b('K').tuple("1", null, null).buffer())).isEqualTo(1);
        decode(new Msg('C').b(0).i64(0x16B3750L).i64(0x16B3780L).i64(micros).buffer());

        Instant commit = Instant.parse("2000-01-01T00:00:00Z").plusNanos(micros * 1000);
        assertThat(got.calls).containsExactly("begin 7421 " + commit, "relation 16384", "CREATE public.users",
                "UPDATE public.users", "DELETE public.users", "commit 16b3780");
        assertThat(got.values.get(0)).containsExactly(1L, "ann", null);
        assertThat(got.values.get(1)).containsExactly(1L, "anna", "hi");
        assertThat(got.values.get(2)).containsExactly(1L, null, null);
        PgOutputDecoder.RelationMessage r = got.relations.get(0);
        assertThat(r.namespace()).isEqualTo("public");
        assertThat(r.name()).isEqualTo("users");
        assertThat(r.columns()).containsExactly(new PgOutputDecoder.Column(true, "id", 20, -1),
                new PgOutputDecoder.Column(false, "name", 25, -1), new PgOutputDecoder.Column(false, "bio", 25, -1));
    }

    @Test
    void unchangedToastIsLeftForTheReaderUnlessTheOldRowHasIt() {
        decode(usersRelation(16384, "users"));
        // REPLICA IDENTITY DEFAULT: no old row, the TOAST column is unchanged: the handler must look it up
        decode(new Msg('U').i32(16384).b('N').tuple("2", "bob", PgOutputDecoder.UNCHANGED).buffer());
        // REPLICA IDENTITY FULL: the old row ('O') carries the value the new row leaves out
        decode(new Msg('U').i32(16384).b('O').tuple("3", "cy", "long text").b('N')
                .tuple("3", "cyd", PgOutputDecoder.UNCHANGED).buffer());
        // the old key only ('K'): nothing to take the value from
        decode(new Msg('U').i32(16384).b('K').tuple("4", null, null).b('N')
                .tuple("5", "dee", PgOutputDecoder.UNCHANGED).buffer());
        assertThat(got.calls).containsExactly("relation 16384", "UPDATE public.users unchanged",
                "UPDATE public.users", "UPDATE public.users unchanged");
        assertThat(got.values.get(0)).containsExactly(2L, "bob", PgOutputDecoder.UNCHANGED);
        assertThat(got.values.get(1)).containsExactly(3L, "cyd", "long text");
        assertThat(got.values.get(2)).containsExactly(5L, "dee", PgOutputDecoder.UNCHANGED);
    }

    @Test
    void changesOfTablesNotSyncedAreSkippedWithoutParsingTheirValues() {
        decode(usersRelation(16999, "audit"));
        // "not a number" would fail to parse as the int8 key: it is skipped, not read
        assertThat(decode(new Msg('I').i32(16999).b('N').tuple("not a number", "x", null).buffer())).isZero();
        assertThat(got.calls).containsExactly("relation 16999");
    }

    @Test
    void truncateNamesEveryKnownRelation() {
        decode(usersRelation(16384, "users"));
        decode(usersRelation(16999, "audit"));
        decode(new Msg('T').i32(3).b(1).i32(16384).i32(16999).i32(17777).buffer());
        assertThat(got.calls).endsWith("truncate public.users", "truncate public.audit");
    }

    @Test
    void logicalDecodingMessagesAndIgnoredMessageTypes() {
        decode(new Msg('M').b(0).i64(0x2A0L).str("tributary").i32(2).b('h').b('i').buffer());
        decode(new Msg('M').b(1).i64(0x2B0L).str("other").i32(0).buffer());
        // a Type message: nothing to replicate, nothing handed over
        assertThat(decoder.decode(new Msg('Y').i32(20).str("public").str("mood").buffer(), got)).isZero();
        assertThat(got.calls).containsExactly("message false 2a0 tributary hi", "message true 2b0 other ");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheStreamColumnAndKey() {
        decode(usersRelation(16384, "users"));
        assertThatThrownBy(() -> decoder.decode(new Msg('I').i32(16384).b('N').tuple("x9", "eve", null).buffer(),
                got)).isInstanceOf(ValueException.class).hasMessageContaining("public.users")
                .hasMessageContaining("id").hasMessageContaining("x9");
    }

    @Test
    void aChangeBeforeItsRelationRestartsTheStream() {
        assertThatThrownBy(() -> decoder.decode(new Msg('I').i32(1).b('N').tuple("1").buffer(), got))
                .isInstanceOf(RetriableException.class).hasMessageContaining("before its relation");
    }
}
