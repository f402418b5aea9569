package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.Chunk;
import io.tributary.core.SyncListener;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.Rows;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Faults from a real server: connections terminated by the server in the middle of a backfill and of a change stream
 * (the sync retries the failed task from its saved progress, within the same run), and a destination that fails to
 * commit (disk full): a typed error, and neither the state nor the slot moves.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresFaultTest {
    static TestingPostgres pg;

    private static String config(String slot) {
        return "\"chunk_size\": 2000, \"max_threads\": 2, \"update_method\": {\"replication_slot\": \"" + slot
                + "\", \"publication\": \"" + slot + "\", \"initial_wait_time\": 2, \"create_if_missing\": true}";
    }

    /** Terminates every other backend of the given type ({@code client backend}, {@code walsender}). */
    private static int terminate(String backendType) {
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        + "WHERE backend_type = '" + backendType + "' AND pid <> pg_backend_pid()"
                        + " AND datname = 'postgres' AND application_name = 'tributary'")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void connectionsDroppedByTheServerMidBackfillAndMidCdcAreRetriedWithoutStartingOver() {
        pg.execute("CREATE TABLE fault_t (id bigint PRIMARY KEY, v text, n integer)",
                "INSERT INTO fault_t SELECT g, 'v' || g, 0 FROM generate_series(1, 40000) g", "ANALYZE fault_t");
        PgSync sync = new PgSync(pg, config("fault_slot"));
        StreamId id = StreamId.of("public", "fault_t");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        AtomicInteger chunks = new AtomicInteger();
        AtomicInteger killedReaders = new AtomicInteger();
        SyncListener backfillFault = new SyncListener() {
            @Override
            public void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
                if (chunks.incrementAndGet() == 3) {
                    // the other reader may be between two chunks: try until one is caught mid-read
                    long until = System.nanoTime() + 5_000_000_000L;
                    while (killedReaders.get() == 0 && System.nanoTime() < until) {
                        killedReaders.set(terminate("client backend"));
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        };
        sync.run(PgSync.options().withListener(backfillFault), cs);
        assertThat(killedReaders.get()).as("chunk readers terminated mid-backfill").isPositive();
        // committed chunks were not read again: exactly one READ per row
        assertThat(sync.dest.records(id).stream().filter(r -> r.op() == OpType.READ)).hasSize(40_000);
        assertThat(sync.state().backfillCompleted(id)).isTrue();

        pg.execute("UPDATE fault_t SET n = n + 1, v = 'cdc' WHERE id <= 30000",
                "DELETE FROM fault_t WHERE id > 39000",
                "INSERT INTO fault_t SELECT g, 'new', 0 FROM generate_series(50001, 60000) g");
        AtomicInteger checkpoints = new AtomicInteger();
        AtomicInteger killedSenders = new AtomicInteger();
        SyncListener cdcFault = new SyncListener() {
            @Override
            public void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
                if (checkpoints.incrementAndGet() == 1) {
                    killedSenders.set(terminate("walsender"));
                }
            }
        };
        long before = sync.dest.records(id).size();
        sync.run(PgSync.options().withListener(cdcFault), cs);
        assertThat(killedSenders.get()).as("walsender terminated mid-stream").isEqualTo(1);
        assertThat(checkpoints.get()).isGreaterThan(1);
        // resumed from the committed checkpoint: every change exactly once
        assertThat(sync.dest.records(id).size() - before).isEqualTo(30_000 + 1_000 + 10_000);
        Map<String, String> expected;
        try (Connection c = pg.connection()) {
            expected = Rows.query(c, "SELECT id, v, n FROM fault_t");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> actual = new HashMap<>();
        for (Map.Entry<String, Record> e : sync.dest.table(id).entrySet()) {
            actual.put(e.getKey(), e.getValue().value("v") + "/" + e.getValue().value("n"));
        }
        Rows.assertSameRows(expected, actual, "fault_t after dropped connections");
    }

    @Test
    void aDestinationThatCannotCommitStopsTheSyncWithoutMovingStateOrSlot() {
        pg.execute("CREATE TABLE full_t (id bigint PRIMARY KEY, v text)",
                "INSERT INTO full_t SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        PgSync sync = new PgSync(pg, config("full_slot"));
        StreamId id = StreamId.of("public", "full_t");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        sync.run(cs);
        String lsn = sync.state().global().orElseThrow().get("lsn").asText();
        String stateBefore = sync.state().toJson().toString();

        pg.execute("UPDATE full_t SET v = 'changed'");
        sync.dest.beforeCommit(m -> {
            throw new UncheckedIOException(new IOException("No space left on device"));
        });
        assertThatThrownBy(() -> sync.run(cs)).hasMessageContaining("No space left on device");
        assertThat(sync.state().toJson().toString()).isEqualTo(stateBefore);
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                        + "WHERE slot_name = 'full_slot'")) {
            rs.next();
            assertThat(rs.getString(1)).as("slot not confirmed past the committed position").isEqualTo(lsn);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        assertThat(sync.dest.table(id).values()).allMatch(r -> !"changed".equals(r.value("v")));

        sync.dest.beforeCommit(m -> { });
        sync.run(cs); // space freed: the same changes arrive
        assertThat(sync.dest.table(id).values()).hasSize(1000).allMatch(r -> "changed".equals(r.value("v")));
    }
}
