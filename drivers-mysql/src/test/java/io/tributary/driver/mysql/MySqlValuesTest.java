package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.testkit.conformance.ConformanceFixture.Capture;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeColumn;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeValue;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every value of the MySQL edge-value matrix ({@link MySqlEdgeValues}) through the backfill and through binlog CDC
 * (inserted after the backfill, then updated) into the in-memory destination: each equals its expected Java value on
 * both paths, so the backfill and the binlog give identical values. MariaDB here; {@link MySql8ValuesTest} on
 * MySQL 8.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlValuesTest {
    private static final long CDC_OFFSET = 1_000;
    private MySqlConformanceTest.Fixture fixture;

    /** Starts the server, or skips the class when it cannot run here. */
    TestingMySqlServer newServer() {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        return new TestingMariaDb();
    }

    @BeforeAll
    void start() {
        fixture = new MySqlConformanceTest.Fixture(newServer());
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void everyEdgeValueIsExactThroughBackfillAndBinlogAlike() {
        List<EdgeColumn> columns = fixture.edgeColumns();
        assumeThat(columns).isNotEmpty();
        StreamId id = fixture.createEdgeTable("edge_" + UUID.randomUUID().toString().substring(0, 6), columns);
        int rows = columns.stream().mapToInt(c -> c.values().size()).max().orElse(0);
        for (int r = 0; r < rows; r++) {
            fixture.insertEdgeRow(id, r + 1, 0, literals(columns, r));
        }
        InMemoryStateStore store = new InMemoryStateStore();
        MemoryDestination dest = new MemoryDestination();
        Stream s;
        try (DriverInterface d = fixture.newDriver(Capture.CDC)) {
            s = new AbstractDriver(d, State.load(store)).discover(2).stream().filter(x -> x.id().equals(id))
                    .findFirst().orElseThrow();
        }
        List<String> failures = new ArrayList<>();
        for (EdgeColumn c : columns) {
            Field f = s.schema().field(c.name()).orElseThrow();
            if (f.type() != c.expectedType()) {
                failures.add(c.name() + " " + c.declaration() + ": discovered as " + f.type() + ", expected "
                        + c.expectedType());
            }
            java.util.regex.Matcher dec = java.util.regex.Pattern.compile("decimal\\((\\d+),(\\d+)\\)")
                    .matcher(c.declaration());
            if (dec.matches() && (f.precision() != Integer.parseInt(dec.group(1))
                    || f.scale() != Integer.parseInt(dec.group(2)))) {
                failures.add(c.name() + ": discovered as " + f + ", expected " + c.declaration());
            }
        }
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        run(store, dest, cs); // backfill
        for (int r = 0; r < rows; r++) {
            fixture.insertEdgeRow(id, CDC_OFFSET + r + 1, 0, literals(columns, r));
        }
        run(store, dest, cs); // binlog inserts
        for (int r = 0; r < rows; r++) {
            fixture.updateEdgeTag(id, r + 1, 1);
        }
        run(store, dest, cs); // binlog updates (full row images)

        Map<String, Record> byPath = new LinkedHashMap<>();
        for (Record rec : dest.records(id)) {
            long key = ((Number) rec.value("id")).longValue();
            String path = rec.op() == OpType.READ ? "backfill" : rec.op() == OpType.CREATE ? "binlog insert"
                    : rec.op() == OpType.UPDATE ? "binlog update" : rec.op().toString();
            byPath.put(path + "#" + (key > CDC_OFFSET ? key - CDC_OFFSET : key), rec);
        }
        for (String path : List.of("backfill", "binlog insert", "binlog update")) {
            for (int r = 0; r < rows; r++) {
                Record rec = byPath.get(path + "#" + (r + 1));
                if (rec == null) {
                    failures.add(path + ": row " + (r + 1) + " missing");
                    continue;
                }
                for (EdgeColumn c : columns) {
                    if (r >= c.values().size()) {
                        continue;
                    }
                    EdgeValue v = c.values().get(r);
                    Object got = rec.value(c.name());
                    if (!Objects.deepEquals(got, v.expected()) || !sameClass(got, v.expected())) {
                        failures.add(path + ": " + c.name() + " " + c.declaration() + " [" + v.label() + "] "
                                + v.literal() + ": expected " + show(v.expected()) + " got " + show(got));
                    }
                }
            }
        }
        assertThat(failures).as("values that differ from the source").isEmpty();
    }

    /** Zero dates (where sql_mode lets them in) are NULL through the backfill and the binlog alike. */
    @Test
    void zeroDatesAreNullThroughBackfillAndBinlogAlike() {
        StreamId id = StreamId.of("shop", "zero_" + UUID.randomUUID().toString().substring(0, 6));
        fixture.db.execute("CREATE TABLE " + MySqlDriver.qualified(id) + " (id bigint PRIMARY KEY, d date, "
                + "dt datetime(3), ts timestamp NULL)");
        String insert = "INSERT INTO " + MySqlDriver.qualified(id) + " VALUES (%d, '0000-00-00', "
                + "'0000-00-00 00:00:00', '0000-00-00 00:00:00'), (%d, '2020-00-15', '2020-01-00 10:00:00', NULL)";
        fixture.db.execute("SET sql_mode = ''", insert.formatted(1, 2));
        InMemoryStateStore store = new InMemoryStateStore();
        MemoryDestination dest = new MemoryDestination();
        ConfiguredStream cs = ConfiguredStream.of(discover(store, id).withSyncMode(SyncMode.CDC));
        run(store, dest, cs);
        fixture.db.execute("SET sql_mode = ''", insert.formatted(3, 4));
        run(store, dest, cs);
        List<Record> rows = dest.records(id);
        assertThat(rows).hasSize(4);
        for (Record r : rows) {
            assertThat(new Object[] {r.value("d"), r.value("dt"), r.value("ts")}).as("row %s (%s)", r.olakeId(), r.op())
                    .containsOnlyNulls();
        }
    }

    /**
     * A value that has no Java value of its type (a date that does not exist, let in by ALLOW_INVALID_DATES) fails
     * backfill and binlog alike with a ValueException naming stream, column, key and value, never a retried or
     * stuck stream.
     */
    @Test
    void anUndecodableValueIsAValueExceptionNamingStreamColumnKeyAndValue() {
        StreamId id = StreamId.of("shop", "bad_" + UUID.randomUUID().toString().substring(0, 6));
        fixture.db.execute("CREATE TABLE " + MySqlDriver.qualified(id) + " (id bigint PRIMARY KEY, d date)",
                "INSERT INTO " + MySqlDriver.qualified(id) + " VALUES (1, '2021-02-28')");
        InMemoryStateStore store = new InMemoryStateStore();
        MemoryDestination dest = new MemoryDestination();
        ConfiguredStream cs = ConfiguredStream.of(discover(store, id).withSyncMode(SyncMode.CDC));
        run(store, dest, cs);
        fixture.db.execute("SET sql_mode = 'ALLOW_INVALID_DATES'",
                "INSERT INTO " + MySqlDriver.qualified(id) + " VALUES (42, '2021-02-30')");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(store, dest, cs))
                .isInstanceOf(io.tributary.types.ValueException.class)
                .hasMessageContaining("stream " + id).hasMessageContaining("column d")
                .hasMessageContaining("key 42").hasMessageContaining("2021-02-30")
                .hasMessageContaining("the source driver cannot read this value");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(new InMemoryStateStore(),
                new MemoryDestination(), cs))
                .isInstanceOf(io.tributary.types.ValueException.class)
                .hasMessageContaining("stream " + id).hasMessageContaining("column d")
                .hasMessageContaining("key 42").hasMessageContaining("2021-02-30");
    }

    private Stream discover(InMemoryStateStore store, StreamId id) {
        try (DriverInterface d = fixture.newDriver(Capture.CDC)) {
            return new AbstractDriver(d, State.load(store)).discover(2).stream().filter(x -> x.id().equals(id))
                    .findFirst().orElseThrow();
        }
    }

    private static boolean sameClass(Object a, Object b) {
        return a == null || b == null || a.getClass() == b.getClass();
    }

    private static String show(Object v) {
        if (v instanceof byte[] b) {
            return "x'" + HexFormat.of().formatHex(b) + "'";
        }
        return v == null ? "NULL" : v + " (" + v.getClass().getSimpleName() + ")";
    }

    private static Map<String, String> literals(List<EdgeColumn> columns, int r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (EdgeColumn c : columns) {
            if (r < c.values().size()) {
                out.put(c.name(), c.values().get(r).literal());
            }
        }
        return out;
    }

    private void run(InMemoryStateStore store, MemoryDestination dest, ConfiguredStream s) {
        try (DriverInterface d = fixture.newDriver(Capture.CDC);
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver a = new AbstractDriver(d, State.load(store), AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)))) {
            a.setup();
            a.read(pool, List.of(s));
        }
    }
}
