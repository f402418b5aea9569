package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.TributaryException;
import io.tributary.writer.WriterPool;
import io.tributary.writer.jsonl.JsonlConfig;
import io.tributary.writer.jsonl.JsonlDestination;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination on a file system that really fills up: a tmpfs of a few hundred KB (mounting needs root, as in CI;
 * skipped elsewhere) under the jsonl writer. Backfill and CDC fail with the file system's own error, nothing the
 * destination did not commit is marked done in state (or confirmed to the slot), and once the file system is grown
 * the next run delivers every row and change exactly.
 */
class PostgresDiskFullTest {
    @TempDir
    Path dir;

    private TestingPostgres pg;
    private Path mount;

    @BeforeEach
    void setUp() throws Exception {
        mount = Files.createDirectories(dir.resolve("dest"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", mount.toString()),
                "cannot mount a tmpfs here (needs root); a disk-full destination is simulated in PostgresFaultTest");
        pg = new TestingPostgres();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (pg != null) {
            pg.close();
        }
        run("umount", mount.toString());
    }

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!ok) {
            System.out.println(String.join(" ", cmd) + ": " + out);
        }
        return ok;
    }

    private void grow(String size) throws Exception {
        assertThat(run("mount", "-o", "remount,size=" + size, mount.toString())).as("remount " + size).isTrue();
    }

    @Test
    void aFullFileSystemFailsTheSyncWithoutLosingOrSkippingAnything() throws Exception {
        pg.execute("CREATE TABLE big_t (id bigint PRIMARY KEY, v text)",
                "INSERT INTO big_t SELECT g, repeat('x', 150) FROM generate_series(1, 3000) g");
        StreamId id = StreamId.of("public", "big_t");
        Path statePath = dir.resolve("state.json"); // on the ordinary disk: only the destination fills up
        String source = PgSync.config(pg, "\"chunk_size\": 250, \"max_threads\": 2, \"retry_count\": 1, "
                + "\"update_method\": {\"replication_slot\": \"full_slot\", \"publication\": \"full_pub\", "
                + "\"initial_wait_time\": 1, \"create_if_missing\": true}");
        ConfiguredStream stream;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(source), "source.json")) {
            d.setup();
            stream = ConfiguredStream.of(d.produceSchema(id).withSyncMode(SyncMode.CDC));
        }

        // 1. backfill: ~600 KB of rows into 160 KB
        Throwable backfill = catchSync(source, statePath, stream);
        assertThat(backfill).isInstanceOf(TributaryException.class);
        assertThat(describe(backfill)).contains("No space left on device");
        State afterFailure = State.load(new FileStateStore(statePath));
        long committed = rows(id).size();
        assertThat(committed).as("some chunks fitted, not all").isLessThan(3000);
        assertThat(afterFailure.chunks(id)).as("chunks not committed are still in state")
                .hasValueSatisfying(chunks -> assertThat(chunks).isNotEmpty());

        // 2. room for the backfill: every row arrives once the file system grows
        grow("2m");
        sync(source, statePath, stream);
        Map<Long, String> dest = latest(id);
        assertThat(dest).hasSize(3000);
        assertThat(dest.values()).allMatch(v -> v.length() == 150);
        String lsn = State.load(new FileStateStore(statePath)).global().orElseThrow().get("lsn").asText();

        // 3. CDC: 3000 updates of ~1 KB each do not fit in what is left
        pg.execute("UPDATE big_t SET v = repeat('y', 1000)");
        String stateBefore = Files.readString(statePath);
        Throwable cdc = catchSync(source, statePath, stream);
        assertThat(describe(cdc)).contains("No space left on device");
        assertThat(Files.readString(statePath)).as("state not advanced past what was committed").isEqualTo(stateBefore);
        assertThat(slotLsn()).as("slot not confirmed past the committed position").isEqualTo(lsn);

        // 4. room again: every change arrives
        grow("64m");
        sync(source, statePath, stream);
        dest = latest(id);
        assertThat(dest).hasSize(3000);
        assertThat(dest.values()).as("every update delivered").allMatch(v -> v.length() == 1000);
    }

    private Throwable catchSync(String source, Path statePath, ConfiguredStream stream) {
        Throwable[] t = new Throwable[1];
        assertThatThrownBy(() -> sync(source, statePath, stream)).satisfies(e -> t[0] = e);
        return t[0];
    }

    private void sync(String source, Path statePath, ConfiguredStream stream) {
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(source), "source.json");
                WriterPool pool = WriterPool.open("jsonl", Json.parse("{\"path\": \"" + mount + "\"}"),
                        WriterPool.Options.defaults().withBatchSize(200));
                AbstractDriver a = new AbstractDriver(d, State.load(new FileStateStore(statePath)),
                        AbstractDriver.Options.defaults().withRetryBackoff(Duration.ofMillis(10),
                                Duration.ofMillis(50)))) {
            a.setup();
            a.read(pool, List.of(stream));
        }
    }

    private List<ObjectNode> rows(StreamId id) {
        return new JsonlDestination(new JsonlConfig(mount.toString(), true)).read(id);
    }

    private Map<Long, String> latest(StreamId id) {
        Map<Long, String> out = new HashMap<>();
        for (ObjectNode r : rows(id)) {
            out.put(r.get("id").asLong(), r.get("v").asText());
        }
        return out;
    }

    private String slotLsn() throws SQLException {
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                        + "WHERE slot_name = 'full_slot'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }
}
