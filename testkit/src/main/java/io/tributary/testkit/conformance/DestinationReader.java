package io.tributary.testkit.conformance;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.testkit.conformance.EdgeValues.Unreadable;
import io.tributary.types.DataType;
import io.tributary.types.Json;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads what a writer wrote with a reader that shares no code with it — Jackson for jsonl, DuckDB for Parquet,
 * Iceberg's generic reader for Iceberg — and turns every value back into the model value of its column's
 * {@link DataType}, following the writer's documented mapping. A value of an unexpected shape becomes an
 * {@link Unreadable}, which equals nothing.
 */
final class DestinationReader {
    /** Iceberg namespace of the kit's tables (the writer's {@code namespace} key). */
    static final String ICEBERG_NAMESPACE = "fidelity";

    /**
     * One destination row: its {@code _olake_id}, its key column, {@code _op_type}, {@code tag} and the model values
     * of the edge columns.
     */
    record DestRow(String olakeId, long key, String op, Object tag, Map<String, Object> values) {
    }

    private final String type;
    private final Path dir;

    DestinationReader(String type, Path dir) {
        this.type = type;
        this.dir = dir;
    }

    String type() {
        return type;
    }

    /** The writer config that puts the writer's output under {@code dir}. */
    JsonNode writerConfig() {
        return switch (type) {
            case "jsonl" -> Json.object().put("path", dir.resolve("jsonl").toString()).put("fsync", false);
            case "parquet" -> Json.object().put("path", dir.resolve("parquet").toString());
            case "iceberg" -> Json.object().put("warehouse", dir.resolve("warehouse").toString())
                    .put("namespace", ICEBERG_NAMESPACE);
            default -> throw new IllegalArgumentException("no reader for writer " + type);
        };
    }

