package io.tributary.driver.mongodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.testkit.TestingMongo;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.bson.types.Decimal128;

/** The MongoDB driver against the conformance kit, on the in-JVM mongo-java-server with its oplog. */
class MongoConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        return new Fixture();
    }

    @Override
    protected Set<Behavior> behaviors() {
        // mongo-java-server has no authentication
        return EnumSet.of(Behavior.INCREMENTAL, Behavior.CDC, Behavior.WATERMARK, Behavior.RESNAPSHOT_KEEPS_POSITION);
    }

    static final class Fixture implements ConformanceFixture {
        final TestingMongo mongo = new TestingMongo();
        final MongoClient client = MongoClients.create(mongo.connectionString());

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

        String config() {
            return "{\"hosts\": [\"" + mongo.host() + "\"], \"database\": \"kit\", \"partition_size\": 1000, "
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
            mongo.close();
        }
    }
}
