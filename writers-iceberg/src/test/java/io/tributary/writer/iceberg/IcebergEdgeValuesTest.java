package io.tributary.writer.iceberg;

import static io.tributary.writer.EdgeMatrix.COLS;
import static io.tributary.writer.EdgeMatrix.ROWS;
import static io.tributary.writer.EdgeMatrix.SCHEMA;
import static io.tributary.writer.EdgeMatrix.valueAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueErrors;
import io.tributary.types.ValueException;
import io.tributary.writer.EdgeMatrix.Col;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterThread;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every type's edge values written to Iceberg and read back by {@link IcebergGenerics}, value by value. */
class IcebergEdgeValuesTest {
    private static final StreamId ID = StreamId.of("public", "edges");

    @TempDir
    Path dir;

    private static Record row(Schema schema, int id, OpType op, Object... values) {
        Object[] v = new Object[schema.size()];
        v[0] = id;
        System.arraycopy(values, 0, v, 1, values.length);
        return new Record(schema, v, "key-" + id, op, Instant.EPOCH, op == OpType.READ ? null : Instant.EPOCH);
    }

    private static Record row(Schema schema, int id, Object... values) {
        return row(schema, id, OpType.READ, values);
    }

    private static ConfiguredStream stream(Schema schema) {
        return ConfiguredStream.of(Stream.of(ID, schema, List.of("id"), Set.of("id"),
                Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)));
    }

    private WriterPool pool(ValueErrors handling) {
        return WriterPool.open("iceberg", Json.parse("{\"warehouse\": \"" + dir.resolve("wh") + "\"}"),
                WriterPool.Options.defaults().withBatchSize(4).withValueErrors(handling));
    }

    private static MetadataState state(String thread) {
        ObjectNode p = Json.object().put("n", 1);
        return new MetadataState(thread, p);
    }

    private static void commit(WriterPool pool, Schema schema, String thread, WriteMode mode, List<Record> rows) {
        WriterThread w = pool.newWriter(stream(schema), new WriterOptions(thread, mode));
        rows.forEach(w::push);
        w.close(state(thread));
    }

    private static Map<Integer, org.apache.iceberg.data.Record> read(WriterPool pool) throws Exception {
        IcebergDestination d = (IcebergDestination) pool.destination();
        Table t = d.catalog().loadTable(d.identifier(ID));
        Map<Integer, org.apache.iceberg.data.Record> out = new TreeMap<>();
        try (CloseableIterable<org.apache.iceberg.data.Record> it = IcebergGenerics.read(t).build()) {
            for (org.apache.iceberg.data.Record r : it) {
                assertThat(out.put((Integer) r.getField("id"), r.copy())).isNull();
            }
        }
        return out;
    }

    /** Microseconds since the epoch, computed without long overflow (nanoseconds truncated towards the past). */
    private static long micros(Instant t) {
        return BigInteger.valueOf(t.getEpochSecond()).multiply(BigInteger.valueOf(1_000_000))
                .add(BigInteger.valueOf(t.getNano() / 1000)).longValueExact();
    }

    /** What IcebergGenerics returns for a written value. */
    private static Object expected(Field f, Object v) {
        if (v == null) {
            return null;
        }
        return switch (f.type()) {
            case DECIMAL -> v instanceof BigDecimal d
                    ? (f.precision() > 0 && f.precision() <= 38 ? d.setScale(f.scale()) : d.toPlainString()) : v;
            case TIMESTAMP_MICRO, TIMESTAMP_NANO -> micros((Instant) v);
            case BINARY -> ByteBuffer.wrap((byte[]) v);
            default -> v;
        };
    }

    private static Object actual(Field f, Object v) {
        if (v instanceof OffsetDateTime t) {
            return micros(t.toInstant());
        }
        return v;
    }

    @Test
    void writesEveryEdgeValueSoThatIcebergGenericsReadsItBackExactly() throws Exception {
        try (WriterPool pool = pool(ValueErrors.FAIL)) {
            List<Record> rows = new ArrayList<>();
            for (int r = 0; r < ROWS; r++) {
                int row = r;
                rows.add(row(SCHEMA, r, COLS.stream().map(c -> valueAt(c, row)).toArray()));
            }
            commit(pool, SCHEMA, "chunk-1", WriteMode.APPEND, rows);
            Map<Integer, org.apache.iceberg.data.Record> got = read(pool);
            assertThat(got).hasSize(ROWS);
            for (Col c : COLS) {
                for (int r = 0; r < ROWS; r++) {
                    Object a = actual(c.field(), got.get(r).getField(c.field().name()));
                    Object e = expected(c.field(), valueAt(c, r));
                    var check = assertThat(a).as("column %s row %d (%s)", c.field().name(), r, valueAt(c, r));
                    if (e instanceof BigDecimal d) {
                        assertThat(((BigDecimal) a).toPlainString()).as("column %s row %d", c.field().name(), r)
                                .isEqualTo(d.toPlainString());
                    } else {
                        check.isEqualTo(e);
                    }
                }
            }
        }
    }

    private static final Schema LIMITS = Schema.of(Field.of("id", DataType.INT32, false),
            Field.nullable("c_ts", DataType.TIMESTAMP_MICRO), Field.nullable("c_date", DataType.DATE),
            Field.decimal("c_dec", 9, 2, true), Field.nullable("c_s", DataType.STRING));
    private static final Instant TOO_LATE = Instant.parse("+294248-01-01T00:00:00Z");
    private static final Instant TOO_EARLY = Instant.parse("-290309-01-01T00:00:00Z");
    private static final Instant T = Instant.parse("2026-01-02T03:04:05.123456Z");
    private static final LocalDate D = LocalDate.of(2026, 1, 2);
    private static final BigDecimal OK = new BigDecimal("1.50");

    /** Rows 1 and 9 fit; rows 2..7 hold one value the columns cannot hold, row 8 two. */
    private static List<Record> limitRows() {
        return List.of(
                row(LIMITS, 1, T, D, OK, "one"),
                row(LIMITS, 2, TOO_LATE, D, OK, "two"),
                row(LIMITS, 3, TOO_EARLY, D, OK, "three"),
                row(LIMITS, 4, T, LocalDate.ofEpochDay(Integer.MAX_VALUE + 1L), OK, "four"),
                row(LIMITS, 5, T, D, new BigDecimal("123.456"), "five"),
                row(LIMITS, 6, T, D, new BigDecimal("12345678.9"), "six"),
                row(LIMITS, 7, T, D, "NaN", "seven"),
                row(LIMITS, 8, TOO_LATE, D, "Infinity", "eight"),
                row(LIMITS, 9, T, D, OK, "nine"));
    }

    private static List<Object> limitRow(org.apache.iceberg.data.Record r) {
        Object ts = r.getField("c_ts");
        return Arrays.asList(r.getField("id"), ts == null ? null : ((OffsetDateTime) ts).toInstant(),
                r.getField("c_date"), r.getField("c_dec"), r.getField("c_s"));
    }

    private List<List<Object>> limitTable(WriterPool pool) throws Exception {
        return read(pool).values().stream().map(IcebergEdgeValuesTest::limitRow).toList();
    }

    private static List<Object> fitting(int id, String s) {
        return Arrays.asList(id, T, D, OK, s);
    }

    @Test
    void aTimestampBeyondMicrosecondsFailsNamingStreamColumnKeyAndValue() throws Exception {
        try (WriterPool pool = pool(ValueErrors.FAIL)) {
            assertThatThrownBy(() -> commit(pool, LIMITS, "chunk-1", WriteMode.APPEND, limitRows().subList(0, 2)))
                    .isInstanceOfSatisfying(ValueException.class, e -> {
                        assertThat(e.stream()).contains("public.edges");
                        assertThat(e.column()).isEqualTo("c_ts");
                        assertThat(e.key()).contains("key-2");
                        assertThat(e.value()).isEqualTo("+294248-01-01T00:00:00Z");
                        assertThat(e.getMessage()).contains("stream public.edges", "column c_ts", "key key-2",
                                "'+294248-01-01T00:00:00Z'", "value_errors").doesNotContain("overflow");
                        assertThat(e.getMessage().split("c_ts", -1)).as("the column is named once").hasSize(2);
                    });
            assertThat(pool.committedState(ID, "chunk-1")).isEmpty();
            assertThat(read(pool)).isEmpty();
        }
    }

    @Test
    void specialsAndTooManyDigitsInADecimalColumnAndDatesBeyondInt32DaysFail() {
        for (int i : new int[] {2, 3, 4, 5, 6}) {
            Record bad = limitRows().get(i);
            try (WriterPool pool = pool(ValueErrors.FAIL)) {
                assertThatThrownBy(() -> commit(pool, LIMITS, "t" + i, WriteMode.APPEND, List.of(bad)))
                        .as("row %s", bad).isInstanceOf(ValueException.class)
                        .hasMessageContaining("key key-" + (i + 1))
                        .hasMessageContaining("column " + (i == 3 ? "c_date" : i == 2 ? "c_ts" : "c_dec"));
            }
        }
    }

    @Test
    void valueErrorsNullWritesNullInTheBadColumnsOnlyAndCountsThem() throws Exception {
        try (WriterPool pool = pool(ValueErrors.NULL)) {
            commit(pool, LIMITS, "chunk-1", WriteMode.APPEND, limitRows());
            assertThat(pool.stats(ID).valueErrors()).isEqualTo(8);
            assertThat(limitTable(pool)).containsExactly(
                    fitting(1, "one"),
                    Arrays.asList(2, null, D, OK, "two"),
                    Arrays.asList(3, null, D, OK, "three"),
                    Arrays.asList(4, T, null, OK, "four"),
                    Arrays.asList(5, T, D, null, "five"),
                    Arrays.asList(6, T, D, null, "six"),
                    Arrays.asList(7, T, D, null, "seven"),
                    Arrays.asList(8, null, D, null, "eight"),
                    fitting(9, "nine"));
        }
    }

    @Test
    void valueErrorsSkipLeavesOutWholeRowsAndAnUpdateLeftOutKeepsThePreviousRow() throws Exception {
        try (WriterPool pool = pool(ValueErrors.SKIP)) {
            commit(pool, LIMITS, "chunk-1", WriteMode.APPEND, limitRows());
            assertThat(pool.stats(ID).valueErrors()).isEqualTo(7);
            assertThat(limitTable(pool)).containsExactly(fitting(1, "one"), fitting(9, "nine"));

            commit(pool, LIMITS, "cdc-1", WriteMode.UPSERT, List.of(
                    row(LIMITS, 1, OpType.UPDATE, TOO_LATE, D, OK, "one, updated to a bad value"),
                    row(LIMITS, 9, OpType.UPDATE, T, D, OK, "nine, updated"),
                    row(LIMITS, 10, OpType.CREATE, T, D, "NaN", "ten")));
            assertThat(pool.stats(ID).valueErrors()).isEqualTo(9);
            assertThat(limitTable(pool)).containsExactly(fitting(1, "one"), fitting(9, "nine, updated"));
        }
    }

    @Test
    void aDecimalColumnStaysTheTablesDecimalWhenTheSourceBecomesUnconstrained() throws Exception {
        Schema unconstrained = Schema.of(LIMITS.field(0), LIMITS.field(1), LIMITS.field(2),
                Field.decimal("c_dec", 0, 0, true), LIMITS.field(4));
        try (WriterPool pool = pool(ValueErrors.FAIL)) {
            commit(pool, LIMITS, "chunk-1", WriteMode.APPEND, List.of(limitRows().get(0)));
            commit(pool, unconstrained, "chunk-2", WriteMode.APPEND,
                    List.of(row(unconstrained, 2, T, D, new BigDecimal("7.5"), "two")));
            IcebergDestination d = (IcebergDestination) pool.destination();
            assertThat(d.catalog().loadTable(d.identifier(ID)).schema().findField("c_dec").type().toString())
                    .isEqualTo("decimal(9, 2)");
            assertThat(limitTable(pool)).containsExactly(fitting(1, "one"),
                    Arrays.asList(2, T, D, new BigDecimal("7.50"), "two"));
            assertThatThrownBy(() -> commit(pool, unconstrained, "chunk-3", WriteMode.APPEND,
                    List.of(row(unconstrained, 3, T, D, new BigDecimal("0.125"), "three"))))
                    .isInstanceOf(ValueException.class).hasMessageContaining("column c_dec")
                    .hasMessageContaining("decimal(9,2)");
            assertThatThrownBy(() -> commit(pool, unconstrained, "chunk-4", WriteMode.APPEND,
                    List.of(row(unconstrained, 4, T, D, "-Infinity", "four"))))
                    .isInstanceOf(ValueException.class).hasMessageContaining("value '-Infinity'");
        }
    }
}
