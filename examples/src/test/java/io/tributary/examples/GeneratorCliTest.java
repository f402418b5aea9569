package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.cli.TributaryCli;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tributary command with a third-party driver on its classpath (the example {@code generator}, found by its
 * {@code META-INF/services} entry): discover, sync, clear-destination and the progress lines, as the examples' jar
 * runs them. The distribution's own checks against real databases: DistributionIT in cli.
 */
class GeneratorCliTest {
    @TempDir
    Path dir;

    private static final Pattern STATUS = Pattern.compile("^(\\S+) generated\\.orders: backfill (\\d+)/(\\d+) chunks, "
            + "([\\d,]+) rows read, ([\\d,]+) rows/s, ETA (\\d+:\\d\\d:\\d\\d|unknown)$");

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
    void statusLinesWithRowsPerSecondAndEtaAppearDuringTheBackfillTimestampedOffATerminal() throws Exception {
        long rows = 600_000;
        Path source = Files.writeString(dir.resolve("source.json"), "{\"streams\": [\"orders\"], \"rows\": " + rows
                + ", \"chunk_size\": 20000, \"max_threads\": 2}");
        Path destination = Files.writeString(dir.resolve("destination.json"),
                "{\"type\": \"JSONL\", \"writer\": {\"path\": \"" + dir.resolve("out") + "\"}}");
        assertThat(TributaryCli.run("discover", "--type", "generator", "--config", source.toString())).isZero();

        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        int code;
        try {
            code = TributaryCli.run("sync", "--type", "generator", "--config", source.toString(), "--destination",
                    destination.toString(), "--catalog", dir.resolve("streams.json").toString(),
                    "--progress-interval", "50ms");
        } finally {
            System.setErr(old);
        }
        String err = buf.toString();
        assertThat(code).as(err).isZero();
        List<String> lines = err.lines().toList();

        // status lines from the ticker while chunks were still being read, not only the per-chunk lines
        List<Matcher> status = lines.stream().map(STATUS::matcher).filter(Matcher::matches).toList();
        assertThat(status).as(err).isNotEmpty();
        assertThat(status).as(err).anySatisfy(m -> {
            assertThat(Integer.parseInt(m.group(2))).isLessThan(Integer.parseInt(m.group(3)));
            assertThat(Long.parseLong(m.group(4).replace(",", ""))).isBetween(1L, rows);
        });
        assertThat(status).as(err).anySatisfy(m -> assertThat(m.group(6)).matches("\\d+:\\d\\d:\\d\\d"));
        // stderr is not a terminal here: every progress line starts with an ISO-8601 instant
        for (String l : lines) {
            // (log lines, by the logging backend of this test JVM, may be there too: not the CLI's own lines)
            if (l.contains("generated.orders:") && !l.matches(".*\\b(TRACE|DEBUG|INFO|WARN|ERROR) \\w+ - .*")) {
                java.time.OffsetDateTime.parse(l.substring(0, l.indexOf(' ')));
            }
        }
        assertThat(lines).anySatisfy(l -> assertThat(l).endsWith("generated.orders: chunk 30/30 committed ("
                + String.format("%,d", rows) + " rows so far, " + l.replaceAll(".* so far, ", "")));
        assertThat(lines).anyMatch(l -> l.contains("generated.orders: backfill completed: 600,000 rows in"));
    }


    @Test
    void aMetricsPortInUseIsAConfigurationError() throws Exception {
        Path source = Files.writeString(dir.resolve("source.json"), "{\"streams\": [\"orders\"], \"rows\": 10, "
                + "\"chunk_size\": 5, \"max_threads\": 1}");
        Path destination = Files.writeString(dir.resolve("destination.json"),
                "{\"type\": \"JSONL\", \"writer\": {\"path\": \"" + dir.resolve("out") + "\"}}");
        assertThat(TributaryCli.run("discover", "--type", "generator", "--config", source.toString())).isZero();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            PrintStream old = System.err;
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            System.setErr(new PrintStream(buf, true));
            try {
                assertThat(TributaryCli.run("sync", "--type", "generator", "--config", source.toString(),
                        "--destination", destination.toString(), "--catalog", dir.resolve("streams.json").toString(),
                        "--metrics-port", Integer.toString(taken.getLocalPort()))).isEqualTo(3);
            } finally {
                System.setErr(old);
            }
            assertThat(buf.toString()).contains("--metrics-port: cannot serve metrics on 127.0.0.1:"
                    + taken.getLocalPort());
        }
        assertThat(dir.resolve("out")).doesNotExist();
    }

}
