package io.tributary.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.tributary.types.ConfigException;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * How cursor values are stored in {@code state.json}: one text form per type (timestamps as RFC 3339 with nine
 * fraction digits in UTC, as OLake does; decimals as exact text; integers as JSON numbers), and typed again from
 * the column's {@link DataType} when read, so that a value survives any number of round trips unchanged.
 */
final class CursorFormat {
    static final DateTimeFormatter RFC3339_NANO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private CursorFormat() {
    }

    static JsonNode format(Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v == null) {
            return f.nullNode();
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return f.numberNode(((Number) v).longValue());
        }
        if (v instanceof Double d) {
            return f.numberNode(d);
        }
        if (v instanceof Float x) {
            return f.numberNode(x.doubleValue());
        }
        if (v instanceof Boolean b) {
            return f.booleanNode(b);
        }
        if (v instanceof BigDecimal d) {
            return f.textNode(d.toPlainString());
        }
        if (v instanceof Instant i) {
            return f.textNode(RFC3339_NANO.format(i));
        }
        if (v instanceof LocalDateTime t) {
            return f.textNode(RFC3339_NANO.format(t.toInstant(ZoneOffset.UTC)));
        }
        return f.textNode(v.toString()); // String, LocalDate, LocalTime, ObjectId (hex)
    }

    static Object reformat(String column, JsonNode v, Schema schema) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        Field field = schema.field(column).orElseThrow(() -> new ConfigException(
                "cursor field " + column + " is not a column of the stream; columns: " + schema.names()));
        String text = v.asText();
        try {
            return switch (field.type()) {
                case INT32 -> v.isNumber() ? v.asInt() : Integer.parseInt(text);
                case INT64 -> v.isNumber() ? v.asLong() : Long.parseLong(text);
                case FLOAT32 -> (float) (v.isNumber() ? v.asDouble() : Double.parseDouble(text));
                case FLOAT64 -> v.isNumber() ? v.asDouble() : Double.parseDouble(text);
                case DECIMAL -> switch (text) {
                    case "NaN", "Infinity", "-Infinity" -> text; // a special value (DataType.DECIMAL)
                    default -> new BigDecimal(text);
                };
                case BOOLEAN -> v.isBoolean() ? v.asBoolean() : Boolean.parseBoolean(text);
                case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> Instant.parse(text);
                case DATE -> LocalDate.parse(text);
                case TIME -> LocalTime.parse(text);
                default -> text;
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new ConfigException("state: cursor value '" + text + "' of column " + column
                    + " is not a valid " + field.type().jsonName(), e);
        }
    }
}
