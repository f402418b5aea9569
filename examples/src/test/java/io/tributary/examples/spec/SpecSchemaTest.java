package io.tributary.examples.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.writer.Providers;
import io.tributary.writer.WriterFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code spec} is a real JSON Schema (2020-12) for every driver and writer: valid against the 2020-12 meta-schema,
 * every object closed ({@code additionalProperties: false}) and every key described; every config the README, the
 * examples and the tests use is valid against it, and what binding rejects (an unknown key, a wrong type, a value
 * outside its enum) the schema rejects too.
 */
class SpecSchemaTest {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static JsonNode driverSpec(String type) {
        return Drivers.find(type).spec();
    }

    private static JsonNode writerSpec(String type) {
        return Providers.find(WriterFactory.class, WriterFactory::type, type, Providers.defaultLoader()).spec();
    }

    private static List<String> errors(JsonNode schema, String config) {
        Schema s = REGISTRY.getSchema(schema);
        List<Error> errors = s.validate(config, InputFormat.JSON);
        return errors.stream().map(Error::toString).toList();
    }

    @Test
    void everyDriverAndWriterSpecIsAClosedDescribedDraft202012Schema() {
        Schema meta = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        Map<String, JsonNode> specs = new java.util.LinkedHashMap<>();
        for (String type : List.of("postgres", "mysql", "mongodb", "generator")) {
            specs.put("driver " + type, driverSpec(type));
        }
        for (String type : List.of("jsonl", "parquet", "iceberg", "memory")) {
            specs.put("writer " + type, writerSpec(type));
        }
        specs.forEach((what, spec) -> {
            assertThat(spec.path("$schema").asText()).as(what).isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(meta.validate(spec)).as(what + " against the 2020-12 meta-schema").isEmpty();
            assertClosedAndDescribed(what, spec);
        });
        JsonNode pg = specs.get("driver postgres").path("properties");
        assertThat(pg.path("port").path("default").asInt()).isEqualTo(5432);
        assertThat(pg.path("port").path("type").asText()).isEqualTo("integer");
        assertThat(pg.path("password").path("writeOnly").asBoolean()).isTrue();
        assertThat(pg.path("backfill_read").path("enum")).extracting(JsonNode::asText)
                .containsExactly("binary_copy", "select");
        assertThat(pg.path("update_method").path("properties").path("replication_slot").path("type").asText())
                .isEqualTo("string");
        assertThat(specs.get("driver postgres").path("required")).extracting(JsonNode::asText)
                .containsExactly("host", "database", "username");
        // one name per concept across drivers; the old names listed as deprecated
        for (String type : List.of("postgres", "mysql", "mongodb")) {
            JsonNode p = specs.get("driver " + type).path("properties");
            assertThat(p.path("max_threads").path("maximum").asInt()).as(type).isEqualTo(256);
            assertThat(p.path("retry_count").path("type").asText()).as(type).isEqualTo("integer");
        }
        assertThat(specs.get("driver mysql").path("properties").path("ssl").path("properties").path("mode")
                .path("enum")).extracting(JsonNode::asText).containsExactly("disable", "prefer", "require");
        assertThat(pg.path("ssl").path("properties").path("mode").path("enum")).extracting(JsonNode::asText)
                .containsExactly("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
        assertThat(specs.get("driver mysql").path("properties").path("tls").path("deprecated").asBoolean()).isTrue();
        assertThat(specs.get("driver mysql").path("properties").path("backoff_retry_count").path("deprecated")
                .asBoolean()).isTrue();
        assertThat(specs.get("driver mongodb").path("properties").path("backoff_retry_count").path("deprecated")
                .asBoolean()).isTrue();
        assertThat(specs.get("driver mongodb").path("properties").path("read_preference").path("enum"))
                .extracting(JsonNode::asText)
                .containsExactly("primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest");
        assertThat(specs.get("writer parquet").path("properties").path("compression").path("default").asText())
                .isEqualTo("snappy");
    }

    private static void assertClosedAndDescribed(String where, JsonNode schema) {
        if (schema.path("type").asText().equals("object") && schema.has("properties")) {
            assertThat(schema.path("additionalProperties").isBoolean() && !schema.path("additionalProperties")
                    .asBoolean()).as(where + " is closed").isTrue();
            for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
                assertThat(p.getValue().path("description").asText()).as(where + "." + p.getKey() + " description")
                        .isNotBlank();
                assertClosedAndDescribed(where + "." + p.getKey(), p.getValue());
            }
        }
        if (schema.has("items")) {
            assertClosedAndDescribed(where + "[]", schema.path("items"));
        }
    }

