package io.tributary.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import io.tributary.writer.iceberg.IcebergDestination;
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
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.awaitility.Awaitility;

/** Test helpers: build, submit, stop and restore Tributary jobs on a MiniCluster, and compare source and table. */
final class FlinkJobs {
    private FlinkJobs() {
    }

    /** The pipeline's job graph: checkpoints every 500 ms, kept on cancel, restarts on failure. */
    static JobGraph graph(TributaryFlink pipeline, int parallelism, Path checkpoints, String restoreFrom) {
        return graph(env -> pipeline.build(env, parallelism), checkpoints, restoreFrom);
    }

    /** The job graph {@code build} makes, with {@link #graph(TributaryFlink, int, Path, String)}'s settings. */
    static JobGraph graph(java.util.function.Consumer<StreamExecutionEnvironment> build, Path checkpoints,
            String restoreFrom) {
        Configuration conf = new Configuration();
        Map<String, String> m = new HashMap<>();
        m.put("execution.checkpointing.interval", "500 ms");
        m.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        m.put("state.checkpoints.dir", checkpoints.toUri().toString());
        m.put("restart-strategy.type", "fixed-delay");
        m.put("restart-strategy.fixed-delay.attempts", "20");
        m.put("restart-strategy.fixed-delay.delay", "200 ms");
        if (restoreFrom != null) {
            m.put("execution.savepoint.path", restoreFrom); // as `flink run -s` sets it
        }
        conf.addAll(Configuration.fromMap(m));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        build.accept(env);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        assertThat(graph.getSavepointRestoreSettings().restoreSavepoint()).isEqualTo(restoreFrom != null);
        return graph;
    }

    static JobID submit(MiniCluster cluster, JobGraph graph) throws Exception {
        JobID id = cluster.submitJob(graph).get().getJobID();
        Awaitility.await("job " + id + " running").atMost(Duration.ofMinutes(1))
                .until(() -> cluster.getJobStatus(id).get() == JobStatus.RUNNING);
        return id;
    }

    static String stopWithSavepoint(MiniCluster cluster, JobID id, Path dir) throws Exception {
        return cluster.stopWithSavepoint(id, dir.toUri().toString(), false, SavepointFormatType.CANONICAL).get();
    }

    /** Cancels the job and returns its newest retained checkpoint. */
    static String cancel(MiniCluster cluster, JobID id, Path checkpoints) throws Exception {
        cluster.cancelJob(id).get();
        Awaitility.await("job " + id + " cancelled").atMost(Duration.ofMinutes(1))
                .until(() -> cluster.getJobStatus(id).get().isGloballyTerminalState());
        try (Stream<Path> dirs = Files.list(checkpoints.resolve(id.toHexString()))) {
            Optional<Path> newest = dirs.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max((a, b) -> Long.compare(number(a), number(b)));
            return newest.orElseThrow(() -> new AssertionError("no completed checkpoint of " + id)).toUri().toString();
        }
    }

    private static long number(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring(4));
    }

    /** Rows of a table {@code (id, v, n)} as id → "v|n". */
    static Map<Long, String> source(Connection c, String table) throws SQLException {
        Map<Long, String> out = new TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, v, n FROM " + table)) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getString(2) + "|" + rs.getInt(3));
            }
        }
        return out;
    }

    static Table table(JsonNode destination, StreamId stream) {
        try (IcebergDestination d = IcebergSinks.destination(destination)) {
            return d.catalog().loadTable(d.identifier(stream));
        }
    }

    /** The table's rows as id → "v|n"; a duplicate {@code _olake_id} fails. */
    static Map<Long, String> iceberg(JsonNode destination, StreamId stream) throws IOException {
        Map<Long, String> out = new TreeMap<>();
        Map<String, Long> ids = new HashMap<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table(destination, stream))
                .select("_olake_id", "id", "v", "n").build()) {
            for (Record r : rows) {
                long id = ((Number) r.getField("id")).longValue();
                Long before = ids.put((String) r.getField("_olake_id"), id);
                assertThat(before).as("duplicate _olake_id %s (id %s)", r.getField("_olake_id"), id).isNull();
                out.put(id, r.getField("v") + "|" + r.getField("n"));
            }
        }
        return out;
    }

    /** Whether the table holds row {@code id} with text {@code v}. */
    static boolean holds(JsonNode destination, StreamId stream, long id, String v) throws IOException {
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table(destination, stream))
                .where(Expressions.equal("id", id)).select("id", "v").build()) {
            for (Record r : rows) {
                if (v.equals(r.getField("v"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Waits until the table holds the sentinel row, then compares every row with the source. */
    static void awaitEqual(JsonNode destination, StreamId stream, Connection source, String table, long sentinel,
            String marker, Duration atMost) throws Exception {
        Awaitility.await(stream + " holds sentinel " + marker).atMost(atMost).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> holds(destination, stream, sentinel, marker));
        Map<Long, String> expected = source(source, table);
        // the sentinel's commit can precede the rest of its checkpoint's streams: allow one more look
        Awaitility.await(stream + " equal to the source").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(iceberg(destination, stream)).isEqualTo(expected));
    }

    /** The stream {@code id} as the driver discovers it, in {@code mode}. */
    static List<ConfiguredStream> discover(String driverType, JsonNode source, StreamId id,
            io.tributary.types.SyncMode mode) {
        try (io.tributary.core.DriverInterface d = io.tributary.core.Drivers.configured(driverType, source, "source");
                io.tributary.core.AbstractDriver a = new io.tributary.core.AbstractDriver(d,
                        io.tributary.core.state.State.load(new io.tributary.core.state.InMemoryStateStore()))) {
            a.setup();
            return a.discover(2).stream().filter(s -> s.id().equals(id))
                    .map(s -> ConfiguredStream.of(s.withSyncMode(mode))).toList();
        }
    }

    /** Catalog JSON of these streams. */
    static JsonNode catalog(List<ConfiguredStream> streams) {
        return SourceSpec.catalogJson(streams);
    }
}
