package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.ValueException;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bson.BsonBinary;
import org.bson.BsonDbPointer;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonUndefined;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/**
 * The BSON value mappings that mongo-java-server cannot store (so {@link MongoValuesTest} cannot send them through a
 * sync), and the {@code _id} identity rules.
 */
class MongoTypesTest {
    private static Object value(BsonValue v) {
        return MongoTypes.value(v, Field.nullable("f", MongoTypes.of(v)), "c");
    }

    @Test
    void nonJsonTypesTheTestServerRefusesAreRelaxedExtendedJsonText() {
        ObjectId oid = new ObjectId("5f0a1b2c3d4e5f6071829304");
        assertThat(value(new BsonSymbol("sym"))).isEqualTo("{\"$symbol\": \"sym\"}");
        assertThat(value(new BsonUndefined())).isEqualTo("{\"$undefined\": true}");
        assertThat(value(new BsonDbPointer("db.c", oid)))
                .isEqualTo("{\"$dbPointer\": {\"$ref\": \"db.c\", \"$id\": {\"$oid\": \"5f0a1b2c3d4e5f6071829304\"}}}");
        assertThat(value(BsonDocument.parse("{\"v\": [{\"a\": 1}]}").get("v").asArray().get(0).asDocument()
                .append("p", new BsonDbPointer("db.c", oid))))
                .isEqualTo("{\"a\": 1, \"p\": {\"$dbPointer\": {\"$ref\": \"db.c\", \"$id\": "
                        + "{\"$oid\": \"5f0a1b2c3d4e5f6071829304\"}}}}");
        assertThat(value(new BsonJavaScriptWithScope("f()", new BsonDocument("a", new BsonInt32(1)))))
                .isEqualTo("{\"$code\": \"f()\", \"$scope\": {\"a\": 1}}");
        assertThat(value(new BsonBinary((byte) 5, new byte[] {1, 2})))
                .isEqualTo("{\"$binary\": {\"base64\": \"AQI=\", \"subType\": \"05\"}}");
        assertThat(value(new BsonBinary((byte) 0x80, new byte[] {1})))
                .isEqualTo("{\"$binary\": {\"base64\": \"AQ==\", \"subType\": \"80\"}}");
        for (BsonValue v : List.of(new BsonSymbol("s"), new BsonUndefined(), new BsonBinary((byte) 5, new byte[0]))) {
            assertThat(MongoTypes.of(v)).isEqualTo(DataType.STRING);
        }
    }

    @Test
    void decimalNegativeZeroIsZeroWithItsScale() {
        assertThat(MongoTypes.decimal(Decimal128.parse("-0.00"))).isEqualTo(new BigDecimal("0.00"));
        assertThat(MongoTypes.decimal(Decimal128.parse("-0E+3"))).isEqualTo(new BigDecimal("0E+3"));
        assertThat(MongoTypes.decimal(Decimal128.NEGATIVE_NaN)).isEqualTo("NaN");
    }

    @Test
    void aValueTheFieldTypeCannotHoldExactlyIsAValueErrorNotATruncation() {
        assertThatThrownBy(() -> MongoTypes.value(new BsonInt64(1L << 40), Field.nullable("n", DataType.INT32), "c"))
                .isInstanceOf(ValueException.class).hasMessageContaining("1099511627776")
                .hasMessageContaining("column n").hasMessageContaining("discover");
        assertThatThrownBy(() -> MongoTypes.value(new BsonDouble(42.5), Field.nullable("n", DataType.INT64), "c"))
                .isInstanceOf(ValueException.class);
        assertThatThrownBy(() -> MongoTypes.value(new BsonString("x"), Field.nullable("n", DataType.FLOAT64), "c"))
                .isInstanceOf(ValueException.class);
        assertThat(MongoTypes.value(new BsonInt64(7), Field.nullable("n", DataType.INT32), "c")).isEqualTo(7);
    }

    @Test
    void widening() {
        assertThat(MongoTypes.widen(DataType.INT32, DataType.DECIMAL)).isEqualTo(DataType.DECIMAL);
        assertThat(MongoTypes.widen(DataType.FLOAT64, DataType.DECIMAL)).isEqualTo(DataType.DECIMAL);
        assertThat(MongoTypes.widen(DataType.INT64, DataType.FLOAT64)).isEqualTo(DataType.FLOAT64);
        assertThat(MongoTypes.widen(DataType.BOOLEAN, DataType.INT32)).isEqualTo(DataType.STRING);
        assertThat(MongoTypes.widen(DataType.NULL, DataType.BOOLEAN)).isEqualTo(DataType.BOOLEAN);
        assertThat(MongoTypes.widen(DataType.TIMESTAMP_MILLI, DataType.STRING)).isEqualTo(DataType.STRING);
    }