    /** The configs of the README, the examples and the tests (their shapes; host names and ports as the tests'). */
    private static final Map<String, List<String>> SOURCES = Map.of(
            "postgres", List.of(
                    // the quickstart's and ContinuousCdcExample's source (QuickstartConfig)
                    "{\"host\": \"localhost\", \"port\": 5432, \"database\": \"postgres\", \"username\": \"postgres\", "
                            + "\"password\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}, \"max_threads\": 4, "
                            + "\"chunk_size\": 5000, \"update_method\": {\"replication_slot\": \"s\", "
                            + "\"publication\": \"p\", \"initial_wait_time\": 3, \"create_if_missing\": true}}",
                    // PostgresConfig's javadoc (every key)
                    "{\"host\": \"localhost\", \"port\": 5432, \"database\": \"shop\", \"username\": \"tributary\", "
                            + "\"password\": \"x\", \"jdbc_url_params\": {\"connectTimeout\": \"10\"}, "
                            + "\"ssl\": {\"mode\": \"require\"}, \"schemas\": [\"public\"], \"max_threads\": 3, "
                            + "\"retry_count\": 3, \"chunk_size\": 500000, \"backfill_read\": \"binary_copy\", "
                            + "\"update_method\": {\"replication_slot\": \"tributary\", \"publication\": \"tributary\", "
                            + "\"initial_wait_time\": 10, \"create_if_missing\": false, \"consistent_snapshot\": true}}",
                    // PostgresBadInputTest, CliBadInputTest
                    "{\"host\": \"localhost\", \"port\": 54321, \"database\": \"postgres\", \"username\": \"app\", "
                            + "\"password\": \"p\", \"ssl\": {\"mode\": \"disable\"}, \"retry_count\": 1, "
                            + "\"jdbc_url_params\": {\"loginTimeout\": \"1\"}, \"backfill_read\": \"select\"}"),
            "mysql", List.of(
                    // MySqlConfig's javadoc (every key)
                    "{\"host\": \"localhost\", \"port\": 3306, \"database\": \"shop\", \"username\": \"tributary\", "
                            + "\"password\": \"x\", \"jdbc_url_params\": {}, \"ssl\": {\"mode\": \"disable\"}, "
                            + "\"max_threads\": 3, \"retry_count\": 3, \"chunk_size\": 100000, "
                            + "\"update_method\": {\"server_id\": 5400, \"initial_wait_time\": 10}}",
                    // MySqlBadInputTest
                    "{\"host\": \"127.0.0.1\", \"port\": 3307, \"database\": \"shop\", \"username\": \"app\", "
                            + "\"password\": \"p\", \"ssl\": {\"mode\": \"disable\"}, \"retry_count\": 1, "
                            + "\"update_method\": {\"initial_wait_time\": 1}}",
                    // a 0.1 config: the deprecated names still bind (with a warning)
                    "{\"host\": \"127.0.0.1\", \"database\": \"shop\", \"username\": \"app\", "
                            + "\"tls\": {\"mode\": \"disabled\"}, \"backoff_retry_count\": 1}"),
            "mongodb", List.of(
                    // MongoConfig's javadoc (every key)
                    "{\"hosts\": [\"localhost:27017\"], \"username\": \"u\", \"password\": \"x\", \"authdb\": \"admin\", "
                            + "\"replica_set\": \"rs0\", \"read_preference\": \"secondaryPreferred\", \"srv\": false, "
                            + "\"database\": \"shop\", \"max_threads\": 3, \"retry_count\": 3, "
                            + "\"chunking_strategy\": \"key_scan\", \"partition_size\": 100000, \"sample_size\": 10000, "
                            + "\"initial_wait_time\": 5, \"server_selection_timeout_ms\": 10000}",
                    // MongoBadInputTest, the conformance fixture
                    "{\"hosts\": [\"127.0.0.1:27017\"], \"database\": \"shop\", \"initial_wait_time\": 1, "
                            + "\"server_selection_timeout_ms\": 500, \"retry_count\": 1}",
                    "{\"hosts\": [\"127.0.0.1:27017\"], \"database\": \"shop\", \"backoff_retry_count\": 1}",
                    "{\"hosts\": [\"127.0.0.1:27017\"], \"database\": \"kit\", \"partition_size\": 1000}"),
            "generator", List.of(
                    // EmbedSyncExample, GeneratorCliTest
                    "{\"streams\": [\"orders\", \"users\"], \"rows\": 5000, \"chunk_size\": 1000, \"max_threads\": 4}"));

