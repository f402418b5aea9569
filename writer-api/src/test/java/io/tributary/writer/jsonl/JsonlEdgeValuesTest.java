package io.tributary.writer.jsonl;

import static io.tributary.writer.EdgeMatrix.COLS;
import static io.tributary.writer.EdgeMatrix.DIGITS_65;
import static io.tributary.writer.EdgeMatrix.ROWS;
import static io.tributary.writer.EdgeMatrix.SCHEMA;
import static io.tributary.writer.EdgeMatrix.valueAt;
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
import io.tributary.writer.EdgeMatrix.Col;
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

    @TempDir
    Path dir;

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
