package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingMongo;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code _id}s of different BSON types with the same text (int {@code 42} and {@code "42"}, an ObjectId and its hex
 * string, {@code 42.5} and {@code "42.5"}) are different documents: each has its own {@code _olake_id}, through the
 * backfill and through change-stream updates and deletes.
 */
class MongoIdentityTest {
    static TestingMongo mongo;
    static MongoClient client;

    @BeforeAll
    static void start() {
        mongo = new TestingMongo();
        client = MongoClients.create(mongo.connectionString());
    }

    @AfterAll
    static void stop() {
        client.close();
        mongo.close();
    }

    private static DriverInterface driver() {
        return Drivers.configured("mongodb", Json.parse("{\"hosts\": [\"" + mongo.host() + "\"], "
                + "\"database\": \"ids\", \"initial_wait_time\": 1, \"server_selection_timeout_ms\": 2000}"),
                "source.json");
    }

    private static void run(InMemoryStateStore store, MemoryDestination dest, ConfiguredStream s) {
        try (DriverInterface d = driver();
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(2));
                AbstractDriver a = new AbstractDriver(d, State.load(store), AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)))) {
            a.setup();
            a.read(pool, List.of(s));
        }
    }

    /** The destination as a reader of the upserted table sees it: {@code _olake_id} → {@code v}. */
    private static Map<String, Object> table(MemoryDestination dest, StreamId id) {
        Map<String, Object> out = new TreeMap<>();
        for (Map.Entry<String, Record> e : dest.table(id).entrySet()) {
            assertThat(e.getValue().value("_id")).as("the _id column holds the identity").isEqualTo(e.getKey());
            out.put(e.getKey(), e.getValue().value("v"));
        }
        return out;
    }

    @Test
    void idsOfDifferentTypesWithTheSameTextStayDifferentDocumentsThroughBackfillAndCdc() {
        MongoCollection<Document> c = client.getDatabase("ids").getCollection("same_text_" + UUID.randomUUID()
                .toString().substring(0, 6));
        ObjectId oid = new ObjectId("5f0a1b2c3d4e5f6071829304");
        c.insertMany(List.of(
                new Document("_id", 42).append("v", 1),
                new Document("_id", "42").append("v", 2),
                new Document("_id", oid).append("v", 3),
                new Document("_id", oid.toHexString()).append("v", 4),
                new Document("_id", 42.5).append("v", 5),
                new Document("_id", "42.5").append("v", 6)));
        StreamId id = StreamId.of("ids", c.getNamespace().getCollectionName());
        InMemoryStateStore store = new InMemoryStateStore();
        Stream s;
        try (DriverInterface d = driver()) {
            s = new AbstractDriver(d, State.load(store)).discover(4).stream().filter(x -> x.id().equals(id))
                    .findFirst().orElseThrow();
        }
        assertThat(s.schema().field("_id").orElseThrow().type()).isEqualTo(DataType.STRING);
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        MemoryDestination dest = new MemoryDestination();
        run(store, dest, cs);
        assertThat(table(dest, id)).as("after the backfill").isEqualTo(Map.of(
                "number:42", 1, "42", 2,
                "5f0a1b2c3d4e5f6071829304", 3, "string:5f0a1b2c3d4e5f6071829304", 4,
                "number:42.5", 5, "42.5", 6));

        c.updateOne(Filters.eq("_id", 42), Updates.set("v", 10));
        c.deleteOne(Filters.eq("_id", oid.toHexString()));
        c.deleteOne(Filters.eq("_id", 42.5));
        c.updateOne(Filters.eq("_id", "42.5"), Updates.set("v", 60));
        c.insertOne(new Document("_id", 7L).append("v", 7));
        c.insertOne(new Document("_id", "7").append("v", 8));
        run(store, dest, cs);
        assertThat(table(dest, id)).as("after CDC updates, deletes and inserts").isEqualTo(Map.of(
                "number:42", 10, "42", 2,
                "5f0a1b2c3d4e5f6071829304", 3,
                "42.5", 60,
                "number:7", 7, "7", 8));
        assertThat(dest.table(id)).hasSize((int) c.countDocuments());
    }

    @Test
    void incrementalOnAnObjectIdKeyComparesObjectIds() {
        MongoCollection<Document> c = client.getDatabase("ids").getCollection("inc_" + UUID.randomUUID()
                .toString().substring(0, 6));
        for (int i = 0; i < 3; i++) {
            c.insertOne(new Document("_id", new ObjectId()).append("v", i));
        }
        StreamId id = StreamId.of("ids", c.getNamespace().getCollectionName());
        InMemoryStateStore store = new InMemoryStateStore();
        Stream s;
        try (DriverInterface d = driver()) {
            s = new AbstractDriver(d, State.load(store)).discover(4).stream().filter(x -> x.id().equals(id))
                    .findFirst().orElseThrow();
        }
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.INCREMENTAL)
                .withCursorField(java.util.Optional.of("_id")));
        MemoryDestination dest = new MemoryDestination();
        run(store, dest, cs);
        assertThat(dest.table(id)).hasSize(3);
        ObjectId later = new ObjectId();
        c.insertOne(new Document("_id", later).append("v", 3));
        run(store, dest, cs);
        assertThat(dest.table(id)).hasSize(4).containsKey(later.toHexString());
    }
}
