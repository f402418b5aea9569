package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tributary.testkit.BadInput;
import io.tributary.testkit.TestingMongo;
import io.tributary.types.ConfigException;
import io.tributary.types.RetriableException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input against the in-JVM MongoDB server: each fails with a typed error naming the cause, leaves
 * {@code state.json} and the destination as they were, and never prints the password. mongo-java-server has no
 * authentication, so a wrong password cannot be tested here; the password is still configured and checked absent.
 */
class MongoBadInputTest {
    private static final String SECRET = "Mz4-never-print-me";

    static TestingMongo mongo;
    static MongoClient client;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        mongo = new TestingMongo();
        client = MongoClients.create(mongo.connectionString());
        client.getDatabase("shop").getCollection("events").insertMany(List.of(new Document("_id", 1).append("v", "a"),
                new Document("_id", 2).append("v", "b")));
    }

    @AfterAll
    static void stop() {
        client.close();
        mongo.close();
    }

    private static String config(String hosts, String credentials) {
        return "{\"hosts\": [\"" + hosts + "\"], \"database\": \"shop\", \"initial_wait_time\": 1, "
                + "\"server_selection_timeout_ms\": 500, \"retry_count\": 1" + credentials + "}";
    }

    private static String source() {
        return config(mongo.host(), "");
    }

    private Path stateFile() {
        return dir.resolve("state.json");
    }

    private Path out() {
        return dir.resolve("out");
    }

    private void sync(String sourceConfig, List<ConfiguredStream> streams) {
        BadInput.sync("mongodb", sourceConfig, stateFile(), out(), streams);
    }

    private Throwable failsWithoutSideEffects(String secret, Runnable run) {
        return BadInput.failsWithoutSideEffects(stateFile(), out(), secret, run);
    }

    private static ConfiguredStream stream(String collection, String namespace, SyncMode mode) {
        Stream s = Stream.of(StreamId.of(namespace, collection), Schema.of(Field.of("_id", DataType.INT32, false),
                Field.nullable("v", DataType.STRING)), List.of("_id"), Set.of("_id", "v"),
                Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL, SyncMode.CDC));
        return ConfiguredStream.of(s.withSyncMode(mode));
    }

    /**
     * A closed port is what a restart or a failover looks like from here: transient (retried; the CLI exits 5), not a
     * config error. An unknown host name stays a config error.
     */
    @Test
    void unreachableServerIsRetriableNamingTheHostsWithoutThePassword() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String hosts = "127.0.0.1:" + port;
        String credentials = ", \"username\": \"reader\", \"password\": \"" + SECRET + "\", \"authdb\": \"admin\"";
        Throwable t = failsWithoutSideEffects(SECRET, () -> sync(config(hosts, credentials),
                List.of(stream("events", "shop", SyncMode.FULL_REFRESH))));
        assertThat(t).isInstanceOf(RetriableException.class)
                .hasMessageContaining("cannot reach MongoDB at [" + hosts + "]").hasMessageContaining("within 500 ms")
                .hasMessageContaining("down, restarting");
        t = failsWithoutSideEffects(SECRET, () -> sync(config("no-such-host.invalid:27017", credentials),
                List.of(stream("events", "shop", SyncMode.FULL_REFRESH))));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("unknown host (check 'hosts')");
    }

    /** A server that accepts connections and never answers: the handshake times out, transient. */
    @Test
    void silentServerIsRetriable() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            Throwable t = null;
            try (io.tributary.core.DriverInterface d = io.tributary.core.Drivers.configured("mongodb",
                    io.tributary.types.Json.parse(config("127.0.0.1:" + silent.getLocalPort(), "")), "source.json")) {
                d.setup();
            } catch (RuntimeException e) {
                t = e;
            }
            assertThat(t).isInstanceOf(RetriableException.class).hasMessageContaining("cannot reach MongoDB");
        }
    }

    @Test
    void discoverOfADatabaseThatDoesNotExistIsAConfigErrorNamingIt() {
        String typo = source().replace("\"database\": \"shop\"", "\"database\": \"shpo\"");
        try (io.tributary.core.DriverInterface d = io.tributary.core.Drivers.configured("mongodb",
                io.tributary.types.Json.parse(typo), "source.json")) {
            d.setup();
            assertThatThrownBy(d::getStreamNames).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("database 'shpo' has no collection: it does not exist")
                    .hasMessageContaining("shop");
        }
        try (io.tributary.core.DriverInterface d = io.tributary.core.Drivers.configured("mongodb",
                io.tributary.types.Json.parse(source()), "source.json")) {
            d.setup();
            assertThat(d.getStreamNames()).contains(StreamId.of("shop", "events"));
        }
    }

    @Test
    void collectionMissingFromTheSourceIsAConfigErrorNamingIt() {
        Throwable t = failsWithoutSideEffects(SECRET, () -> sync(source(), List.of(stream("events", "shop",
                SyncMode.FULL_REFRESH), stream("no_such_collection", "shop", SyncMode.FULL_REFRESH))));
        assertThat(t).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stream shop.no_such_collection does not exist (no such collection");
        t = failsWithoutSideEffects(SECRET, () -> sync(source(), List.of(stream("events", "other_db",
                SyncMode.FULL_REFRESH))));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("stream other_db.events")
                .hasMessageContaining("not in database 'shop'");
    }

    @Test
    void invalidResumeTokenIsANonRetriableErrorNamingTheStream() throws Exception {
        Files.writeString(stateFile(), """
                {"type": "STREAM", "version": 1, "global": {"state": null, "streams": ["shop.events"]},
                 "streams": [{"stream": "events", "namespace": "shop", "sync_mode": "cdc",
                              "state": {"chunks": [], "_data": "not-a-resume-token"}}]}
                """);
        Throwable t = failsWithoutSideEffects(SECRET, () -> sync(source(), List.of(stream("events", "shop",
                SyncMode.CDC))));
        assertThat(t).isInstanceOf(NonRetriableException.class).hasMessageContaining("stream shop.events")
                .hasMessageContaining("resume token 'not-a-resume-token' is malformed")
                .hasMessageContaining("clear this stream's state");
    }

    // ------------------------------------------------------------------ state against the source

    @Test
    void stateOfAnotherSourceIsAConfigErrorNamingBothIdentitiesAndChangesNothing() throws Exception {
        sync(source(), List.of(stream("events", "shop", SyncMode.CDC)));
        String ours = "mongodb:standalone/shop"; // mongo-java-server reports no replica set
        assertThat(Json.parse(Files.readString(stateFile())).get("source_identity").asText()).isEqualTo(ours);
        try (TestingMongo other = new TestingMongo(); MongoClient c = MongoClients.create(other.connectionString())) {
            c.getDatabase("crm").getCollection("events").insertOne(new Document("_id", 7).append("v", "z"));
            String otherSource = config(other.host(), "").replace("\"shop\"", "\"crm\"");
            Throwable t = failsWithoutSideEffects(SECRET, () -> sync(otherSource, List.of(stream("events", "crm",
                    SyncMode.CDC))));
            assertThat(t).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("state file " + stateFile().toAbsolutePath())
                    .hasMessageContaining("belongs to another source").hasMessageContaining("'" + ours + "'")
                    .hasMessageContaining("'mongodb:standalone/crm'");
        }
        // a state a replica set member wrote is refused by this server too
        ObjectNode foreign = (ObjectNode) Json.parse(Files.readString(stateFile()));
        foreign.put("source_identity", "mongodb:replset=rs0/65f0c0ffee0000000000abcd/shop");
        Files.writeString(stateFile(), foreign.toString());
        Throwable t = failsWithoutSideEffects(SECRET, () -> sync(source(), List.of(stream("events", "shop",
                SyncMode.CDC))));
        assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("'" + ours + "'")
                .hasMessageContaining("'mongodb:replset=rs0/65f0c0ffee0000000000abcd/shop'");
    }

    @Test
    void emptyOrGarbledStateFileIsAConfigErrorNotAFullResync() throws Exception {
        sync(source(), List.of(stream("events", "shop", SyncMode.CDC)));
        String good = Files.readString(stateFile());
        for (String bad : List.of("", good.substring(0, good.length() / 2), "\u0000\u0000garbage")) {
            Files.writeString(stateFile(), bad);
            Throwable t = failsWithoutSideEffects(SECRET, () -> sync(source(), List.of(stream("events", "shop",
                    SyncMode.CDC))));
            assertThat(t).as("state %s", bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("state file " + stateFile().toAbsolutePath())
                    .hasMessageContaining(bad.isEmpty() ? "is empty (0 bytes)" : "malformed JSON")
                    .hasMessageContaining("not modified");
        }
    }
}
