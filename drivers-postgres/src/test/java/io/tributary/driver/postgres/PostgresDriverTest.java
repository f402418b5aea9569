package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PerClassPostgres.class)
class PostgresDriverTest {
    static TestingPostgres pg;

    private static String cdcConfig(String slot) {
        return "\"chunk_size\": 2000, \"update_method\": {\"replication_slot\": \"" + slot + "\", \"publication\": \""
                + slot + "\", \"initial_wait_time\": 2, \"create_if_missing\": true}";
    }

    @Test
    void everyTypeRoundTripsWithExactValuesThroughBackfillAndCdc() throws Exception {
        pg.execute("CREATE TYPE mood AS ENUM ('sad', 'happy')",
                "CREATE DOMAIN positive AS integer CHECK (VALUE > 0)",
                """
                CREATE TABLE types_t (id int PRIMARY KEY, s smallint, i integer, b bigint, n numeric(12,3),
                  nu numeric, r real, d double precision, m money, t text, vc varchar(10), c char(3), bo boolean,
                  dt date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval, u uuid, j json,
                  jb jsonb, by bytea, arr integer[], e mood, ip inet, mac macaddr, bits bit(4), x xml, dom positive)""");
        String values = """
                (%d, -32768, 2147483647, -9223372036854775808, 123456789.125, 3.14159265358979323846264338327950288,
                 1.5, 2.718281828459045, 12.34, 'ünïcode ✓ text', 'short', 'ab', true, '2024-02-29', '13:45:12.123456',
                 '13:45:12+02', '2024-02-29 13:45:12.654321', '2024-02-29 13:45:12.654321+05:30', '1 day 02:03:04',
                 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": {"c": null}}', '\\x00ff10', '{1,2,3}',
                 'happy', '192.168.1.1/24', '08:00:2b:01:02:03', B'1010', '<a>x</a>', 7)""";
        pg.execute("INSERT INTO types_t VALUES " + values.formatted(1));
        PgSync sync = new PgSync(pg, cdcConfig("types_slot"));
        StreamId id = StreamId.of("public", "types_t");
        Stream s = sync.discover(id);
        assertThat(s.schema().field("n").orElseThrow().type()).isEqualTo(DataType.DECIMAL);
        assertThat(s.schema().field("n").orElseThrow().scale()).isEqualTo(3);
        assertThat(s.schema().field("dom").orElseThrow().type()).isEqualTo(DataType.INT32);
        assertThat(s.schema().field("jb").orElseThrow().type()).isEqualTo(DataType.JSON_OBJECT);
        assertThat(s.schema().field("by").orElseThrow().type()).isEqualTo(DataType.BINARY);
        assertThat(s.supportedSyncModes()).contains(SyncMode.CDC);
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        sync.run(cs);
        pg.execute("INSERT INTO types_t VALUES " + values.formatted(2));
        sync.run(cs);

        List<Record> records = sync.dest.records(id);
        assertThat(records).hasSize(2);
        Record backfill = records.get(0);
        Record cdc = records.get(1);
        assertThat(backfill.op()).isEqualTo(OpType.READ);
        assertThat(cdc.op()).isIn(OpType.CREATE, OpType.INSERT_OVERLAP);
        assertThat(backfill.value("s")).isEqualTo(-32768);
        assertThat(backfill.value("i")).isEqualTo(Integer.MAX_VALUE);
        assertThat(backfill.value("b")).isEqualTo(Long.MIN_VALUE);
        assertThat(backfill.value("n")).isEqualTo(new BigDecimal("123456789.125"));
        assertThat(backfill.value("nu")).isEqualTo(new BigDecimal("3.14159265358979323846264338327950288"));
        assertThat(backfill.value("r")).isEqualTo(1.5f);
        assertThat(backfill.value("d")).isEqualTo(2.718281828459045);
        assertThat(backfill.value("t")).isEqualTo("ünïcode ✓ text");
        assertThat(backfill.value("c")).isEqualTo("ab ");
        assertThat(backfill.value("bo")).isEqualTo(true);
        assertThat(backfill.value("dt")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(backfill.value("tm")).as("time: PostgreSQL's text").isEqualTo("13:45:12.123456");
        assertThat(backfill.value("ttz")).isEqualTo("13:45:12+02");
        assertThat(backfill.value("ts")).isEqualTo(Instant.parse("2024-02-29T13:45:12.654321Z"));
        assertThat(backfill.value("tstz")).isEqualTo(Instant.parse("2024-02-29T08:15:12.654321Z"));
        assertThat(backfill.value("u")).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(backfill.value("j")).isEqualTo("{\"a\": [1, 2]}");
        assertThat(backfill.value("jb")).isEqualTo("{\"b\": {\"c\": null}}");
        assertThat((byte[]) backfill.value("by")).containsExactly(0, 0xff, 0x10);
        assertThat(backfill.value("arr")).isEqualTo("{1,2,3}");
        assertThat(backfill.value("e")).isEqualTo("happy");
        assertThat(backfill.value("bits")).isEqualTo("1010");
        assertThat(backfill.value("dom")).isEqualTo(7);
        // the change log decodes every column to exactly the value the backfill read
        for (String col : s.schema().names()) {
            if (col.equals("id")) {
                continue;
            }
            Object a = backfill.value(col);
            Object b = cdc.value(col);
            if (a instanceof byte[] x) {
                assertThat((byte[]) b).as(col).containsExactly(x);
            } else {
                assertThat(b).as(col).isEqualTo(a);
            }
        }
    }

    @Test
    void aMillionRowsBackfillInParallelChunksWithCountAndChecksumOfTheSource() throws Exception {
        pg.execute("""
                CREATE TABLE big (id bigint PRIMARY KEY, v integer, amount numeric(12,2), label text, at timestamptz)""",
                """
                INSERT INTO big SELECT g, g % 1000, (g % 100000) / 100.0, 'label-' || g,
                  timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, 1000000) g""",
                "ANALYZE big");
        PgSync sync = new PgSync(pg, "\"chunk_size\": 100000, \"max_threads\": 3");
        StreamId id = StreamId.of("public", "big");
        long start = System.nanoTime();
        sync.run(sync.stream(id, SyncMode.FULL_REFRESH));
        double secs = (System.nanoTime() - start) / 1e9;
        List<Record> rows = sync.dest.records(id);
        assertThat(rows).hasSize(1_000_000);
        long sumId = 0;
        long sumV = 0;
        BigDecimal sumAmount = BigDecimal.ZERO;
        long labelHash = 0;
        long sumEpoch = 0;
        for (Record r : rows) {
            sumId += (Long) r.value("id");
            sumV += (Integer) r.value("v");
            sumAmount = sumAmount.add((BigDecimal) r.value("amount"));
            labelHash += ((String) r.value("label")).hashCode();
            sumEpoch += ((Instant) r.value("at")).getEpochSecond();
        }
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT sum(id), sum(v), sum(amount), "
                        + "sum(extract(epoch FROM at))::bigint FROM big")) {
            rs.next();
            assertThat(sumId).isEqualTo(rs.getLong(1));
            assertThat(sumV).isEqualTo(rs.getLong(2));
            assertThat(sumAmount).isEqualByComparingTo(rs.getBigDecimal(3));
            assertThat(sumEpoch).isEqualTo(rs.getLong(4));
        }
        long expectedLabels = 0;
        for (long g = 1; g <= 1_000_000; g++) {
            expectedLabels += ("label-" + g).hashCode();
        }
        assertThat(labelHash).isEqualTo(expectedLabels);
        assertThat(rows.stream().map(Record::olakeId).distinct().count()).isEqualTo(1_000_000);
        assertThat(sync.dest.committedStates(id)).hasSizeGreaterThan(3);
        System.out.printf("1M-row backfill (cursor fetch, 3 threads, into memory): %.1f s, %.0f rows/s%n", secs,
                1_000_000 / secs);
        pg.execute("DROP TABLE big");
    }

    @Test
    void backfillKilledMidwayResumesWithoutLossOrDuplicates() {
        pg.execute("CREATE TABLE resume_t (id bigint PRIMARY KEY, v text)",
                "INSERT INTO resume_t SELECT g, 'v' || g FROM generate_series(1, 50000) g", "ANALYZE resume_t");
        PgSync sync = new PgSync(pg, "\"chunk_size\": 2000, \"max_threads\": 2");
        StreamId id = StreamId.of("public", "resume_t");
        ConfiguredStream cs = sync.stream(id, SyncMode.FULL_REFRESH);
        AtomicInteger commits = new AtomicInteger();
        sync.dest.beforeCommit(m -> {
            if (commits.incrementAndGet() == 6) {
                throw new NonRetriableException("killed");
            }
        });
        assertThatThrownBy(() -> sync.run(cs)).hasMessageContaining("killed");
        int left = sync.state().chunks(id).orElseThrow().size();
        assertThat(left).isGreaterThan(0);
        sync.dest.beforeCommit(m -> { });
        sync.run(cs);
        assertThat(sync.dest.records(id)).hasSize(50_000);
        assertThat(sync.dest.records(id).stream().map(Record::olakeId).distinct().count()).isEqualTo(50_000);
    }

    @Test
    void incrementalAcrossTwoRunsWithPrimaryAndSecondaryCursor() {
        pg.execute("CREATE TABLE inc_t (id bigint PRIMARY KEY, name text, updated_at timestamptz)",
                "INSERT INTO inc_t SELECT g, 'n' || g, CASE WHEN g % 10 = 0 THEN NULL ELSE "
                        + "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute' END FROM generate_series(1, 500) g");
        PgSync sync = new PgSync(pg, "\"chunk_size\": 100");
        StreamId id = StreamId.of("public", "inc_t");
        ConfiguredStream cs = ConfiguredStream.of(sync.discover(id).withSyncMode(SyncMode.INCREMENTAL)
                .withCursorField(Optional.of("updated_at:id")));
        sync.run(cs);
        assertThat(table(sync, id)).hasSize(500);
        pg.execute("INSERT INTO inc_t VALUES (1000, 'same ts as max', timestamptz '2026-01-01 00:00:00+00' + 499 * interval '1 minute')",
                "INSERT INTO inc_t VALUES (1001, 'null ts', NULL)",
                "UPDATE inc_t SET name = 'moved', updated_at = '2027-01-01 00:00:00+00' WHERE id = 3");
        sync.run(cs);
        Map<Long, String> t = table(sync, id);
        assertThat(t).hasSize(502).containsEntry(1000L, "same ts as max").containsEntry(1001L, "null ts")
                .containsEntry(3L, "moved");
        assertThat(sync.state().streamValue(id, "updated_at").orElseThrow().asText())
                .isEqualTo("2027-01-01T00:00:00.000000000Z");
    }

    private static Map<Long, String> table(PgSync sync, StreamId id) {
        Map<Long, String> out = new TreeMap<>();
        sync.dest.table(id).values().forEach(r -> out.put((Long) r.value("id"), (String) r.value("name")));
        return out;
    }

    @Test
    void cdcCapturesInsertUpdateDeleteToastAndAddedColumns() {
        pg.execute("CREATE TABLE cdc_t (id bigint PRIMARY KEY, name text, big text)",
                "ALTER TABLE cdc_t ALTER COLUMN big SET STORAGE EXTERNAL",
                "INSERT INTO cdc_t SELECT g, 'n' || g, repeat(md5(g::text), 400) FROM generate_series(1, 100) g",
                "CREATE TABLE nokey_t (a int, b text)", "ALTER TABLE nokey_t REPLICA IDENTITY FULL",
                "INSERT INTO nokey_t VALUES (1, 'x'), (2, 'y')");
        PgSync sync = new PgSync(pg, cdcConfig("cdc_slot"));
        StreamId id = StreamId.of("public", "cdc_t");
        StreamId nokey = StreamId.of("public", "nokey_t");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        ConfiguredStream nk = sync.stream(nokey, SyncMode.CDC);
        assertThat(nk.primaryKey()).isEmpty();
        sync.run(cs, nk);
        assertThat(sync.dest.table(id)).hasSize(100);
        assertThat(sync.dest.records(nokey)).hasSize(2);

        pg.execute("INSERT INTO cdc_t VALUES (101, 'new', repeat('z', 9000))",
                "UPDATE cdc_t SET name = 'renamed' WHERE id = 5", // big is TOAST-ed and untouched
                "DELETE FROM cdc_t WHERE id = 6",
                "ALTER TABLE cdc_t ADD COLUMN extra integer",
                "UPDATE cdc_t SET extra = 42 WHERE id = 7",
                "INSERT INTO nokey_t VALUES (3, 'z')");
        sync.run(cs, nk);

        Map<String, Record> t = sync.dest.table(id);
        assertThat(t).hasSize(100).doesNotContainKey("6");
        assertThat(t.get("5").value("name")).isEqualTo("renamed");
        assertThat((String) t.get("5").value("big")).hasSize(32 * 400).startsWith("e4da3b7f"); // md5('5')
        assertThat(t.get("101").value("big")).isEqualTo("z".repeat(9000));
        assertThat(t.get("7").value("extra")).isEqualTo(42);
        assertThat(t.get("7").schema().names()).contains("extra");
        assertThat(sync.dest.records(nokey)).hasSize(3);
        List<String> ops = sync.dest.records(id).stream().filter(r -> r.cdcTimestamp() != null)
                .map(r -> r.op().code()).toList();
        assertThat(ops).hasSize(4);
        // the slot was told exactly the position saved in state, after the writers committed
        String saved = sync.state().global().orElseThrow().get("lsn").asText();
        pg.execute("SELECT 1");
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT confirmed_flush_lsn::text FROM pg_replication_slots "
                        + "WHERE slot_name = 'cdc_slot'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(saved);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void consistentSnapshotMakesEveryChunkReadTheSlotsStartPoint() {
        pg.execute("CREATE TABLE snap_t (id bigint PRIMARY KEY, v text)",
                "INSERT INTO snap_t SELECT g, 'v' || g FROM generate_series(1, 20000) g", "ANALYZE snap_t");
        PgSync sync = new PgSync(pg, "\"chunk_size\": 2000, \"max_threads\": 2, \"update_method\": "
                + "{\"replication_slot\": \"snap_slot\", \"publication\": \"snap_pub\", \"initial_wait_time\": 2, "
                + "\"create_if_missing\": true, \"consistent_snapshot\": true}");
        StreamId id = StreamId.of("public", "snap_t");
        ConfiguredStream cs = sync.stream(id, SyncMode.CDC);
        AtomicInteger commits = new AtomicInteger();
        sync.dest.beforeCommit(m -> {
            if (commits.incrementAndGet() == 1) { // changes made while the backfill runs
                pg.execute("UPDATE snap_t SET v = 'changed' WHERE id % 10 = 0", "DELETE FROM snap_t WHERE id % 10 = 1",
                        "INSERT INTO snap_t SELECT g, 'new' FROM generate_series(30001, 30100) g");
            }
        });
        sync.run(cs);
        List<Record> all = sync.dest.records(id);
        List<Record> reads = all.stream().filter(r -> r.op() == OpType.READ).toList();
        // every chunk read the snapshot of the slot's start: none saw a change made during the backfill
        assertThat(reads).hasSize(20_000).noneMatch(r -> "changed".equals(r.value("v")) || "new".equals(r.value("v")));
        // and CDC delivered each of those changes exactly once
        assertThat(all.stream().filter(r -> r.op() != OpType.READ)).hasSize(2_000 + 2_000 + 100);
        Map<String, Record> t = sync.dest.table(id);
        assertThat(t).hasSize(20_000 - 2_000 + 100);
        assertThat(t.get("10").value("v")).isEqualTo("changed");
        assertThat(t).doesNotContainKey("11").containsKey("30100");
    }

    @Test
    void badConfigsGiveTypedErrorsWithoutSecrets() {
        String wrong = "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"" + TestingPostgres.APP_USER + "\", \"password\": \"hunter2-secret\", "
                + "\"ssl\": {\"mode\": \"disable\"}}";
        assertThatThrownBy(() -> {
            try (DriverInterface d = Drivers.configured("postgres", Json.parse(wrong), "source.json")) {
                d.setup();
            }
        }).isInstanceOf(ConfigException.class).hasMessageContaining("credentials")
                .hasMessageNotContaining("hunter2-secret");

        PgSync noPublication = new PgSync(pg, "\"update_method\": {\"replication_slot\": \"s1\", "
                + "\"publication\": \"missing_pub\"}");
        assertThatThrownBy(() -> noPublication.driver().setup()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("publication 'missing_pub' does not exist").hasMessageContaining("CREATE PUBLICATION");

        assertThatThrownBy(() -> Drivers.configured("postgres", Json.parse("{\"host\": \"localhost\", "
                + "\"database\": \"x\", \"username\": \"u\", \"port\": 70000}"), "source.json"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'port'");
        assertThatThrownBy(() -> Drivers.configured("postgres", Json.parse("{\"host\": \"localhost\", "
                + "\"database\": \"x\", \"username\": \"u\", \"hots\": 1}"), "source.json"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("source.json").hasMessageContaining("'hots'");
        assertThatThrownBy(() -> {
            try (DriverInterface d = Drivers.configured("postgres", Json.parse("{\"host\": \"127.0.0.1\", \"port\": 1, "
                    + "\"database\": \"x\", \"username\": \"u\", \"password\": \"p\"}"), "source.json")) {
                d.setup();
            }
            // a refused connection is what a restart looks like: transient, retried (not "fix your config")
        }).isInstanceOf(io.tributary.types.RetriableException.class).hasMessageContaining("cannot connect");
    }

    @Test
    void walLevelReplicaIsAConfigErrorTellingWhatToRun() {
        try (TestingPostgres replica = new TestingPostgres("replica")) {
            PgSync sync = new PgSync(replica, cdcConfig("s2"));
            assertThatThrownBy(() -> sync.driver().setup()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("wal_level=logical").hasMessageContaining("ALTER SYSTEM SET wal_level");
        }
    }
}
