package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.types.Json;
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
