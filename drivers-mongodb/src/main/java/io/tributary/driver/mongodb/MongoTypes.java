package io.tributary.driver.mongodb;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import io.tributary.types.ValueException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Pattern;
import org.bson.BsonArray;
import org.bson.BsonBinarySubType;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

/**
 * BSON values to Tributary types and values. Documents are read as {@link BsonDocument}s, so every value keeps its
 * BSON type (int32 vs int64, a binary's subtype, a regular expression) on the backfill and the change-stream path
 * alike. A field's type is inferred from a sample and widened across documents ({@link #widen}).
 *
 * <table>
 *   <caption>BSON type → Tributary type → value</caption>
 *   <tr><td>int32 / int64 / double</td><td>INT32 / INT64 / FLOAT64</td></tr>
 *   <tr><td>decimal128</td><td>DECIMAL, precision 0 (unconstrained): a BigDecimal with the source's scale (negative
 *       zero as zero); NaN / ±Infinity as the Strings "NaN", "Infinity", "-Infinity"</td></tr>
 *   <tr><td>string</td><td>STRING</td></tr>
 *   <tr><td>objectId</td><td>STRING (24 lowercase hex digits)</td></tr>
 *   <tr><td>bool</td><td>BOOLEAN</td></tr>
 *   <tr><td>date</td><td>TIMESTAMP_MILLI (Instant, the whole int64 millisecond range)</td></tr>
 *   <tr><td>object / array</td><td>JSON_OBJECT / JSON_ARRAY (relaxed Extended JSON v2 text)</td></tr>
 *   <tr><td>binData subtype 0</td><td>BINARY</td></tr>
 *   <tr><td>binData other subtypes, regex, timestamp, javascript (with scope), symbol, minKey, maxKey, dbPointer,
 *       undefined</td><td>STRING holding the value's relaxed Extended JSON v2 text</td></tr>
 *   <tr><td>null, missing</td><td>the field is nullable</td></tr>
 * </table>
 *
 * <p>Widening across documents: int32 → int64 → double (as {@link DataType#widen}); decimal128 with any number is
 * DECIMAL (doubles as the shortest decimal that reads back as the same double); anything else mixed is STRING, where
 * a string stays itself, an ObjectId is its hex, and every other value is its relaxed Extended JSON text.
 */
final class MongoTypes {
    private static final JsonWriterSettings JSON = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    /** Identity tags of {@code _id} values ({@link #identity}). */
    static final String STRING_TAG = "string:";
    static final String NUMBER_TAG = "number:";
    static final String EJSON_TAG = "ejson:";
    private static final Pattern OBJECT_ID_HEX = Pattern.compile("[0-9a-f]{24}");

    private MongoTypes() {
    }

    static DataType of(BsonValue v) {
        if (v == null) {
            return DataType.NULL;
        }
        return switch (v.getBsonType()) {
            case NULL -> DataType.NULL;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case DOUBLE -> DataType.FLOAT64;
            case DECIMAL128 -> DataType.DECIMAL;
            case BOOLEAN -> DataType.BOOLEAN;
            case DATE_TIME -> DataType.TIMESTAMP_MILLI;
            case DOCUMENT -> DataType.JSON_OBJECT;
            case ARRAY -> DataType.JSON_ARRAY;
            case BINARY -> isGeneric(v) ? DataType.BINARY : DataType.STRING;
            default -> DataType.STRING; // string, objectId, and the non-JSON types as Extended JSON text
        };
    }

    /** The type of a field that holds values of both types. */
    static DataType widen(DataType a, DataType b) {
        if (a == b || b == DataType.NULL) {
            return a;
        }
        if (a == DataType.NULL) {
            return b;
        }
        if (a == DataType.BOOLEAN || b == DataType.BOOLEAN) {
            return DataType.STRING; // true and 1 are different values, not a number
        }
        if ((a == DataType.DECIMAL && (b.isInteger() || b.isFloating()))
                || (b == DataType.DECIMAL && (a.isInteger() || a.isFloating()))) {
            return DataType.DECIMAL; // a double widens exactly to a decimal, a Decimal128 not to a double
        }
        return a.widen(b);
    }

    private static boolean isGeneric(BsonValue v) {
        return v.asBinary().getType() == BsonBinarySubType.BINARY.getValue();
    }

