package io.tributary.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TributaryCliTest {
    @TempDir
    Path dir;

    private Path write(String name, String json) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    private static String capture(Runnable r, boolean err) {
        PrintStream old = err ? System.err : System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true);
        if (err) {
            System.setErr(ps);
        } else {
            System.setOut(ps);
        }
        try {
            r.run();
        } finally {
            if (err) {
                System.setErr(old);
            } else {
                System.setOut(old);
            }
        }
        return buf.toString();
    }

    @Test
    void discoverSyncAndClearDestinationWithOlakeShapedFiles() throws Exception {
        Path source = write("source.json", "{\"streams\": [\"orders\"], \"rows\": 1000, \"chunk_size\": 100, "
                + "\"max_threads\": 2}");
        Path destination = write("destination.json",
                "{\"type\": \"JSONL\", \"writer\": {\"path\": \"" + dir.resolve("out") + "\"}}");

        assertThat(TributaryCli.run("discover", "--type", "generator", "--config", source.toString())).isZero();
        JsonNode catalog = Json.mapper().readTree(dir.resolve("streams.json").toFile());
        assertThat(catalog.get("streams").get(0).get("stream").get("sync_mode").asText()).isEqualTo("incremental");

        String progress = capture(() -> assertThat(TributaryCli.run("sync", "--type", "generator", "--config",
                source.toString(), "--destination", destination.toString(), "--catalog",
                dir.resolve("streams.json").toString())).isZero(), true);
        assertThat(progress).contains("chunk 10/10 committed");
        JsonlDestination d = new JsonlDestination(new JsonlConfig(dir.resolve("out").toString(), true));
        assertThat(d.read(StreamId.of("generated", "orders")).stream().map(n -> n.get("id").asLong()).distinct())
                .hasSize(1_000);
        JsonNode state = Json.mapper().readTree(dir.resolve("state.json").toFile());
        assertThat(state.get("streams").get(0).get("state").get("id").asLong()).isEqualTo(999);

        assertThat(TributaryCli.run("clear-destination", "--destination", destination.toString(), "--streams",
                dir.resolve("streams.json").toString(), "--state", dir.resolve("state.json").toString())).isZero();
        assertThat(d.read(StreamId.of("generated", "orders"))).isEmpty();
        assertThat(Json.mapper().readTree(dir.resolve("state.json").toFile()).get("streams")).isEmpty();
    }

    @Test
    void exitCodesTellAFixFromARetryFromABug() {
        assertThat(TributaryCli.exitCode(new io.tributary.types.ConfigException("bad key"))).isEqualTo(3);
        assertThat(TributaryCli.exitCode(new io.tributary.types.RetriableException("server restarting"))).isEqualTo(5);
        assertThat(TributaryCli.exitCode(new java.io.UncheckedIOException(new java.io.IOException("reset"))))
                .as("an I/O failure").isEqualTo(5);
        assertThat(TributaryCli.exitCode(new io.tributary.types.NonRetriableException("purged"))).isEqualTo(4);
        assertThat(TributaryCli.exitCode(new NullPointerException())).as("a bug is not transient").isEqualTo(4);
        assertThat(TributaryCli.exitCode(new IllegalStateException("bug"))).isEqualTo(4);
    }

    @Test
    void everyDriverTheHelpOffersIsInTheCli() throws Exception {
        for (String type : List.of("postgres", "mysql", "mongodb")) {
            String out = capture(() -> assertThat(TributaryCli.run("spec", "--type", type)).as(type).isZero(), false);
            assertThat(out).as("spec of %s", type).contains("jsonschema");
        }
    }

    @Test
    void configErrorsNameTheFileAndKeyAndExitWithThree() throws Exception {
        Path source = write("source.json", "{\"streams\": [\"orders\"], \"rows\": 10, \"chunk_size\": 1, "
                + "\"max_threads\": 1, \"pasword\": \"x\"}");
        String err = capture(() -> assertThat(TributaryCli.run("discover", "--type", "generator", "--config",
                source.toString())).isEqualTo(3), true);
        assertThat(err).contains("source.json").contains("unknown key 'pasword'");

        Path bad = write("bad.json", "{\"streams\": [");
        err = capture(() -> assertThat(TributaryCli.run("discover", "--type", "generator", "--config",
                bad.toString())).isEqualTo(3), true);
        assertThat(err).contains("bad.json").contains("malformed JSON");

        err = capture(() -> assertThat(TributaryCli.run("discover", "--type", "oracle", "--config",
                source.toString())).isEqualTo(3), true);
        assertThat(err).contains("no DriverInterface of type 'oracle'").contains("generator");

        Path good = write("good.json", "{\"streams\": [\"orders\"], \"rows\": 10, \"chunk_size\": 5, "
                + "\"max_threads\": 1}");
        Path destination = write("destination.json",
                "{\"type\": \"JSONL\", \"writer\": {\"path\": \"" + dir.resolve("out") + "\"}}");
        assertThat(TributaryCli.run("discover", "--type", "generator", "--config", good.toString())).isZero();
        err = capture(() -> assertThat(TributaryCli.run("sync", "--type", "generator", "--config", good.toString(),
                "--destination", destination.toString(), "--catalog", dir.resolve("streams.json").toString(),
                "--cdc-backfill", "dblog")).isEqualTo(3), true);
        assertThat(err).contains("--cdc-backfill must be before_cdc or watermark, got 'dblog'");
        assertThat(dir.resolve("state.json")).doesNotExist();
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void checkReportsConnectionStatusAsOlakeDoes() throws Exception {
        Path destination = write("destination.json",
                "{\"type\": \"JSONL\", \"writer\": {\"path\": \"" + dir.resolve("out") + "\"}}");
        String out = capture(() -> assertThat(TributaryCli.run("check", "--destination", destination.toString()))
                .isZero(), false);
        assertThat(Json.parse(out.trim()).get("connectionStatus").get("status").asText()).isEqualTo("SUCCEEDED");
        Path wrong = write("wrong.json", "{\"type\": \"JSONL\"}");
        out = capture(() -> assertThat(TributaryCli.run("check", "--destination", wrong.toString())).isEqualTo(3),
                false);
        assertThat(out).contains("FAILED").contains("wrong.json").contains("'writer' is required");
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"spec", "check", "discover", "sync", "clear-destination"}) {
            String out = capture(() -> assertThat(TributaryCli.run(cmd, "--help")).isZero(), false);
            assertThat(out).contains("Usage: tributary " + cmd);
        }
    }
}
