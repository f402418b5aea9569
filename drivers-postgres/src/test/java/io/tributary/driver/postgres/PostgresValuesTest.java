package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeColumn;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueException;
import io.tributary.writer.Record;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every value of PostgreSQL's edge-value matrix ({@link PostgresEdgeValues}) reaches the destination as the README's
 * type table says, through the binary COPY backfill, the {@code select} backfill and pgoutput CDC (insert and
 * update) alike; a value the driver cannot read stops the sync with a {@link ValueException} naming stream, column,
 * key and value, and moves neither the slot nor the state.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresValuesTest {
    static TestingPostgres pg;

    private static final String CDC = "\"update_method\": {\"replication_slot\": \"%s\", \"publication\": \"%s\", "
            + "\"initial_wait_time\": 2, \"create_if_missing\": true}";

    @Test
    void everyEdgeValueIsExactThroughBinaryCopySelectAndCdc() {
        List<EdgeColumn> columns = PostgresEdgeValues.columns();
        PgServer server = PgServer.of(pg); // a view; PerClassPostgres stops the server
        StreamId id = PostgresEdgeValues.createTable(server, "edge_values", columns);
        int rows = PostgresEdgeValues.rows(columns);
        for (int k = 0; k < rows; k++) {
            PostgresEdgeValues.insert(server, id, k, 0, PostgresEdgeValues.row(columns, k));
        }

        List<String> diffs = new ArrayList<>();
        for (String read : List.of("binary_copy", "select")) {
            PgSync sync = new PgSync(pg, "\"chunk_size\": 4, \"backfill_read\": \"" + read + "\"");
            Stream discovered = sync.discover(id);
            for (EdgeColumn c : columns) {
                DataType type = discovered.schema().field(c.name()).orElseThrow().type();
                if (type != c.expectedType() && read.equals("select")) {
                    diffs.add("discover: " + c.name() + " is " + type + ", expected " + c.expectedType());
                }
            }
            // numeric(p,s) is decimal(p,s) (through a domain too); a scale outside 0..p has no decimal(p,s) in the
            // writers: unconstrained, the values keep PostgreSQL's scale
            assertThat(List.of("c_numeric", "c_numeric_65_30", "c_numeric_10_2", "c_numeric_neg_scale",
                    "c_numeric_3_5", "c_domain_numeric").stream().map(c -> discovered.schema().field(c).orElseThrow())
                    .map(f -> f.name() + " " + f.precision() + "," + f.scale()))
                    .containsExactly("c_numeric 0,0", "c_numeric_65_30 65,30", "c_numeric_10_2 10,2",
                            "c_numeric_neg_scale 0,0", "c_numeric_3_5 0,0", "c_domain_numeric 10,2");
            sync.run(sync.stream(id, SyncMode.FULL_REFRESH));
            compare(read, byId(sync.dest.records(id), OpType.READ, 0), columns, rows, diffs);
        }

        // CDC: the matrix inserted again under new keys after a first CDC run (whose backfill is compared too),
        // then every row updated (unchanged TOAST values are looked up by key)
        PgSync cdc = new PgSync(pg, "\"chunk_size\": 4, " + CDC.formatted("edge_values", "edge_values"));
        ConfiguredStream cs = cdc.stream(id, SyncMode.CDC);
        cdc.run(cs);
        compare("CDC backfill", byId(cdc.dest.records(id), OpType.READ, 0), columns, rows, diffs);
        for (int k = 0; k < rows; k++) {
            PostgresEdgeValues.insert(server, id, 1_000 + k, 0, PostgresEdgeValues.row(columns, k));
        }
        cdc.run(cs);
        compare("CDC insert", byId(cdc.dest.records(id), OpType.CREATE, 1_000), columns, rows, diffs);
        for (int k = 0; k < rows; k++) {
            PostgresEdgeValues.updateTag(server, id, 1_000 + k, 1);
            PostgresEdgeValues.updateTag(server, id, k, 1);
        }
        cdc.run(cs);
        Map<Long, Record> updates = byId(cdc.dest.records(id), OpType.UPDATE, 0);
        Map<Long, Record> updatedInserts = byId(cdc.dest.records(id), OpType.UPDATE, 1_000);
        compare("CDC update of a backfilled row", updates, columns, rows, diffs);
        compare("CDC update of a CDC-inserted row", updatedInserts, columns, rows, diffs);
        assertThat(diffs).as("values differing from the expected ones").isEmpty();
    }

    @Test
    void aValueTheDriverCannotReadNamesStreamColumnKeyAndValueAndMovesNeitherSlotNorState() {
        pg.execute("CREATE TABLE bad_value (id bigint PRIMARY KEY, t time, n text)",
                "INSERT INTO bad_value VALUES (1, '10:00:00', 'fine')");
        StreamId id = StreamId.of("public", "bad_value");
        PgSync sync = new PgSync(pg, CDC.formatted("bad_slot", "bad_pub"));
        // a catalog discovered by an older version, which mapped time to TIME: '24:00:00' has no LocalTime
        ConfiguredStream cs = oldCatalog(sync.stream(id, SyncMode.CDC));
        sync.run(cs);
        assertThat(sync.dest.records(id)).extracting(r -> r.value("t")).containsExactly(java.time.LocalTime.of(10, 0));
        String state = sync.state().toJson().toString();
        String lsn = confirmedFlushLsn("bad_slot");

        pg.execute("INSERT INTO bad_value VALUES (2, '24:00:00', 'bad')", "INSERT INTO bad_value VALUES (3, NULL, 'x')");
        Throwable cdcFailure = catchThrowable(() -> sync.run(cs));
        assertValueException(cdcFailure, "2");
        assertThat(sync.state().toJson().toString()).as("state after the failed change").isEqualTo(state);
        assertThat(confirmedFlushLsn("bad_slot")).as("the slot's confirmed_flush_lsn").isEqualTo(lsn);
        assertThat(sync.dest.records(id)).as("nothing after the failed change was written").hasSize(1);

        // the backfill, both ways, fails the same way at once (not retried as a transient failure)
        for (String read : List.of("binary_copy", "select")) {
            PgSync fill = new PgSync(pg, "\"backfill_read\": \"" + read + "\", \"retry_count\": 0");
            Throwable failure = catchThrowable(() -> fill.run(oldCatalog(fill.stream(id, SyncMode.FULL_REFRESH))));
            assertValueException(failure, "2");
        }
    }

    @Test
    void incrementalCursorsAtInfinityNaNAnd24HoursAreComparedAsSuch() {
        pg.execute("CREATE TABLE inf_cursor (id bigint PRIMARY KEY, at timestamptz, d date, n numeric, tm time)",
                "INSERT INTO inf_cursor VALUES (1, '2020-01-01 00:00:00+00', '2020-01-01', 1, '10:00'), "
                        + "(2, 'infinity', 'infinity', 'NaN', '24:00:00'), "
                        + "(3, '-infinity', '-infinity', '-Infinity', '00:00')");
        StreamId id = StreamId.of("public", "inf_cursor");
        for (String cursor : List.of("at", "d", "n", "tm")) {
            PgSync sync = new PgSync(pg, "");
            ConfiguredStream cs = sync.stream(id, SyncMode.INCREMENTAL).withCursorField(cursor);
            sync.run(cs);
            assertThat(sync.dest.table(id).values()).extracting(r -> r.value("id")).as(cursor)
                    .containsExactlyInAnyOrder(1L, 2L, 3L);
            int before = sync.dest.records(id).size();
            pg.execute("INSERT INTO inf_cursor VALUES (4, NULL, NULL, NULL, NULL)");
            sync.run(cs); // the cursor is 'infinity': the rows at it are read again, no other old row
            List<Record> again = sync.dest.records(id).subList(before, sync.dest.records(id).size());
            assertThat(again).extracting(r -> r.value("id")).as(cursor).contains(2L).doesNotContain(1L, 3L);
            pg.execute("DELETE FROM inf_cursor WHERE id = 4");
        }
    }

    @Test
    void unchangedToastValuesAreLookedUpByKeysOfEveryType() {
        String big = "(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 2000) g)";
        pg.execute("CREATE TABLE toast_keys (u uuid, t timestamp, d date, n numeric, tag int, big text, "
                        + "PRIMARY KEY (u, t, d, n))",
                "INSERT INTO toast_keys VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '0001-12-31 23:59:59.5 BC', "
                        + "'infinity', 0.10, 0, " + big + ")");
        StreamId id = StreamId.of("public", "toast_keys");
        PgSync sync = new PgSync(pg, CDC.formatted("toast_slot", "toast_pub"));
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        sync.run(cs);
        pg.execute("UPDATE toast_keys SET tag = 1");
        sync.run(cs);
        List<Record> updates = sync.dest.records(id).stream().filter(r -> r.op() == OpType.UPDATE).toList();
        assertThat(updates).hasSize(1);
        assertThat(updates.get(0).value("tag")).isEqualTo(1);
        assertThat((String) updates.get(0).value("big")).as("the unchanged TOAST value").hasSize(64_000)
                .isEqualTo(sync.dest.records(id).get(0).value("big"));
    }

    @Test
    void theServersAndTheUsersSessionDefaultsDoNotChangeValues() {
        pg.execute("CREATE TABLE settings_t (id bigint PRIMARY KEY, b bytea, d date, ts timestamptz, iv interval)",
                "INSERT INTO settings_t VALUES (1, '\\x00ff', '0044-03-15 BC', '2024-02-29 13:45:12.5+05:30', "
                        + "'1 day 02:00:00')",
                "ALTER DATABASE postgres SET bytea_output = 'escape'",
                "ALTER DATABASE postgres SET TimeZone = 'America/Bahia_Banderas'");
        try {
            StreamId id = StreamId.of("public", "settings_t");
            String userOptions = "\"jdbc_url_params\": {\"options\": \"-c DateStyle=German,DMY "
                    + "-c IntervalStyle=sql_standard\"}";
            for (String read : List.of("binary_copy", "select")) {
                PgSync sync = new PgSync(pg, userOptions + ", \"backfill_read\": \"" + read + "\", "
                        + CDC.formatted("settings_" + read, "settings_" + read));
                ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
                sync.run(cs);
                pg.execute("INSERT INTO settings_t SELECT id + 1000, b, d, ts, iv FROM settings_t WHERE id = 1");
                sync.run(cs);
                pg.execute("DELETE FROM settings_t WHERE id = 1001");
                for (Record r : sync.dest.records(id)) {
                    assertThat((byte[]) r.value("b")).as("%s %s", read, r).containsExactly(0x00, 0xff);
                    assertThat(r.value("d")).as("%s %s", read, r).isEqualTo(java.time.LocalDate.of(-43, 3, 15));
                    assertThat(r.value("ts")).as("%s %s", read, r)
                            .isEqualTo(java.time.Instant.parse("2024-02-29T08:15:12.500Z"));
                    assertThat(r.value("iv")).as("%s %s", read, r).isEqualTo("1 day 02:00:00");
                }
                assertThat(sync.dest.records(id)).extracting(Record::op).contains(OpType.READ, OpType.CREATE);
            }
        } finally {
            pg.execute("ALTER DATABASE postgres RESET bytea_output", "ALTER DATABASE postgres RESET TimeZone");
        }
    }

    private static ConfiguredStream oldCatalog(ConfiguredStream cs) {
        List<Field> fields = new ArrayList<>(cs.schema().fields());
        fields.replaceAll(f -> f.name().equals("t") ? Field.of("t", DataType.TIME, true) : f);
        return cs.withStream(cs.stream().withSchema(new Schema(fields)));
    }

    private static void assertValueException(Throwable failure, String key) {
        assertThat(failure).as("the sync fails").isNotNull();
        Throwable t = failure;
        while (t != null && !(t instanceof ValueException)) {
            t = t.getCause();
        }
        assertThat(t).as("a ValueException in %s", failure).isInstanceOf(ValueException.class);
        ValueException v = (ValueException) t;
        assertThat(v.stream()).contains("public.bad_value");
        assertThat(v.column()).isEqualTo("t");
        assertThat(v.key()).contains(key);
        assertThat(v.value()).isEqualTo("24:00:00");
        assertThat(v.getMessage()).contains("public.bad_value", "column t", "key " + key, "'24:00:00'", "run discover again", "the source driver cannot read this value");
    }

    private static String confirmedFlushLsn(String slot) {
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                        + "WHERE slot_name = '" + slot + "'")) {
            assertThat(rs.next()).as("slot %s exists", slot).isTrue();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The last record of each id in {@code [offset, offset + 1000)} with operation {@code op}, by id − offset. */
    private static Map<Long, Record> byId(List<Record> records, OpType op, long offset) {
        Map<Long, Record> out = new HashMap<>();
        for (Record r : records) {
            long id = (Long) r.value("id");
            if (r.op() == op && id >= offset && id < offset + 1_000) {
                out.put(id - offset, r);
            }
        }
        return out;
    }

    private static void compare(String path, Map<Long, Record> got, List<EdgeColumn> columns, int rows,
            List<String> diffs) {
        assertThat(got).as("%s: rows", path).hasSize(rows);
        for (int k = 0; k < rows; k++) {
            Record r = got.get((long) k);
            for (EdgeColumn c : columns) {
                Object want = PostgresEdgeValues.expected(c, k);
                Object have = r.value(c.name());
                boolean same = want instanceof byte[] w && have instanceof byte[] h ? Arrays.equals(w, h)
                        : Objects.equals(want, have);
                if (!same) {
                    diffs.add(path + ": " + c.name() + " " + PostgresEdgeValues.label(c, k) + ": expected "
                            + show(want) + " but was " + show(have));
                }
            }
        }
    }

    private static String show(Object v) {
        if (v == null) {
            return "NULL";
        }
        String s = v instanceof byte[] b ? "byte[" + b.length + "]" : v.toString();
        s = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return s + " (" + v.getClass().getSimpleName() + ")";
    }
}
