package io.tributary.types;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * The logical types that drivers produce and writers store, a superset of OLake's.
 *
 * <p>The Java value a {@link io.tributary.writer.Record} holds for each type:
 * <table>
 *   <caption>Java representation</caption>
 *   <tr><th>type</th><th>Java value</th></tr>
 *   <tr><td>BOOLEAN</td><td>{@link Boolean}</td></tr>
 *   <tr><td>INT32 / INT64</td><td>{@link Integer} / {@link Long}</td></tr>
 *   <tr><td>FLOAT32 / FLOAT64</td><td>{@link Float} / {@link Double}</td></tr>
 *   <tr><td>DECIMAL</td><td>{@link java.math.BigDecimal} (scale = the field's scale; precision 0 means unconstrained,
 *       and the value keeps the source's scale); the source's special values as the {@code String}s {@code "NaN"},
 *       {@code "Infinity"}, {@code "-Infinity"} (PostgreSQL {@code numeric}, MongoDB Decimal128)</td></tr>
 *   <tr><td>STRING</td><td>{@link String}</td></tr>
 *   <tr><td>DATE</td><td>{@link java.time.LocalDate}</td></tr>
 *   <tr><td>TIME</td><td>{@link java.time.LocalTime} (time of day, microsecond precision); a source type whose
 *       values leave 00:00–23:59:59.999999 (PostgreSQL {@code time} '24:00:00', MySQL {@code TIME} ±838 h) is mapped
 *       to STRING holding the source's own rendering instead</td></tr>
 *   <tr><td>TIMESTAMP_MILLI / _MICRO / _NANO</td><td>{@link java.time.Instant} (an instant on the UTC time line)</td></tr>
 *   <tr><td>BINARY</td><td>{@code byte[]}</td></tr>
 *   <tr><td>JSON_OBJECT / JSON_ARRAY</td><td>{@link String} holding the JSON text</td></tr>
 *   <tr><td>NULL</td><td>always {@code null}</td></tr>
 * </table>
 *
 * <p>A value that a destination's type cannot hold (a timestamp past Parquet's and Iceberg's 64-bit microseconds,
 * a special decimal in a decimal column) fails in that writer with a {@link ValueException} naming stream, column,
 * key and value; {@link ValueErrors} chooses whether the sync stops (default), writes NULL or skips the row.
 *
 * <p>JSON names (the catalog's {@code type_schema}) follow OLake where OLake has the type:
 * {@code integer_small}, {@code integer}, {@code number_small}, {@code number}, {@code object}, {@code array}.
 */
public enum DataType {
    NULL("null"),
    BOOLEAN("boolean"),
    INT32("integer_small"),
    INT64("integer"),
    FLOAT32("number_small"),
    FLOAT64("number"),
    DECIMAL("decimal"),
    STRING("string"),
    DATE("date"),
    TIME("time"),
    TIMESTAMP_MILLI("timestamp_milli"),
    TIMESTAMP_MICRO("timestamp_micro"),
    TIMESTAMP_NANO("timestamp_nano"),
    BINARY("binary"),
    JSON_OBJECT("object"),
    JSON_ARRAY("array");

    private final String jsonName;

    DataType(String jsonName) {
        this.jsonName = jsonName;
    }

    @JsonValue
    public String jsonName() {
        return jsonName;
    }

    @JsonCreator
    public static DataType fromJson(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("timestamp")) {
            return TIMESTAMP_MICRO; // OLake's plain "timestamp"
        }
        for (DataType t : values()) {
            if (t.jsonName.equals(n)) {
                return t;
            }
        }
        throw new ConfigException("unknown data type '" + name + "'; expected one of "
                + Arrays.stream(values()).map(DataType::jsonName).toList());
    }

    public boolean isTimestamp() {
        return this == TIMESTAMP_MILLI || this == TIMESTAMP_MICRO || this == TIMESTAMP_NANO;
    }

    public boolean isInteger() {
        return this == INT32 || this == INT64;
    }

    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /**
     * The narrowest type that holds values of both types, following OLake's lowest-common-ancestor tree:
     * {@code null < boolean < int32 < int64 < float64 < string}, {@code float32 < float64},
     * {@code timestamp_milli < _micro < _nano}, decimal above the integers; anything else meets at string.
     * Decimal precision/scale widening is done by {@link Field#widen(Field)}.
     */
    public DataType widen(DataType other) {
        if (this == other) {
            return this;
        }
        if (this == NULL) {
            return other;
        }
        if (other == NULL) {
            return this;
        }
        int a = numericRank(this);
        int b = numericRank(other);
        if (a >= 0 && b >= 0) {
            if ((this == DECIMAL && other.isFloating()) || (other == DECIMAL && this.isFloating())) {
                return FLOAT64;
            }
            return a >= b ? this : other;
        }
        if (this.isTimestamp() && other.isTimestamp()) {
            return this.ordinal() > other.ordinal() ? this : other;
        }
        if (this == DATE && other.isTimestamp()) {
            return other;
        }
        if (other == DATE && this.isTimestamp()) {
            return this;
        }
        return STRING;
    }

    /** Whether values stored as {@code this} can be read as {@code wider} without loss (a legal schema change). */
    public boolean canWidenTo(DataType wider) {
        return widen(wider) == wider;
    }

    private static int numericRank(DataType t) {
        return switch (t) {
            case BOOLEAN -> 0;
            case INT32 -> 1;
            case INT64 -> 2;
            case DECIMAL -> 3;
            case FLOAT32 -> 4;
            case FLOAT64 -> 5;
            default -> -1;
        };
    }
}
