package io.tributary.examples.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.WriterPool;
import io.tributary.writer.iceberg.IcebergDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code public.m} and {@code s2.m} (different columns) stay two Iceberg tables, or the sync is refused. */
@ExtendWith(PerClassPostgres.class)
class PostgresSameTableInTwoSchemasTest {
    static TestingPostgres pg;
    private static final StreamId PUBLIC_M = StreamId.of("public", "m");
    private static final StreamId S2_M = StreamId.of("s2", "m");

    @TempDir
    Path dir;

    @BeforeAll
    static void tables() {
        pg.execute("CREATE SCHEMA s2",
                "CREATE TABLE public.m (id int PRIMARY KEY, v text)",
                "CREATE TABLE s2.m (id int PRIMARY KEY, v numeric(10,2), extra text)",
                "INSERT INTO public.m SELECT g, 'public-' || g FROM generate_series(1, 50) g",
                "INSERT INTO s2.m SELECT g, g * 1.5, 's2' FROM generate_series(1, 30) g");
    }

    private static DriverInterface driver() {
        return Drivers.configured("postgres", Json.parse("{\"host\": \"localhost\", \"port\": " + pg.port()
                + ", \"database\": \"postgres\", \"username\": \"postgres\", \"password\": \""
                + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"schemas\": [\"public\", \"s2\"]}"),
                "source.json");
    }

    private void sync(String destination) {
        InMemoryStateStore store = new InMemoryStateStore();
        try (DriverInterface d = driver();
                WriterPool pool = WriterPool.open("iceberg", Json.parse(destination), WriterPool.Options.defaults());
                AbstractDriver a = new AbstractDriver(d, State.load(store))) {
            a.setup();
            List<ConfiguredStream> streams = a.discover(2).stream()
                    .filter(s -> s.id().equals(PUBLIC_M) || s.id().equals(S2_M))
                    .map(s -> ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH))).toList();
            assertThat(streams).hasSize(2);
            a.read(pool, streams);
        }
    }

    private Map<Integer, Object> read(String destination, StreamId id) throws Exception {
        try (WriterPool pool = WriterPool.open("iceberg", Json.parse(destination), WriterPool.Options.defaults())) {
            IcebergDestination d = (IcebergDestination) pool.destination();
            Table t = d.catalog().loadTable(d.identifier(id));
            Map<Integer, Object> out = new TreeMap<>();
            try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
                for (Record r : it) {
                    assertThat(out.put((Integer) r.getField("id"), r.getField("v"))).as("id twice").isNull();
                }
            }
            return out;
        }
    }

    @Test
    void eachSchemasTableIsItsOwnIcebergTable() throws Exception {
        String dest = "{\"warehouse\": \"" + dir.resolve("wh") + "\"}";
        sync(dest);
        Map<Integer, Object> pub = read(dest, PUBLIC_M);
        Map<Integer, Object> s2 = read(dest, S2_M);
        assertThat(pub).hasSize(50).containsEntry(7, "public-7");
        assertThat(s2).hasSize(30).containsEntry(7, new java.math.BigDecimal("10.50"));
    }

    @Test
    void aNamespaceThatWouldMergeThemIsRefusedBeforeAnythingIsWritten() {
        String dest = "{\"warehouse\": \"" + dir.resolve("wh") + "\", \"namespace\": \"lake\"}";
        assertThatThrownBy(() -> sync(dest)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("public.m").hasMessageContaining("s2.m").hasMessageContaining("{namespace}");
        assertThat(Files.exists(dir.resolve("wh").resolve("lake"))).as("no table was created").isFalse();
    }

    @Test
    void aNamespaceWithThePlaceholderKeepsThemApart() throws Exception {
        String dest = "{\"warehouse\": \"" + dir.resolve("wh") + "\", \"namespace\": \"lake_{namespace}\"}";
        sync(dest);
        assertThat(read(dest, PUBLIC_M)).hasSize(50);
        assertThat(read(dest, S2_M)).hasSize(30);
    }
}
