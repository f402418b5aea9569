package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import io.tributary.testkit.Rows;
import io.tributary.testkit.TestingMongo;
import io.tributary.testkit.WriteLoad;
import io.tributary.testkit.reliability.KillResumeHarness;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A MongoDB CDC sync (mongo-java-server with its oplog, reached over TCP by a child JVM) killed with SIGKILL while
 * documents are inserted, updated and deleted — during partition reads and commits, and during CDC with changes
 * flowing — resumed from state each time, in both CDC backfill modes; the jsonl destination, latest row per
 * {@code _olake_id}, must then equal the collection. Trials per mode: {@code -Dtributary.trials=N} (default 10
 * here), seeds printed, {@code -Dtributary.seed=S} replays.
 */
class MongoKillResumeTest {
    private static final int DOCS = 5_000;

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
        int trials = Integer.getInteger("tributary.trials", 10);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            long begin = System.nanoTime();
            String name = "kr_" + mode + "_" + i;
            String database = name; // one collection per trial's database: a trial syncs only its own
            MongoCollection<Document> col = client.getDatabase(database).getCollection(name);
            List<Document> docs = new ArrayList<>();
            for (long id = 1; id <= DOCS; id++) {
                docs.add(new Document("_id", id).append("v", "v" + id).append("n", 0));
            }
            col.insertMany(docs);
            Path trial = Files.createDirectories(dir.resolve(name));
            Path source = Files.writeString(trial.resolve("source.json"), "{\"hosts\": [\"" + mongo.host()
                    + "\"], \"database\": \"" + database + "\", \"partition_size\": 500, \"max_threads\": 3, "
                    + "\"initial_wait_time\": 1, \"server_selection_timeout_ms\": 3000}");
            Path out = trial.resolve("out");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"path\": \"" + out + "\"}");
            WriteLoad load = WriteLoad.start(name, new WriteLoad.Target() {
                @Override
                public void insert(long id) {
                    col.insertOne(new Document("_id", id).append("v", "new").append("n", 0));
                }

                @Override
                public void update(long id, long op) {
                    col.updateOne(Filters.eq("_id", id), Updates.combine(Updates.inc("n", 1),
                            Updates.set("v", "u" + op)));
                }

                @Override
                public void delete(long id) {
                    col.deleteOne(Filters.eq("_id", id));
                }
            }, WriteLoad.Spec.of(seed, DOCS, Duration.ofMillis(5)));
            KillResumeHarness.Outcome o;
            try {
                o = KillResumeHarness.run(new KillResumeHarness.Trial("mongodb", source, "jsonl", writer,
                        trial.resolve("state.json"), "cdc", seed, 2, 150).withCdcBackfill(mode), load::close);
            } finally {
                load.close();
            }
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();

            Map<String, String> expected = new HashMap<>();
            for (Document d : col.find()) {
                expected.put(String.valueOf(d.get("_id")), d.getString("v") + "/" + d.getInteger("n"));
            }
            Map<String, String> actual = Rows.latest(new JsonlDestination(new JsonlConfig(out.toString(), true))
                    .read(StreamId.of(database, name)), Rows::vn);
            Rows.assertSameRows(expected, actual, "mode " + mode + " seed " + seed + " after " + o.summary());
            System.out.printf("mongodb kill/resume %s trial %d, seed %d, %d load changes, %d ms: %s%n", mode, i,
                    seed, load.ops(), (System.nanoTime() - begin) / 1_000_000, o.summary());
            client.getDatabase(database).drop();
        }
    }
}
