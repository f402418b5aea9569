package io.tributary.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.testkit.conformance.DestinationReader.DestRow;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterThread;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kit's own readers and value rules, without a driver: values written by each writer read back unchanged. */
class DestinationReaderTest {
    private static final StreamId ID = StreamId.of("public", "edge");
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.nullable("tag", DataType.INT32), Field.nullable("b", DataType.BOOLEAN),
            Field.nullable("i", DataType.INT32), Field.nullable("l", DataType.INT64),
            Field.nullable("f", DataType.FLOAT32), Field.nullable("d", DataType.FLOAT64),
            Field.decimal("dec", 10, 2, true), Field.nullable("s", DataType.STRING),
            Field.nullable("dt", DataType.DATE), Field.nullable("tm", DataType.TIME),
            Field.nullable("ts", DataType.TIMESTAMP_MICRO), Field.nullable("bin", DataType.BINARY),
            Field.nullable("js", DataType.JSON_OBJECT));
    private static final List<String> COLUMNS = SCHEMA.names().subList(2, SCHEMA.size());
    /** The largest 64-bit microsecond timestamp (DuckDB reads it as its +infinity, with this value). */
    private static final Instant MAX_MICROS = micros(Long.MAX_VALUE);
    /** Near the smallest (the writers cannot write the last second before Long.MIN_VALUE µs yet: multiplyExact). */
    private static final Instant NEAR_MIN_MICROS = micros(Long.MIN_VALUE + 1_000_000);

    private static final Object[][] ROWS = {
        {1L, 1, true, Integer.MIN_VALUE, Long.MAX_VALUE, -0.0f, -0.0d, new BigDecimal("-12345678.90"), "",
            LocalDate.ofEpochDay(Integer.MAX_VALUE), LocalTime.of(23, 59, 59, 999_999_000), MAX_MICROS,
            new byte[0], "{\"a\": [1, 2]}"},
        {2L, 2, false, Integer.MAX_VALUE, Long.MIN_VALUE, Float.NaN, Double.NEGATIVE_INFINITY, new BigDecimal("0.00"),
            "héllo \uD83D\uDE00 \"quoted\"\n", LocalDate.ofEpochDay(Integer.MIN_VALUE), LocalTime.MIDNIGHT,
            NEAR_MIN_MICROS, new byte[] {0, (byte) 0xff, 0}, "[]"},
        {3L, 3, null, null, null, Float.POSITIVE_INFINITY, Double.MIN_VALUE, null, null, LocalDate.of(1582, 10, 4),
            null, Instant.parse("1000-01-01T00:00:00.000001Z"), null, null},
        {4L, null, null, null, null, null, null, null, null, null, null, null, null, null},
    };

    private static Instant micros(long us) {
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jsonl", "parquet", "iceberg"})
    void everyWritersValuesAreReadBackAsTheyWereWritten(String type, @TempDir Path dir) {
        DestinationReader reader = new DestinationReader(type, dir);
        ConfiguredStream stream = ConfiguredStream.of(Stream.of(ID, SCHEMA, List.of("id"), Set.of("id"),
                Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)));
        try (WriterPool pool = WriterPool.open(type, reader.writerConfig(), WriterPool.Options.defaults())) {
            WriterThread w = pool.newWriter(stream, new WriterOptions("t-1", WriteMode.APPEND));
            for (Object[] row : ROWS) {
                w.push(new Record(SCHEMA, row.clone(), row[0].toString(), OpType.READ,
                        Instant.parse("2026-01-01T00:00:00Z"), null));
            }
            ObjectNode state = Json.object().put("n", 1);
            w.close(new MetadataState("t-1", state));
        }
        List<DestRow> rows = reader.read(ID, SCHEMA, COLUMNS, "id");
        assertThat(rows).extracting(DestRow::key).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
        List<String> diffs = new ArrayList<>();
        for (DestRow r : rows) {
            Object[] want = ROWS[(int) r.key() - 1];
            assertThat(r.op()).isEqualTo("r");
            for (int i = 2; i < SCHEMA.size(); i++) {
                Field f = SCHEMA.field(i);
                Object expected = EdgeValues.inDestination(type, f, want[i]);
                Object actual = r.values().get(f.name());
                if (!EdgeValues.same(expected, actual)) {
                    diffs.add("row " + r.key() + " " + f.name() + ": " + EdgeValues.show(expected) + " / "
                            + EdgeValues.show(actual));
                }
            }
        }
        assertThat(diffs).isEmpty();
    }

    @Test
    void parquetAndIcebergHoldSigned64BitMicrosAndInt32Days() {
        Field ts = Field.nullable("ts", DataType.TIMESTAMP_MICRO);
        Field dt = Field.nullable("dt", DataType.DATE);
        Instant max = micros(Long.MAX_VALUE);
        Instant min = micros(Long.MIN_VALUE);
        for (String w : List.of("parquet", "iceberg")) {
            assertThat(EdgeValues.representable(w, ts, max)).isTrue();
            assertThat(EdgeValues.representable(w, ts, min)).isTrue();
            assertThat(EdgeValues.representable(w, ts, max.plusNanos(1000))).isFalse();
            assertThat(EdgeValues.representable(w, ts, min.minusNanos(1))).isFalse();
            assertThat(EdgeValues.representable(w, ts, Instant.parse("+294276-12-31T23:59:59.999999Z"))).isFalse();
            assertThat(EdgeValues.representable(w, dt, LocalDate.ofEpochDay(Integer.MAX_VALUE))).isTrue();
            assertThat(EdgeValues.representable(w, dt, LocalDate.ofEpochDay(Integer.MIN_VALUE))).isTrue();
            assertThat(EdgeValues.representable(w, dt, LocalDate.ofEpochDay(Integer.MAX_VALUE + 1L))).isFalse();
            assertThat(EdgeValues.representable(w, Field.decimal("n", 10, 2, true), "NaN")).isFalse();
            assertThat(EdgeValues.representable(w, Field.decimal("n", 0, 0, true), "NaN")).isTrue();
            assertThat(EdgeValues.representable(w, Field.decimal("n", 39, 2, true), "-Infinity")).isTrue();
            assertThat(EdgeValues.representable(w, Field.decimal("n", 4, 2, true), new BigDecimal("99.99"))).isTrue();
            assertThat(EdgeValues.representable(w, Field.decimal("n", 4, 2, true), new BigDecimal("100.00"))).isFalse();
            assertThat(EdgeValues.representable(w, Field.decimal("n", 4, 2, true), new BigDecimal("0.001"))).isFalse();
            assertThat(EdgeValues.inDestination(w, ts, Instant.parse("2020-01-01T00:00:00.123456789Z")))
                    .isEqualTo(Instant.parse("2020-01-01T00:00:00.123456Z"));
        }
        assertThat(EdgeValues.representable("jsonl", ts, Instant.MAX)).isTrue();
        assertThat(EdgeValues.inDestination("jsonl", ts, Instant.parse("2020-01-01T00:00:00.123456789Z")))
                .isEqualTo(Instant.parse("2020-01-01T00:00:00.123456789Z"));
    }

    @Test
    void valuesAreComparedCanonically() {
        assertThat(EdgeValues.same(Double.NaN, Double.NaN)).isTrue();
        assertThat(EdgeValues.same(-0.0d, 0.0d)).isFalse();
        assertThat(EdgeValues.same(-0.0f, -0.0f)).isTrue();
        assertThat(EdgeValues.same(new BigDecimal("1.50"), new BigDecimal("1.5"))).isFalse();
        assertThat(EdgeValues.same(new BigDecimal("1.50"), new BigDecimal("1.50"))).isTrue();
        assertThat(EdgeValues.same(new byte[] {1, 2}, new byte[] {1, 2})).isTrue();
        assertThat(EdgeValues.same(1, 1L)).isFalse();
        assertThat(EdgeValues.same(null, null)).isTrue();
        assertThat(EdgeValues.same(null, "")).isFalse();
        assertThat(EdgeValues.same("NaN", "NaN")).isTrue();
    }

    @Test
    void jsonlDecimalsAreReadAsPlainTextStringsOrBareNumbers() {
        assertThat(DestinationReader.fromJsonl(DataType.DECIMAL, "-0.000000000000000000000000000001"))
                .isEqualTo(new BigDecimal("-1E-30"));
        assertThat(DestinationReader.fromJsonl(DataType.DECIMAL, "NaN")).isEqualTo("NaN");
        assertThat(DestinationReader.fromJsonl(DataType.DECIMAL, "1E-30"))
                .isInstanceOf(EdgeValues.Unreadable.class);
        assertThat(DestinationReader.fromJsonl(DataType.FLOAT64, "1.5")).isInstanceOf(EdgeValues.Unreadable.class);
        assertThat(DestinationReader.fromJsonl(DataType.FLOAT64, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
    }
}
