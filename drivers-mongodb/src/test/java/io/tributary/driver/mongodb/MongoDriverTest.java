package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingMongo;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MongoDriverTest {
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

    private static DriverInterface driver(String extra) {
        return Drivers.configured("mongodb", Json.parse("{\"hosts\": [\"" + mongo.host() + "\"], \"database\": \"shop\", "
                + "\"initial_wait_time\": 1, \"server_selection_timeout_ms\": 2000" + extra + "}"), "source.json");
    }

    private static Stream discover(State state, StreamId id) {
        try (DriverInterface d = driver(", \"partition_size\": 5000")) {
            return new AbstractDriver(d, state).discover(4).stream().filter(s -> s.id().equals(id)).findFirst()
                    .orElseThrow();
        }
    }

    private static void run(State state, MemoryDestination dest, ConfiguredStream s) {
        try (DriverInterface d = driver(", \"partition_size\": 5000, \"max_threads\": 3");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(500));
                AbstractDriver a = new AbstractDriver(d, state, AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)))) {
            a.read(pool, List.of(s));
        }
    }

    @Test
    void schemaIsInferredWithWideningNestedDocumentsAndObjectIds() {
        MongoCollection<Document> c = client.getDatabase("shop").getCollection("mixed");
        ObjectId oid = new ObjectId();
        c.insertMany(List.of(
                new Document("_id", oid).append("n", 1).append("price", new Decimal128(new BigDecimal("9.99")))
                        .append("at", Date.from(Instant.parse("2026-01-01T00:00:00Z")))
                        .append("tags", List.of("a", "b")).append("addr", new Document("city", "Köln")),
                new Document("_id", new ObjectId()).append("n", 5_000_000_000L).append("ratio", 0.5)
                        .append("flag", true),
                new Document("_id", new ObjectId()).append("n", 2.5).append("mixed", 1),
                new Document("_id", new ObjectId()).append("mixed", "text")));
        Stream s = discover(State.inMemory(), StreamId.of("shop", "mixed"));
        assertThat(s.primaryKey()).containsExactly("_id");
        assertThat(s.schema().field("_id").orElseThrow().type()).isEqualTo(DataType.STRING);
        assertThat(s.schema().field("n").orElseThrow().type()).isEqualTo(DataType.FLOAT64);
        assertThat(s.schema().field("price").orElseThrow().type()).isEqualTo(DataType.DECIMAL);
        assertThat(s.schema().field("at").orElseThrow().type()).isEqualTo(DataType.TIMESTAMP_MILLI);
        assertThat(s.schema().field("tags").orElseThrow().type()).isEqualTo(DataType.JSON_ARRAY);
        assertThat(s.schema().field("addr").orElseThrow().type()).isEqualTo(DataType.JSON_OBJECT);
        assertThat(s.schema().field("mixed").orElseThrow().type()).isEqualTo(DataType.STRING);

        MemoryDestination dest = new MemoryDestination();
        run(State.inMemory(), dest, ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH)));
        Record first = dest.table(s.id()).get(oid.toHexString());
        assertThat(first.value("n")).isEqualTo(1.0);
        assertThat(first.value("price")).isEqualTo(new BigDecimal("9.99"));
        assertThat(first.value("at")).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(first.value("tags")).isEqualTo("[\"a\", \"b\"]");
        assertThat(first.value("addr")).isEqualTo("{\"city\": \"Köln\"}");
    }

    @Test
    void backfillReadsFiftyThousandDocumentsInParallelChunksAndCdcFollows() {
        MongoCollection<Document> c = client.getDatabase("shop").getCollection("orders");
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            docs.add(new Document("_id", new ObjectId()).append("seq", i).append("total", i * 3L));
            if (docs.size() == 5_000) {
                c.insertMany(docs);
                docs = new ArrayList<>();
            }
        }
        State state = State.inMemory();
        StreamId id = StreamId.of("shop", "orders");
        ConfiguredStream s = ConfiguredStream.of(discover(state, id).withSyncMode(SyncMode.CDC));
        MemoryDestination dest = new MemoryDestination();
        run(state, dest, s);
        Map<String, Record> t = dest.table(id);
        assertThat(t).hasSize(50_000);
        assertThat(t.values().stream().mapToLong(r -> (Long) r.value("total")).sum()).isEqualTo(3L * 49_999 * 50_000 / 2);
        assertThat(dest.committedStates(id).keySet().stream().filter(k -> !k.endsWith("_cdc"))).hasSizeGreaterThan(5);

        ObjectId added = new ObjectId();
        c.insertOne(new Document("_id", added).append("seq", -1).append("total", 7L));
        Object firstId = c.find().first().get("_id");
        c.updateOne(Filters.eq("_id", firstId), Updates.set("total", 1_000_000L));
        Object secondId = c.find().skip(1).first().get("_id");
        c.replaceOne(Filters.eq("_id", secondId), new Document("_id", secondId).append("seq", 1).append("total", 42L));
        Object thirdId = c.find().skip(2).first().get("_id");
        c.deleteOne(Filters.eq("_id", thirdId));
        run(state, dest, s);
        t = dest.table(id);
        assertThat(t).hasSize(50_000).containsKey(added.toHexString())
                .doesNotContainKey(((ObjectId) thirdId).toHexString());
        assertThat(t.get(((ObjectId) firstId).toHexString()).value("total")).isEqualTo(1_000_000L);
        assertThat(t.get(((ObjectId) secondId).toHexString()).value("total")).isEqualTo(42L);
        assertThat(state.streamValue(id, MongoCdc.TOKEN)).isPresent();
    }

    /** A collection's position saved by a release before positions carried a version resumes where it says. */
    @Test
    void resumesFromAStreamPositionSavedBeforePositionsHadAVersion() {
        MongoCollection<Document> c = client.getDatabase("shop").getCollection("pos_c");
        for (int i = 0; i < 20; i++) {
            c.insertOne(new Document("_id", i).append("v", "n" + i));
        }
        State state = State.inMemory();
        StreamId id = StreamId.of("shop", "pos_c");
        ConfiguredStream s = ConfiguredStream.of(discover(state, id).withSyncMode(SyncMode.CDC));
        MemoryDestination dest = new MemoryDestination();
        run(state, dest, s);
        assertThat(dest.table(id)).hasSize(20);
        assertThat(state.streamValue(id, io.tributary.core.PositionCodec.VERSION_FIELD).orElseThrow().asInt())
                .isEqualTo(1);
        // the stream state as the previous release wrote it: the position's keys alone
        state.removeStreamValue(id, io.tributary.core.PositionCodec.VERSION_FIELD);
        c.insertOne(new Document("_id", 100).append("v", "new"));
        c.updateOne(Filters.eq("_id", 1), Updates.set("v", "renamed"));
        c.deleteOne(Filters.eq("_id", 2));
        run(state, dest, s);
        Map<String, Record> t = dest.table(id);
        assertThat(t).hasSize(20).containsKey("100").doesNotContainKey("2");
        assertThat(t.get("1").value("v")).isEqualTo("renamed");
        assertThat(dest.records(id)).hasSize(23); // the backfill and the three changes: nothing read twice
        assertThat(state.streamValue(id, MongoCdc.TOKEN)).isPresent();
        assertThat(state.streamValue(id, io.tributary.core.PositionCodec.VERSION_FIELD).orElseThrow().asInt())
                .isEqualTo(1);
    }

    @Test
    void thePositionCodecReadsEachSavedForm() {
        MongoPosition.ResumeToken token = new MongoPosition.ResumeToken("8263A1B2C3000000012B");
        assertThat(MongoPosition.CODEC.encode(token)).isEqualTo(Json.object().put(MongoCdc.TOKEN, token.data()));
        assertThat(MongoPosition.CODEC.decode(Json.object().put(MongoCdc.TOKEN, token.data()), 0)).isEqualTo(token);
        assertThat(MongoPosition.CODEC.decode(Json.object().put(MongoCdc.START_AFTER, 7L << 32 | 3), 0))
                .isEqualTo(new MongoPosition.StartAfter(7L << 32 | 3));
        assertThat(MongoPosition.CODEC.decode(Json.object().put(MongoCdc.START, 1_700_000_000L), 0))
                .isEqualTo(new MongoPosition.StartAt(1_700_000_000L));
        assertThatThrownBy(() -> MongoPosition.CODEC.decode(Json.object().put("other", 1), 1))
                .isInstanceOf(io.tributary.types.NonRetriableException.class).hasMessageContaining("malformed");
    }

    @Test
    void badConfigsAreTypedErrors() {
        assertThatThrownBy(() -> Drivers.configured("mongodb", Json.parse("{\"hosts\": [\"localhost\"]}"),
                "source.json")).isInstanceOf(ConfigException.class).hasMessageContaining("'database'");
        assertThatThrownBy(() -> Drivers.configured("mongodb", Json.parse("{\"hosts\": [\"localhost\"], "
                + "\"database\": \"x\", \"chunking_strategy\": \"magic\"}"), "source.json"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("chunking_strategy");
        assertThatThrownBy(() -> {
            try (DriverInterface d = Drivers.configured("mongodb", Json.parse("{\"hosts\": [\"127.0.0.1:1\"], "
                    + "\"database\": \"x\", \"server_selection_timeout_ms\": 500}"), "source.json")) {
                d.setup();
            }
            // a refused connection is what a restart looks like: transient, retried (not "fix your config")
        }).isInstanceOf(io.tributary.types.RetriableException.class).hasMessageContaining("cannot reach MongoDB");
    }
}
