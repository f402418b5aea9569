package io.tributary.driver.mongodb;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.BsonTimestamp;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.Binary;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

/**
 * BSON types to Tributary types, inferred from a sample of documents and widened across them
 * ({@link DataType#widen}: int32 → int64 → double, anything mixed → string).
 *
 * <table>
 *   <caption>BSON type → Tributary type → value</caption>
 *   <tr><td>int32 / int64 / double</td><td>INT32 / INT64 / FLOAT64</td></tr>
 *   <tr><td>decimal128</td><td>DECIMAL (unconstrained)</td></tr>
 *   <tr><td>string</td><td>STRING</td></tr>
 *   <tr><td>bool</td><td>BOOLEAN</td></tr>
 *   <tr><td>date</td><td>TIMESTAMP_MILLI (Instant)</td></tr>
 *   <tr><td>timestamp</td><td>INT64 (seconds &lt;&lt; 32 | increment)</td></tr>
 *   <tr><td>objectId</td><td>STRING (hex)</td></tr>
 *   <tr><td>object / array</td><td>JSON_OBJECT / JSON_ARRAY (relaxed extended JSON text)</td></tr>
 *   <tr><td>binData</td><td>BINARY</td></tr>
 *   <tr><td>null, missing</td><td>the field is nullable</td></tr>
 * </table>
 */
final class MongoTypes {
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private MongoTypes() {
    }

    static DataType of(Object v) {
        if (v == null) {
            return DataType.NULL;
        }
        if (v instanceof Integer) {
            return DataType.INT32;
        }
        if (v instanceof Long || v instanceof BsonTimestamp) {
            return DataType.INT64;
        }
        if (v instanceof Double || v instanceof Float) {
            return DataType.FLOAT64;
        }
        if (v instanceof Decimal128) {
            return DataType.DECIMAL;
        }
        if (v instanceof Boolean) {
            return DataType.BOOLEAN;
        }
        if (v instanceof Date) {
            return DataType.TIMESTAMP_MILLI;
        }
        if (v instanceof Map) {
            return DataType.JSON_OBJECT;
        }
        if (v instanceof List) {
            return DataType.JSON_ARRAY;
        }
        if (v instanceof Binary || v instanceof byte[]) {
            return DataType.BINARY;
        }
        return DataType.STRING; // String, ObjectId, symbols, regexes, ...
    }

    /** A document field as the Java value its (widened) field type calls for. */
    static Object value(Object v, Field f, String collection) {
        if (v == null) {
            return null;
        }
        try {
            return switch (f.type()) {
                case INT32 -> ((Number) v).intValue();
                case INT64 -> v instanceof BsonTimestamp t ? t.getValue() : ((Number) v).longValue();
                case FLOAT32 -> ((Number) v).floatValue();
                case FLOAT64 -> v instanceof Decimal128 d ? d.bigDecimalValue().doubleValue() : ((Number) v).doubleValue();
                case DECIMAL -> v instanceof Decimal128 d ? d.bigDecimalValue() : new BigDecimal(v.toString());
                case BOOLEAN -> (Boolean) v;
                case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> ((Date) v).toInstant();
                case BINARY -> v instanceof Binary b ? b.getData() : (byte[]) v;
                case JSON_OBJECT, JSON_ARRAY -> json(v);
                default -> text(v);
            };
        } catch (ClassCastException | ArithmeticException e) {
            throw new NonRetriableException("collection " + collection + ": field " + f.name() + " holds "
                    + v.getClass().getSimpleName() + " value " + abbreviate(text(v)) + " where the schema says "
                    + f.type().jsonName() + "; run discover again", e);
        }
    }

    static String text(Object v) {
        if (v instanceof ObjectId o) {
            return o.toHexString();
        }
        if (v instanceof Map || v instanceof List) {
            return json(v);
        }
        if (v instanceof Date d) {
            return d.toInstant().toString();
        }
        if (v instanceof Decimal128 d) {
            return d.bigDecimalValue().toPlainString();
        }
        return v.toString();
    }

    @SuppressWarnings("unchecked")
    static String json(Object v) {
        if (v instanceof Document d) {
            return d.toJson(JSON);
        }
        if (v instanceof Map<?, ?> m) {
            return new Document((Map<String, Object>) m).toJson(JSON);
        }
        String wrapped = new Document("v", v).toJson(JSON);
        // {"v": <value>}
        int start = wrapped.indexOf(':') + 1;
        return wrapped.substring(start, wrapped.length() - 1).trim();
    }

    /** A cursor or bound value as a BSON query value. */
    static Object toBson(Object v) {
        if (v instanceof Instant i) {
            return Date.from(i);
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
