package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which tables the publication carries: a publication Tributary creates holds only the synced CDC tables (a
 * {@code FOR ALL TABLES} one would break UPDATE and DELETE on the application's keyless tables), a user's
 * publication that misses a stream's table is a config error, and partitioned tables' changes reach their stream
 * whether the publication publishes them under the partitions' names or the root's.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresPublicationTest {
    static TestingPostgres pg;

    private static String cdc(String slot, String publication, boolean create) {
        return "\"chunk_size\": 1000, \"update_method\": {\"replication_slot\": \"" + slot + "\", \"publication\": \""
                + publication + "\", \"initial_wait_time\": 1, \"create_if_missing\": " + create + "}";
    }

    private static List<String> published(String publication) {
        return query("SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = '"
                + publication + "' ORDER BY 1");
    }

    @Test
    void aCreatedPublicationHoldsOnlyTheSyncedTablesAndGrowsWithThem() {
        pg.execute("CREATE TABLE pub_a (id int PRIMARY KEY, v text)", "CREATE TABLE pub_b (id int PRIMARY KEY, v text)",
                "CREATE TABLE app_log (msg text)", "INSERT INTO app_log VALUES ('keyless, no replica identity')",
                "INSERT INTO pub_a SELECT g, 'a' || g FROM generate_series(1, 50) g",
                "INSERT INTO pub_b SELECT g, 'b' || g FROM generate_series(1, 30) g");
        PgSync sync = new PgSync(pg, cdc("pubt_slot", "pubt", true));
        StreamId a = StreamId.of("public", "pub_a");
        StreamId b = StreamId.of("public", "pub_b");
        ConfiguredStream sa = sync.stream(a, SyncMode.CDC);
        sync.run(sa);
        assertThat(published("pubt")).containsExactly("public.pub_a");
        // the application's keyless table still takes updates and deletes (FOR ALL TABLES would refuse them)
        pg.execute("UPDATE app_log SET msg = 'still writable'", "DELETE FROM app_log");

        pg.execute("UPDATE pub_a SET v = 'changed' WHERE id <= 5");
        ConfiguredStream sb = sync.stream(b, SyncMode.CDC);
        sync.run(sa, sb);
        assertThat(published("pubt")).containsExactly("public.pub_a", "public.pub_b");
        pg.execute("INSERT INTO pub_b VALUES (31, 'new')", "DELETE FROM pub_b WHERE id = 1");
        sync.run(sa, sb);
        assertThat(sync.dest.table(a)).hasSize(50);
        assertThat(sync.dest.table(a).get("3").value("v")).isEqualTo("changed");
        assertThat(sync.dest.table(b)).hasSize(30).containsKey("31").doesNotContainKey("1");
    }

    @Test
    void aUsersPublicationWithoutTheTableIsAConfigErrorNamingTheStatement() {
        pg.execute("CREATE TABLE pub_c (id int PRIMARY KEY)", "CREATE TABLE pub_d (id int PRIMARY KEY)",
                "CREATE PUBLICATION only_c FOR TABLE pub_c",
                "SELECT pg_create_logical_replication_slot('only_c_slot', 'pgoutput')");
        PgSync sync = new PgSync(pg, cdc("only_c_slot", "only_c", false));
        ConfiguredStream d = sync.stream(StreamId.of("public", "pub_d"), SyncMode.CDC);
        assertThatThrownBy(() -> sync.run(d)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("stream public.pub_d is not in publication 'only_c'")
                .hasMessageContaining("ALTER PUBLICATION \"only_c\" ADD TABLE \"public\".\"pub_d\"");
        assertThat(sync.store.load()).as("state untouched").isEmpty();
        assertThat(sync.dest.streams()).as("destination untouched").isEmpty();
        assertThat(published("only_c")).containsExactly("public.pub_c");
    }

    @Test
    void partitionChangesReachTheirStreamUnderEitherPublicationStyle() {
        for (boolean userPublication : new boolean[] {true, false}) {
            String t = userPublication ? "meas_leaf" : "meas_root";
            pg.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)",
                    "CREATE TABLE " + t + "_1 PARTITION OF " + t + " FOR VALUES FROM (MINVALUE) TO (1000)",
                    "CREATE TABLE " + t + "_2 PARTITION OF " + t + " FOR VALUES FROM (1000) TO (MAXVALUE)",
                    "INSERT INTO " + t + " SELECT g, 'v' || g FROM generate_series(1, 2000, 10) g");
            if (userPublication) {
                // PostgreSQL's default: changes published under the partitions' own names
                pg.execute("CREATE PUBLICATION " + t + "_pub FOR TABLE " + t,
                        "SELECT pg_create_logical_replication_slot('" + t + "_slot', 'pgoutput')");
            }
            PgSync sync = new PgSync(pg, cdc(t + "_slot", t + "_pub", !userPublication));
            StreamId id = StreamId.of("public", t);
            ConfiguredStream s = sync.stream(id, SyncMode.CDC);
            sync.run(s);
            assertThat(sync.dest.table(id)).as(t).hasSize(200);
            pg.execute("INSERT INTO " + t + " VALUES (5, 'new low'), (1005, 'new high')",
                    "UPDATE " + t + " SET v = 'upd' WHERE id IN (11, 1011)",
                    "DELETE FROM " + t + " WHERE id IN (21, 1021)");
            sync.run(s);
            Map<String, String> dest = new TreeMap<>();
            sync.dest.table(id).forEach((k, r) -> dest.put(k, (String) r.value("v")));
            Map<String, String> source = new TreeMap<>();
            for (String row : query("SELECT id || '=' || v FROM " + t)) {
                source.put(row.substring(0, row.indexOf('=')), row.substring(row.indexOf('=') + 1));
            }
            assertThat(dest).as(t).isEqualTo(source).containsEntry("1005", "new high").containsEntry("11", "upd")
                    .doesNotContainKey("1021");
            List<Record> changes = sync.dest.records(id).subList(200, sync.dest.records(id).size());
            assertThat(changes).as(t + ": every change once").hasSize(6);
        }
    }

    private static List<String> query(String sql) {
        try (Connection c = pg.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
