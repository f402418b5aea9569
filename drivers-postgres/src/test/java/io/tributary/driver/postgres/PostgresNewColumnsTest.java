package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.AbstractDriver;
import io.tributary.core.CdcBackfill;
import io.tributary.core.DriverInterface;
import io.tributary.core.state.State;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Columns added in the source after {@code discover}, and their defaults, reach the destination. */
@ExtendWith(PerClassPostgres.class)
class PostgresNewColumnsTest {
    static TestingPostgres pg;

    private static Map<Integer, Object> column(PgSync sync, StreamId id, String column) {
        Map<Integer, Object> out = new TreeMap<>();
        for (Record r : sync.dest.table(id).values()) {
            out.put(((Number) r.value("id")).intValue(), r.value(column));
        }
        return out;
    }

    @Test
    void aColumnAddedAfterDiscoverIsBackfilledWithItsValues() {
        pg.execute("CREATE TABLE newcol_fill (id int PRIMARY KEY, v text)",
                "INSERT INTO newcol_fill SELECT g, 'v' || g FROM generate_series(1, 20) g");
        PgSync sync = new PgSync(pg, "");
        StreamId id = StreamId.of("public", "newcol_fill");
        ConfiguredStream cs = sync.stream(id, SyncMode.FULL_REFRESH); // the catalog, written before the ALTERs
        pg.execute("ALTER TABLE newcol_fill ADD COLUMN five int DEFAULT 5",
                "ALTER TABLE newcol_fill ADD COLUMN note text", "UPDATE newcol_fill SET note = 'n' || id WHERE id < 3");
        assertThat(cs.schema().names()).doesNotContain("five", "note");
        sync.run(cs);
        assertThat(column(sync, id, "five")).hasSize(20).allSatisfy((k, v) -> assertThat(v).isEqualTo(5));
        assertThat(column(sync, id, "note")).containsEntry(1, "n1").containsEntry(2, "n2").containsEntry(3, null);
    }

    @Test
    void withoutSyncNewColumnsTheCatalogsColumnsAreKept() {
        pg.execute("CREATE TABLE newcol_off (id int PRIMARY KEY, v text)",
                "INSERT INTO newcol_off SELECT g, 'v' || g FROM generate_series(1, 5) g");
        PgSync sync = new PgSync(pg, "");
        StreamId id = StreamId.of("public", "newcol_off");
        ConfiguredStream s = sync.stream(id, SyncMode.FULL_REFRESH);
        ConfiguredStream cs = new ConfiguredStream(s.stream(), List.of("id", "v"), false, s.filter(), s.chunkColumn(),
                s.appendMode(), s.normalization(), s.partitionRegex());
        pg.execute("ALTER TABLE newcol_off ADD COLUMN five int DEFAULT 5");
        sync.run(cs);
        assertThat(sync.dest.records(id)).hasSize(5)
                .allSatisfy(r -> assertThat(r.schema().names()).containsExactly("id", "v"));
    }

    /**
     * {@code ADD COLUMN … DEFAULT} writes nothing to the log for the rows that exist: CDC brings the default only
     * with rows changed later (documented); a resnapshot (watermark backfill beside CDC) brings it to every row.
     */
    @Test
    void aDefaultAddedDuringCdcReachesEveryRowAfterAResnapshot() {
        pg.execute("CREATE TABLE newcol_cdc (id int PRIMARY KEY, v text)",
                "INSERT INTO newcol_cdc SELECT g, 'v' || g FROM generate_series(1, 30) g");
        PgSync sync = new PgSync(pg, "\"update_method\": {\"replication_slot\": \"newcol_cdc\", \"publication\": "
                + "\"newcol_cdc\", \"initial_wait_time\": 1, \"create_if_missing\": true}");
        StreamId id = StreamId.of("public", "newcol_cdc");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        AbstractDriver.Options watermark = PgSync.options().withCdcBackfill(CdcBackfill.WATERMARK);
        sync.run(watermark, cs);
        pg.execute("ALTER TABLE newcol_cdc ADD COLUMN five int DEFAULT 5", "UPDATE newcol_cdc SET v = 'x' WHERE id = 1");
        sync.run(watermark, cs);
        Map<Integer, Object> afterCdc = column(sync, id, "five");
        assertThat(afterCdc.get(1)).as("the changed row").isEqualTo(5);
        assertThat(afterCdc.get(2)).as("an unchanged row: the log has nothing for it").isNull();

        try (DriverInterface d = sync.driver(); AbstractDriver a = new AbstractDriver(d, State.load(sync.store))) {
            a.resnapshot(List.of(id));
        }
        sync.run(watermark, cs);
        assertThat(column(sync, id, "five")).hasSize(30).allSatisfy((k, v) -> assertThat(v).isEqualTo(5));
        pg.execute("SELECT pg_drop_replication_slot('newcol_cdc')", "DROP PUBLICATION IF EXISTS newcol_cdc");
    }
}
