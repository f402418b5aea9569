package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.Rows;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.WriteLoad;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as an operator runs it: {@code tributary sync --continuous --metrics-port} in its own JVM against a real
 * PostgreSQL under a write load, scraped over HTTP, stopped by SIGTERM.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresContinuousSyncMetricsTest {
    static TestingPostgres pg;

    private static final String TABLE = "obs";
    private static final String SLOT = "obs_slot";
    private static final long ROWS = 2_000;
    private static final StreamId STREAM = StreamId.of("public", TABLE);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    /** A write load target that counts the rows each statement really changed, by operation. */
    static final class CountingTarget implements WriteLoad.Target {
        final AtomicLong inserts = new AtomicLong();
        final AtomicLong updates = new AtomicLong();
        final AtomicLong deletes = new AtomicLong();
        private final Connection c;
        private final Statement st;

        CountingTarget(Connection c) throws SQLException {
            this.c = c;
            this.st = c.createStatement();
        }

        @Override
        public void insert(long id) throws SQLException {
            inserts.addAndGet(st.executeUpdate("INSERT INTO " + TABLE + " VALUES (" + id + ", 'new', 0)"));
        }

        @Override
        public void update(long id, long op) throws SQLException {
            updates.addAndGet(st.executeUpdate("UPDATE " + TABLE + " SET n = n + 1, v = 'u" + op + "' WHERE id = "
                    + id));
        }

        @Override
        public void delete(long id) throws SQLException {
            deletes.addAndGet(st.executeUpdate("DELETE FROM " + TABLE + " WHERE id = " + id));
        }

        @Override
        public void release() throws SQLException {
            c.close();
        }
    }

    @Test
    void metricsMeasureLagAndCountEveryChangeAndSigtermCommitsWhatWasReadAndExitsZero() throws Exception {
        pg.execute("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, v text, n integer)",
                "INSERT INTO " + TABLE + " SELECT g, 'v' || g, 0 FROM generate_series(1, " + ROWS + ") g");
        Path source = Files.writeString(dir.resolve("source.json"), "{\"host\": \"localhost\", \"port\": " + pg.port()
                + ", \"database\": \"postgres\", \"username\": \"postgres\", \"password\": \""
                + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 500, "
                + "\"max_threads\": 2, \"update_method\": {\"replication_slot\": \"" + SLOT + "\", \"publication\": \""
                + SLOT + "\", \"initial_wait_time\": 1, \"create_if_missing\": true}}");
        Path out = dir.resolve("out");
        Path destination = Files.writeString(dir.resolve("destination.json"),
                "{\"type\": \"JSONL\", \"writer\": {\"path\": \"" + out + "\"}}");
        assertThat(TributaryCli.run("discover", "--type", "postgres", "--config", source.toString())).isZero();
        Path catalog = dir.resolve("streams.json");
        assertThat(Files.readString(catalog)).contains("\"sync_mode\" : \"cdc\"");

        // run 1: backfill, then CDC under a write load, committing every second; scraped; stopped by SIGTERM
        int port = freePort();
        Child run1 = Child.start(dir.resolve("run1.log"), "sync", "--type", "postgres", "--config", source.toString(),
                "--destination", destination.toString(), "--catalog", catalog.toString(), "--continuous",
                "--checkpoint-interval", "1s", "--metrics-port", Integer.toString(port), "--progress-interval", "1s",
                "--log-level", "info");
        try {
            String m = run1.awaitMetrics(port, t -> value(t, "tributary_backfill_chunks_planned", STREAM)
                    .orElse(0.0) > 0
                    && value(t, "tributary_backfill_chunks_remaining", STREAM).orElse(-1.0) == 0
                    && value(t, "tributary_backfill_rows_total", STREAM).orElse(0.0) == ROWS, "the backfill");
            assertThat(value(m, "tributary_cdc_lag_seconds_count", STREAM)).contains(0.0); // present before any change

            CountingTarget target = new CountingTarget(pg.connection());
            WriteLoad load = WriteLoad.start(TABLE, target, WriteLoad.Spec.of(21, ROWS, Duration.ofMillis(2)));
            String underLoad;
            try {
                underLoad = run1.awaitMetrics(port, t -> value(t, "tributary_cdc_lag_seconds_count", STREAM)
                        .orElse(0.0) >= 3, "three lag samples while the load runs");
                // the replication connection dies under load: the change stream is retried from its saved position
                assertThat(query("SELECT pg_terminate_backend(active_pid)::text FROM pg_replication_slots WHERE "
                        + "slot_name = '" + SLOT + "'")).isIn("t", "true");
                run1.awaitMetrics(port, t -> retries(t, "change_stream") >= 1, "a retry of the change stream");
                run1.awaitMetrics(port, t -> value(t, "tributary_cdc_lag_seconds_count", STREAM).orElse(0.0)
                        >= value(underLoad, "tributary_cdc_lag_seconds_count", STREAM).orElseThrow() + 2,
                        "checkpoints after the retry");
            } finally {
                load.close();
            }
            // the lag is measured: source commit -> destination commit is above zero and below the test's length
            assertThat(value(underLoad, "tributary_cdc_lag_seconds_sum", STREAM).orElseThrow()).isPositive();
            assertThat(value(underLoad, "tributary_cdc_lag_seconds_max", STREAM).orElseThrow()).isPositive()
                    .isLessThan(120);
            assertThat(value(underLoad, "tributary_cdc_lag_latest_seconds", STREAM)).isPresent();
            assertThat(value(underLoad, "tributary_cdc_checkpoint_seconds_count", null).orElseThrow()).isPositive();

            long inserts = target.inserts.get();
            long updates = target.updates.get();
            long deletes = target.deletes.get();
            assertThat(inserts).isPositive();
            assertThat(updates).isPositive();
            assertThat(deletes).isPositive();
            String counted = run1.awaitMetrics(port, t -> changes(t, "insert") == inserts
                    && changes(t, "update") == updates && changes(t, "delete") == deletes,
                    "change counters equal to the " + (inserts + updates + deletes) + " changes made (" + inserts
                            + " inserts, " + updates + " updates, " + deletes + " deletes)");
            // exactly: the changes the killed session had read but not committed were not counted twice
            assertThat(changes(counted, "insert")).isEqualTo(inserts);
            assertThat(retries(counted, "change_stream")).isGreaterThanOrEqualTo(1);
            assertThat(value(counted, "tributary_writer_records_uncommitted", STREAM)).contains(0.0);
            // (what the killed session had pushed was discarded, not left counted as buffered)
            assertThat(value(counted, "tributary_writer_records_discarded_total", STREAM)).isPresent();

            run1.process.destroy(); // SIGTERM
            assertThat(run1.process.waitFor(120, TimeUnit.SECONDS)).as(run1.output()).isTrue();
            assertThat(run1.process.exitValue()).as(run1.output()).isZero();
        } finally {
            run1.kill();
        }
        String log1 = run1.output();
        assertThat(log1).contains("stopping: committing what was read").contains("stopped cleanly");
        List<String> lines = log1.lines().toList();
        // not a terminal: status lines and Tributary's log lines carry timestamps; CDC status lines appeared
        assertThat(lines).anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO AbstractDriver - .*"));
        assertThat(lines).anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ change stream 0: [\\d,]+ changes "
                + "committed, .*"));
        assertSameRows("after run 1");

        // run 2: changes that no periodic checkpoint commits (10 min); SIGTERM must commit them before exiting
        String lsnBefore = stateLsn();
        int port2 = freePort();
        Child run2 = Child.start(dir.resolve("run2.log"), "sync", "--type", "postgres", "--config", source.toString(),
                "--destination", destination.toString(), "--catalog", catalog.toString(), "--continuous",
                "--checkpoint-interval", "10m", "--metrics-port", Integer.toString(port2));
        try {
            run2.awaitMetrics(port2, t -> t.contains("tributary_cdc_checkpoint_age_seconds"), "the change stream");
            awaitSlotActive();
            String lsn; // inside the last transaction: its commit ends after it
            try (Connection c = pg.connection(); Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.executeUpdate("UPDATE " + TABLE + " SET v = 'final' WHERE id % 50 = 7");
                st.executeUpdate("INSERT INTO " + TABLE + " VALUES (5000001, 'final', 1), (5000002, 'final', 2)");
                st.executeUpdate("DELETE FROM " + TABLE + " WHERE id % 50 = 9");
                try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                    rs.next();
                    lsn = rs.getString(1);
                }
                c.commit();
            }
            awaitSent(currentLsn());
            String before = scrape(port2);
            assertThat(value(before, "tributary_cdc_checkpoint_seconds_count", null)).contains(0.0);
            run2.process.destroy(); // SIGTERM
            assertThat(run2.process.waitFor(120, TimeUnit.SECONDS)).as(run2.output()).isTrue();
            assertThat(run2.process.exitValue()).as(run2.output()).isZero();
            assertThat(run2.output()).contains("stopped cleanly");
            assertThat(lsnAtLeast(slotConfirmedLsn(), lsn)).as("slot confirmed_flush_lsn %s >= %s", slotConfirmedLsn(),
                    lsn).isTrue();
            assertThat(lsnAtLeast(stateLsn(), lsn)).as("state lsn %s >= %s (was %s)", stateLsn(), lsn, lsnBefore)
                    .isTrue();
        } finally {
            run2.kill();
        }
        assertSameRows("after run 2");
    }

    @Test
    void incrementalRowsBackfillPlanWriterCountsAndAFailedSyncAreMeasuredOnPostgres() throws Exception {
        pg.execute("CREATE TABLE inc_t (id bigint PRIMARY KEY, v text, n integer)",
                "INSERT INTO inc_t SELECT g, 'v' || g, 0 FROM generate_series(1, 3000) g", "ANALYZE inc_t");
        StreamId id = StreamId.of("public", "inc_t");
        String config = "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"" + TestingPostgres.PASSWORD + "\", \"ssl\": "
                + "{\"mode\": \"disable\"}, \"chunk_size\": 1000, \"max_threads\": 2}";
        io.tributary.metrics.TributaryMetrics metrics = new io.tributary.metrics.TributaryMetrics("postgres");
        io.micrometer.core.instrument.MeterRegistry r = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        metrics.bindTo(r);
        io.tributary.core.state.State state = io.tributary.core.state.State.inMemory();
        JsonlDestination d = new JsonlDestination(new JsonlConfig(dir.resolve("inc").toString(), false));
        try (io.tributary.core.DriverInterface driver = io.tributary.core.Drivers.configured("postgres",
                Json.parse(config), "source");
                io.tributary.writer.WriterPool pool = new io.tributary.writer.WriterPool(d,
                        io.tributary.writer.WriterPool.Options.defaults())) {
            metrics.watch(pool);
            io.tributary.core.AbstractDriver sync = new io.tributary.core.AbstractDriver(driver, state,
                    io.tributary.core.AbstractDriver.Options.defaults().withListener(metrics)
                            .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(20)));
            io.tributary.types.ConfiguredStream s = io.tributary.types.ConfiguredStream.of(driver.produceSchema(id)
                    .withSyncMode(io.tributary.types.SyncMode.INCREMENTAL).withCursorField(Optional.of("id")));
            sync.read(pool, List.of(s));
            pg.execute("INSERT INTO inc_t SELECT g, 'late', 1 FROM generate_series(3001, 3025) g");
            sync.read(pool, List.of(s));

            String t = "stream";
            String v = "public.inc_t";
            assertThat(r.get("tributary.backfill.rows").tags(t, v).functionCounter().count()).isEqualTo(3000);
            assertThat(r.get("tributary.backfill.chunks.planned").tags(t, v).gauge().value()).isGreaterThanOrEqualTo(2);
            assertThat(r.get("tributary.backfill.chunks.remaining").tags(t, v).gauge().value()).isZero();
            assertThat(r.get("tributary.backfill.rows.per.second").tags(t, v).gauge().value()).isPositive();
            // each pass re-reads the rows at the saved cursor (upserted): 1 (id 3000) + 26 (ids 3000-3025)
            assertThat(r.get("tributary.incremental.rows").tags(t, v).functionCounter().count()).isEqualTo(27);
            assertThat(r.get("tributary.writer.records.committed").tags(t, v).functionCounter().count())
                    .isEqualTo(3027);
            assertThat(r.get("tributary.writer.records.uncommitted").tags(t, v).gauge().value()).isZero();

            pg.execute("DROP TABLE inc_t");
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> sync.read(pool, List.of(s)));
            assertThat(failure).isNotNull();
            assertThat(r.get("tributary.errors").tags("operation", "read", "exception",
                    failure.getClass().getSimpleName()).functionCounter().count()).as(failure.toString()).isEqualTo(1);
        }
    }

    private void assertSameRows(String what) throws SQLException {
        Map<String, String> expected;
        try (Connection c = pg.connection()) {
            expected = Rows.query(c, "SELECT id, v, n FROM " + TABLE);
        }
        JsonlDestination d = new JsonlDestination(new JsonlConfig(dir.resolve("out").toString(), true));
        Rows.assertSameRows(expected, Rows.latest(d.read(STREAM), Rows::vn), what);
    }

    private static long retries(String text, String operation) {
        Matcher m = Pattern.compile("^tributary_retries_total\\{[^}]*operation=\"" + operation + "\"[^}]*} (\\S+)$",
                Pattern.MULTILINE).matcher(text);
        long n = 0;
        while (m.find()) {
            n += (long) Double.parseDouble(m.group(1));
        }
        return n;
    }

    private static long changes(String text, String op) {
        Matcher m = Pattern.compile("^tributary_cdc_changes_total\\{[^}]*op=\"" + op + "\"[^}]*stream=\"public\\.obs\""
                + "[^}]*} (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }

    /** The value of a sample of {@code name} (of {@code stream}, if given) in Prometheus text. */
    static Optional<Double> value(String text, String name, StreamId stream) {
        for (String l : text.lines().toList()) {
            if (l.startsWith(name + "{") && (stream == null || l.contains("stream=\"" + stream.id() + "\""))) {
                return Optional.of(Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)));
            }
        }
        return Optional.empty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        return r.body();
    }

    private String query(String sql) throws SQLException {
        try (Connection c = pg.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private String currentLsn() throws SQLException {
        return query("SELECT pg_current_wal_lsn()::text");
    }

    private String slotConfirmedLsn() throws SQLException {
        return query("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
    }

    private boolean lsnAtLeast(String a, String b) throws SQLException {
        return Boolean.parseBoolean(query("SELECT '" + a + "'::pg_lsn >= '" + b + "'::pg_lsn"))
                || "t".equals(query("SELECT '" + a + "'::pg_lsn >= '" + b + "'::pg_lsn"));
    }

    private String stateLsn() throws IOException {
        JsonNode state = Json.mapper().readTree(dir.resolve("state.json").toFile());
        return state.get("global").get("state").get("lsn").asText();
    }

    private void awaitSlotActive() throws Exception {
        await(() -> "t".equals(query("SELECT active FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'"))
                || "true".equals(query("SELECT active FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")),
                "the slot to be streamed");
    }

    /** Until the server sent the change stream everything up to {@code lsn}. */
    private void awaitSent(String lsn) throws Exception {
        await(() -> {
            String sent = query("SELECT r.sent_lsn::text FROM pg_stat_replication r JOIN pg_replication_slots s "
                    + "ON s.active_pid = r.pid WHERE s.slot_name = '" + SLOT + "'");
            return sent != null && lsnAtLeast(sent, lsn);
        }, "the WAL up to " + lsn + " to be sent");
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The CLI in a JVM of its own (so SIGTERM is a real signal), output in a file. */
    static final class Child {
        final Process process;
        final Path log;

        private Child(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Child start(Path log, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-Duser.timezone=" + java.util.TimeZone.getDefault().getID(), "-cp",
                    System.getProperty("java.class.path"), TributaryCli.class.getName()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Child(p, log);
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }

        /** Scrapes until {@code done} holds; fails if the JVM exits first or after two minutes. */
        String awaitMetrics(int port, Predicate<String> done, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String last = "";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    fail("the sync exited (" + process.exitValue() + ") before " + what + ":\n" + output());
                }
                try {
                    last = scrape(port);
                    if (done.test(last)) {
                        return last;
                    }
                } catch (java.net.ConnectException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            return fail("timed out waiting for " + what + "; last scrape:\n" + last + "\noutput:\n" + output());
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
