package io.tributary.driver.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.conformance.ConformanceFixture.Capture;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeColumn;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeValue;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The MongoDB edge-value matrix ({@link MongoConformanceTest.Fixture#matrix()}: every BSON type with its minimum,
 * maximum, zero, empty, NULL and special values) through the backfill and through the change stream into the memory
 * destination: every value exactly the documented Java value, identical on both paths.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MongoValuesTest {
    private static final long CDC_IDS = 1_000;

    MongoConformanceTest.Fixture fixture;

    @BeforeAll
    void start() {
        fixture = new MongoConformanceTest.Fixture();
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    private Stream discover(InMemoryStateStore store, StreamId id) {
        try (DriverInterface d = fixture.newDriver(Capture.CDC)) {
            AbstractDriver a = new AbstractDriver(d, State.load(store));
            a.setup();
            return a.discover(4).stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
        }
    }

    private void run(InMemoryStateStore store, MemoryDestination dest, ConfiguredStream s) {
        try (DriverInterface d = fixture.newDriver(Capture.CDC);
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(50));
                AbstractDriver a = new AbstractDriver(d, State.load(store), AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50)))) {
            a.setup();
            a.read(pool, List.of(s));
        }
    }

    /** Row {@code r} of the matrix: every column's {@code r}-th value (columns with fewer values are absent). */
    private static Map<String, String> literals(List<EdgeColumn> columns, int r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (EdgeColumn c : columns) {
            if (r < c.values().size()) {
                out.put(c.name(), c.values().get(r).literal());
            }
        }
        return out;
    }

    private static boolean same(Object expected, Object actual) {
        if (expected instanceof byte[] e && actual instanceof byte[] a) {
            return Arrays.equals(e, a);
        }
        return Objects.equals(expected, actual); // BigDecimal with its scale, Double.equals: NaN, -0.0
    }

    private static String show(Object v) {
        if (v instanceof byte[] b) {
            return "byte[]" + Arrays.toString(b);
        }
        return v == null ? "null" : v.getClass().getSimpleName() + " " + v;
    }

    @Test
    void everyEdgeValueIsExactAndIdenticalThroughBackfillAndChangeStream() {
        List<EdgeColumn> columns = fixture.edgeColumns();
        StreamId id = fixture.createEdgeTable("edge_" + UUID.randomUUID().toString().substring(0, 6), columns);
        int rows = columns.stream().mapToInt(c -> c.values().size()).max().orElseThrow();
        for (int r = 0; r < rows; r++) {
            fixture.insertEdgeRow(id, r + 1, 0, literals(columns, r));
        }
        InMemoryStateStore store = new InMemoryStateStore();
        MemoryDestination dest = new MemoryDestination();
        Stream discovered = discover(store, id);
        List<String> wrongTypes = new ArrayList<>();
        for (EdgeColumn c : columns) {
            var f = discovered.schema().field(c.name()).orElseThrow();
            if (f.type() != c.expectedType()) {
                wrongTypes.add(c.name() + " (" + c.declaration() + "): " + f + ", expected " + c.expectedType());
            }
        }
        ConfiguredStream cs = ConfiguredStream.of(discovered.withSyncMode(SyncMode.CDC));
        run(store, dest, cs); // backfill

        for (int r = 0; r < rows; r++) {
            fixture.insertEdgeRow(id, CDC_IDS + r + 1, 0, literals(columns, r));
        }
        run(store, dest, cs); // the same values as change-stream inserts
        for (int r = 0; r < rows; r++) {
            fixture.updateEdgeTag(id, r + 1, 1);
            fixture.updateEdgeTag(id, CDC_IDS + r + 1, 1);
        }
        run(store, dest, cs); // and as change-stream updates of both

        Map<String, List<Record>> byKey = new LinkedHashMap<>();
        for (Record rec : dest.records(id)) {
            byKey.computeIfAbsent(rec.olakeId(), k -> new ArrayList<>()).add(rec);
        }
        List<String> wrong = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            List<Record> backfill = byKey.getOrDefault(Long.toString(r + 1), List.of());
            List<Record> cdc = byKey.getOrDefault(Long.toString(CDC_IDS + r + 1), List.of());
            // the change stream starts right after the last change before the backfill: no insert is replayed
            assertThat(backfill).as("records of row %d", r + 1).extracting(Record::op)
                    .containsExactly(OpType.READ, OpType.UPDATE);
            assertThat(cdc).as("records of row %d", CDC_IDS + r + 1).extracting(Record::op)
                    .containsExactly(OpType.CREATE, OpType.UPDATE);
            List<Record> all = new ArrayList<>(backfill);
            all.addAll(cdc);
            for (EdgeColumn c : columns) {
                if (r >= c.values().size()) {
                    continue;
                }
                EdgeValue v = c.values().get(r);
                for (Record rec : all) {
                    Object got = rec.value(c.name());
                    if (!same(v.expected(), got)) {
                        wrong.add(c.name() + " " + v.label() + " via " + rec.op() + ": got " + show(got)
                                + ", expected " + show(v.expected()));
                    }
                }
            }
        }
        assertThat(wrongTypes).as("discovered types").isEmpty();
        assertThat(wrong).as("values that differ from the documented mapping").isEmpty();
        assertThat(dest.table(id)).hasSize(2 * rows);
    }
}
