package io.tributary.driver.mongodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.testkit.TestingMongo;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import io.tributary.types.DataType;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.types.Decimal128;

/** The MongoDB driver against the conformance kit, on the in-JVM mongo-java-server with its oplog. */
class MongoConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        return new Fixture();
    }

    /** mongo-java-server has no authentication (nor has the Docker server of {@link MongoContainerConformanceTest}). */
    static final Set<Behavior> BEHAVIORS = EnumSet.of(Behavior.INCREMENTAL, Behavior.CDC, Behavior.WATERMARK,
            Behavior.TYPE_FIDELITY, Behavior.RESNAPSHOT_KEEPS_POSITION, Behavior.SELECTED_COLUMNS, Behavior.FILTER);

    @Override
    protected Set<Behavior> behaviors() {
        return BEHAVIORS;
    }

    /**
     * The kit's collections on a MongoDB server: the in-JVM mongo-java-server here, a real {@code mongo:7} replica
     * set in Docker in {@link MongoContainerConformanceTest}.
     */
    static final class Fixture implements ConformanceFixture {
        /** {@code host:port} of the server, reached directly (one host, no replica set name). */
        private final String host;
        /** Stops the server. */
        private final AutoCloseable server;
        final MongoClient client;

        /** On a fresh in-JVM mongo-java-server. */
        Fixture() {
            this(new TestingMongo());
        }

        private Fixture(TestingMongo mongo) {
            this(mongo.host(), mongo);
        }

        /** On the server at {@code host} ({@code host:port}); {@link #close()} closes {@code server}. */
        Fixture(String host, AutoCloseable server) {
            this.host = host;
            this.server = server;
            this.client = MongoClients.create("mongodb://" + host);
        }

        @Override
        public String keyColumn() {
            return "_id";
        }

        private MongoCollection<Document> col(StreamId t) {
            return client.getDatabase(t.namespace()).getCollection(t.name());
        }

        @Override
        public StreamId createTable(String name, Keys keys) {
            StreamId id = StreamId.of("kit", name);
            col(id).drop();
            client.getDatabase("kit").createCollection(name);
            return id;
        }

        static Document doc(Row r) {
            return new Document("_id", r.id()).append("id", r.id()).append("name", r.name())
                    .append("amount", new Decimal128(r.amount()))
                    .append("updated_at", r.updatedAt() == null ? null : Date.from(r.updatedAt()));
        }

        @Override
        public void insert(StreamId table, Row... rows) {
            List<Document> docs = new ArrayList<>();
            for (Row r : rows) {
                docs.add(doc(r));
            }
            for (int i = 0; i < docs.size(); i += 1_000) {
                col(table).insertMany(docs.subList(i, Math.min(docs.size(), i + 1_000)));
            }
        }

        @Override
        public void update(StreamId table, Row row) {
            col(table).replaceOne(Filters.eq("_id", row.id()), doc(row));
        }

        @Override
        public void delete(StreamId table, long id) {
            col(table).deleteOne(Filters.eq("_id", id));
        }

        // ------------------------------------------------------------ TYPE_FIDELITY matrix

        private static EdgeValue v(String literal, Object expected, String label) {
            return new EdgeValue(literal, expected, label);
        }

        private static BigDecimal dec(String s) {
            return new BigDecimal(s);
        }

        private static byte[] bytes(int... b) {
            byte[] out = new byte[b.length];
            for (int i = 0; i < b.length; i++) {
                out[i] = (byte) b[i];
            }
            return out;
        }

        /**
         * Every BSON type of the README table with its extremes, as far as mongo-java-server stores them (it
         * keeps only binData subtypes 0, 3 and 4, refuses symbols, dbPointers and javascript with scope, and reads
         * undefined as null: {@code MongoTypesTest} covers those mappings on BSON values). Literals are relaxed
         * Extended JSON values; the expected value is the Java value {@link DataType} documents for the discovered
         * type (for non-JSON BSON types: the relaxed Extended JSON v2 text).
         */
        static List<EdgeColumn> matrix() {
            String oid = "5f0a1b2c3d4e5f6071829304";
            return List.of(
                    new EdgeColumn("c_int32", "int32", DataType.INT32, List.of(
                            v("{\"$numberInt\": \"-2147483648\"}", Integer.MIN_VALUE, "min"),
                            v("{\"$numberInt\": \"2147483647\"}", Integer.MAX_VALUE, "max"),
                            v("0", 0, "zero"),
                            v("null", null, "NULL"))),
                    new EdgeColumn("c_int64", "int64", DataType.INT64, List.of(
                            v("{\"$numberLong\": \"-9223372036854775808\"}", Long.MIN_VALUE, "min"),
                            v("{\"$numberLong\": \"9223372036854775807\"}", Long.MAX_VALUE, "max"),
                            v("{\"$numberLong\": \"0\"}", 0L, "zero"),
                            v("null", null, "NULL"))),
                    new EdgeColumn("c_double", "double", DataType.FLOAT64, List.of(
                            v("{\"$numberDouble\": \"NaN\"}", Double.NaN, "NaN"),
                            v("{\"$numberDouble\": \"Infinity\"}", Double.POSITIVE_INFINITY, "Infinity"),
                            v("{\"$numberDouble\": \"-Infinity\"}", Double.NEGATIVE_INFINITY, "-Infinity"),
                            v("{\"$numberDouble\": \"-0.0\"}", -0.0d, "-0.0"),
                            v("{\"$numberDouble\": \"1.7976931348623157E308\"}", Double.MAX_VALUE, "max"),
                            v("{\"$numberDouble\": \"4.9E-324\"}", Double.MIN_VALUE, "min subnormal"),
                            v("0.1", 0.1d, "0.1"),
                            v("null", null, "NULL"))),
                    new EdgeColumn("c_decimal", "decimal128", DataType.DECIMAL, List.of(
                            v("{\"$numberDecimal\": \"NaN\"}", "NaN", "NaN"),
                            v("{\"$numberDecimal\": \"Infinity\"}", "Infinity", "Infinity"),
                            v("{\"$numberDecimal\": \"-Infinity\"}", "-Infinity", "-Infinity"),
                            v("{\"$numberDecimal\": \"9.999999999999999999999999999999999E+6144\"}",
                                    dec("9.999999999999999999999999999999999E+6144"), "max"),
                            v("{\"$numberDecimal\": \"-9.999999999999999999999999999999999E+6144\"}",
                                    dec("-9.999999999999999999999999999999999E+6144"), "min"),
                            v("{\"$numberDecimal\": \"1E-6176\"}", dec("1E-6176"), "smallest exponent"),
                            v("{\"$numberDecimal\": \"1234567890123456789012345678901234\"}",
                                    dec("1234567890123456789012345678901234"), "34 digits"),
                            v("{\"$numberDecimal\": \"0.000000000000000000000001\"}",
                                    dec("0.000000000000000000000001"), "scale 24"),
                            v("{\"$numberDecimal\": \"1.50\"}", dec("1.50"), "scale kept"),
                            v("{\"$numberDecimal\": \"-0.00\"}", dec("0.00"), "-0 (sign dropped, scale kept)"),
                            v("{\"$numberDecimal\": \"0\"}", dec("0"), "zero"),
                            v("null", null, "NULL"))),
                    new EdgeColumn("c_int_and_decimal", "int32, int64 and decimal128 across documents",
                            DataType.DECIMAL, List.of(
                            v("42", dec("42"), "int32"),
                            v("{\"$numberLong\": \"9223372036854775807\"}", dec("9223372036854775807"), "int64 max"),
                            v("{\"$numberDecimal\": \"0.000000000000000000000001\"}",
                                    dec("0.000000000000000000000001"), "decimal"))),
                    new EdgeColumn("c_double_and_decimal", "double and decimal128 across documents",
                            DataType.DECIMAL, List.of(
                            v("2.5", dec("2.5"), "double"),
                            v("{\"$numberDouble\": \"NaN\"}", "NaN", "double NaN"),
                            v("{\"$numberDouble\": \"-Infinity\"}", "-Infinity", "double -Infinity"),
                            v("{\"$numberDecimal\": \"1E+6144\"}",
                                    dec("1.000000000000000000000000000000000E+6144"), "decimal, clamped by BSON"))),
                    new EdgeColumn("c_string", "string", DataType.STRING, List.of(
                            v("\"\"", "", "empty"),
                            v("\"\uD834\uDD1E beyond the BMP \uD83D\uDE00\"",
                                    "\uD834\uDD1E beyond the BMP \uD83D\uDE00",
                                    "beyond BMP"),
                            v("\"quote \\\" backslash \\\\ newline \\n nul \\u0000 end\"",
                                    "quote \" backslash \\ newline \n nul \u0000 end", "escapes"),
                            v("null", null, "NULL"))),
                    new EdgeColumn("c_bool", "bool", DataType.BOOLEAN, List.of(
                            v("true", true, "true"), v("false", false, "false"), v("null", null, "NULL"))),
                    new EdgeColumn("c_date", "date (int64 milliseconds)", DataType.TIMESTAMP_MILLI, List.of(
                            v("{\"$date\": {\"$numberLong\": \"-8640000000000000\"}}",
                                    Instant.ofEpochMilli(-8_640_000_000_000_000L), "JavaScript Date min"),
                            v("{\"$date\": {\"$numberLong\": \"8640000000000000\"}}",
                                    Instant.ofEpochMilli(8_640_000_000_000_000L), "JavaScript Date max"),
                            v("{\"$date\": {\"$numberLong\": \"0\"}}", Instant.EPOCH, "epoch"),
                            v("{\"$date\": {\"$numberLong\": \"-1\"}}", Instant.parse("1969-12-31T23:59:59.999Z"),
                                    "before 1970"),
                            v("{\"$date\": {\"$numberLong\": \"-62135596800000\"}}",
                                    Instant.parse("0001-01-01T00:00:00Z"), "year 1"),
                            v("{\"$date\": \"9999-12-31T23:59:59.999Z\"}", Instant.parse("9999-12-31T23:59:59.999Z"),
                                    "9999-12-31"),
                            v("null", null, "NULL"))),
                    // beyond Parquet's and Iceberg's 64-bit microseconds (about ±292,000 years): a value error there
                    new EdgeColumn("c_date_int64_limits", "date at the int64 millisecond limits",
                            DataType.TIMESTAMP_MILLI, List.of(
                            v("{\"$date\": {\"$numberLong\": \"-9223372036854775808\"}}",
                                    Instant.ofEpochMilli(Long.MIN_VALUE), "min"),
                            v("{\"$date\": {\"$numberLong\": \"9223372036854775807\"}}",
                                    Instant.ofEpochMilli(Long.MAX_VALUE), "max"))),
                    new EdgeColumn("c_oid", "objectId", DataType.STRING, List.of(
                            v("{\"$oid\": \"" + oid + "\"}", oid, "hex"),
                            v("{\"$oid\": \"000000000000000000000000\"}", "000000000000000000000000", "zero"),
                            v("{\"$oid\": \"ffffffffffffffffffffffff\"}", "ffffffffffffffffffffffff", "max"))),
                    new EdgeColumn("c_binary", "binData subtype 0 (generic)", DataType.BINARY, List.of(
                            v("{\"$binary\": {\"base64\": \"\", \"subType\": \"00\"}}", new byte[0], "empty"),
                            v("{\"$binary\": {\"base64\": \"AAEC/w==\", \"subType\": \"00\"}}", bytes(0, 1, 2, 255),
                                    "bytes"),
                            v("{\"$binary\": {\"base64\": \"AAAA\", \"subType\": \"00\"}}", bytes(0, 0, 0),
                                    "zero bytes"))),
                    new EdgeColumn("c_uuid", "binData subtype 4 (UUID)", DataType.STRING, List.of(
                            v("{\"$binary\": {\"base64\": \"c//SZESzTGmQ6OfR38A11A==\", \"subType\": \"04\"}}",
                                    "{\"$binary\": {\"base64\": \"c//SZESzTGmQ6OfR38A11A==\", \"subType\": \"04\"}}",
                                    "uuid"))),
                    new EdgeColumn("c_binary_old_uuid", "binData subtype 3 (legacy UUID)", DataType.STRING,
                            List.of(
                            v("{\"$binary\": {\"base64\": \"c//SZESzTGmQ6OfR38A11A==\", \"subType\": \"03\"}}",
                                    "{\"$binary\": {\"base64\": \"c//SZESzTGmQ6OfR38A11A==\", \"subType\": \"03\"}}",
                                    "legacy uuid"))),
                    new EdgeColumn("c_regex", "regularExpression", DataType.STRING, List.of(
                            v("{\"$regularExpression\": {\"pattern\": \"^a\", \"options\": \"i\"}}",
                                    "{\"$regularExpression\": {\"pattern\": \"^a\", \"options\": \"i\"}}", "^a/i"),
                            v("{\"$regularExpression\": {\"pattern\": \"\", \"options\": \"\"}}",
                                    "{\"$regularExpression\": {\"pattern\": \"\", \"options\": \"\"}}", "empty"))),
                    new EdgeColumn("c_minmax", "minKey and maxKey", DataType.STRING, List.of(
                            v("{\"$minKey\": 1}", "{\"$minKey\": 1}", "minKey"),
                            v("{\"$maxKey\": 1}", "{\"$maxKey\": 1}", "maxKey"))),
                    new EdgeColumn("c_timestamp", "timestamp", DataType.STRING, List.of(
                            v("{\"$timestamp\": {\"t\": 0, \"i\": 0}}", "{\"$timestamp\": {\"t\": 0, \"i\": 0}}",
                                    "zero"),
                            v("{\"$timestamp\": {\"t\": 4294967295, \"i\": 4294967295}}",
                                    "{\"$timestamp\": {\"t\": 4294967295, \"i\": 4294967295}}", "max"))),
                    new EdgeColumn("c_code", "javascript", DataType.STRING, List.of(
                            v("{\"$code\": \"function() { return 1; }\"}",
                                    "{\"$code\": \"function() { return 1; }\"}", "code"))),
                    new EdgeColumn("c_dbref", "DBRef (a document)", DataType.JSON_OBJECT, List.of(
                            v("{\"$ref\": \"other\", \"$id\": {\"$oid\": \"" + oid + "\"}}",
                                    "{\"$ref\": \"other\", \"$id\": {\"$oid\": \"" + oid + "\"}}", "dbref"))),
                    // the JSON text writes characters beyond the BMP as escaped UTF-16 surrogate pairs (the driver's
                    // JSON writer does); a JSON reader gets the same string
                    new EdgeColumn("c_doc", "object", DataType.JSON_OBJECT, List.of(
                            v("{}", "{}", "empty"),
                            v("{\"nan\": {\"$numberDouble\": \"NaN\"}, \"dec\": {\"$numberDecimal\": \"1E-30\"}, "
                                    + "\"long\": {\"$numberLong\": \"9223372036854775807\"}, \"old\": {\"$date\": "
                                    + "{\"$numberLong\": \"-1\"}}, \"new\": {\"$date\": \"2020-01-01T00:00:00Z\"}, "
                                    + "\"min\": {\"$minKey\": 1}, \"s\": \"\uD83D\uDE00\", \"n\": null, "
                                    + "\"a\": [{\"$numberDouble\": \"-0.0\"}, {\"$numberInt\": \"1\"}]}",
                                    "{\"nan\": {\"$numberDouble\": \"NaN\"}, \"dec\": {\"$numberDecimal\": \"1E-30\"}, "
                                    + "\"long\": 9223372036854775807, \"old\": {\"$date\": {\"$numberLong\": \"-1\"}}, "
                                    + "\"new\": {\"$date\": \"2020-01-01T00:00:00Z\"}, \"min\": {\"$minKey\": 1}, "
                                    + "\"s\": \"\\ud83d\\ude00\", \"n\": null, \"a\": [-0.0, 1]}", "nested specials"),
                            v("null", null, "NULL"))),
                    new EdgeColumn("c_array", "array", DataType.JSON_ARRAY, List.of(
                            v("[]", "[]", "empty"),
                            v("[1, {\"$numberLong\": \"-9223372036854775808\"}, null, \"x\", [], {}]",
                                    "[1, -9223372036854775808, null, \"x\", [], {}]", "mixed"))),
                    new EdgeColumn("c_mixed", "int32, double, string, bool and date across documents",
                            DataType.STRING, List.of(
                            v("42", "42", "int32"),
                            v("42.5", "42.5", "double"),
                            v("\"42\"", "42", "string"),
                            v("true", "true", "bool"),
                            v("{\"$date\": \"2020-01-01T00:00:00Z\"}", "{\"$date\": \"2020-01-01T00:00:00Z\"}",
                                    "date"))));
        }

        @Override
        public List<EdgeColumn> edgeColumns() {
            return matrix();
        }

        @Override
        public StreamId createEdgeTable(String name, List<EdgeColumn> columns) {
            return createTable(name, Keys.PRIMARY_KEY);
        }

        /** A relaxed Extended JSON value as its BSON value. */
        static BsonValue bson(String literal) {
            return BsonDocument.parse("{\"v\": " + literal + "}").get("v");
        }

        @Override
        public void insertEdgeRow(StreamId table, long id, int tag, Map<String, String> literals) {
            BsonDocument d = new BsonDocument("_id", new BsonInt64(id)).append("id", new BsonInt64(id))
                    .append("tag", new BsonInt32(tag));
            literals.forEach((column, literal) -> d.append(column, bson(literal)));
            raw(table).insertOne(d);
        }

        @Override
        public void updateEdgeTag(StreamId table, long id, int tag) {
            raw(table).updateOne(Filters.eq("_id", id), Updates.set("tag", tag));
        }

        private MongoCollection<BsonDocument> raw(StreamId t) {
            return client.getDatabase(t.namespace()).getCollection(t.name(), BsonDocument.class);
        }

        String config() {
            return "{\"hosts\": [\"" + host + "\"], \"database\": \"kit\", \"partition_size\": 1000, "
                    + "\"initial_wait_time\": 1, \"server_selection_timeout_ms\": 3000}";
        }

        @Override
        public DriverInterface newDriver(Capture capture) {
            return Drivers.configured("mongodb", Json.parse(config()), "source.json");
        }

        @Override
        public JsonNode configWithWrongPassword(String password) {
            return Json.parse(config());
        }

        @Override
        public void close() {
            client.close();
            try {
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop MongoDB at " + host, e);
            }
        }
    }
}
