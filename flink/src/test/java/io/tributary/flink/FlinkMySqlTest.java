package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.testkit.WriteLoad;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * MariaDB (binlog) through the Flink runner into Iceberg on a MiniCluster, parallelism 3: a backfill of 100,000 rows
 * in 10 chunks then CDC under a write load, a chunk read and the change stream each failing once (restarts from the
 * last checkpoint), then a stop with a savepoint, changes while no job runs, and a restore from the savepoint. After
 * each phase the table equals the source row for row, with no duplicate {@code _olake_id}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlinkMySqlTest {
    private static final int ROWS = 100_000;
    private static final StreamId ORDERS = StreamId.of("shop", "flink_orders");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).setConfiguration(new Configuration()).build());

    private TestingMySqlServer db;

    @TempDir
    Path dir;

    @BeforeAll
    void start() {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        db = new TestingMariaDb();
    }

    @AfterAll
    void stop() {
        if (db != null) {
            db.close();
        }
    }

    private JsonNode source() {
        return Json.parse("{\"host\": \"127.0.0.1\", \"port\": " + db.port() + ", \"database\": \"shop\", "
                + "\"username\": \"" + TestingMySqlServer.ADMIN_USER + "\", \"password\": \""
                + TestingMySqlServer.ADMIN_PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 10000, "
                + "\"max_threads\": 2, \"update_method\": {\"initial_wait_time\": 1}}");
    }

    private TributaryFlink pipeline(JsonNode destination) {
        List<ConfiguredStream> streams = FlinkJobs.discover("mysql", source(), ORDERS, SyncMode.CDC);
        return TributaryFlink.pipeline("faulty-mysql", source(), FlinkJobs.catalog(streams), destination);
    }

    @Test
    void backfillThenCdcUnderLoadSurvivesFailuresAndSavepoint(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        db.execute("CREATE TABLE shop.flink_orders (id bigint PRIMARY KEY, v varchar(40), n int)");
        for (int from = 1; from <= ROWS; from += 100_000) {
            db.execute("INSERT INTO shop.flink_orders SELECT seq, concat('v', seq), 0 FROM "
                    + TestingMySqlServer.integers(from, Math.min(ROWS, from + 99_999)));
        }
        JsonNode destination = Json.parse("{\"warehouse\": \"" + dir.resolve("wh") + "\"}");
        Path checkpoints = dir.resolve("checkpoints");
        FaultyDriver.injected.set(0);
        FaultyDriver.rowsBeforeFailure.set(3000);
        FaultyDriver.chunkFailures.set(1);
        FaultyDriver.changesBeforeFailure.set(100);
        FaultyDriver.changeFailures.set(1);
        try (Connection c = db.connection()) {
            JobID job = FlinkJobs.submit(cluster, FlinkJobs.graph(pipeline(destination), 3, checkpoints, null));
            try (WriteLoad load = WriteLoad.start("flink-mysql-1", WriteLoad.sql(db.connection(),
                    "shop.flink_orders"), new WriteLoad.Spec(11, ROWS, 10_000_000L, Duration.ofMillis(2)))) {
                Awaitility.await("both injected failures").atMost(Duration.ofMinutes(3))
                        .until(() -> FaultyDriver.injected.get() >= 2);
                Thread.sleep(1000);
            }
            db.execute("INSERT INTO shop.flink_orders VALUES (-1, 'end-1', 1)");
            FlinkJobs.awaitEqual(destination, ORDERS, c, "shop.flink_orders", -1, "end-1", Duration.ofMinutes(3));
            assertThat(FaultyDriver.injected.get()).isEqualTo(2);

            String savepoint = FlinkJobs.stopWithSavepoint(cluster, job, dir.resolve("savepoints"));
            try (WriteLoad load = WriteLoad.start("flink-mysql-2", WriteLoad.sql(db.connection(),
                    "shop.flink_orders"), new WriteLoad.Spec(12, ROWS, 20_000_000L, Duration.ofMillis(1)))) {
                Thread.sleep(1000);
            }
            db.execute("UPDATE shop.flink_orders SET v = 'end-2' WHERE id = -1");
            job = FlinkJobs.submit(cluster, FlinkJobs.graph(pipeline(destination), 3, checkpoints, savepoint));
            FlinkJobs.awaitEqual(destination, ORDERS, c, "shop.flink_orders", -1, "end-2", Duration.ofMinutes(2));
            cluster.cancelJob(job).get();

            // a new job (no savepoint) over the table would backfill its rows a second time: refused before it runs
            assertThatThrownBy(() -> FlinkJobs.graph(pipeline(destination), 3, checkpoints, null))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("stream shop.flink_orders")
                    .hasMessageContaining("already holds")
                    .hasMessageContaining("flink run -s");
        } finally {
            FaultyDriver.chunkFailures.set(0);
            FaultyDriver.changeFailures.set(0);
        }
    }
}
