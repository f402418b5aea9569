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
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fields that first appear after {@code discover} (in an insert, a replace, a {@code $set}) reach the destination
 * through CDC with {@code sync_new_columns}; a field whose type changes never stops the stream: int32 → int64 widens
 * the column, any other change goes to a sibling column {@code <field>_<type>}.
 */
class MongoSchemaEvolutionTest {
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
                + "\"database\": \"evo\", \"initial_wait_time\": 1, \"server_selection_timeout_ms\": 2000}"),
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

    /** A column a record does not have reads as NULL (as in the destination table, which has it by then). */
    private static Object value(Record r, String column) {
        return r.schema().indexOf(column) < 0 ? null : r.value(column);
    }

    @Test
    void newFieldsArriveAndTypeChangesNeverStopTheStream() {
        MongoCollection<Document> c = client.getDatabase("evo").getCollection("evo_" + UUID.randomUUID()
                .toString().substring(0, 6));
        c.insertMany(List.of(
                new Document("_id", 1).append("a", 1).append("l", 5L).append("o", new Document("x", 1)),
                new Document("_id", 2).append("a", 2).append("l", 6L)));
        StreamId id = StreamId.of("evo", c.getNamespace().getCollectionName());
        InMemoryStateStore store = new InMemoryStateStore();
        Stream s;
        try (DriverInterface d = driver()) {
            s = new AbstractDriver(d, State.load(store)).discover(4).stream().filter(x -> x.id().equals(id))
                    .findFirst().orElseThrow();
        }
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        assertThat(cs.syncNewColumns()).isTrue();
        MemoryDestination dest = new MemoryDestination();
        run(store, dest, cs);

        c.insertOne(new Document("_id", 3).append("a", 3).append("l", 7L).append("added", "new"));
        c.updateOne(Filters.eq("_id", 1), Updates.set("set_field", 1.5));
        c.replaceOne(Filters.eq("_id", 2), new Document("_id", 2).append("a", 2).append("l", 6L)
                .append("replaced", true));
        c.insertOne(new Document("_id", 4).append("l", "text"));
        c.insertOne(new Document("_id", 5).append("a", 5_000_000_000L));
        c.insertOne(new Document("_id", 6).append("l", 2.5));
        c.insertOne(new Document("_id", 7).append("o", "not an object"));
        run(store, dest, cs);

        Map<String, Record> t = dest.table(id);
        assertThat(value(t.get("3"), "added")).isEqualTo("new");
        assertThat(value(t.get("1"), "set_field")).isEqualTo(1.5);
        assertThat(value(t.get("2"), "replaced")).isEqualTo(true);
        assertThat(value(t.get("4"), "l")).isNull();
        assertThat(value(t.get("4"), "l_string")).isEqualTo("text");
        assertThat(value(t.get("5"), "a")).isEqualTo(5_000_000_000L);
        assertThat(value(t.get("6"), "l")).isNull();
        assertThat(value(t.get("6"), "l_number")).isEqualTo(2.5);
        assertThat(value(t.get("7"), "o")).isNull();
        assertThat(value(t.get("7"), "o_string")).isEqualTo("not an object");
        Record last = dest.records(id).get(dest.records(id).size() - 1);
        assertThat(last.schema().field("l").orElseThrow().type()).as("l keeps its type").isEqualTo(DataType.INT64);
        assertThat(last.schema().field("a").orElseThrow().type()).as("a widens").isEqualTo(DataType.INT64);

        // the stream goes on: the next run, a value of the first type again, and one more of the second
        c.updateOne(Filters.eq("_id", 4), Updates.set("l", 8L));
        c.insertOne(new Document("_id", 8).append("l", "more text"));
        run(store, dest, cs);
        t = dest.table(id);
        assertThat(value(t.get("4"), "l")).isEqualTo(8L);
        assertThat(value(t.get("4"), "l_string")).isNull();
        assertThat(value(t.get("8"), "l_string")).isEqualTo("more text");
        assertThat(t).hasSize((int) c.countDocuments());
    }
}
