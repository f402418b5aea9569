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
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The binary COPY backfill ({@code backfill_read: binary_copy}, the default) reads every value exactly as the JDBC
 * cursor ({@code select}) and the change log (pgoutput text) read it, edge values and NULLs included.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresBinaryCopyTest {
    static TestingPostgres pg;

    @Test
    void copySelectAndCdcReadEveryTypeAndEdgeValueAlike() {
        pg.execute("CREATE TYPE mood2 AS ENUM ('sad', 'happy')",
                "CREATE DOMAIN short_text AS varchar(20)",
                """
                CREATE TABLE edge_t (id int PRIMARY KEY, s smallint, i integer, b bigint, n numeric, n2 numeric(30,5),
                  r real, d double precision, t text, c char(4), st short_text, bo boolean, dt date, tm time,
                  ts timestamp, tstz timestamptz, by bytea, u uuid, j json, jb jsonb, arr text[], e mood2,
                  iv interval, m money, ip inet)""",
                """
                INSERT INTO edge_t VALUES
                 (1, 0, 0, 0, 0, 0, 0, 0, '', '', '', false, '2000-01-01', '00:00', '2000-01-01 00:00',
                  '2000-01-01 00:00+00', '', '00000000-0000-0000-0000-000000000000', '{}', '{}', '{}', 'sad',
                  '0', 0, '::1'),
                 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                 (3, 32767, -2147483648, 9223372036854775807, 'NaN', -99999999999999999999999.99999, 'Infinity',
                  '-Infinity', 'tab\tnew\nline "quoted" \\ back ✓ 𝄞', 'x', 'dom', true, 'infinity', '23:59:59.999999',
                  'infinity', '-infinity', '\\x00', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '[1, "a", null]',
                  '{"k": "\\u00e9 ✓", "n": 1.50}', '{"a,b", NULL, "c\\"d"}', 'happy', '-1 year 2 mons -3 days 04:05:06.7',
                  -12.34, '10.0.0.0/8'),
                 (4, -1, 1, -1, -0.000000000000000000000000000001, 0.00001, 1.17549435e-38, 4.9e-324,
                  repeat('long text ', 500), 'abcd', '', false, '1999-12-31', '12:00:00.000001',
                  '1999-12-31 23:59:59.999999', '1900-01-01 00:00:00.000001+00', decode(repeat('ab', 5000), 'hex'),
                  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'null', 'null', '{}', 'sad', '1 day', 0.01, '2001:db8::1'),
                 (5, 1, 1, 1, 123456789012345678901234567890.123456789, 1234567890123456789012345.12345, 3.4028235e38,
                  1.7976931348623157e308, 'ascii', 'ab', 'z', true, '0001-01-01', '00:00:00.000001',
                  '0001-01-01 00:00:00', '2262-04-11 23:47:16.854775+00', '\\xdeadbeef',
                  '00000000-0000-0000-0000-000000000001', '"s"', '"s"', '{x}', 'happy', '1 mon', 1000000.5,
                  '127.0.0.1'),
                 (6, 2, 2, 2, -1e-10, -0.5, -0.0, 1e100, ' ', ' ', ' ', true, '1970-01-01', '01:02:03',
                  '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', '\\x', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '1',
                  '1', '{}', 'sad', '00:00:00.000001', -0.01, '0.0.0.0'),
                 (7, 3, 3, 3, 10000, 10000, 1, 1, 'x', 'x', 'x', true, '2024-02-29', '13:45:12', '2024-02-29 13:45:12',
                  '2024-02-29 13:45:12+05:30', '\\x01', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', '2', '2', '{}', 'sad',
                  '1 day', 1, '1.2.3.4'),
                 (8, 4, 4, 4, 1e30, 1e20, 1, 1, 'y', 'y', 'y', true, '2024-02-29', '13:45:12', '2024-02-29 13:45:12',
                  '2024-02-29 13:45:12+05:30', '\\x01', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a14', '2', '2', '{}', 'sad',
                  '1 day', 1, '1.2.3.4')""");
        StreamId id = StreamId.of("public", "edge_t");
        Map<Integer, Record> copy = backfill(id, "binary_copy", "edge_copy");
        Map<Integer, Record> select = backfill(id, "select", "edge_select");
        assertThat(copy).hasSize(8);
        assertSameValues(copy, select, 0);

        Record r3 = copy.get(3);
        assertThat(r3.value("n")).as("NaN: the special's text").isEqualTo("NaN");
        assertThat(r3.value("n2")).isEqualTo(new BigDecimal("-99999999999999999999999.99999"));
        assertThat(r3.value("r")).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(r3.value("t")).isEqualTo("tab\tnew\nline \"quoted\" \\ back ✓ 𝄞");
        assertThat(r3.value("dt")).as("date infinity").isEqualTo(LocalDate.ofEpochDay(Integer.MAX_VALUE));
        assertThat(r3.value("ts")).as("timestamp infinity").isEqualTo(PostgresEdgeValues.TS_INFINITY);
        assertThat(r3.value("tstz")).as("timestamptz -infinity").isEqualTo(PostgresEdgeValues.TS_MINUS_INFINITY);
        assertThat(r3.value("u")).isEqualTo("ffffffff-ffff-ffff-ffff-ffffffffffff");
        assertThat(r3.value("arr")).isEqualTo("{\"a,b\",NULL,\"c\\\"d\"}");
        assertThat(copy.get(4).value("n")).isEqualTo(new BigDecimal("-0.000000000000000000000000000001"));
        assertThat(copy.get(4).value("tstz")).isEqualTo(Instant.parse("1900-01-01T00:00:00.000001Z"));
        assertThat(((byte[]) copy.get(4).value("by")).length).isEqualTo(5000);
        assertThat(copy.get(5).value("n")).isEqualTo(new BigDecimal("123456789012345678901234567890.123456789"));
        assertThat(copy.get(5).value("ts")).isEqualTo(Instant.parse("0001-01-01T00:00:00Z"));
        assertThat(copy.get(6).value("c")).isEqualTo("    ");
        assertThat(copy.get(7).value("n")).isEqualTo(new BigDecimal("10000"));
        assertThat(copy.get(8).value("n")).isEqualTo(new BigDecimal("1000000000000000000000000000000"));
        assertThat(copy.get(8).value("n2")).isEqualTo(new BigDecimal("100000000000000000000.00000"));
        Record nulls = copy.get(2);
        assertThat(nulls.schema().names().stream().filter(c -> !c.equals("id")).map(nulls::value))
                .as("row of NULLs").hasSize(24).containsOnlyNulls();

        // the same rows through the change log: every value equal to what the binary COPY read
        PgSync cdc = new PgSync(pg, "\"chunk_size\": 3, \"update_method\": {\"replication_slot\": \"edge_slot\", "
                + "\"publication\": \"edge_slot\", \"initial_wait_time\": 2, \"create_if_missing\": true}");
        ConfiguredStream cs = cdc.stream(id, SyncMode.CDC);
        cdc.run(cs);
        pg.execute("INSERT INTO edge_t SELECT id + 100, s, i, b, n, n2, r, d, t, c, st, bo, dt, tm, ts, tstz, by, u, j, "
                + "jb, arr, e, iv, m, ip FROM edge_t WHERE id <= 8");
        cdc.run(cs);
        Map<Integer, Record> changes = new HashMap<>();
        for (Record r : cdc.dest.records(id)) {
            if ((Integer) r.value("id") > 100) {
                changes.put((Integer) r.value("id") - 100, r);
            }
        }
        assertThat(changes).hasSize(8);
        assertSameValues(copy, changes, 100);
    }

    @Test
    void randomNumericsOfEveryScaleAndMagnitudeDecodeExactly() {
        pg.execute("CREATE TABLE num_t (id int PRIMARY KEY, n numeric, p numeric(38,9))",
                "SELECT setseed(0.42)",
                """
                INSERT INTO num_t SELECT g,
                  round(((random() - 0.5) * 10 ^ (g % 60 - 25))::numeric, g % 31),
                  round(((random() - 0.5) * 10 ^ (g % 29))::numeric, 9)
                FROM generate_series(1, 6000) g""",
                "INSERT INTO num_t VALUES (0, 0.000, 0), (-1, -9999.9999, -0.000000001), (-2, 1e-200, NULL)");
        StreamId id = StreamId.of("public", "num_t");
        Map<Integer, Record> copy = backfill(id, "binary_copy", "num_copy");
        Map<Integer, Record> select = backfill(id, "select", "num_select");
        assertThat(copy).hasSize(6003);
        assertSameValues(copy, select, 0);
        // and against the server's own text form, scale included
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, n::text, p::text FROM num_t")) {
            int checked = 0;
            while (rs.next()) {
                Record r = copy.get(rs.getInt(1));
                assertThat(r.value("n")).as("id %d", rs.getInt(1)).isEqualTo(new BigDecimal(rs.getString(2)));
                assertThat(r.value("p")).as("id %d", rs.getInt(1))
                        .isEqualTo(rs.getString(3) == null ? null : new BigDecimal(rs.getString(3)));
                checked++;
            }
            assertThat(checked).isEqualTo(6003);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void integerKeyChunksOfAPartitionedTableAreReadWithInlineBounds() {
        pg.execute("CREATE TABLE part_t (id bigint PRIMARY KEY, v text) PARTITION BY RANGE (id)",
                "CREATE TABLE part_t_1 PARTITION OF part_t FOR VALUES FROM (MINVALUE) TO (5000)",
                "CREATE TABLE part_t_2 PARTITION OF part_t FOR VALUES FROM (5000) TO (MAXVALUE)",
                "INSERT INTO part_t SELECT g, 'v' || g FROM generate_series(1, 12000) g");
        StreamId id = StreamId.of("public", "part_t");
        PgSync sync = new PgSync(pg, "\"chunk_size\": 1000");
        sync.run(sync.stream(id, SyncMode.FULL_REFRESH));
        List<Record> rows = sync.dest.records(id);
        assertThat(rows).hasSize(12000);
        assertThat(rows.stream().map(r -> (Long) r.value("id")).distinct().count()).isEqualTo(12000);
        assertThat(rows.stream().mapToLong(r -> (Long) r.value("id")).sum()).isEqualTo(12000L * 12001 / 2);
    }

    @Test
    void unknownBackfillReadIsAConfigError() {
        assertThatThrownBy(() -> new PgSync(pg, "\"backfill_read\": \"csv\"").driver())
                .isInstanceOf(ConfigException.class).hasMessageContaining("backfill_read")
                .hasMessageContaining("binary_copy");
    }

    private static Map<Integer, Record> backfill(StreamId id, String read, String name) {
        PgSync sync = new PgSync(pg, "\"chunk_size\": 2000, \"backfill_read\": \"" + read + "\"");
        sync.run(sync.stream(id, SyncMode.FULL_REFRESH));
        Map<Integer, Record> byId = new HashMap<>();
        for (Record r : sync.dest.records(id)) {
            assertThat(byId.put((Integer) r.value("id"), r)).as("%s: id %s twice", name, r.value("id")).isNull();
        }
        return byId;
    }

    private static void assertSameValues(Map<Integer, Record> expected, Map<Integer, Record> actual, int offset) {
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<Integer, Record> e : expected.entrySet()) {
            Record a = actual.get(e.getKey());
            assertThat(a).as("row %d", e.getKey()).isNotNull();
            for (String col : e.getValue().schema().names()) {
                Object x = e.getValue().value(col);
                Object y = a.value(col);
                if (col.equals("id")) {
                    continue;
                }
                boolean same = x instanceof byte[] bx && y instanceof byte[] by ? Arrays.equals(bx, by)
                        : Objects.equals(x, y);
                if (!same && diffs.size() < 20) {
                    diffs.add("id " + e.getKey() + " column " + col + ": " + x + " vs " + y);
                }
            }
        }
        assertThat(diffs).as("values differing (offset %d)", offset).isEmpty();
    }
}
