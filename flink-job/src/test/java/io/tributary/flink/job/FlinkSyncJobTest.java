package io.tributary.flink.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.iceberg.IcebergConfig;
import io.tributary.writer.iceberg.IcebergDestination;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example job from its command line, as a user runs it locally: a full refresh of a PostgreSQL table into
 * Iceberg in a local Flink mini cluster; the job ends by itself and the table holds every row with its values.
 */
@ExtendWith(PerClassPostgres.class)
class FlinkSyncJobTest {
    static TestingPostgres pg;

    @TempDir
    Path dir;

    @Test
    void fullRefreshFromTheCommandLine() throws Exception {
        pg.execute("CREATE TABLE job_items (id bigint PRIMARY KEY, amount numeric(12,2))",
                "INSERT INTO job_items SELECT i, i / 100.0 FROM generate_series(1, 20000) i");
        String sourceJson = "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"" + TestingPostgres.PASSWORD + "\", "
                + "\"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 5000}";
        Path source = Files.writeString(dir.resolve("source.json"), sourceJson);
        StreamId id = StreamId.of("public", "job_items");
        List<Stream> streams;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(sourceJson), "source.json");
                AbstractDriver a = new AbstractDriver(d, State.load(new InMemoryStateStore()))) {
            a.setup();
            streams = a.discover(1).stream().filter(s -> s.id().equals(id))
                    .map(s -> s.withSyncMode(SyncMode.FULL_REFRESH)).toList();
        }
        Path catalog = Files.writeString(dir.resolve("streams.json"),
                Json.write(Catalog.selectAll(streams).toJson()));
        String destJson = "{\"warehouse\": \"" + dir.resolve("wh") + "\"}";
        Path destination = Files.writeString(dir.resolve("destination.json"), destJson);

        int exit = FlinkSyncJob.run("--type", "postgres", "--config", source.toString(), "--catalog",
                catalog.toString(), "--destination", destination.toString(), "--parallelism", "2",
                "--checkpoint-interval-ms", "1000");
        assertThat(exit).isZero();

        try (IcebergDestination d = new IcebergDestination(Json.bind(Json.parse(destJson), IcebergConfig.class,
                "destination.json"));
                CloseableIterable<Record> rows = IcebergGenerics.read(d.catalog().loadTable(d.identifier(id)))
                        .select("id", "amount").build()) {
            long count = 0;
            long sum = 0;
            for (Record r : rows) {
                long key = (Long) r.getField("id");
                assertThat((BigDecimal) r.getField("amount")).isEqualByComparingTo(
                        BigDecimal.valueOf(key).movePointLeft(2));
                count++;
                sum += key;
            }
            assertThat(count).isEqualTo(20_000);
            assertThat(sum).isEqualTo(20_000L * 20_001 / 2);
        }
    }
}