    /**
     * The rows of one stream, in the order the writer committed them (jsonl and Parquet are append logs: a key may
     * appear more than once, the last row is the current one; an Iceberg table has one row per key).
     */
    List<DestRow> read(StreamId stream, Schema schema, List<String> columns, String keyColumn) {
        try {
            return switch (type) {
                case "jsonl" -> readJsonl(stream, schema, columns, keyColumn);
                case "parquet" -> readParquet(schema, columns, keyColumn);
                case "iceberg" -> readIceberg(stream, schema, columns, keyColumn);
                default -> throw new IllegalArgumentException("no reader for writer " + type);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("DuckDB cannot read the Parquet files under " + dir + ": " + e, e);
        }
    }

    // ---------------------------------------------------------------- jsonl (Jackson's streaming parser)

    /** A JSON number as written, so that no parser rounding hides what the writer wrote. */
    private record JsonNumber(String text) {
        @Override
        public String toString() {
            return "JSON number " + text;
        }
    }

    private List<DestRow> readJsonl(StreamId stream, Schema schema, List<String> columns, String keyColumn)
            throws IOException {
        Path root = dir.resolve("jsonl");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> files;
        try (var walk = Files.walk(root)) {
            // committed files are <name>.jsonl; a writer thread's temp file is hidden (.<name>.tmp)
            files = walk.filter(p -> p.getFileName().toString().endsWith(".jsonl")
                    && !p.getFileName().toString().startsWith(".")).sorted(
                            (a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        JsonFactory json = new JsonFactory();
        List<DestRow> out = new ArrayList<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> raw = new HashMap<>();
                try (JsonParser p = json.createParser(line)) {
                    if (p.nextToken() != JsonToken.START_OBJECT) {
                        throw new IllegalStateException(f + ": a line is not a JSON object: " + line);
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        raw.put(name, jsonValue(p, p.nextToken()));
                    }
                }
                Map<String, Object> values = new HashMap<>();
                for (String c : columns) {
                    values.put(c, fromJsonl(schema.field(c).orElseThrow().type(), raw.get(c)));
                }
                out.add(new DestRow(String.valueOf(raw.get("_olake_id")), key(raw.get(keyColumn)),
                        String.valueOf(raw.get("_op_type")), raw.get("tag"), values));
            }
        }
        return out;
    }

    private static Object jsonValue(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new JsonNumber(p.getText());
            default -> {
                p.skipChildren();
                yield new Unreadable("a nested JSON " + t);
            }
        };
    }

    static Object fromJsonl(DataType type, Object raw) {
        if (raw == null || raw instanceof Unreadable) {
            return raw;
        }
        try {
            return switch (type) {
                case NULL -> new Unreadable("a value in a NULL column: " + raw);
                case BOOLEAN -> raw instanceof Boolean b ? b : wrong(raw, "a JSON boolean");
                case INT32 -> raw instanceof JsonNumber n ? (Object) Integer.parseInt(n.text()) : wrong(raw, "a JSON number");
                case INT64 -> raw instanceof JsonNumber n ? (Object) Long.parseLong(n.text()) : wrong(raw, "a JSON number");
                // NaN and ±Infinity are JSON strings, every other float a JSON number
                case FLOAT32 -> raw instanceof JsonNumber n ? (Object) Float.parseFloat(n.text())
                        : raw instanceof String s && EdgeValues.DECIMAL_SPECIALS.contains(s) ? (Object) Float.parseFloat(s)
                        : wrong(raw, "a JSON number or \"NaN\"/\"Infinity\"/\"-Infinity\"");
                case FLOAT64 -> raw instanceof JsonNumber n ? (Object) Double.parseDouble(n.text())
                        : raw instanceof String s && EdgeValues.DECIMAL_SPECIALS.contains(s) ? (Object) Double.parseDouble(s)
                        : wrong(raw, "a JSON number or \"NaN\"/\"Infinity\"/\"-Infinity\"");
                // a JSON string of the plain text; a bare JSON number is accepted while the writers change over
                case DECIMAL -> raw instanceof String s ? plainDecimal(s)
                        : raw instanceof JsonNumber n ? (Object) new BigDecimal(n.text()) : wrong(raw, "a JSON string");
                case STRING, JSON_OBJECT, JSON_ARRAY -> raw instanceof String s ? s : wrong(raw, "a JSON string");
                case DATE -> raw instanceof String s ? (Object) LocalDate.parse(s) : wrong(raw, "an ISO date string");
                case TIME -> raw instanceof String s ? (Object) LocalTime.parse(s) : wrong(raw, "an ISO time string");
                case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> raw instanceof String s
                        ? (Object) Instant.parse(s) : wrong(raw, "an ISO-8601 instant string");
                case BINARY -> raw instanceof String s ? (Object) Base64.getDecoder().decode(s)
                        : wrong(raw, "a base64 string");
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            return new Unreadable(raw + " (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) { // base64
            return new Unreadable(raw + " (" + e.getMessage() + ")");
        }
    }

    /** A decimal written as JSON text: a special, or {@code BigDecimal.toPlainString()} (no exponent). */
    private static Object plainDecimal(String s) {
        if (EdgeValues.DECIMAL_SPECIALS.contains(s)) {
            return s;
        }
        BigDecimal d = new BigDecimal(s);
        return d.toPlainString().equals(s) ? d : new Unreadable("\"" + s + "\" is not the plain text of a decimal");
    }

    private static Object wrong(Object raw, String want) {
        return new Unreadable(raw instanceof String s ? "JSON string \"" + s + "\", not " + want
                : raw + " (" + raw.getClass().getSimpleName() + "), not " + want);
    }

    // ---------------------------------------------------------------- Parquet (DuckDB)

    private List<DestRow> readParquet(Schema schema, List<String> columns, String keyColumn) throws SQLException,
            IOException {
        Path root = dir.resolve("parquet");
        boolean any;
        try (var walk = Files.exists(root) ? Files.walk(root) : java.util.stream.Stream.<Path>empty()) {
            any = walk.anyMatch(p -> p.getFileName().toString().endsWith(".parquet"));
        }
        if (!any) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT _olake_id, ").append(quote(keyColumn)).append(", _op_type, tag");
        for (String c : columns) {
            sql.append(", ").append(quote(c));
        }
        // committed files are <commit>-<n>.parquet; a writer thread's temp files are hidden (.<…>.parquet.tmp) and
        // do not match; the file names begin with the commit time, so file order is commit order
        sql.append(" FROM read_parquet('").append(root.toString().replace("'", "''"))
                .append("/**/*.parquet', union_by_name = true, filename = true, file_row_number = true)")
                .append(" ORDER BY filename, file_row_number");
        List<DestRow> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = st.executeQuery(sql.toString())) {
                while (rs.next()) {
                    Map<String, Object> values = new HashMap<>();
                    for (int i = 0; i < columns.size(); i++) {
                        DataType t = schema.field(columns.get(i)).orElseThrow().type();
                        Object raw = t == DataType.BINARY ? rs.getBytes(5 + i) : rs.getObject(5 + i);
                        values.put(columns.get(i), fromParquet(t, raw));
                    }
                    out.add(new DestRow(rs.getString(1), key(rs.getObject(2)), rs.getString(3), rs.getObject(4), values));
                }
            }
        }
        return out;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A value as DuckDB's JDBC driver returns it for the Parquet column the writer made for {@code type}. */
    static Object fromParquet(DataType type, Object raw) {
        if (raw == null) {
            return null;
        }
        return switch (type) {
            case NULL -> new Unreadable("a value in a NULL column: " + raw);
            case BOOLEAN -> raw instanceof Boolean ? raw : wrong(raw, "BOOLEAN");
            case INT32 -> raw instanceof Integer ? raw : wrong(raw, "INTEGER");
            case INT64 -> raw instanceof Long ? raw : wrong(raw, "BIGINT");
            case FLOAT32 -> raw instanceof Float ? raw : wrong(raw, "FLOAT");
            case FLOAT64 -> raw instanceof Double ? raw : wrong(raw, "DOUBLE");
            // decimal(p,s) with p ≤ 38 is a decimal column; an unconstrained decimal a string of the exact text
            case DECIMAL -> raw instanceof BigDecimal ? raw : raw instanceof String s ? decimalText(s)
                    : wrong(raw, "DECIMAL or VARCHAR");
            case STRING, JSON_OBJECT, JSON_ARRAY -> raw instanceof String ? raw : wrong(raw, "VARCHAR");
            case DATE -> raw instanceof LocalDate ? raw : wrong(raw, "DATE");
            case TIME -> raw instanceof LocalTime ? raw : wrong(raw, "TIME");
            // adjusted to UTC: TIMESTAMP WITH TIME ZONE (a plain TIMESTAMP would be LocalDateTime)
            case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> raw instanceof OffsetDateTime o
                    ? o.toInstant() : wrong(raw, "TIMESTAMP WITH TIME ZONE");
            case BINARY -> raw instanceof byte[] ? raw : wrong(raw, "BLOB");
        };
    }

    // ---------------------------------------------------------------- Iceberg (IcebergGenerics)

    private List<DestRow> readIceberg(StreamId stream, Schema schema, List<String> columns, String keyColumn)
            throws IOException {
        Path warehouse = dir.resolve("warehouse");
        List<DestRow> out = new ArrayList<>();
        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString())) {
            TableIdentifier id = TableIdentifier.of(ICEBERG_NAMESPACE, stream.name());
            if (!catalog.tableExists(id)) {
                return out;
            }
            Table table = catalog.loadTable(id);
            try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
                for (Record r : rows) {
                    Map<String, Object> values = new HashMap<>();
                    for (String c : columns) {
                        values.put(c, fromIceberg(schema.field(c).orElseThrow().type(), r.getField(c)));
                    }
                    Object op = r.getField("_op_type");
                    out.add(new DestRow(String.valueOf(r.getField("_olake_id")), key(r.getField(keyColumn)),
                            op == null ? null : op.toString(), r.getField("tag"), values));
                }
            }
        }
        return out;
    }

    /** A value as Iceberg's generic reader returns it for the Iceberg type the writer made for {@code type}. */
    static Object fromIceberg(DataType type, Object raw) {
        if (raw == null) {
            return null;
        }
        return switch (type) {
            case NULL -> new Unreadable("a value in a NULL column: " + raw);
            case BOOLEAN -> raw instanceof Boolean ? raw : wrong(raw, "boolean");
            case INT32 -> raw instanceof Integer ? raw : wrong(raw, "int");
            case INT64 -> raw instanceof Long ? raw : wrong(raw, "long");
            case FLOAT32 -> raw instanceof Float ? raw : wrong(raw, "float");
            case FLOAT64 -> raw instanceof Double ? raw : wrong(raw, "double");
            case DECIMAL -> raw instanceof BigDecimal ? raw : raw instanceof CharSequence s ? decimalText(s.toString())
                    : wrong(raw, "decimal or string");
            case STRING, JSON_OBJECT, JSON_ARRAY -> raw instanceof CharSequence s ? s.toString() : wrong(raw, "string");
            case DATE -> raw instanceof LocalDate ? raw : wrong(raw, "date");
            case TIME -> raw instanceof LocalTime ? raw : wrong(raw, "time");
            case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> raw instanceof OffsetDateTime o
                    ? o.toInstant() : wrong(raw, "timestamptz");
            case BINARY -> raw instanceof ByteBuffer b ? bytes(b) : wrong(raw, "binary");
        };
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    /** An unconstrained decimal stored as text: a special, or the exact plain text. */
    private static Object decimalText(String s) {
        if (EdgeValues.DECIMAL_SPECIALS.contains(s)) {
            return s;
        }
        try {
            return plainDecimal(s);
        } catch (NumberFormatException e) {
            return new Unreadable("\"" + s + "\" is not a decimal");
        }
    }

    // ---------------------------------------------------------------- keys

    /** The kit's 64-bit key as read back (a number, or its text). */
    private static long key(Object raw) {
        if (raw instanceof Number n) {
            return n.longValue();
        }
        if (raw instanceof JsonNumber n) {
            return Long.parseLong(n.text());
        }
        if (raw instanceof CharSequence s) {
            return Long.parseLong(s.toString());
        }
        throw new IllegalStateException("a destination row has no readable key: " + raw);
    }
}