    private static final Map<String, List<String>> WRITERS = Map.of(
            // the README's embedding snippet, the quickstart, the Iceberg tests
            "iceberg", List.of("{\"warehouse\": \"/data/warehouse\"}",
                    "{\"catalog_type\": \"hadoop\", \"warehouse\": \"/tmp/wh\"}",
                    "{\"warehouse\": \"/tmp/wh\", \"namespace\": \"lake_{namespace}\"}",
                    "{\"catalog_type\": \"jdbc\", \"warehouse\": \"/tmp/wh\", \"catalog_name\": \"c\", "
                            + "\"namespace\": \"lake\", \"properties\": {\"uri\": \"jdbc:sqlite:/tmp/c.db\"}, "
                            + "\"target_file_size_mb\": 256}",
                    // the README's S3 through a REST catalog, PostgresIcebergS3KillResumeTest
                    "{\"catalog_type\": \"rest\", \"warehouse\": \"s3://lake/warehouse\", \"namespace\": "
                            + "\"lake_{namespace}\", \"properties\": {\"uri\": \"http://iceberg-rest:8181\"}, "
                            + "\"s3_endpoint\": \"http://minio:9000\", \"aws_region\": \"us-east-1\", "
                            + "\"s3_path_style\": true, \"aws_access_key\": \"tributary\", \"aws_secret_key\": \"...\"}"),
            "parquet", List.of("{\"path\": \"/tmp/out\"}",
                    "{\"path\": \"/tmp/out\", \"compression\": \"zstd\", \"target_file_size_mb\": 64}",
                    // ParquetS3KillResumeTest
                    "{\"path\": \"s3://bucket/trial-1\", \"s3_endpoint\": \"http://127.0.0.1:9000\", "
                            + "\"aws_region\": \"us-east-1\", \"s3_path_style\": true, \"aws_access_key\": \"a\", "
                            + "\"aws_secret_key\": \"s\", \"properties\": {\"s3.checksum-enabled\": \"false\"}}"),
            "jsonl", List.of("{\"path\": \"/tmp/out\"}", "{\"path\": \"/tmp/out\", \"fsync\": false}"),
            "memory", List.of("{}", "{\"name\": \"m\"}"));

    @Test
    void everyConfigInUseIsValidAgainstItsSpecAndBinds() {
        SOURCES.forEach((type, configs) -> configs.forEach(c -> {
            assertThat(errors(driverSpec(type), c)).as(type + ": " + c).isEmpty();
            try (DriverInterface d = Drivers.configured(type, Json.parse(c), "source.json")) {
                assertThat(d.config()).as(type).isNotNull();
            }
        }));
        WRITERS.forEach((type, configs) -> configs.forEach(c ->
                assertThat(errors(writerSpec(type), c)).as(type + ": " + c).isEmpty()));
    }

