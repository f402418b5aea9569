package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueErrors;
import io.tributary.writer.WriterPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values at PostgreSQL's edges (NaN and ±infinity, {@code 24:00:00}, the largest timestamps, dates before 1582,
 * 65-digit decimals, zero bytes, characters beyond the BMP, JSON, arrays, NULLs) reach Iceberg through the Flink runner
 * exactly as through the embedded engine, by backfill and by CDC. The records cross a network shuffle
 * ({@code rebalance}), so they go through {@link SourceRecordSerializer}; the bounded job ends by itself. Values no
 * Iceberg column holds (PostgreSQL's largest timestamps) are written as NULL on both paths ({@code value_errors:
 * null}).
 */
@ExtendWith(PerClassPostgres.class)
class FlinkValuesTest {
    static TestingPostgres pg;
    private static final StreamId EDGE = StreamId.of("public", "flink_edge");
    private static final List<String> META = List.of("_olake_timestamp", "_cdc_timestamp", "_op_type");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).setConfiguration(new Configuration()).build());

    @TempDir
    Path dir;

    private static final String COLUMNS = "(id int PRIMARY KEY, n numeric, n65 numeric(65,30), f float8, r real, "
            + "t time, ts timestamp, tz timestamptz, d date, b bytea, s text, j jsonb, u uuid, bo boolean, i8 bigint, "
            + "arr int[])";
    private static final String[] ROWS = {
        "(1, 'NaN', 99999999999999999999999999999999999.999999999999999999999999999999, 'NaN', 'Infinity', "
                + "'24:00:00', '294276-12-31 23:59:59.999999', '4713-01-01 00:00:00+00 BC', 'infinity', '\\x00ab00', "
                + "'\uD83D\uDE00\uD834\uDD1E', '{\"a\": [1, 2.5, null]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true, "
                + "9223372036854775807, '{1,NULL,3}')",
        "(2, 0.1, -0.000000000000000000000000000001, '-Infinity', '-0', '00:00:00', '4713-01-01 00:00:00 BC', "
                + "'294276-12-31 23:59:59.999999+00', '-infinity', '', '', '[]', "
                + "'00000000-0000-0000-0000-000000000000', false, -9223372036854775808, '{}')",
        "(3, 123456789012345678901234567890.123456789, 0, 2.2250738585072014E-308, 3.4028235E38, '23:59:59.999999', "
                + "'1582-10-04 23:59:59', '1970-01-01 00:00:00+00', '1582-10-15', '\\xff', 'x', 'null', NULL, NULL, "
                + "0, NULL)",
        "(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    };

    private JsonNode source() {
        return Json.parse("{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"" + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": "
                + "\"disable\"}, \"update_method\": {\"replication_slot\": \"flink_edge\", \"publication\": "
                + "\"flink_edge\", \"initial_wait_time\": 1, \"create_if_missing\": true}}");
    }

    /** The table's rows by id, each as column → value without the sync's own metadata columns. */
    private static Map<Integer, Map<String, Object>> rows(JsonNode destination) throws Exception {
        Map<Integer, Map<String, Object>> out = new TreeMap<>();
        org.apache.iceberg.Table t = FlinkJobs.table(destination, EDGE);
        try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
            for (Record r : it) {
                Map<String, Object> m = new TreeMap<>();
                for (Types.NestedField f : t.schema().columns()) {
                    if (!META.contains(f.name())) {
                        Object v = r.getField(f.name());
                        m.put(f.name(), v instanceof java.nio.ByteBuffer b ? java.util.HexFormat.of().formatHex(
                                java.util.Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(),
                                        b.arrayOffset() + b.limit())) : v);
                    }
                }
                assertThat(out.put((Integer) r.getField("id"), m)).as("duplicate id %s", r.getField("id")).isNull();
            }
        }
        return out;
    }

    private JsonNode destination(String name) {
        return Json.parse("{\"warehouse\": \"" + dir.resolve(name) + "\"}");
    }

    private JobID submitShuffled(MiniCluster cluster, TributaryFlink pipeline, String checkpoints) throws Exception {
        return FlinkJobs.submit(cluster, FlinkJobs.graph(env -> {
            TributarySource source = pipeline.source();
            DataStream<SourceRecord> rows = env.fromSource(source, WatermarkStrategy.noWatermarks(), "edge")
                    .setParallelism(2).rebalance();
            TributaryFlink.icebergSink(rows, pipelineDestination, source.spec(), ValueErrors.NULL);
        }, dir.resolve(checkpoints), null));
    }

    private JsonNode pipelineDestination;

    @Test
    void edgeValuesEqualTheEmbeddedEngineByBackfillAndByCdc(@InjectMiniCluster MiniCluster cluster) throws Exception {
        pg.execute("CREATE TABLE flink_edge " + COLUMNS, "ALTER TABLE flink_edge REPLICA IDENTITY FULL",
                "INSERT INTO flink_edge VALUES " + String.join(", ", ROWS));
        // the embedded engine's full refresh: the reference
        JsonNode embedded = destination("embedded");
        try (DriverInterface d = Drivers.configured("postgres", source(), "source.json");
                WriterPool pool = WriterPool.open("iceberg", embedded, WriterPool.Options.defaults().withValueErrors(ValueErrors.NULL));
                AbstractDriver a = new AbstractDriver(d, State.load(new InMemoryStateStore()))) {
            a.setup();
            a.read(pool, FlinkJobs.discover("postgres", source(), EDGE, SyncMode.FULL_REFRESH));
        }
        Map<Integer, Map<String, Object>> expected = rows(embedded);
        assertThat(expected).hasSize(ROWS.length);

        // a bounded Flink job (full refresh) ends by itself with the same values
        pipelineDestination = destination("flink-backfill");
        List<ConfiguredStream> full = FlinkJobs.discover("postgres", source(), EDGE, SyncMode.FULL_REFRESH);
        JobID job = submitShuffled(cluster, TributaryFlink.pipeline("postgres", source(), FlinkJobs.catalog(full),
                pipelineDestination), "cp-backfill");
        Awaitility.await("the bounded job finishes").atMost(Duration.ofMinutes(2))
                .until(() -> cluster.getJobStatus(job).get() == JobStatus.FINISHED);
        assertThat(rows(pipelineDestination)).isEqualTo(expected);

        // CDC only (strict_cdc): the same rows inserted while the job runs arrive with the same values
        pipelineDestination = destination("flink-cdc");
        pg.execute("CREATE TABLE flink_edge_copy AS SELECT * FROM flink_edge", "DELETE FROM flink_edge");
        List<ConfiguredStream> cdc = FlinkJobs.discover("postgres", source(), EDGE, SyncMode.STRICT_CDC);
        JobID cdcJob = submitShuffled(cluster, TributaryFlink.pipeline("postgres", source(), FlinkJobs.catalog(cdc),
                pipelineDestination), "cp-cdc");
        // the slot exists once the enumerator planned: changes from here on are captured
        Awaitility.await("slot created").atMost(Duration.ofMinutes(1)).until(() -> slotExists());
        pg.execute("INSERT INTO flink_edge SELECT * FROM flink_edge_copy");
        Awaitility.await("CDC rows arrive").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().untilAsserted(() -> assertThat(rows(pipelineDestination)).isEqualTo(expected));
        cluster.cancelJob(cdcJob).get();
        // the slot is released once the cancelled reader closed its replication connection
        Awaitility.await("slot dropped").atMost(Duration.ofMinutes(1)).ignoreExceptions()
                .untilAsserted(() -> pg.execute("SELECT pg_drop_replication_slot('flink_edge')"));
    }

    private static boolean slotExists() throws Exception {
        try (java.sql.Connection c = pg.connection(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(
                        "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'flink_edge'")) {
            return rs.next();
        }
    }

}
