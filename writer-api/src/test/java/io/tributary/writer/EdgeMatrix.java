package io.tributary.writer;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Every type's edge values as model values, one column per type (and decimal shape), row {@code r} holding each
 * column's r-th value: the matrix the writers' edge-value tests (jsonl, Parquet, Iceberg) write and read back.
 * Shared through writer-api's test jar.
 */
public final class EdgeMatrix {
    private EdgeMatrix() {
    }

    public static final Instant MIN_MICROS = Instant.ofEpochSecond(Math.floorDiv(Long.MIN_VALUE, 1_000_000L),
            Math.floorMod(Long.MIN_VALUE, 1_000_000L) * 1000);
    public static final Instant MAX_MICROS = Instant.ofEpochSecond(Math.floorDiv(Long.MAX_VALUE, 1_000_000L),
            Math.floorMod(Long.MAX_VALUE, 1_000_000L) * 1000);
    public static final String DIGITS_65 = "12345678901234567890123456789012345.678901234567890123456789012345";
    public static final String MAX_38 = "9".repeat(38);

    /** Column name, type, and the values of rows 0..n (shorter lists leave later rows NULL). */
    public record Col(Field field, List<Object> values) {
    }

    public static List<Object> list(Object... v) {
        return java.util.Arrays.asList(v);
    }

    public static final List<Col> COLS = List.of(
            new Col(Field.nullable("b", DataType.BOOLEAN), list(true, false)),
            new Col(Field.nullable("i32", DataType.INT32), list(Integer.MIN_VALUE, Integer.MAX_VALUE, 0)),
            new Col(Field.nullable("i64", DataType.INT64), list(Long.MIN_VALUE, Long.MAX_VALUE, 0L)),
            new Col(Field.nullable("f32", DataType.FLOAT32), list(Float.NaN, Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE)),
            new Col(Field.nullable("f64", DataType.FLOAT64), list(Double.NaN, Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY, -0.0d, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE)),
            new Col(Field.decimal("dec_any", 0, 0, true), list(new BigDecimal(DIGITS_65),
                    new BigDecimal("-" + DIGITS_65), new BigDecimal("1E-30"), new BigDecimal("0.1"),
                    new BigDecimal("-0.10"), "NaN", "Infinity", "-Infinity", new BigDecimal("1E+5"))),
            new Col(Field.decimal("dec_65_30", 65, 30, true), list(new BigDecimal(DIGITS_65),
                    new BigDecimal("-" + DIGITS_65), new BigDecimal("1E-30"), new BigDecimal("0E-30"))),
            new Col(Field.decimal("dec_38_0", 38, 0, true), list(new BigDecimal(MAX_38),
                    new BigDecimal("-" + MAX_38), BigDecimal.ZERO)),
            new Col(Field.decimal("dec_9_2", 9, 2, true), list(new BigDecimal("9999999.99"),
                    new BigDecimal("-9999999.99"), new BigDecimal("0.00"), new BigDecimal("0.01"),
                    new BigDecimal("1.5"), new BigDecimal("12"))),
            new Col(Field.decimal("dec_18_4", 18, 4, true), list(new BigDecimal("99999999999999.9999"),
                    new BigDecimal("-99999999999999.9999"), new BigDecimal("0.0001"), new BigDecimal("-0.0001"))),
            new Col(Field.nullable("dt", DataType.DATE), list(LocalDate.of(1, 1, 1), LocalDate.of(-4712, 1, 1),
                    LocalDate.of(9999, 12, 31), LocalDate.ofEpochDay(Integer.MAX_VALUE),
                    LocalDate.ofEpochDay(Integer.MIN_VALUE), LocalDate.of(1582, 10, 4), LocalDate.of(1582, 10, 15),
                    LocalDate.of(1970, 1, 1))),
            new Col(Field.nullable("tm", DataType.TIME), list(LocalTime.MIDNIGHT, LocalTime.of(23, 59, 59, 999_999_000),
                    LocalTime.NOON)),
            new Col(Field.nullable("ts", DataType.TIMESTAMP_MICRO), list(MIN_MICROS, MAX_MICROS,
                    Instant.parse("1582-10-04T00:00:00Z"), Instant.parse("1582-10-15T00:00:00Z"),
                    Instant.parse("0001-01-01T00:00:00Z"), Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999999Z"))),
            new Col(Field.nullable("ts_nano", DataType.TIMESTAMP_NANO), list(Instant.parse("1969-12-31T23:59:59.999999999Z"),
                    Instant.parse("2026-01-02T03:04:05.123456789Z"))),
            new Col(Field.nullable("s", DataType.STRING), list("", "😀𝄞", "\u0001\t\n\r\u001f\u007f\u0085\u2028",
                    "é✓日本")),
            new Col(Field.nullable("bin", DataType.BINARY), list(new byte[0], new byte[] {1, 0, 0},
                    new byte[] {0, 0, 0, 0}, new byte[] {(byte) 0xFF})),
            new Col(Field.nullable("js", DataType.JSON_OBJECT), list("{}", "{\"a\":[1,\"😀\"]}")));

    public static final Schema SCHEMA = schema();
    public static final int ROWS = COLS.stream().mapToInt(c -> c.values().size()).max().orElseThrow();

    private static Schema schema() {
        List<Field> fields = new ArrayList<>();
        fields.add(Field.of("id", DataType.INT32, false));
        COLS.forEach(c -> fields.add(c.field()));
        return Schema.of(fields.toArray(Field[]::new));
    }

    public static Object valueAt(Col c, int row) {
        return row < c.values().size() ? c.values().get(row) : null;
    }
}
