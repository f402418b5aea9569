package io.tributary.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliProgressTest {
    @TempDir
    Path dir;

    private static final Pattern STATUS = Pattern.compile("^(\\S+) generated\\.orders: backfill (\\d+)/(\\d+) chunks, "
            + "([\\d,]+) rows read, ([\\d,]+) rows/s, ETA (\\d+:\\d\\d:\\d\\d|unknown)$");

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

    @Test
    void durationsAndLogLevelsAreChecked() throws Exception {
        TributaryCli.DurationConverter c = new TributaryCli.DurationConverter();
        assertThat(c.convert("500ms")).hasMillis(500);
        assertThat(c.convert("10s")).hasSeconds(10);
        assertThat(c.convert("2m")).hasMinutes(2);
        assertThat(c.convert("PT1H")).hasHours(1);
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            assertThat(TributaryCli.run("sync", "--log-level", "loud", "--help")).isEqualTo(2);
        } finally {
            System.setErr(old);
        }
        assertThat(buf.toString()).contains("--log-level must be one of [trace, debug, info, warn, error, off]");
    }
}
