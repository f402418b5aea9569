package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.tributary.testkit.TestingMongo;
import io.tributary.testkit.reliability.KillResumeHarness;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MongoDB CDC sync (mongo-java-server with its oplog, reached over TCP by a child JVM) killed with SIGKILL at random
 * moments while documents are inserted, updated and deleted, resumed from state each time; the jsonl destination,
 * latest row per {@code _olake_id}, must then equal the collection. Trials: {@code -Dtributary.trials=N} (default 2
 * here), seeds printed, {@code -Dtributary.seed=S} replays.
 */
class MongoKillResumeTest {
    static TestingMongo mongo;
    static MongoClient client;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        mongo = new TestingMongo();
        client = MongoClients.create(mongo.connectionString());
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (mongo != null) {
            mongo.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"before_cdc", "watermark"})
    void cdcSyncKilledAtRandomMomentsLosesNothing(String mode) throws Exception {
        int trials = Integer.getInteger("tributary.trials", 2);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            String name = "kr_" + mode + "_" + i;
            String database = "kr_" + mode + "_" + i; // one collection per trial's database: a trial syncs only its own
            MongoCollection<Document> col = client.getDatabase(database).getCollection(name);
            List<Document> docs = new ArrayList<>();
            for (long id = 1; id <= 20_000; id++) {
                docs.add(new Document("_id", id).append("v", "v" + id).append("n", 0));
                if (docs.size() == 1_000) {
                    col.insertMany(docs);
                    docs.clear();
                }
            }
            Path trial = Files.createDirectories(dir.resolve(mode + i));
            Path source = Files.writeString(trial.resolve("source.json"), "{\"hosts\": [\"" + mongo.host()
                    + "\"], \"database\": \"" + database + "\", \"partition_size\": 2000, \"max_threads\": 3, "
                    + "\"initial_wait_time\": 1, \"server_selection_timeout_ms\": 3000}");
            Path out = trial.resolve("out");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"path\": \"" + out + "\"}");
            Thread load = new Thread(() -> {
                Random random = new Random(seed);
                long next = 1_000_000;
                while (!Thread.currentThread().isInterrupted()) {
                    int op = random.nextInt(10);
                    long key = 1 + random.nextInt(20_000);
                    if (op < 5) {
                        col.updateOne(Filters.eq("_id", key), Updates.combine(Updates.inc("n", 1),
                                Updates.set("v", "u" + next)));
                    } else if (op < 8) {
                        col.insertOne(new Document("_id", next++).append("v", "new").append("n", 0));
                    } else {
                        col.deleteOne(Filters.eq("_id", key));
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "load-" + name);
            load.start();
            KillResumeHarness.Outcome o;
            try {
                o = KillResumeHarness.run(new KillResumeHarness.Trial("mongodb", source, "jsonl", writer,
                        trial.resolve("state.json"), "cdc", seed, 3, 600, 2_500).withCdcBackfill(mode));
            } finally {
                load.interrupt();
                load.join();
            }
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();
            KillResumeHarness.Outcome drain = KillResumeHarness.run(new KillResumeHarness.Trial("mongodb", source,
                    "jsonl", writer, trial.resolve("state.json"), "cdc", seed, 0, 0, 0).withCdcBackfill(mode));
            assertThat(drain.exitCode()).as("seed %d:%n%s", seed, drain.lastOutput()).isZero();

            Map<String, String> dest = new HashMap<>();
            for (ObjectNode r : new JsonlDestination(new JsonlConfig(out.toString(), true))
                    .read(StreamId.of(database, name))) {
                if (r.get("_olake_id").asText().isEmpty()) {
                    System.out.println("row without a key: " + r);
                }
                if ("d".equals(r.get("_op_type").asText())) {
                    dest.remove(r.get("_olake_id").asText());
                } else {
                    dest.put(r.get("_olake_id").asText(), r.get("v").asText() + "/" + r.get("n").asInt());
                }
            }
            Map<String, String> expected = new HashMap<>();
            for (Document d : col.find()) {
                expected.put(String.valueOf(d.get("_id")), d.getString("v") + "/" + d.getInteger("n"));
            }
            Map<String, String> diff = new java.util.TreeMap<>();
            expected.forEach((k, v) -> {
                if (!v.equals(dest.get(k))) {
                    diff.put(k, "source " + v + " / destination " + dest.get(k));
                }
            });
            dest.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> diff.put("'" + k + "'",
                    "not in source: " + dest.get(k)));
            assertThat(diff.entrySet().stream().limit(20).toList())
                    .as("%d differ, seed %d after %d kills", diff.size(), seed, o.kills()).isEmpty();
            System.out.printf("mongodb kill/resume %s trial %d: %d kills, seed %d%n", mode, i, o.kills(), seed);
        }
    }
}
