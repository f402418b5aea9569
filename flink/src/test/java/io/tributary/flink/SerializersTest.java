package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The versioned forms of records, splits and enumerator state: every value comes back equal. */
class SerializersTest {
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.decimal("d", 65, 30, true), Field.nullable("s", DataType.STRING), Field.nullable("b", DataType.BINARY),
            Field.nullable("t", DataType.TIMESTAMP_MICRO), Field.nullable("x", DataType.STRING));

    private static SourceRecord roundTrip(SourceRecordSerializer ser, SourceRecord r) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ser.serialize(r, out);
        return ser.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void recordValuesAtTheEdgesComeBackEqual() throws IOException {
        List<Object> edge = List.of(Long.MIN_VALUE, new BigDecimal("-9999999999999999999999999999999999.99999999999999"
                        + "9999999999999999"), "\uD83D\uDE00 beyond the BMP", new byte[] {0, (byte) 0xAB, 0},
                Instant.parse("+294276-12-31T23:59:59.999999Z"), "");
        List<Object> more = List.of(Double.NaN, -0.0d, Float.NEGATIVE_INFINITY, (short) -1, (byte) 7, Integer.MAX_VALUE,
                LocalDate.of(-4713, 1, 1), LocalDate.of(9999, 12, 31), LocalTime.MAX, LocalDateTime.of(1, 1, 1, 0, 0),
                OffsetDateTime.of(2020, 2, 29, 23, 59, 59, 1, ZoneOffset.ofHours(-12)), new UUID(-1, 1),
                new BigInteger("340282366920938463463374607431768211455"), true, List.of(1L, "a"), Map.of("k", 2L));
        SourceRecordSerializer ser = new SourceRecordSerializer();
        Object[] values = edge.toArray();
        values[5] = null;
        Record rec = new Record(SCHEMA, values, "id-1", OpType.UPDATE, Instant.ofEpochSecond(-1, 999_999_999),
                null);
        SourceRecord back = roundTrip(ser, new SourceRecord(StreamId.of("s", "t"), WriteMode.UPSERT, rec));
        assertThat(back.stream()).isEqualTo(StreamId.of("s", "t"));
        assertThat(back.mode()).isEqualTo(WriteMode.UPSERT);
        assertThat(back.record().schema()).isEqualTo(SCHEMA);
        assertThat(back.record().values()).containsExactly(values);
        assertThat(back.record().olakeId()).isEqualTo("id-1");
        assertThat(back.record().op()).isEqualTo(OpType.UPDATE);
        assertThat(back.record().olakeTimestamp()).isEqualTo(Instant.ofEpochSecond(-1, 999_999_999));
        assertThat(back.record().cdcTimestamp()).isNull();
        SourceRecord again = roundTrip(ser, new SourceRecord(StreamId.of("s", "t"), WriteMode.APPEND, rec));
        assertThat(again.record().schema()).as("one schema instance per run of records").isSameAs(
                back.record().schema());

        for (Object v : more) {
            Schema one = Schema.of(Field.nullable("v", DataType.STRING));
            Record r = new Record(one, new Object[] {v}, "k", OpType.READ, Instant.EPOCH, Instant.MAX);
            Object got = roundTrip(ser, new SourceRecord(StreamId.of("a", "b"), WriteMode.APPEND, r)).record()
                    .value(0);
            assertThat(got).as("%s (%s)", v, v.getClass().getSimpleName()).isEqualTo(v);
            if (!(v instanceof java.util.Collection || v instanceof Map)) {
                assertThat(got).hasSameClassAs(v);
            }
        }
        Record nan = new Record(Schema.of(Field.nullable("v", DataType.FLOAT64)), new Object[] {-0.0d}, "k",
                OpType.READ, Instant.EPOCH, null);
        assertThat(Double.doubleToRawLongBits((Double) roundTrip(ser, new SourceRecord(StreamId.of("a", "b"),
                WriteMode.APPEND, nan)).record().value(0))).isEqualTo(Double.doubleToRawLongBits(-0.0d));
    }

    @Test
    void splitsAndEnumeratorStateRoundTripAndRefuseUnknownVersions() throws IOException {
        SplitSerializer splits = new SplitSerializer();
        TributarySplit chunk = TributarySplit.chunk(StreamId.of("public", "t"), 3, "{\"min\":10,\"max\":null}")
                .withProgress(700, false);
        TributarySplit changes = TributarySplit.changes(0, List.of(StreamId.of("public", "t"),
                StreamId.of("s2", "t")), "{\"lsn\":\"0/16B3748\",\"position_version\":1}");
        for (TributarySplit s : List.of(chunk, changes, chunk.withProgress(9, true))) {
            TributarySplit back = splits.deserialize(splits.getVersion(), splits.serialize(s));
            assertThat(back).usingRecursiveComparison().isEqualTo(s);
        }
        assertThatThrownBy(() -> splits.deserialize(2, splits.serialize(chunk))).hasMessageContaining("version 2");

        EnumStateSerializer states = new EnumStateSerializer();
        EnumState state = new EnumState(true, 12, List.of(chunk), Set.of("chunk-public.t-0", "chunk-public.t-1"),
                List.of(changes), false);
        EnumState back = states.deserialize(states.getVersion(), states.serialize(state));
        assertThat(back.planned()).isTrue();
        assertThat(back.totalChunks()).isEqualTo(12);
        assertThat(back.finished()).isEqualTo(state.finished());
        assertThat(back.chunks()).usingRecursiveFieldByFieldElementComparator().isEqualTo(state.chunks());
        assertThat(back.changes()).usingRecursiveFieldByFieldElementComparator().isEqualTo(state.changes());
        assertThat(back.released()).isFalse();
        assertThatThrownBy(() -> states.deserialize(9, states.serialize(state))).hasMessageContaining("version 9");
    }
}
