package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.PositionCodec;
import io.tributary.core.state.State;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.replication.LogSequenceNumber;

/** The WAL position the engine saves for the PostgreSQL driver, and resuming from one saved by earlier releases. */
@ExtendWith(PerClassPostgres.class)
class PostgresPositionTest {
    static TestingPostgres pg;

    @Test
    void theCodecWritesTheLsnAndReadsTheUnversionedForm() {
        PostgresPosition p = new PostgresPosition(LogSequenceNumber.valueOf("1A/2B3C4D"));
        assertThat(PostgresPosition.CODEC.encode(p)).isEqualTo(Json.object().put("lsn", "1A/2B3C4D"));
        assertThat(PostgresPosition.CODEC.decode(Json.object().put("lsn", "1A/2B3C4D"), 0)).isEqualTo(p);
        assertThat(PostgresPosition.CODEC.decode(PostgresPosition.CODEC.encode(p), 1)).isEqualTo(p);
        assertThatThrownBy(() -> PostgresPosition.CODEC.decode(Json.object().put("lsn", "not-an-lsn"), 1))
                .isInstanceOf(NonRetriableException.class).hasMessageContaining("not-an-lsn");
    }

    @Test
    void resumesFromAStateSavedBeforePositionsHadAVersion() throws Exception {
        pg.execute("CREATE TABLE pos_t (id bigint PRIMARY KEY, name text)",
                "INSERT INTO pos_t SELECT g, 'n' || g FROM generate_series(1, 50) g");
        PgSync sync = new PgSync(pg, "\"update_method\": {\"replication_slot\": \"pos_slot\", \"publication\": "
                + "\"pos_pub\", \"initial_wait_time\": 2, \"create_if_missing\": true}");
        StreamId id = StreamId.of("public", "pos_t");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        sync.run(cs);
        assertThat(sync.dest.table(id)).hasSize(50);
        String lsn = sync.state().global().orElseThrow().get("lsn").asText();
        assertThat(sync.state().global().orElseThrow())
                .isEqualTo(Json.object().put("lsn", lsn).put(PositionCodec.VERSION_FIELD, 1));

        // the global state as the previous release wrote it: {"lsn": "X/Y"} alone
        State old = sync.state();
        old.setGlobal(Json.object().put("lsn", lsn));
        pg.execute("INSERT INTO pos_t VALUES (51, 'new')", "UPDATE pos_t SET name = 'renamed' WHERE id = 1",
                "DELETE FROM pos_t WHERE id = 2");
        sync.run(cs);

        assertThat(sync.dest.table(id)).hasSize(50).containsKey("51").doesNotContainKey("2");
        assertThat(sync.dest.table(id).get("1").value("name")).isEqualTo("renamed");
        // only the three changes were read again: no backfill, nothing before the saved LSN
        assertThat(sync.dest.records(id)).hasSize(53);
        String now = sync.state().global().orElseThrow().get("lsn").asText();
        assertThat(LogSequenceNumber.valueOf(now).asLong()).isGreaterThan(LogSequenceNumber.valueOf(lsn).asLong());
        assertThat(sync.state().global().orElseThrow().get(PositionCodec.VERSION_FIELD).asInt()).isEqualTo(1);
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                        + "WHERE slot_name = 'pos_slot'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(now);
        }
    }
}
