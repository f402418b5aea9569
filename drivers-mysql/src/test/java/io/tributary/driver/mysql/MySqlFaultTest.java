package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.Chunk;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.SyncListener;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The server (MariaDB; MySQL 8 in {@link MySql8FaultTest}) restarted in the middle of a backfill and in the middle
 * of a binlog stream: the failed tasks are retried with backoff within the same run, from the saved progress (no
 * committed chunk read again, every change exactly once).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlFaultTest {
    private TestingMySqlServer db;

    /** Starts the server, or skips the test class when it cannot run here ({@link MySql8FaultTest}: MySQL 8). */
    TestingMySqlServer newServer() {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        return new TestingMariaDb();
    }

    @BeforeAll
    void start() {
        db = newServer();
    }

    @AfterAll
    void stop() {
        if (db != null) {
            db.close();
        }
    }

    private DriverInterface driver() {
        return Drivers.configured("mysql", Json.parse("{\"host\": \"127.0.0.1\", \"port\": " + db.port()
                + ", \"database\": \"shop\", \"username\": \"" + TestingMySqlServer.ADMIN_USER + "\", \"password\": \""
                + TestingMySqlServer.ADMIN_PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 2000, "
                + "\"max_threads\": 2, \"retry_count\": 6, \"update_method\": {\"initial_wait_time\": 2}}"),
                "source.json");
    }

    private void run(State state, MemoryDestination dest, ConfiguredStream s, SyncListener listener) {
        try (DriverInterface d = driver(); WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver a = new AbstractDriver(d, state, AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(300), Duration.ofSeconds(3)).withListener(listener))) {
            a.setup();
            a.read(pool, List.of(s));
        }
    }

    @Test
    void serverRestartedMidBackfillAndMidBinlogStreamIsRetriedWithoutStartingOver() throws SQLException {
        db.execute("CREATE TABLE shop.fault_t (id bigint PRIMARY KEY, v varchar(40), n int)",
                "INSERT INTO shop.fault_t SELECT seq, concat('v', seq), 0 FROM " + TestingMySqlServer.integers(1, 30_000));
        StreamId id = StreamId.of("shop", "fault_t");
        State state = State.inMemory();
        MemoryDestination dest = new MemoryDestination();
        Stream s;
        try (DriverInterface d = driver()) {
            s = new AbstractDriver(d, state).discover(2).stream().filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow();
        }
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        AtomicInteger chunks = new AtomicInteger();
        run(state, dest, cs, new SyncListener() {
            @Override
            public void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
                if (chunks.incrementAndGet() == 3) {
                    db.restart();
                }
            }
        });
        assertThat(chunks.get()).isGreaterThan(3);
        assertThat(dest.records(id).stream().filter(r -> r.op() == OpType.READ)).hasSize(30_000);

        db.execute("UPDATE shop.fault_t SET n = n + 1, v = 'cdc' WHERE id <= 25000",
                "DELETE FROM shop.fault_t WHERE id > 29000",
                "INSERT INTO shop.fault_t SELECT seq, 'new', 0 FROM " + TestingMySqlServer.integers(50_001, 55_000));
        AtomicInteger checkpoints = new AtomicInteger();
        int before = dest.records(id).size();
        run(state, dest, cs, new SyncListener() {
            @Override
            public void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
                if (checkpoints.incrementAndGet() == 1) {
                    db.restart();
                }
            }
        });
        assertThat(checkpoints.get()).isGreaterThan(1);
        assertThat(dest.records(id).size() - before).isEqualTo(25_000 + 1_000 + 5_000);
        Map<String, String> expected = new HashMap<>();
        try (Connection c = db.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, v, n FROM shop.fault_t")) {
            while (rs.next()) {
                expected.put(Long.toString(rs.getLong(1)), rs.getString(2) + "/" + rs.getInt(3));
            }
        }
        Map<String, String> actual = new HashMap<>();
        for (Map.Entry<String, Record> e : dest.table(id).entrySet()) {
            actual.put(e.getKey(), e.getValue().value("v") + "/" + e.getValue().value("n"));
        }
        assertThat(actual).isEqualTo(expected);
    }
}