    /**
     * A document field as the Java value its (widened) field type calls for. A value that the field's type cannot
     * hold exactly (an int64 in an INT32 field, a string in a number field: the collection changed after
     * {@code discover}) is a {@link ValueException}, never a silently truncated value.
     */
    static Object value(BsonValue v, Field f, String collection) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (f.name().equals("_id") && f.type() == DataType.STRING) {
            return identity(v);
        }
        Object out = switch (f.type()) {
            case INT32 -> v.isInt32() || v.isInt64() && (int) v.asInt64().getValue() == v.asInt64().getValue()
                    ? Integer.valueOf(v.asNumber().intValue()) : null;
            case INT64 -> v.isInt32() || v.isInt64() ? Long.valueOf(v.asNumber().longValue()) : null;
            case FLOAT32, FLOAT64 -> v.isInt32() || v.isInt64() || v.isDouble()
                    ? Double.valueOf(v.asNumber().doubleValue()) : null;
            case DECIMAL -> decimal(v);
            case BOOLEAN -> v.isBoolean() ? Boolean.valueOf(v.asBoolean().getValue()) : null;
            case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO ->
                    v.isDateTime() ? Instant.ofEpochMilli(v.asDateTime().getValue()) : null;
            case BINARY -> v.isBinary() && isGeneric(v) ? v.asBinary().getData() : null;
            case JSON_OBJECT -> v.isDocument() ? json(v) : null;
            case JSON_ARRAY -> v.isArray() ? json(v) : null;
            case STRING -> text(v);
            default -> throw new NonRetriableException("collection " + collection + ": field " + f.name()
                    + " has type " + f.type().jsonName() + ", which no BSON value maps to");
        };
        if (out == null) {
            throw new ValueException(collection, f.name(), null, json(v), "(BSON " + typeName(v)
                    + ") cannot be held exactly by the field's type " + f.type().jsonName()
                    + "; the collection holds values of another type than discover sampled: run discover again");
        }
        return out;
    }

    /** Whether a field of type {@code t} holds the (non-null) value exactly ({@link #value} accepts it). */
    static boolean fits(DataType t, BsonValue v) {
        return switch (t) {
            case INT32 -> v.isInt32() || v.isInt64() && (int) v.asInt64().getValue() == v.asInt64().getValue();
            case INT64 -> v.isInt32() || v.isInt64();
            case FLOAT32, FLOAT64 -> v.isInt32() || v.isInt64() || v.isDouble();
            case DECIMAL -> v.isDecimal128() || v.isInt32() || v.isInt64() || v.isDouble();
            case BOOLEAN -> v.isBoolean();
            case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> v.isDateTime();
            case BINARY -> v.isBinary() && isGeneric(v);
            case JSON_OBJECT -> v.isDocument();
            case JSON_ARRAY -> v.isArray();
            case STRING -> true;
            default -> false;
        };
    }

    /** A Decimal128 (or a number in a field widened to DECIMAL) as a BigDecimal or a special String; else null. */
    private static Object decimal(BsonValue v) {
        return switch (v.getBsonType()) {
            case DECIMAL128 -> decimal(v.asDecimal128().getValue());
            case INT32 -> BigDecimal.valueOf(v.asInt32().getValue());
            case INT64 -> BigDecimal.valueOf(v.asInt64().getValue());
            case DOUBLE -> {
                double d = v.asDouble().getValue();
                if (Double.isNaN(d)) {
                    yield "NaN";
                }
                if (Double.isInfinite(d)) {
                    yield d > 0 ? "Infinity" : "-Infinity";
                }
                yield new BigDecimal(Double.toString(d)); // -0.0 becomes 0.0
            }
            default -> null;
        };
    }

    /** NaN and ±Infinity as Strings; a negative zero as zero with its scale (BigDecimal has no negative zero). */
    static Object decimal(Decimal128 d) {
        if (d.isNaN()) {
            return "NaN";
        }
        if (d.isInfinite()) {
            return d.isNegative() ? "-Infinity" : "Infinity";
        }
        return new BigDecimal(d.toString());
    }

    /**
     * A value in a STRING field: a string as it is, an ObjectId as its hex digits, anything else as its relaxed
     * Extended JSON v2 text ({@code 42}, {@code 42.5}, {@code true}, {@code {"$date": "2020-01-01T00:00:00Z"}},
     * {@code {"$regularExpression": {"pattern": "^a", "options": "i"}}}, {@code {"$minKey": 1}}, …).
     */
    static String text(BsonValue v) {
        return switch (v.getBsonType()) {
            case STRING -> v.asString().getValue();
            case OBJECT_ID -> v.asObjectId().getValue().toHexString();
            default -> json(v);
        };
    }

    /**
     * The text of an {@code _id} in a STRING {@code _id} field, and so the document's {@code _olake_id}: one text
     * per distinct MongoDB {@code _id}, so that {@code 42} and {@code "42"}, an ObjectId and its hex string, are
     * different keys. An ObjectId is its 24 hex digits and a string is itself (the readable forms, as before), except
     * a string that looks like an ObjectId's hex or starts with a tag, which is tagged {@code string:}; a number of
     * any BSON type is {@code number:} and its exact decimal value without trailing zeros ({@code number:42},
     * {@code number:42.5}, {@code number:NaN}; int32, int64, double and decimal128 of the same value are the same
     * {@code _id} to MongoDB, as here); every other value is {@code ejson:} and its relaxed Extended JSON text.
     */
    static String identity(BsonValue v) {
        return switch (v.getBsonType()) {
            case OBJECT_ID -> v.asObjectId().getValue().toHexString();
            case STRING, SYMBOL -> {
                String s = v.isString() ? v.asString().getValue() : v.asSymbol().getSymbol();
                yield OBJECT_ID_HEX.matcher(s).matches() || s.startsWith(STRING_TAG) || s.startsWith(NUMBER_TAG)
                        || s.startsWith(EJSON_TAG) ? STRING_TAG + s : s;
            }
            case INT32, INT64 -> NUMBER_TAG + v.asNumber().longValue();
            case DOUBLE -> {
                double d = v.asDouble().getValue();
                yield NUMBER_TAG + (Double.isNaN(d) || Double.isInfinite(d) ? Double.toString(d)
                        : canonical(new BigDecimal(d)));
            }
            case DECIMAL128 -> {
                Object d = decimal(v.asDecimal128().getValue());
                yield NUMBER_TAG + (d instanceof BigDecimal b ? canonical(b) : d);
            }
            default -> EJSON_TAG + json(v);
        };
    }

    private static String canonical(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toString();
    }

    /**
     * A value as relaxed Extended JSON v2 text. The driver's writer renders a dbPointer in relaxed mode as a DBRef
     * ({@code {"$ref": …, "$id": …}}, a different value): dbPointers are written in the v2 form
     * {@code {"$dbPointer": {"$ref": …, "$id": …}}}.
     */
    static String json(BsonValue v) {
        if (hasDbPointer(v)) {
            v = withV2DbPointers(v);
        }
        if (v.isDocument()) {
            return v.asDocument().toJson(JSON);
        }
        String wrapped = new BsonDocument("v", v).toJson(JSON);
        // {"v": <value>}
        int start = wrapped.indexOf(':') + 1;
        return wrapped.substring(start, wrapped.length() - 1).trim();
    }

    private static boolean hasDbPointer(BsonValue v) {
        return switch (v.getBsonType()) {
            case DB_POINTER -> true;
            case DOCUMENT -> v.asDocument().values().stream().anyMatch(MongoTypes::hasDbPointer);
            case ARRAY -> v.asArray().getValues().stream().anyMatch(MongoTypes::hasDbPointer);
            default -> false;
        };
    }

    private static BsonValue withV2DbPointers(BsonValue v) {
        return switch (v.getBsonType()) {
            case DB_POINTER -> new BsonDocument("$dbPointer", new BsonDocument("$ref",
                    new BsonString(v.asDBPointer().getNamespace())).append("$id",
                    new BsonObjectId(v.asDBPointer().getId())));
            case DOCUMENT -> {
                BsonDocument d = new BsonDocument();
                v.asDocument().forEach((k, x) -> d.append(k, withV2DbPointers(x)));
                yield d;
            }
            case ARRAY -> new BsonArray(v.asArray().getValues().stream().map(MongoTypes::withV2DbPointers).toList());
            default -> v;
        };
    }

    private static String typeName(BsonValue v) {
        BsonType t = v.getBsonType();
        return t.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * A cursor or bound value of field {@code f} as a BSON query value: an {@code _id} of a STRING {@code _id} column
     * as the BSON value its {@link #identity} stands for (an ObjectId for its hex digits), so that a cursor on
     * {@code _id} compares ObjectIds with ObjectIds; a special decimal as the Decimal128 special.
     */
    static Object toBson(Field f, Object v) {
        if (v instanceof Instant i) {
            return Date.from(i);
        }
        if (v instanceof String s && f != null && f.name().equals("_id") && f.type() == DataType.STRING) {
            return fromIdentity(s);
        }
        if (v instanceof String s && f != null && f.type() == DataType.DECIMAL) {
            return Decimal128.parse(s); // the specials: a cursor at "Infinity" compares with numbers, not strings
        }
        return v;
    }

    /** The {@code _id} an {@link #identity} text stands for (numbers as the BSON number of the same value). */
    static BsonValue fromIdentity(String s) {
        if (OBJECT_ID_HEX.matcher(s).matches()) {
            return new BsonObjectId(new ObjectId(s));
        }
        if (s.startsWith(STRING_TAG)) {
            return new BsonString(s.substring(STRING_TAG.length()));
        }
        if (s.startsWith(EJSON_TAG)) {
            return BsonDocument.parse("{\"v\": " + s.substring(EJSON_TAG.length()) + "}").get("v");
        }
        if (s.startsWith(NUMBER_TAG)) {
            String n = s.substring(NUMBER_TAG.length());
            switch (n) {
                case "NaN", "Infinity", "-Infinity" -> {
                    return new BsonDouble(Double.parseDouble(n));
                }
                default -> {
                    BigDecimal b = new BigDecimal(n);
                    if (b.scale() <= 0 && b.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
                            && b.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
                        return new BsonInt64(b.longValueExact());
                    }
                    double d = b.doubleValue();
                    if (!Double.isInfinite(d) && new BigDecimal(d).compareTo(b) == 0) {
                        return new BsonDouble(d);
                    }
                    return new BsonDecimal128(new Decimal128(b));
                }
            }
        }
        return new BsonString(s);
    }
}
