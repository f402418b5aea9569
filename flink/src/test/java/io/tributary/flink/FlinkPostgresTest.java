package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.WriteLoad;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL through the Flink runner into Iceberg on a MiniCluster, parallelism 2: a backfill of
 * {@code -Dtributary.flink.rows} rows (1,000,000 by default) then CDC, under a write load, with a reader that throws
 * mid-chunk and a change stream that throws mid-stream (the job restarts from its last checkpoint), a cancel and a
 * restore from the last retained checkpoint, and a stop with a savepoint and a restore from it. After each phase the
 * table equals the source row for row, with no duplicate {@code _olake_id}, and the slot's confirmed position moved
 * only with completed checkpoints (a slot confirmed past them would lose the changes of the restored span).
 */
@ExtendWith(PerClassPostgres.class)
class FlinkPostgresTest {
    static TestingPostgres pg;
    private static final int ROWS = Integer.getInteger("tributary.flink.rows", 1_000_000);
    private static final StreamId ITEMS = StreamId.of("public", "flink_items");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).setConfiguration(new Configuration()).build());

    @TempDir
    Path dir;

    private JsonNode source() {
        return Json.parse("{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"" + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": "
                + "\"disable\"}, \"max_threads\": 2, \"chunk_size\": 50000, \"update_method\": {\"replication_slot\": \"flink_slot\", "
                + "\"publication\": \"flink_pub\", \"initial_wait_time\": 1, \"create_if_missing\": true}}");
    }

    private TributaryFlink pipeline(JsonNode destination) {
        List<ConfiguredStream> streams = FlinkJobs.discover("postgres", source(), ITEMS, SyncMode.CDC);
        return TributaryFlink.pipeline("faulty-postgres", source(), FlinkJobs.catalog(streams), destination);
    }

    private static String confirmedLsn(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'flink_slot'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long lsn(String text) {
        String[] p = text.split("/");
        return (Long.parseLong(p[0], 16) << 32) + Long.parseLong(p[1], 16);
    }

    @Test
    void backfillThenCdcUnderLoadSurvivesFailuresCancelAndSavepoint(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        pg.execute("CREATE TABLE flink_items (id bigint PRIMARY KEY, v text, n int)",
                "INSERT INTO flink_items SELECT i, 'row-' || i, (i % 1000)::int FROM generate_series(1, " + ROWS
                        + ") i");
        JsonNode destination = Json.parse("{\"warehouse\": \"" + dir.resolve("wh") + "\"}");
        Path checkpoints = dir.resolve("checkpoints");
        FaultyDriver.injected.set(0);
        FaultyDriver.rowsBeforeFailure.set(700);
        FaultyDriver.chunkFailures.set(1);
        FaultyDriver.changesBeforeFailure.set(150);
        FaultyDriver.changeFailures.set(1);

        try (Connection c = pg.connection()) {
            // phase 1: backfill and CDC under a load, a chunk read and the change stream each failing once
            JobID job = FlinkJobs.submit(cluster, FlinkJobs.graph(pipeline(destination), 2, checkpoints, null));
            // the enumerator creates the slot when it plans, before the backfill
            String created = Awaitility.await("slot flink_slot created").atMost(Duration.ofMinutes(1))
                    .until(() -> confirmedLsn(c), java.util.Objects::nonNull);
            try (WriteLoad load = WriteLoad.start("flink-pg-1", WriteLoad.sql(pg.connection(), "flink_items"),
                    new WriteLoad.Spec(1, ROWS, 10_000_000L, Duration.ofMillis(2)))) {
                Awaitility.await("the change stream's injected failure")
                        .atMost(Duration.ofMinutes(3)).until(() -> FaultyDriver.injected.get() >= 2);
                Thread.sleep(1000); // changes after the restart
            }
            pg.execute("INSERT INTO flink_items VALUES (-1, 'end-1', 1)");
            FlinkJobs.awaitEqual(destination, ITEMS, c, "flink_items", -1, "end-1", Duration.ofMinutes(3));
            assertThat(FaultyDriver.injected.get()).as("injected failures").isEqualTo(2);
            Awaitility.await("slot confirmed after completed checkpoints").atMost(Duration.ofMinutes(1))
                    .until(() -> lsn(confirmedLsn(c)) > lsn(created));
            String confirmed1 = confirmedLsn(c);

            // phase 2: cancel under load, restore from the newest retained checkpoint
            String checkpoint;
            try (WriteLoad load = WriteLoad.start("flink-pg-2", WriteLoad.sql(pg.connection(), "flink_items"),
                    new WriteLoad.Spec(2, ROWS, 20_000_000L, Duration.ofMillis(2)))) {
                Thread.sleep(1500);
                checkpoint = FlinkJobs.cancel(cluster, job, checkpoints);
                Thread.sleep(500); // changes while no job runs
            }
            String confirmedAtCancel = confirmedLsn(c);
            assertThat(lsn(confirmedAtCancel)).as("slot position only grows").isGreaterThanOrEqualTo(lsn(confirmed1));
            pg.execute("UPDATE flink_items SET v = 'end-2' WHERE id = -1");
            job = FlinkJobs.submit(cluster, FlinkJobs.graph(pipeline(destination), 2, checkpoints, checkpoint));
            FlinkJobs.awaitEqual(destination, ITEMS, c, "flink_items", -1, "end-2", Duration.ofMinutes(2));

            // phase 3: stop with a savepoint, change the source, restore from the savepoint
            String savepoint = FlinkJobs.stopWithSavepoint(cluster, job, dir.resolve("savepoints"));
            try (WriteLoad load = WriteLoad.start("flink-pg-3", WriteLoad.sql(pg.connection(), "flink_items"),
                    new WriteLoad.Spec(3, ROWS, 30_000_000L, Duration.ofMillis(1)))) {
                Thread.sleep(1000);
            }
            pg.execute("UPDATE flink_items SET v = 'end-3' WHERE id = -1");
            job = FlinkJobs.submit(cluster, FlinkJobs.graph(pipeline(destination), 2, checkpoints, savepoint));
            FlinkJobs.awaitEqual(destination, ITEMS, c, "flink_items", -1, "end-3", Duration.ofMinutes(2));
            // the restored jobs confirm their completed checkpoints to the slot (notified after the commit)
            Awaitility.await("slot confirmed past the cancelled job's position").atMost(Duration.ofMinutes(1))
                    .until(() -> lsn(confirmedLsn(c)) > lsn(confirmedAtCancel));
            cluster.cancelJob(job).get();
        } finally {
            FaultyDriver.chunkFailures.set(0);
            FaultyDriver.changeFailures.set(0);
        }
    }
}
