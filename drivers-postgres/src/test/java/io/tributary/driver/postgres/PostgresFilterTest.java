package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The catalog filter in OLake's syntax on PostgreSQL: quoted identifiers stay identifiers, strings stay strings. */
@ExtendWith(PerClassPostgres.class)
class PostgresFilterTest {
    static TestingPostgres pg;

    @Test
    void aQuotedIdentifierAndADoubleQuotedStringAreRenderedForWhatTheyAre() {
        pg.execute("CREATE TABLE filter_q (id int PRIMARY KEY, \"Mixed Case\" int, note text)",
                "INSERT INTO filter_q SELECT g, g, CASE WHEN g % 2 = 0 THEN 'keep' ELSE 'it''s' END "
                        + "FROM generate_series(1, 20) g");
        PgSync sync = new PgSync(pg, "");
        StreamId id = StreamId.of("public", "filter_q");
        ConfiguredStream cs = sync.stream(id, SyncMode.FULL_REFRESH)
                .withFilter("\"Mixed Case\" >= 5 and note = \"keep\" or note = 'it''s' and id = 3");
        sync.run(cs);
        assertThat(sync.dest.table(id).keySet()).containsExactlyInAnyOrder("3", "6", "8", "10", "12", "14", "16", "18",
                "20");
    }

    /** The rows of a nullable chunk_column's NULL keys are read by the first chunk, not lost between chunks. */
    @Test
    void aNullableChunkColumnsNullKeysAreRead() {
        pg.execute("CREATE TABLE chunk_nulls (id int PRIMARY KEY, grp int)",
                "INSERT INTO chunk_nulls SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE g END FROM generate_series(1, 500) g");
        PgSync sync = new PgSync(pg, "\"chunk_size\": 100");
        StreamId id = StreamId.of("public", "chunk_nulls");
        ConfiguredStream all = sync.stream(id, SyncMode.FULL_REFRESH);
        ConfiguredStream cs = new ConfiguredStream(all.stream(), all.selectedColumns(), all.syncNewColumns(),
                all.filter(), Optional.of("grp"), all.appendMode(), all.normalization(), all.partitionRegex());
        sync.run(cs);
        assertThat(sync.dest.table(id)).hasSize(500);
        assertThat(sync.dest.table(id).get("7").value("grp")).isNull();
    }

    @Test
    void aFilterNamingAColumnTheTableLacksIsAConfigErrorBeforeAnythingRuns() {
        pg.execute("CREATE TABLE filter_bad (id int PRIMARY KEY, v int)");
        PgSync sync = new PgSync(pg, "");
        StreamId id = StreamId.of("public", "filter_bad");
        ConfiguredStream cs = sync.stream(id, SyncMode.FULL_REFRESH).withFilter("\"V\" > 1");
        assertThatThrownBy(() -> sync.run(cs)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stream public.filter_bad").hasMessageContaining("names column V");
        assertThat(sync.dest.records(id)).isEmpty();
        assertThat(sync.state().hasStream(id)).isFalse();
    }
}
