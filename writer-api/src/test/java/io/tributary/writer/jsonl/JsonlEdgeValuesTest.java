package io.tributary.writer.jsonl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueErrors;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterThread;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every type's edge values written to jsonl and read back by a plain Jackson parser, value by value. */
class JsonlEdgeValuesTest {
    private static final StreamId ID = StreamId.of("public", "edges");
    private static final Instant MIN_MICROS = Instant.ofEpochSecond(Math.floorDiv(Long.MIN_VALUE, 1_000_000L),
            Math.floorMod(Long.MIN_VALUE, 1_000_000L) * 1000);
    private static final Instant MAX_MICROS = Instant.ofEpochSecond(Math.floorDiv(Long.MAX_VALUE, 1_000_000L),
            Math.floorMod(Long.MAX_VALUE, 1_000_000L) * 1000);
    private static final String DIGITS_65 = "12345678901234567890123456789012345.678901234567890123456789012345";
    private static final String MAX_38 = "9".repeat(38);

    /** Column name, type, and the values of rows 0..n (shorter lists leave later rows NULL). */
    private record Col(Field field, List<Object> values) {
    }

    private static List<Object> list(Object... v) {
        return java.util.Arrays.asList(v);
    }

    private static final List<Col> COLS = List.of(
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

    private static final Schema SCHEMA = schema();
    private static final int ROWS = COLS.stream().mapToInt(c -> c.values().size()).max().orElseThrow();

    @TempDir
    Path dir;

    private static Schema schema() {
        List<Field> fields = new ArrayList<>();
        fields.add(Field.of("id", DataType.INT32, false));
        COLS.forEach(c -> fields.add(c.field()));
        return Schema.of(fields.toArray(Field[]::new));
    }

    private static Object valueAt(Col c, int row) {
        return row < c.values().size() ? c.values().get(row) : null;
    }

    private WriterPool pool(ValueErrors handling) {
        return WriterPool.open("jsonl", Json.parse("{\"path\": \"" + dir + "\"}"),
                WriterPool.Options.defaults().withBatchSize(4).withValueErrors(handling));
    }

    /** The committed lines, parsed by an ObjectMapper with Jackson's defaults (as any reader would). */
    private List<JsonNode> lines() throws Exception {
        ObjectMapper plain = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    out.add(plain.readTree(line));
                }
            }
        }
        return out;
    }

    private void write(ValueErrors handling) {
        try (WriterPool pool = pool(handling)) {
            WriterThread w = pool.newWriter(ConfiguredStream.of(io.tributary.types.Stream.of(ID, SCHEMA, List.of("id"),
                    Set.of("id"), Set.of(SyncMode.FULL_REFRESH))), new WriterOptions("chunk-1", WriteMode.APPEND));
            for (int r = 0; r < ROWS; r++) {
                int row = r;
                Object[] v = new Object[SCHEMA.size()];
                v[0] = r;
                for (int c = 0; c < COLS.size(); c++) {
                    v[c + 1] = valueAt(COLS.get(c), row);
                }
                w.push(new Record(SCHEMA, v, "key-" + r, OpType.READ, Instant.EPOCH, null));
            }
            ObjectNode p = Json.object().put("n", 1);
            w.close(new MetadataState("chunk-1", p));
            assertThat(pool.stats(ID).valueErrors()).isZero();
        }
    }

    /** Asserts that a parsed JSON value is exactly the written Java value, in the documented rendering. */
    private static void assertRendering(Field f, Object v, JsonNode n, String where) {
        if (v == null) {
            assertThat(n.isNull()).as(where).isTrue();
            return;
        }
        switch (f.type()) {
            case BOOLEAN -> assertThat(n.isBoolean() && n.booleanValue() == (Boolean) v).as(where).isTrue();
            case INT32 -> assertThat(n.isInt() ? n.intValue() : null).as(where).isEqualTo(v);
            case INT64 -> assertThat(n.canConvertToLong() && n.isIntegralNumber() ? n.longValue() : null).as(where)
                    .isEqualTo(v);
            case FLOAT32 -> {
                float x = (Float) v;
                if (Float.isFinite(x)) {
                    assertThat(n.isNumber() ? (float) n.doubleValue() : null).as(where).isEqualTo(x);
                } else {
                    assertThat(n.isTextual() ? n.textValue() : null).as(where).isEqualTo(Float.toString(x));
                }
            }
            case FLOAT64 -> {
                double x = (Double) v;
                if (Double.isFinite(x)) {
                    assertThat(n.isNumber() ? n.doubleValue() : null).as(where).isEqualTo(x);
                } else {
                    assertThat(n.isTextual() ? n.textValue() : null).as(where).isEqualTo(Double.toString(x));
                }
            }
            case DECIMAL -> assertThat(n.isTextual() ? n.textValue() : null).as(where)
                    .isEqualTo(v instanceof BigDecimal d ? d.toPlainString() : v);
            case DATE -> {
                assertThat(n.textValue()).as(where).isEqualTo(v.toString());
                assertThat(LocalDate.parse(n.textValue())).as(where).isEqualTo(v);
            }
            case TIME -> {
                assertThat(n.textValue()).as(where).isEqualTo(v.toString());
                assertThat(LocalTime.parse(n.textValue())).as(where).isEqualTo(v);
            }
            case TIMESTAMP_MICRO, TIMESTAMP_NANO -> {
                assertThat(n.textValue()).as(where).isEqualTo(v.toString());
                assertThat(Instant.parse(n.textValue())).as(where).isEqualTo(v);
            }
            case BINARY -> assertThat(Base64.getDecoder().decode(n.textValue())).as(where).isEqualTo(v);
            default -> assertThat(n.isTextual() ? n.textValue() : null).as(where).isEqualTo(v);
        }
    }

    @Test
    void writesEveryEdgeValueSoThatAPlainJsonParserReadsItBackExactly() throws Exception {
        write(ValueErrors.FAIL);
        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(ROWS);
        for (Col c : COLS) {
            for (int r = 0; r < ROWS; r++) {
                assertRendering(c.field(), valueAt(c, r), lines.get(r).get(c.field().name()),
                        "column " + c.field().name() + " row " + r + " (" + valueAt(c, r) + ")");
            }
        }
        // the renderings the README documents
        JsonNode first = lines.get(0);
        JsonNode third = lines.get(2);
        assertThat(first.get("dec_any").textValue()).isEqualTo(DIGITS_65);
        assertThat(third.get("dec_any").textValue()).isEqualTo("0.000000000000000000000000000001");
        assertThat(lines.get(4).get("dec_any").textValue()).isEqualTo("-0.10");
        assertThat(lines.get(8).get("dec_any").textValue()).isEqualTo("100000");
        assertThat(first.get("f64").textValue()).isEqualTo("NaN");
        assertThat(lines.get(3).get("f32").toString()).isEqualTo("-0.0");
        assertThat(first.get("bin").textValue()).isEmpty();
        assertThat(lines.get(1).get("bin").textValue()).isEqualTo("AQAA");
        assertThat(first.get("tm").textValue()).isEqualTo("00:00");
        assertThat(first.get("ts").textValue()).isEqualTo("-290308-12-21T19:59:05.224192Z");
        assertThat(lines.get(1).get("ts").textValue()).isEqualTo("+294247-01-10T04:00:54.775807Z");
        assertThat(lines.get(1).get("dt").textValue()).isEqualTo("-4712-01-01");
        assertThat(lines.get(3).get("dt").textValue()).isEqualTo("+5881580-07-11");
    }

    @Test
    void acceptsEveryValueErrorsSettingAndHoldsValuesParquetCannot() throws Exception {
        for (ValueErrors handling : ValueErrors.values()) {
            write(handling); // counts zero: every value fits
        }
        assertThat(lines()).hasSize(3 * ROWS);
    }
}
