package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.tributary.testkit.TestingMongo;
import io.tributary.testkit.WriteLoad;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.awaitility.Awaitility;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * MongoDB (mongo-java-server) through the Flink runner, parallelism 2: two collections, so two change-stream splits
 * (the driver's CONCURRENT mode: one change stream per collection), backfill then CDC under a write load on both,
 * a change stream failing once; both tables then equal their collections, with no duplicate {@code _olake_id}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlinkMongoTest {
    private static final int DOCS = 10_000;
    private static final List<String> COLLECTIONS = List.of("flink_a", "flink_b");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).setConfiguration(new Configuration()).build());

    private TestingMongo mongo;
    private MongoClient client;

    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        mongo = new TestingMongo();
        client = MongoClients.create(mongo.connectionString());
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        if (mongo != null) {
            mongo.close();
        }
    }

    private JsonNode source() {
        return Json.parse("{\"hosts\": [\"" + mongo.host() + "\"], \"database\": \"flinkdb\", \"partition_size\": 2000, "
                + "\"max_threads\": 2, \"initial_wait_time\": 1, \"server_selection_timeout_ms\": 3000}");
    }

    private static WriteLoad.Target target(MongoCollection<Document> col) {
        return new WriteLoad.Target() {
            @Override
            public void insert(long id) {
                col.insertOne(new Document("_id", id).append("v", "new").append("n", 0));
            }

            @Override
            public void update(long id, long op) {
                col.updateOne(Filters.eq("_id", id), Updates.combine(Updates.inc("n", 1), Updates.set("v", "u" + op)));
            }

            @Override
            public void delete(long id) {
                col.deleteOne(Filters.eq("_id", id));
            }
        };
    }

    private static Map<String, String> collection(MongoCollection<Document> col) {
        Map<String, String> out = new TreeMap<>();
        for (Document d : col.find()) {
            out.put(String.valueOf(d.get("_id")), d.getString("v") + "|" + d.getInteger("n"));
        }
        return out;
    }

    private static Map<String, String> table(JsonNode destination, StreamId stream) throws Exception {
        Map<String, String> out = new TreeMap<>();
        Map<String, Object> ids = new HashMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(FlinkJobs.table(destination, stream))
                .select("_olake_id", "_id", "v", "n").build()) {
            for (Record r : rows) {
                assertThat(ids.put((String) r.getField("_olake_id"), r.getField("_id"))).as("duplicate _olake_id %s",
                        r.getField("_olake_id")).isNull();
                out.put(String.valueOf(r.getField("_id")), r.getField("v") + "|" + r.getField("n"));
            }
        }
        return out;
    }

    @Test
    void twoCollectionsBackfillThenCdcUnderLoad(@InjectMiniCluster MiniCluster cluster) throws Exception {
        List<MongoCollection<Document>> cols = new ArrayList<>();
        List<ConfiguredStream> streams = new ArrayList<>();
        for (String name : COLLECTIONS) {
            MongoCollection<Document> col = client.getDatabase("flinkdb").getCollection(name);
            List<Document> docs = new ArrayList<>();
            for (long id = 1; id <= DOCS; id++) {
                docs.add(new Document("_id", id).append("v", "v" + id).append("n", 0));
            }
            col.insertMany(docs);
            cols.add(col);
            streams.addAll(FlinkJobs.discover("mongodb", source(), StreamId.of("flinkdb", name), SyncMode.CDC));
        }
        assertThat(streams).hasSize(2);
        JsonNode destination = Json.parse("{\"warehouse\": \"" + dir.resolve("wh") + "\"}");
        FaultyDriver.injected.set(0);
        FaultyDriver.chunkFailures.set(0);
        FaultyDriver.changesBeforeFailure.set(50);
        FaultyDriver.changeFailures.set(1);
        try {
            TributaryFlink pipeline = TributaryFlink.pipeline("faulty-mongodb", source(), FlinkJobs.catalog(streams),
                    destination);
            JobID job = FlinkJobs.submit(cluster, FlinkJobs.graph(pipeline, 2, dir.resolve("checkpoints"), null));
            try (WriteLoad a = WriteLoad.start("flink-mongo-a", target(cols.get(0)),
                    new WriteLoad.Spec(21, DOCS, 1_000_000L, Duration.ofMillis(3)));
                    WriteLoad b = WriteLoad.start("flink-mongo-b", target(cols.get(1)),
                            new WriteLoad.Spec(22, DOCS, 1_000_000L, Duration.ofMillis(3)))) {
                Awaitility.await("the change stream's injected failure").atMost(Duration.ofMinutes(3))
                        .until(() -> FaultyDriver.injected.get() >= 1);
                Thread.sleep(1000); // changes after the restart
            }
            for (int i = 0; i < cols.size(); i++) {
                cols.get(i).insertOne(new Document("_id", -1L).append("v", "end").append("n", 1));
                StreamId id = StreamId.of("flinkdb", COLLECTIONS.get(i));
                Map<String, String> expected = collection(cols.get(i));
                Awaitility.await(id + " equal to its collection").atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .untilAsserted(() -> assertThat(table(destination, id)).isEqualTo(expected));
            }
            cluster.cancelJob(job).get();
        } finally {
            FaultyDriver.changeFailures.set(0);
        }
    }
}
