package io.tributary.writer.parquet;

import static io.tributary.writer.EdgeMatrix.COLS;
import static io.tributary.writer.EdgeMatrix.ROWS;
import static io.tributary.writer.EdgeMatrix.SCHEMA;
import static io.tributary.writer.EdgeMatrix.list;
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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every type's edge values written to Parquet and read back by DuckDB, value by value. */
class ParquetEdgeValuesTest {
    private static final StreamId ID = StreamId.of("public", "edges");

    @TempDir
    Path dir;

    private static Record row(Schema schema, int id, Object... values) {
        Object[] v = new Object[schema.size()];
        v[0] = id;
        System.arraycopy(values, 0, v, 1, values.length);
        return new Record(schema, v, "key-" + id, OpType.READ, Instant.EPOCH, null);
    }

    private static ConfiguredStream stream(Schema schema) {
        return ConfiguredStream.of(Stream.of(ID, schema, List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH)));
    }

    private ParquetDestination destination() {
        return (ParquetDestination) new ParquetWriterFactory().create(Json.object().put("path", dir.toString()));
    }

    private static MetadataState state() {
        ObjectNode p = Json.object().put("chunk", 1);
        return new MetadataState("chunk-1", p);
    }

    private static List<List<Object>> query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SET TimeZone='UTC'; " + sql)) {
            List<List<Object>> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> r = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    r.add(rs.getObject(i));
                }
                out.add(r);
            }
            return out;
        }
    }

    private String files(ParquetDestination d) {
        return "read_parquet('" + d.streamDir(ID) + "/*.parquet')";
    }

    /** What DuckDB shows for a written value, by the SQL expression of that column in {@link #writesEveryEdge…}. */
    private static Object expected(Field f, Object v) {
        if (v == null) {
            return null;
        }
        return switch (f.type()) {
            case DECIMAL -> v instanceof BigDecimal d
                    ? (f.precision() > 0 && f.precision() <= 38 ? d.setScale(f.scale()) : d).toPlainString() : v;
            case DATE -> ((LocalDate) v).toEpochDay();
            case TIME -> ((LocalTime) v).toNanoOfDay() / 1000;
            // DuckDB reads Long.MAX_VALUE µs (what PostgreSQL's +infinity becomes) as its own 'infinity'
            case TIMESTAMP_MICRO, TIMESTAMP_NANO -> micros((Instant) v) == Long.MAX_VALUE ? "infinity"
                    : Long.toString(micros((Instant) v));
            case BINARY -> HexFormat.of().withUpperCase().formatHex((byte[]) v);
            default -> v;
        };
    }

    /** Microseconds since the epoch, computed without long overflow (nanoseconds truncated towards the past). */
    private static long micros(Instant t) {
        return java.math.BigInteger.valueOf(t.getEpochSecond()).multiply(java.math.BigInteger.valueOf(1_000_000))
                .add(java.math.BigInteger.valueOf(t.getNano() / 1000)).longValueExact();
    }

    private static String select(Field f) {
        String n = f.name();
        return switch (f.type()) {
            case DECIMAL -> n + "::varchar";
            // raw days / microseconds: DuckDB shows int32 max days and int64 max µs as 'infinity'
            case DATE -> "(" + n + " - DATE '1970-01-01')::bigint";
            case TIME -> "epoch_us(" + n + ")";
            case TIMESTAMP_MICRO, TIMESTAMP_NANO -> "coalesce(epoch_us(" + n + ")::varchar, " + n + "::varchar)";
            case BINARY -> "hex(" + n + ")";
            default -> n;
        };
    }

    @Test
    void writesEveryEdgeValueSoThatDuckDbReadsItBackExactly() throws Exception {
        ParquetDestination d = destination();
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults())) {
            WriterThread w = pool.newWriter(stream(SCHEMA), new WriterOptions("chunk-1", WriteMode.APPEND));
            for (int r = 0; r < ROWS; r++) {
                int row = r;
                w.push(row(SCHEMA, r, COLS.stream().map(c -> valueAt(c, row)).toArray()));
            }
            w.close(state());
        }
        for (Col c : COLS) {
            List<List<Object>> got = query("select id, " + select(c.field()) + " from " + files(d) + " order by id");
            assertThat(got).hasSize(ROWS);
            for (int r = 0; r < ROWS; r++) {
                assertThat(got.get(r).get(1)).as("column %s row %d (%s)", c.field().name(), r, valueAt(c, r))
                        .isEqualTo(expected(c.field(), valueAt(c, r)));
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

    /** Rows 1 and 9 fit; rows 2..7 hold one value the columns cannot hold, row 8 two. */
    private static List<Record> limitRows() {
        BigDecimal ok = new BigDecimal("1.50");
        return List.of(
                row(LIMITS, 1, T, D, ok, "one"),
                row(LIMITS, 2, TOO_LATE, D, ok, "two"),
                row(LIMITS, 3, TOO_EARLY, D, ok, "three"),
                row(LIMITS, 4, T, LocalDate.ofEpochDay(Integer.MAX_VALUE + 1L), ok, "four"),
                row(LIMITS, 5, T, D, new BigDecimal("123.456"), "five"),
                row(LIMITS, 6, T, D, new BigDecimal("12345678.9"), "six"),
                row(LIMITS, 7, T, D, "NaN", "seven"),
                row(LIMITS, 8, TOO_LATE, D, "Infinity", "eight"),
                row(LIMITS, 9, T, D, ok, "nine"));
    }

    private WriterPool.StreamStats writeLimits(ParquetDestination d, ValueErrors handling, List<Record> rows) {
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults().withBatchSize(4)
                .withValueErrors(handling))) {
            WriterThread w = pool.newWriter(stream(LIMITS), new WriterOptions("chunk-1", WriteMode.APPEND));
            rows.forEach(w::push);
            w.close(state());
            return pool.stats(ID);
        }
    }

    private List<List<Object>> limitTable(ParquetDestination d) throws SQLException {
        return query("select id, epoch_us(c_ts), (c_date - DATE '1970-01-01')::bigint, c_dec::varchar, c_s from "
                + files(d) + " order by id");
    }

    private static List<Object> fitting(int id, String s) {
        return list(id, micros(T), D.toEpochDay(), "1.50", s);
    }

    @Test
    void aTimestampBeyondMicrosecondsFailsNamingStreamColumnKeyAndValue() throws Exception {
        ParquetDestination d = destination();
        assertThatThrownBy(() -> writeLimits(d, ValueErrors.FAIL, List.of(limitRows().get(0), limitRows().get(1))))
                .isInstanceOfSatisfying(ValueException.class, e -> {
                    assertThat(e.stream()).contains("public.edges");
                    assertThat(e.column()).isEqualTo("c_ts");
                    assertThat(e.key()).contains("key-2");
                    assertThat(e.value()).isEqualTo("+294248-01-01T00:00:00Z");
                    assertThat(e.getMessage()).contains("stream public.edges", "column c_ts", "key key-2",
                            "'+294248-01-01T00:00:00Z'", "value_errors").doesNotContain("overflow");
                    assertThat(e.getMessage().split("c_ts", -1)).as("the column is named once").hasSize(2);
                });
        assertThat(d.committedState(ID, "chunk-1")).isEmpty();
        assertThat(java.nio.file.Files.exists(d.streamDir(ID))
                ? java.nio.file.Files.list(d.streamDir(ID)).filter(p -> p.toString().endsWith(".parquet")).count()
                : 0L).isZero();
    }

    @Test
    void specialsAndTooManyDigitsInADecimalColumnAndDatesBeyondInt32DaysFail() {
        for (int i : new int[] {2, 3, 4, 5, 6}) {
            Record bad = limitRows().get(i);
            assertThatThrownBy(() -> writeLimits(destination(), ValueErrors.FAIL, List.of(bad)))
                    .as("row %s", bad).isInstanceOf(ValueException.class)
                    .hasMessageContaining("key key-" + (i + 1))
                    .hasMessageContaining("column " + (i == 3 ? "c_date" : i == 2 ? "c_ts" : "c_dec"));
        }
        assertThatThrownBy(() -> writeLimits(destination(), ValueErrors.FAIL, List.of(limitRows().get(6))))
                .hasMessageContaining("value 'NaN'").hasMessageContaining("decimal(9,2)");
    }

    @Test
    void valueErrorsNullWritesNullInTheBadColumnsOnlyAndCountsThem() throws Exception {
        ParquetDestination d = destination();
        WriterPool.StreamStats stats = writeLimits(d, ValueErrors.NULL, limitRows());
        assertThat(stats.valueErrors()).isEqualTo(8);
        assertThat(stats.committed()).isEqualTo(9);
        assertThat(limitTable(d)).containsExactly(
                fitting(1, "one"),
                list(2, null, D.toEpochDay(), "1.50", "two"),
                list(3, null, D.toEpochDay(), "1.50", "three"),
                list(4, micros(T), null, "1.50", "four"),
                list(5, micros(T), D.toEpochDay(), null, "five"),
                list(6, micros(T), D.toEpochDay(), null, "six"),
                list(7, micros(T), D.toEpochDay(), null, "seven"),
                list(8, null, D.toEpochDay(), null, "eight"),
                fitting(9, "nine"));
    }

    @Test
    void valueErrorsSkipLeavesOutWholeRowsAndCountsThem() throws Exception {
        ParquetDestination d = destination();
        WriterPool.StreamStats stats = writeLimits(d, ValueErrors.SKIP, limitRows());
        assertThat(stats.valueErrors()).isEqualTo(7);
        assertThat(limitTable(d)).containsExactly(fitting(1, "one"), fitting(9, "nine"));
    }
}
