package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.state.State;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With {@code create_if_missing}, the slot and publication are created when a CDC sync starts, not by a discover or
 * a check, and not by a sync whose preflight fails: neither keeps WAL on the server.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresHousekeepingTest {
    static TestingPostgres pg;

    private static String cdc(String name) {
        return "\"update_method\": {\"replication_slot\": \"" + name + "\", \"publication\": \"" + name
                + "\", \"initial_wait_time\": 1, \"create_if_missing\": true}";
    }

    private static long count(String sql) throws Exception {
        try (Connection c = pg.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long slots(String name) throws Exception {
        return count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + name + "'");
    }

    private static long publications(String name) throws Exception {
        return count("SELECT count(*) FROM pg_publication WHERE pubname = '" + name + "'");
    }

    @Test
    void discoverCreatesNeitherSlotNorPublication() throws Exception {
        pg.execute("CREATE TABLE hk_disc (id int PRIMARY KEY, v text)");
        PgSync sync = new PgSync(pg, cdc("hk_disc"));
        Stream s = sync.discover(StreamId.of("public", "hk_disc"));
        assertThat(s.supportedSyncModes()).contains(SyncMode.CDC);
        assertThat(slots("hk_disc")).isZero();
        assertThat(publications("hk_disc")).isZero();
    }

    @Test
    void aSyncWhosePreflightFailsLeavesNoSlotAndNoPublication() throws Exception {
        pg.execute("CREATE TABLE hk_fail (id int PRIMARY KEY, v text)", "CREATE TABLE hk_gone (id int PRIMARY KEY)");
        PgSync sync = new PgSync(pg, cdc("hk_fail"));
        ConfiguredStream ok = sync.stream(StreamId.of("public", "hk_fail"), SyncMode.CDC);
        ConfiguredStream gone = sync.stream(StreamId.of("public", "hk_gone"), SyncMode.CDC);
        pg.execute("DROP TABLE hk_gone");
        assertThatThrownBy(() -> sync.run(ok, gone)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("hk_gone");
        assertThat(slots("hk_fail")).isZero();
        assertThat(publications("hk_fail")).isZero();
        assertThat(sync.state().global()).isEmpty();
    }

    @Test
    void aCdcSyncCreatesThePublicationWithItsTablesThenTheSlot() throws Exception {
        pg.execute("CREATE TABLE hk_ok (id int PRIMARY KEY, v text)", "INSERT INTO hk_ok VALUES (1, 'a')");
        PgSync sync = new PgSync(pg, cdc("hk_ok"));
        StreamId id = StreamId.of("public", "hk_ok");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        sync.run(cs);
        assertThat(slots("hk_ok")).isOne();
        assertThat(count("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'hk_ok' AND tablename = 'hk_ok'"))
                .isOne();
        pg.execute("INSERT INTO hk_ok VALUES (2, 'b')");
        sync.run(cs);
        assertThat(sync.dest.table(id)).containsOnlyKeys("1", "2");
        pg.execute("SELECT pg_drop_replication_slot('hk_ok')", "DROP PUBLICATION hk_ok");
    }

    @Test
    void discoverOfASchemaThatDoesNotExistIsAConfigErrorNamingIt() {
        PgSync sync = new PgSync(pg, "\"schemas\": [\"public\", \"no_such_schema\"]");
        try (DriverInterface d = sync.driver(); AbstractDriver a = new AbstractDriver(d, State.load(sync.store))) {
            a.setup();
            assertThatThrownBy(() -> a.discover(2)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("schema no_such_schema").hasMessageContaining("does not exist")
                    .hasMessageContaining("public");
        }
    }
}