    /**
     * Every {@code ```json} block of README.md introduced as a {@code source.json} (validated against the spec of the
     * driver whose section holds it, and bound) or a {@code destination.json} (its {@code writer} against the spec of
     * its {@code type}). Blocks introduced otherwise are not configs.
     */
    @Test
    void everySourceAndDestinationJsonOfTheReadmeIsValidAgainstItsSpecAndBinds() throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(readme());
        Map<String, String> driverOfSection = Map.of("PostgreSQL", "postgres", "MySQL / MariaDB", "mysql",
                "MongoDB", "mongodb");
        String section = "";
        String intro = "";
        Map<String, Integer> checked = new java.util.TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("## ")) {
                section = line.substring(3).trim();
            }
            if (!line.startsWith("```json")) {
                if (!line.isBlank()) {
                    intro = line;
                }
                continue;
            }
            int start = i + 1;
            StringBuilder block = new StringBuilder();
            while (!lines.get(++i).startsWith("```")) {
                block.append(lines.get(i)).append('\n');
            }
            String where = "README.md:" + start + " (" + section + ")";
            if (intro.contains("destination.json")) {
                JsonNode dest = Json.parse(block.toString());
                String type = dest.path("type").asText().toLowerCase(java.util.Locale.ROOT);
                assertThat(errors(writerSpec(type), dest.path("writer").toString())).as(where).isEmpty();
                checked.merge("destination " + type, 1, Integer::sum);
            } else if (intro.contains("source.json")) {
                String type = driverOfSection.get(section);
                assertThat(type).as(where + ": a source.json outside a driver's section").isNotNull();
                assertThat(errors(driverSpec(type), block.toString())).as(where).isEmpty();
                try (DriverInterface d = Drivers.configured(type, Json.parse(block.toString()), "source.json")) {
                    assertThat(d.type()).as(where).isEqualTo(type);
                }
                checked.merge("source " + type, 1, Integer::sum);
            }
        }
        assertThat(checked).containsKeys("source postgres", "source mysql", "source mongodb", "destination iceberg");
    }

    private static java.nio.file.Path readme() {
        for (java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (java.nio.file.Files.exists(dir.resolve("README.md")) && java.nio.file.Files.exists(dir.resolve("bom"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("README.md not found above " + java.nio.file.Path.of("").toAbsolutePath());
    }

    /** What binding rejects, the schema rejects: an unknown key (also nested), a wrong type, a value off the enum. */
    @Test
    void theSchemaRejectsWhatBindingRejects() {
        String base = SOURCES.get("postgres").get(1);
        List<String> bad = new ArrayList<>();
        bad.add(base.replace("\"host\"", "\"hots\""));
        bad.add(base.replace("\"mode\": \"require\"", "\"mode\": \"require\", \"rootcert\": \"x\""));
        bad.add(base.replace("\"port\": 5432", "\"port\": \"five\""));
        bad.add(base.replace("\"binary_copy\"", "\"copy\""));
        bad.add(base.replace("\"max_threads\": 3", "\"max_threads\": 0"));
        bad.add(base.replace("\"host\": \"localhost\", ", ""));
        for (String c : bad) {
            assertThat(errors(driverSpec("postgres"), c)).as(c).isNotEmpty();
            assertThatThrownBy(() -> Drivers.configured("postgres", Json.parse(c), "source.json").close()).as(c)
                    .isInstanceOf(ConfigException.class);
        }
        ObjectNode mongo = (ObjectNode) Json.parse(SOURCES.get("mongodb").get(1));
        mongo.put("chunking_strategy", "magic");
        assertThat(errors(driverSpec("mongodb"), mongo.toString())).isNotEmpty();
        assertThat(errors(writerSpec("jsonl"), "{\"path\": \"/x\", \"fsynk\": true}")).isNotEmpty();
        assertThat(errors(writerSpec("iceberg"), "{\"warehouse\": \"/x\", \"target_file_size_mb\": 0}")).isNotEmpty();
    }
}
