package io.tributary.writer.iceberg;

import io.tributary.types.DefaultColumns;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Tributary types to Iceberg types, and values to Iceberg's generic representation.
 *
 * <table>
 *   <caption>type mapping</caption>
 *   <tr><th>DataType</th><th>Iceberg</th></tr>
 *   <tr><td>BOOLEAN, INT32, INT64, FLOAT32, FLOAT64</td><td>boolean, int, long, float, double</td></tr>
 *   <tr><td>DECIMAL(p,s), p ≤ 38</td><td>decimal(p,s)</td></tr>
 *   <tr><td>DECIMAL unconstrained or p &gt; 38</td><td>string (exact text; no Iceberg decimal holds every value)</td></tr>
 *   <tr><td>STRING, JSON_OBJECT, JSON_ARRAY, NULL</td><td>string</td></tr>
 *   <tr><td>DATE, TIME</td><td>date, time</td></tr>
 *   <tr><td>TIMESTAMP_MILLI/MICRO/NANO</td><td>timestamptz (microseconds)</td></tr>
 *   <tr><td>BINARY</td><td>binary</td></tr>
 * </table>
 */
final class IcebergSchemas {
    private IcebergSchemas() {
    }

    static Type type(Field f) {
        return switch (f.type()) {
            case BOOLEAN -> Types.BooleanType.get();
            case INT32 -> Types.IntegerType.get();
            case INT64 -> Types.LongType.get();
            case FLOAT32 -> Types.FloatType.get();
            case FLOAT64 -> Types.DoubleType.get();
            case DECIMAL -> f.precision() > 0 && f.precision() <= 38
                    ? Types.DecimalType.of(f.precision(), f.scale()) : Types.StringType.get();
            case DATE -> Types.DateType.get();
            case TIME -> Types.TimeType.get();
            case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> Types.TimestampType.withZone();
            case BINARY -> Types.BinaryType.get();
            default -> Types.StringType.get();
        };
    }

    /**
     * The table schema of a stream: its columns (all optional), then the default columns; {@code _olake_id} is the
     * identifier field only for a stream with a primary key (a keyless stream's {@code _olake_id} is a hash of the
     * row, shared by identical rows, so it identifies no row: its table is an append-only changelog).
     */
    static Schema tableSchema(io.tributary.types.Schema source, boolean keyed) {
        List<Types.NestedField> cols = new ArrayList<>();
        int id = 1;
        for (Field f : source.fields()) {
            cols.add(Types.NestedField.optional(id++, f.name(), type(f)));
        }
        cols.add(Types.NestedField.required(id++, DefaultColumns.OLAKE_ID, Types.StringType.get()));
        cols.add(Types.NestedField.optional(id++, DefaultColumns.OLAKE_TIMESTAMP, Types.TimestampType.withZone()));
        cols.add(Types.NestedField.optional(id++, DefaultColumns.OP_TYPE, Types.StringType.get()));
        cols.add(Types.NestedField.optional(id, DefaultColumns.CDC_TIMESTAMP, Types.TimestampType.withZone()));
        return keyed ? new Schema(cols, java.util.Set.of(cols.get(source.size()).fieldId())) : new Schema(cols);
    }

    /** A value as Iceberg's generic writers want it for a column of {@code type}. */
    static Object value(Object v, Type type, String column) {
        if (v == null) {
            return null;
        }
        switch (type.typeId()) {
            case INTEGER:
                return ((Number) v).intValue();
            case LONG:
                return ((Number) v).longValue();
            case FLOAT:
                return ((Number) v).floatValue();
            case DOUBLE:
                return ((Number) v).doubleValue();
            case DECIMAL: {
                BigDecimal d = v instanceof BigDecimal b ? b : new BigDecimal(v.toString());
                int scale = ((Types.DecimalType) type).scale();
                try {
                    return d.setScale(scale, RoundingMode.UNNECESSARY);
                } catch (ArithmeticException e) {
                    throw new NonRetriableException("column " + column + ": value " + d + " does not fit decimal scale "
                            + scale, e);
                }
            }
            case TIMESTAMP:
                return v instanceof Instant i ? OffsetDateTime.ofInstant(i, ZoneOffset.UTC) : v;
            case BINARY:
                return v instanceof byte[] b ? ByteBuffer.wrap(b) : v;
            case STRING:
                if (v instanceof BigDecimal d) {
                    return d.toPlainString();
                }
                if (v instanceof byte[] b) {
                    return java.util.HexFormat.of().formatHex(b);
                }
                return v.toString();
            default:
                return v;
        }
    }

    /** Whether Iceberg can change a column from {@code from} to {@code to} (schema evolution). */
    static boolean canPromote(Type from, Type to) {
        if (from.equals(to)) {
            return false;
        }
        if (from.typeId() == Type.TypeID.INTEGER && to.typeId() == Type.TypeID.LONG) {
            return true;
        }
        if (from.typeId() == Type.TypeID.FLOAT && to.typeId() == Type.TypeID.DOUBLE) {
            return true;
        }
        return from instanceof Types.DecimalType a && to instanceof Types.DecimalType b && a.scale() == b.scale()
                && b.precision() > a.precision();
    }

}
