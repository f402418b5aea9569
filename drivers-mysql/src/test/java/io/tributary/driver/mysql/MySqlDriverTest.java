package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The MySQL driver on MariaDB; {@link MySql8DriverTest} runs the same tests on MySQL 8. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlDriverTest {
    private TestingMySqlServer db;

    /** Starts a server with the given {@code binlog_format}, or skips the test class when it cannot run here. */
    TestingMySqlServer newServer(String binlogFormat) {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        return new TestingMariaDb(binlogFormat);
    }

    @BeforeAll
    void start() {
        db = newServer("ROW");
    }

    @AfterAll
    void stop() {
        if (db != null) {
            db.close();
        }
    }

    private DriverInterface driver() {
        return Drivers.configured("mysql", Json.parse(MySqlConformanceTest.config(db, TestingMySqlServer.ADMIN_USER,
                TestingMySqlServer.ADMIN_PASSWORD, true)), "source.json");
    }

    @Test
    void typesRoundTripThroughBackfillAndTheBinlogAlike() {
        db.execute("""
                CREATE TABLE shop.types_t (id int PRIMARY KEY, flag tinyint(1), ti tinyint, ui int unsigned,
                  big bigint, ubig bigint unsigned, d decimal(20,6), f float, dbl double, s varchar(50), t text,
                  e enum('red','green'), st set('a','b','c'), j json, bin varbinary(8), dt date,
                  dtm datetime(6), ts timestamp(3) NULL, y year)""");
        String values = "(%d, 1, -5, 4294967295, -9223372036854775808, 18446744073709551615, 12345678901234.123456,"
                + " 1.5, 2.25, 'ünï ✓', 'long text', 'green', 'a,c', '{\"k\": [1, 2]}', x'00ff10', '2024-02-29',"
                + " '2024-02-29 13:45:12.654321', '2024-02-29 08:15:12.123', 2026)";
        db.execute("INSERT INTO shop.types_t VALUES " + values.formatted(1));
        State state = State.inMemory();
        MemoryDestination dest = new MemoryDestination();
        StreamId id = StreamId.of("shop", "types_t");
        Stream s = discover(state, id);
        assertThat(s.schema().field("flag").orElseThrow().type()).isEqualTo(DataType.BOOLEAN);
        assertThat(s.schema().field("ui").orElseThrow().type()).isEqualTo(DataType.INT64);
        assertThat(s.schema().field("ubig").orElseThrow().type()).isEqualTo(DataType.DECIMAL);
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        run(state, dest, cs);
        db.execute("INSERT INTO shop.types_t VALUES " + values.formatted(2));
        run(state, dest, cs);
        List<Record> rows = dest.records(id);
        assertThat(rows).hasSize(2);
        Record b = rows.get(0);
        assertThat(b.value("flag")).isEqualTo(true);
        assertThat(b.value("ui")).isEqualTo(4294967295L);
        assertThat(b.value("ubig")).isEqualTo(new BigDecimal("18446744073709551615"));
        assertThat(b.value("big")).isEqualTo(Long.MIN_VALUE);
        assertThat(b.value("d")).isEqualTo(new BigDecimal("12345678901234.123456"));
        assertThat(b.value("s")).isEqualTo("ünï ✓");
        assertThat(b.value("e")).isEqualTo("green");
        assertThat(b.value("st")).isEqualTo("a,c");
        assertThat((byte[]) b.value("bin")).containsExactly(0, 0xff, 0x10);
        assertThat(b.value("dt")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(b.value("dtm")).isEqualTo(Instant.parse("2024-02-29T13:45:12.654321Z"));
        assertThat(b.value("ts")).isEqualTo(Instant.parse("2024-02-29T08:15:12.123Z"));
        Record c = rows.get(1);
        for (String col : s.schema().names()) {
            if (col.equals("id")) {
                continue;
            }
            if (b.value(col) instanceof byte[] x) {
                assertThat((byte[]) c.value(col)).as(col).containsExactly(x);
            } else {
                assertThat(c.value(col)).as(col).isEqualTo(b.value(col));
            }
        }
        assertThat(c.value("j")).as("the binlog's JSON is the server's text, as the backfill reads it")
                .isEqualTo(b.value("j"));
    }

    /**
     * XA transactions: their changes arrive at XA COMMIT (two-phase or one-phase), never when only prepared, and a
     * prepared transaction rolled back later never arrives. While one is prepared the saved position stays before it.
     */
    @Test
    void xaTransactionsArriveAtTheirCommitAndNeverWhenRolledBack() throws Exception {
        db.execute("CREATE TABLE shop.xa_t (id int PRIMARY KEY, v varchar(20))", "INSERT INTO shop.xa_t VALUES (1, 'one')");
        State state = State.inMemory();
        MemoryDestination dest = new MemoryDestination();
        StreamId id = StreamId.of("shop", "xa_t");
        Stream s = discover(state, id);
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        run(state, dest, cs);
        assertThat(values(dest, id)).containsExactly(entry("1", "one"));
        try (java.sql.Connection keep = db.connection(); java.sql.Connection drop = db.connection();
                java.sql.Statement k = keep.createStatement(); java.sql.Statement r = drop.createStatement()) {
            MySqlCdc.Position before;
            try (java.sql.Statement st = keep.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                before = new MySqlCdc.Position(rs.getString(1), rs.getLong(2));
            }
            k.execute("XA START 'keep'");
            k.execute("INSERT INTO shop.xa_t VALUES (2, 'two')");
            k.execute("UPDATE shop.xa_t SET v = 'uno' WHERE id = 1");
            k.execute("XA END 'keep'");
            k.execute("XA PREPARE 'keep'");
            r.execute("XA START 'drop', 'b', 7");
            r.execute("INSERT INTO shop.xa_t VALUES (3, 'three')");
            r.execute("XA END 'drop', 'b', 7");
            r.execute("XA PREPARE 'drop', 'b', 7");
            db.execute("INSERT INTO shop.xa_t VALUES (4, 'four')");

            run(state, dest, cs); // both prepared: neither arrives, and the position stays before them
            assertThat(values(dest, id)).containsExactlyInAnyOrderEntriesOf(Map.of("1", "one", "4", "four"));
            assertThat(MySqlCdc.Position.fromJson(state.global().orElseThrow())).isEqualTo(before);

            k.execute("XA COMMIT 'keep'");
            r.execute("XA ROLLBACK 'drop', 'b', 7");
            k.execute("XA START X'6f6e65'"); // 'one', spelt in hex
            k.execute("INSERT INTO shop.xa_t VALUES (5, 'five')");
            k.execute("XA END 'one'");
            k.execute("XA COMMIT 'one' ONE PHASE");
        }
        run(state, dest, cs);
        assertThat(values(dest, id)).containsExactlyInAnyOrderEntriesOf(
                Map.of("1", "uno", "2", "two", "4", "four", "5", "five"));
        // the rolled-back insert never reached the destination, not even as a record superseded later
        assertThat(dest.records(id).stream().filter(x -> "3".equals(String.valueOf(x.value("id")))).count())
                .isZero();
        // nothing is prepared any more: the saved position is no longer held back
        try (java.sql.Connection c = db.connection(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
            rs.next();
            assertThat(MySqlCdc.Position.fromJson(state.global().orElseThrow()))
                    .isEqualTo(new MySqlCdc.Position(rs.getString(1), rs.getLong(2)));
        }
    }

    /**
     * A filter's string is compared as written: a backslash is no escape (MySQL's default {@code sql_mode} reads one
     * in a literal as an escape, so the values are bound, not written into the SQL).
     */
    @Test
    void aFilterStringWithBackslashesAndQuotesMatchesExactly() {
        db.execute("CREATE TABLE shop.filter_bs (id int PRIMARY KEY, v varchar(50))",
                "INSERT INTO shop.filter_bs VALUES (1, 'C:\\\\temp\\\\'), (2, 'C:temp'), (3, 'it''s'), (4, 'x')");
        State state = State.inMemory();
        MemoryDestination dest = new MemoryDestination();
        StreamId id = StreamId.of("shop", "filter_bs");
        ConfiguredStream cs = ConfiguredStream.of(discover(state, id))
                .withFilter("v = 'C:\\temp\\' or v = \"it's\"");
        run(state, dest, cs);
        assertThat(values(dest, id)).containsExactlyInAnyOrderEntriesOf(Map.of("1", "C:\\temp\\", "3", "it's"));
    }

    /** The rows of a nullable chunk_column's NULL keys are read by the first chunk, integer and string keys alike. */
    @Test
    void aNullableChunkColumnsNullKeysAreRead() {
        db.execute("CREATE TABLE shop.chunk_nulls (id int PRIMARY KEY, n int NULL, s varchar(20) NULL)");
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 2500; i++) {
            String v = i % 7 == 0 ? "NULL" : String.valueOf(i);
            rows.append(i == 1 ? "" : ", ").append('(').append(i).append(", ").append(v).append(", ")
                    .append(i % 7 == 0 ? "NULL" : "'k" + (10_000 + i) + "'").append(')');
        }
        db.execute("INSERT INTO shop.chunk_nulls VALUES " + rows);
        StreamId id = StreamId.of("shop", "chunk_nulls");
        for (String column : List.of("n", "s")) {
            State state = State.inMemory();
            MemoryDestination dest = new MemoryDestination();
            ConfiguredStream all = ConfiguredStream.of(discover(state, id));
            ConfiguredStream cs = new ConfiguredStream(all.stream(), all.selectedColumns(), all.syncNewColumns(),
                    all.filter(), java.util.Optional.of(column), all.appendMode(), all.normalization(),
                    all.partitionRegex());
            run(state, dest, cs);
            assertThat(dest.table(id)).as("chunked on %s", column).hasSize(2500);
            assertThat(dest.table(id).get("14").value(column)).isNull();
        }
    }

    @Test
    void xaStatementsOfEverySpellingNameTheSameXid() {
        assertThat(MySqlCdc.Xa.parse("XA START 'a'")).isEqualTo(new MySqlCdc.Xa("START", "61,,1"));
        assertThat(MySqlCdc.Xa.parse("XA COMMIT X'61',X'',1")).isEqualTo(new MySqlCdc.Xa("COMMIT", "61,,1"));
        assertThat(MySqlCdc.Xa.parse("xa commit 'a' one phase")).isEqualTo(new MySqlCdc.Xa("COMMIT", "61,,1"));
        assertThat(MySqlCdc.Xa.parse("XA ROLLBACK 'x''y', 'b', 7"))
                .isEqualTo(new MySqlCdc.Xa("ROLLBACK", "782779,62,7"));
        assertThat(MySqlCdc.Xa.parse("XA END 0x41,0x42,3")).isEqualTo(new MySqlCdc.Xa("END", "41,42,3"));
    }

    /** A global position saved by a release before positions carried a version resumes where it says. */
    @Test
    void resumesFromAGlobalPositionSavedBeforePositionsHadAVersion() {
        db.execute("CREATE TABLE shop.pos_t (id int PRIMARY KEY, v varchar(20))", "INSERT INTO shop.pos_t VALUES (1, 'one')");
        State state = State.inMemory();
        MemoryDestination dest = new MemoryDestination();
        StreamId id = StreamId.of("shop", "pos_t");
        ConfiguredStream cs = ConfiguredStream.of(discover(state, id).withSyncMode(SyncMode.CDC));
        run(state, dest, cs);
        com.fasterxml.jackson.databind.JsonNode saved = state.global().orElseThrow();
        assertThat(saved.get(io.tributary.core.PositionCodec.VERSION_FIELD).asInt()).isEqualTo(1);
        // the form the previous release wrote: OLake's shape alone
        com.fasterxml.jackson.databind.node.ObjectNode old = saved.deepCopy();
        old.remove(io.tributary.core.PositionCodec.VERSION_FIELD);
        assertThat(old.fieldNames()).toIterable().containsExactly("server_id", "state");
        state.setGlobal(old);
        db.execute("INSERT INTO shop.pos_t VALUES (2, 'two')", "UPDATE shop.pos_t SET v = 'uno' WHERE id = 1");
        run(state, dest, cs);
        assertThat(values(dest, id)).containsExactlyInAnyOrderEntriesOf(Map.of("1", "uno", "2", "two"));
        assertThat(dest.records(id)).hasSize(3); // the backfilled row and the two changes: nothing read twice
        assertThat(state.global().orElseThrow().get("server_id").asLong()).isEqualTo(saved.get("server_id").asLong());
        assertThat(MySqlCdc.Position.fromJson(state.global().orElseThrow()))
                .isGreaterThan(MySqlCdc.Position.fromJson(saved));
    }

    @Test
    void thePositionCodecKeepsOlakesShape() {
        MySqlPosition p = new MySqlPosition(77, new MySqlCdc.Position("mysql-bin.000010", 4321));
        assertThat(MySqlPosition.CODEC.encode(p).toString()).isEqualTo(
                "{\"server_id\":77,\"state\":{\"position\":{\"name\":\"mysql-bin.000010\",\"pos\":4321}}}");
        assertThat(MySqlPosition.CODEC.decode(MySqlPosition.CODEC.encode(p), 0)).isEqualTo(p);
        assertThatThrownBy(() -> MySqlPosition.CODEC.decode(Json.parse("{\"server_id\": 77}"), 1))
                .isInstanceOf(io.tributary.types.NonRetriableException.class).hasMessageContaining("malformed");
    }

    private Stream discover(State state, StreamId id) {
        try (DriverInterface d = driver()) {
            return new AbstractDriver(d, state).discover(2).stream().filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow();
        }
    }

    private static Map<String, String> values(MemoryDestination dest, StreamId id) {
        Map<String, String> out = new java.util.HashMap<>();
        dest.table(id).forEach((k, r) -> out.put(k, String.valueOf(r.value("v"))));
        return out;
    }

    private void run(State state, MemoryDestination dest, ConfiguredStream s) {
        try (DriverInterface d = driver(); WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver a = new AbstractDriver(d, state, AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)))) {
            a.setup();
            a.read(pool, List.of(s));
        }
    }

    @Test
    void wrongSettingsAreTypedErrors() {
        assertThatThrownBy(() -> {
            try (DriverInterface d = Drivers.configured("mysql", Json.parse(MySqlConformanceTest.config(db,
                    TestingMySqlServer.APP_USER, "nope-secret", false)), "source.json")) {
                d.setup();
            }
        }).isInstanceOf(ConfigException.class).hasMessageContaining("credentials").hasMessageNotContaining("nope-secret");
        try (TestingMySqlServer statement = newServer("STATEMENT");
                DriverInterface d = Drivers.configured("mysql", Json.parse(MySqlConformanceTest.config(statement,
                        TestingMySqlServer.ADMIN_USER, TestingMySqlServer.ADMIN_PASSWORD, true)), "source.json")) {
            assertThatThrownBy(d::setup).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("binlog_format=ROW").hasMessageContaining("SET GLOBAL binlog_format");
        }
    }
}
