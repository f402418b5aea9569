package io.tributary.examples.identity;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.tributary.writer.WriterPool;
import io.tributary.writer.iceberg.IcebergDestination;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table without a primary key keeps identical rows apart in Iceberg: its table is an append-only changelog (no
 * identifier field, no equality delete), so deleting one of two identical rows leaves the other, and the net count
 * per row content (inserts minus deletes) equals the source's.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresKeylessIcebergTest {
    static TestingPostgres pg;
    private static final StreamId ID = StreamId.of("public", "keyless_dup");

    @TempDir
    Path dir;

    private void sync(InMemoryStateStore store, String destination) {
        try (DriverInterface d = Drivers.configured("postgres", Json.parse("{\"host\": \"localhost\", \"port\": "
                + pg.port() + ", \"database\": \"postgres\", \"username\": \"postgres\", \"password\": \""
                + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"update_method\": "
                + "{\"replication_slot\": \"keyless_dup\", \"publication\": \"keyless_dup\", \"initial_wait_time\": 1, "
                + "\"create_if_missing\": true}}"), "source.json");
                WriterPool pool = WriterPool.open("iceberg", Json.parse(destination), WriterPool.Options.defaults());
                AbstractDriver a = new AbstractDriver(d, State.load(store))) {
            a.setup();
            ConfiguredStream cs = a.discover(2).stream().filter(s -> s.id().equals(ID))
                    .map(s -> ConfiguredStream.of(s.withSyncMode(SyncMode.CDC))).findFirst().orElseThrow();
            assertThat(cs.primaryKey()).isEmpty();
            a.read(pool, List.of(cs));
        }
    }

    /** Net count per row content: backfill reads and inserts count +1, deletes -1. */
    private static Map<String, Integer> net(List<Record> rows) {
        Map<String, Integer> out = new TreeMap<>();
        for (Record r : rows) {
            String op = (String) r.getField("_op_type");
            int delta = switch (op) {
                case "r", "c" -> 1;
                case "d" -> -1;
                default -> throw new AssertionError("unexpected op " + op + " in " + r);
            };
            out.merge(r.getField("v") + "/" + r.getField("n"), delta, Integer::sum);
        }
        out.values().removeIf(v -> v == 0);
        return out;
    }

    @Test
    void identicalRowsStayTwoRowsAndDeletingOneKeepsTheOther() throws Exception {
        pg.execute("CREATE TABLE keyless_dup (v text, n int)", "ALTER TABLE keyless_dup REPLICA IDENTITY FULL",
                "INSERT INTO keyless_dup VALUES ('same', 1), ('same', 1), ('other', 2)");
        String dest = "{\"warehouse\": \"" + dir.resolve("wh") + "\"}";
        InMemoryStateStore store = new InMemoryStateStore();
        sync(store, dest);
        assertThat(net(read(dest))).containsExactlyInAnyOrderEntriesOf(Map.of("same/1", 2, "other/2", 1));

        pg.execute("DELETE FROM keyless_dup WHERE ctid = (SELECT min(ctid) FROM keyless_dup WHERE v = 'same')",
                "INSERT INTO keyless_dup VALUES ('other', 2)");
        sync(store, dest);
        List<Record> rows = read(dest);
        assertThat(rows).extracting(r -> (String) r.getField("_op_type"))
                .containsExactlyInAnyOrder("r", "r", "r", "d", "c");
        assertThat(net(rows)).as("net rows per content equal the source")
                .containsExactlyInAnyOrderEntriesOf(Map.of("same/1", 1, "other/2", 2));
        pg.execute("SELECT pg_drop_replication_slot('keyless_dup')", "DROP PUBLICATION IF EXISTS keyless_dup");
    }

    private static List<Record> read(String destination) throws Exception {
        try (WriterPool pool = WriterPool.open("iceberg", Json.parse(destination), WriterPool.Options.defaults())) {
            IcebergDestination d = (IcebergDestination) pool.destination();
            Table t = d.catalog().loadTable(d.identifier(ID));
            assertThat(t.schema().identifierFieldNames()).as("a keyless table has no identifier field").isEmpty();
            List<Record> out = new ArrayList<>();
            try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
                it.forEach(r -> out.add(r.copy()));
            }
            return out;
        }
    }
}