    private static String id(BsonValue v) {
        return MongoTypes.identity(v);
    }

    @Test
    void identitiesOfDifferentIdsDifferAndReadableOnesStayReadable() {
        ObjectId oid = new ObjectId("5f0a1b2c3d4e5f6071829304");
        assertThat(id(new BsonObjectId(oid))).isEqualTo("5f0a1b2c3d4e5f6071829304");
        assertThat(id(new BsonString("order-17"))).isEqualTo("order-17");
        assertThat(id(new BsonString("5f0a1b2c3d4e5f6071829304"))).isEqualTo("string:5f0a1b2c3d4e5f6071829304");
        assertThat(id(new BsonString("42"))).isEqualTo("42");
        assertThat(id(new BsonInt32(42))).isEqualTo("number:42");
        assertThat(id(new BsonDouble(42.5))).isEqualTo("number:42.5");
        assertThat(id(new BsonString("number:42"))).isEqualTo("string:number:42");
        assertThat(id(BsonDocument.parse("{\"v\": {\"$date\": \"2020-01-01T00:00:00Z\"}}").get("v")))
                .isEqualTo("ejson:{\"$date\": \"2020-01-01T00:00:00Z\"}");

        List<BsonValue> distinct = List.of(new BsonObjectId(oid), new BsonString(oid.toHexString()),
                new BsonString("string:" + oid.toHexString()), new BsonInt32(42), new BsonString("42"),
                new BsonString("number:42"), new BsonDouble(42.5), new BsonString("42.5"),
                new BsonDecimal128(Decimal128.parse("0.1")), new BsonDouble(0.1), new BsonString("ejson:true"),
                BsonDocument.parse("{\"v\": true}").get("v"), new BsonString("true"), new BsonString(""),
                new BsonInt64(Long.MAX_VALUE), new BsonDouble(Double.NaN), new BsonString("NaN"),
                new BsonBinary(new byte[] {1}), new BsonBinary((byte) 4, new byte[] {1}),
                BsonDocument.parse("{\"v\": {\"a\": 1}}").get("v"), new BsonString("{\"a\": 1}"));
        Set<String> ids = new HashSet<>();
        for (BsonValue v : distinct) {
            assertThat(ids.add(id(v))).as("identity of %s (%s) is unique: %s", v, v.getBsonType(), id(v)).isTrue();
        }
    }

    @Test
    void numbersEqualToMongoDbShareTheirIdentity() {
        // int32 42, int64 42, double 42.0 and decimal 42.00 are one _id to MongoDB's unique index
        assertThat(new HashSet<>(List.of(id(new BsonInt32(42)), id(new BsonInt64(42)), id(new BsonDouble(42.0)),
                id(new BsonDecimal128(Decimal128.parse("42.00")))))).containsExactly("number:42");
        assertThat(id(new BsonDouble(-0.0))).isEqualTo(id(new BsonInt32(0)));
    }

    @Test
    void anIdentityReadsBackAsTheIdForCursorBounds() {
        for (BsonValue v : List.of(new BsonObjectId(new ObjectId("5f0a1b2c3d4e5f6071829304")),
                new BsonString("5f0a1b2c3d4e5f6071829304"), new BsonString("42"), new BsonString("number:1"),
                new BsonInt64(Long.MIN_VALUE), new BsonDouble(42.5), new BsonDouble(0.1), new BsonDouble(Double.NaN),
                new BsonDecimal128(Decimal128.parse("1E-30")),
                BsonDocument.parse("{\"v\": {\"$date\": \"2020-01-01T00:00:00Z\"}}").get("v"))) {
            assertThat(id(MongoTypes.fromIdentity(id(v)))).as("%s", v).isEqualTo(id(v));
        }
        assertThat(MongoTypes.fromIdentity("5f0a1b2c3d4e5f6071829304").isObjectId()).isTrue();
        assertThat(MongoTypes.fromIdentity("number:42")).isEqualTo(new BsonInt64(42));
    }

    @Test
    void aSpecialDecimalCursorIsADecimal128() {
        Field f = Field.decimal("d", 0, 0, true);
        assertThat(MongoTypes.toBson(f, "Infinity")).isEqualTo(Decimal128.POSITIVE_INFINITY);
        assertThat(MongoTypes.toBson(f, "-Infinity")).isEqualTo(Decimal128.NEGATIVE_INFINITY);
        assertThat(MongoTypes.toBson(f, new BigDecimal("1.5"))).isEqualTo(new BigDecimal("1.5"));
    }
}
