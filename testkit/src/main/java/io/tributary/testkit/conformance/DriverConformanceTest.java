package io.tributary.testkit.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.core.AbstractDriver;
import io.tributary.core.CdcBackfill;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.Rows;
import io.tributary.testkit.WriteLoad;
import io.tributary.testkit.conformance.ConformanceFixture.Capture;
import io.tributary.testkit.conformance.ConformanceFixture.Keys;
import io.tributary.testkit.conformance.ConformanceFixture.Row;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver conformance kit: every driver's test extends it, gives a {@link ConformanceFixture} and declares its
 * {@link Behavior}s; a test of an undeclared behaviour is skipped visibly (a JUnit assumption names it), never
 * passed silently. Third-party driver authors run the same suite.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DriverConformanceTest {
    /** What a driver supports beyond full refresh. */
    public enum Behavior {
        INCREMENTAL, CDC, TABLES_WITHOUT_KEYS, PASSWORD_AUTHENTICATION,
        /** {@link CdcBackfill#WATERMARK}: backfill beside CDC through {@code writeWatermark}. */
        WATERMARK,
        /**
         * Every value of the fixture's {@link ConformanceFixture#edgeColumns() edge-value matrix} reaches every
         * writer (jsonl, Parquet, Iceberg) equal to the source through backfill and through CDC. The fixture
         * implements {@code edgeColumns} (not empty: declaring this with an empty matrix fails),
         * {@code createEdgeTable}, {@code insertEdgeRow} (a literal per given column, every other column NULL) and
         * {@code updateEdgeTag}, and the driver must do CDC ({@link Capture#CDC}). Rows are read back by the key
         * column {@link ConformanceFixture#keyColumn()} and the column {@code tag}; see {@code TypeFidelity} for the
         * procedure and {@link EdgeValues} for what each writer must give back.
         */
        TYPE_FIDELITY,
        /**
         * {@link AbstractDriver#resnapshot} re-reads a stream and keeps the change stream's position: a change made
         * between the resnapshot and the next run (a delete, which no backfill sees) still arrives.
         */
        RESNAPSHOT_KEEPS_POSITION,
        /** The catalog's {@code filter} applies to backfill, incremental and CDC alike. */
        FILTER,
        /** The catalog's {@code selected_columns} are the only columns written, by backfill and CDC alike. */
        SELECTED_COLUMNS
    }

    private ConformanceFixture fixture;

    /** Creates the fixture (starts the database); called once per test class. */
    protected abstract ConformanceFixture createFixture();

    /** The behaviours this driver supports. */
    protected abstract Set<Behavior> behaviors();

    @BeforeAll
    final void startFixture() {
        fixture = createFixture();
    }

    @AfterAll
    final void stopFixture() {
        if (fixture != null) {
            fixture.close();
        }
    }

    protected final ConformanceFixture fixture() {
        return fixture;
    }

    private void require(Behavior b) {
        assumeTrue(behaviors().contains(b), "driver does not declare behaviour " + b + ": skipped");
    }

    // ---------------------------------------------------------------- helpers

    private static String table(String base) {
        return base + "_" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static Row row(long id) {
        return new Row(id, "name-" + id + (id % 7 == 0 ? " ünï✓" : ""), BigDecimal.valueOf(id * 37 % 100_000, 2),
                id % 11 == 0 ? null : Instant.parse("2026-01-01T00:00:00Z").plus(id, ChronoUnit.SECONDS));
    }

    private static Row[] rows(long from, long to) {
        List<Row> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(row(i));
        }
        return out.toArray(Row[]::new);
    }

    private final class Sync {
        final InMemoryStateStore store = new InMemoryStateStore();
        final MemoryDestination dest = new MemoryDestination();

        Stream discover(StreamId id, Capture capture) {
            try (DriverInterface d = fixture.newDriver(capture)) {
                AbstractDriver a = new AbstractDriver(d, State.load(store));
                a.setup();
                return a.discover(4).stream().filter(s -> s.id().equals(id)).findFirst()
                        .orElseThrow(() -> new AssertionError("discovery did not return " + id));
            }
        }

        void run(Capture capture, ConfiguredStream stream) {
            run(capture, stream, AbstractDriver.Options.defaults());
        }

        void run(Capture capture, ConfiguredStream stream, AbstractDriver.Options options) {
            try (DriverInterface d = fixture.newDriver(capture);
                    WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(50));
                    AbstractDriver a = new AbstractDriver(d, State.load(store), options
                            .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50)))) {
                a.setup();
                a.read(pool, List.of(stream));
            }
        }

        /** The destination's live rows, id → row. */
        Map<Long, Row> table(StreamId id) {
            Map<Long, Row> out = new TreeMap<>();
            for (Record r : dest.table(id).values()) {
                Row row = toRow(r);
                out.put(row.id(), row);
            }
            return out;
        }
    }

    private static Row toRow(Record r) {
        Object amount = r.value("amount");
        Object ts = r.value("updated_at");
        return new Row(((Number) r.value("id")).longValue(), (String) r.value("name"),
                amount == null ? null : new BigDecimal(amount.toString()).setScale(2),
                ts == null ? null : ((Instant) ts).truncatedTo(ChronoUnit.MICROS));
    }

    private static Map<Long, Row> expected(Row... rows) {
        Map<Long, Row> out = new TreeMap<>();
        for (Row r : rows) {
            out.put(r.id(), new Row(r.id(), r.name(), r.amount().setScale(2),
                    r.updatedAt() == null ? null : r.updatedAt().truncatedTo(ChronoUnit.MICROS)));
        }
        return out;
    }

    // ---------------------------------------------------------------- discovery

    @Test
    void discoveryReturnsTheTableWithItsKeyAndTypes() {
        StreamId id = fixture.createTable(table("disc"), Keys.PRIMARY_KEY);
        fixture.insert(id, row(1)); // document stores infer their schema from documents
        Stream s = new Sync().discover(id, Capture.NONE);
        assertThat(s.primaryKey()).containsExactly(fixture.keyColumn());
        assertThat(s.schema().names()).contains("id", "name", "amount", "updated_at");
        assertThat(s.schema().field("id").orElseThrow().type()).isIn(DataType.INT32, DataType.INT64);
        assertThat(s.schema().field("name").orElseThrow().type()).isEqualTo(DataType.STRING);
        assertThat(s.schema().field("amount").orElseThrow().type()).isIn(DataType.DECIMAL, DataType.FLOAT64);
        assertThat(s.schema().field("updated_at").orElseThrow().type().isTimestamp()).isTrue();
        assertThat(s.supportedSyncModes()).contains(SyncMode.FULL_REFRESH);
    }

    // ---------------------------------------------------------------- roles

    /**
     * The driver offers the roles the behaviours it declares need: {@link Behavior#INCREMENTAL} needs
     * {@code incremental()}, {@link Behavior#CDC} a {@code cdcSource()} when configured for CDC, and
     * {@link Behavior#WATERMARK} {@code watermarks()} then (a role the kit is not told about is not tested);
     * {@code configure} returns a new driver holding the config.
     */
    @Test
    void rolesOfTheDeclaredBehavioursArePresent() {
        try (DriverInterface d = fixture.newDriver(Capture.NONE)) {
            if (behaviors().contains(Behavior.INCREMENTAL)) {
                assertThat(d.incremental()).as("incremental()").isPresent();
            }
            assertThat(d.config()).as("config()").isInstanceOf(d.configType());
            try (DriverInterface again = d.configure(d.config())) {
                assertThat(again).as("configure returns a new driver").isNotSameAs(d);
                assertThat(again.config()).isSameAs(d.config());
            }
        }
        if (behaviors().contains(Behavior.CDC)) {
            try (DriverInterface d = fixture.newDriver(Capture.CDC)) {
                assertThat(d.cdcSource()).as("cdcSource() with CDC configured").isPresent();
                assertThat(d.cdcSupported()).isTrue();
                if (behaviors().contains(Behavior.WATERMARK)) {
                    assertThat(d.watermarks()).as("watermarks() with CDC configured").isPresent();
                }
            }
        }
    }

    // ---------------------------------------------------------------- chunks

    private void assertChunksCover(StreamId id, Map<Long, Row> rows) {
        Sync sync = new Sync();
        Stream s = sync.discover(id, Capture.NONE).withSyncMode(SyncMode.FULL_REFRESH);
        ConfiguredStream cs = ConfiguredStream.of(s);
        try (DriverInterface d = fixture.newDriver(Capture.NONE)) {
            List<Chunk> chunks = d.getOrSplitChunks(cs);
            List<Long> seen = new ArrayList<>();
            int idx = cs.schema().indexOf("id");
            for (Chunk c : chunks) {
                d.chunkIterator(cs, c, CursorValues.NONE, v -> seen.add(((Number) v[idx]).longValue()));
            }
            assertThat(seen).as("rows read through %d chunks %s", chunks.size(), chunks)
                    .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(rows.keySet());
        }
    }

    @Test
    void chunksOfAnEmptyTableReadNothing() {
        StreamId id = fixture.createTable(table("empty"), Keys.PRIMARY_KEY);
        assertChunksCover(id, Map.of());
    }

    @Test
    void chunksOfAOneRowTableReadItOnce() {
        StreamId id = fixture.createTable(table("one"), Keys.PRIMARY_KEY);
        fixture.insert(id, row(42));
        assertChunksCover(id, expected(row(42)));
    }

    @Test
    void chunksOfSkewedSparseKeysCoverEveryRowOnce() {
        StreamId id = fixture.createTable(table("skew"), Keys.PRIMARY_KEY);
        List<Row> all = new ArrayList<>(List.of(rows(1, 3_000)));
        for (long k = 1_000_000_000L; k < 1_000_000_020L; k++) {
            all.add(row(k));
        }
        all.add(row(-5));
        fixture.insert(id, all.toArray(Row[]::new));
        assertChunksCover(id, expected(all.toArray(Row[]::new)));
    }

    // ---------------------------------------------------------------- backfill

    @Test
    void backfillEqualsTheSource() {
        StreamId id = fixture.createTable(table("fill"), Keys.PRIMARY_KEY);
        Row[] rows = rows(0, 5_000);
        fixture.insert(id, rows);
        Sync sync = new Sync();
        Stream s = sync.discover(id, Capture.NONE).withSyncMode(SyncMode.FULL_REFRESH);
        sync.run(Capture.NONE, ConfiguredStream.of(s));
        assertThat(sync.table(id)).isEqualTo(expected(rows));
        assertThat(sync.dest.records(id)).hasSize(rows.length).allMatch(r -> r.op() == OpType.READ);
    }

    @Test
    void backfillKilledAfterAChunkResumesWithNothingLostOrDuplicated() {
        StreamId id = fixture.createTable(table("kill"), Keys.PRIMARY_KEY);
        Row[] rows = rows(0, 20_000);
        fixture.insert(id, rows);
        Sync sync = new Sync();
        ConfiguredStream cs = ConfiguredStream.of(sync.discover(id, Capture.NONE).withSyncMode(SyncMode.FULL_REFRESH));
        AtomicInteger commits = new AtomicInteger();
        sync.dest.beforeCommit(m -> {
            if (commits.incrementAndGet() == 2) {
                throw new NonRetriableException("killed after the first chunk");
            }
        });
        try {
            sync.run(Capture.NONE, cs);
        } catch (NonRetriableException expected) {
            // a one-chunk table finishes before the kill
        }
        sync.dest.beforeCommit(m -> { });
        sync.run(Capture.NONE, cs);
        assertThat(sync.dest.records(id)).extracting(Record::olakeId).doesNotHaveDuplicates();
        assertThat(sync.table(id)).isEqualTo(expected(rows));
    }

    @Test
    void aTableWithoutAKeyIsBackfilled() {
        require(Behavior.TABLES_WITHOUT_KEYS);
        StreamId id = fixture.createTable(table("nokey"), Keys.NONE);
        Row[] rows = rows(0, 500);
        fixture.insert(id, rows);
        Sync sync = new Sync();
        Stream s = sync.discover(id, Capture.NONE);
        assertThat(s.primaryKey()).isEmpty();
        sync.run(Capture.NONE, ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH)));
        assertThat(sync.dest.records(id)).hasSize(rows.length);
        assertThat(sync.dest.records(id).stream().map(r -> ((Number) r.value("id")).longValue())
                .collect(Collectors.toSet())).hasSize(rows.length);
    }

    // ---------------------------------------------------------------- incremental

    @Test
    void incrementalSeesEveryRowPastOrAtTheCursor() {
        require(Behavior.INCREMENTAL);
        StreamId id = fixture.createTable(table("inc"), Keys.PRIMARY_KEY);
        Row[] rows = rows(1, 1_000);
        fixture.insert(id, rows);
        Sync sync = new Sync();
        Stream s = sync.discover(id, Capture.NONE).withSyncMode(SyncMode.INCREMENTAL)
                .withCursorField(Optional.of("updated_at:id"));
        ConfiguredStream cs = ConfiguredStream.of(s);
        sync.run(Capture.NONE, cs);
        Row max = rows[rows.length - 1];
        // written after the first run: a row whose cursor equals the last one saved, a later one, and a NULL one
        Row same = new Row(5_000, "same cursor as the last run", BigDecimal.ONE, max.updatedAt());
        Row later = new Row(5_001, "later", BigDecimal.TEN, max.updatedAt().plusSeconds(60));
        Row nullCursor = new Row(5_002, "null cursor", BigDecimal.ZERO, null);
        fixture.insert(id, same, later, nullCursor);
        fixture.update(id, new Row(3, "moved forward", BigDecimal.ONE, max.updatedAt().plusSeconds(120)));
        sync.run(Capture.NONE, cs);
        Map<Long, Row> want = expected(rows);
        want.putAll(expected(same, later, nullCursor,
                new Row(3, "moved forward", BigDecimal.ONE, max.updatedAt().plusSeconds(120))));
        assertThat(sync.table(id)).isEqualTo(want);
    }

    // ---------------------------------------------------------------- CDC

    @Test
    void cdcDeliversInsertUpdateDeleteInCommitOrderPerKey() {
        require(Behavior.CDC);
        StreamId id = fixture.createTable(table("cdc"), Keys.PRIMARY_KEY);
        Row[] rows = rows(0, 300);
        fixture.insert(id, rows);
        Sync sync = new Sync();
        ConfiguredStream cs = ConfiguredStream.of(sync.discover(id, Capture.CDC).withSyncMode(SyncMode.CDC));
        sync.run(Capture.CDC, cs);
        assertThat(sync.table(id)).isEqualTo(expected(rows));

        fixture.insert(id, new Row(9_000, "inserted", BigDecimal.ONE, Instant.parse("2026-02-01T00:00:00Z")));
        fixture.update(id, new Row(9_000, "updated once", BigDecimal.valueOf(2), Instant.parse("2026-02-02T00:00:00Z")));
        fixture.update(id, new Row(9_000, "updated twice", BigDecimal.TEN, Instant.parse("2026-02-03T00:00:00Z")));
        fixture.delete(id, 7);
        fixture.update(id, new Row(8, "changed", BigDecimal.ONE, null));
        sync.run(Capture.CDC, cs);

        Map<Long, Row> want = expected(rows);
        want.remove(7L);
        want.putAll(expected(new Row(9_000, "updated twice", BigDecimal.TEN, Instant.parse("2026-02-03T00:00:00Z")),
                new Row(8, "changed", BigDecimal.ONE, null)));
        assertThat(sync.table(id)).isEqualTo(want);
        List<Record> history = sync.dest.records(id).stream().filter(r -> "9000".equals(r.olakeId())).toList();
        // the order of operations per key is the commit order; the values of intermediate updates may be the
        // latest ones where the source looks documents up (MongoDB's updateLookup)
        assertThat(history).extracting(r -> r.op().code()).containsExactly("c", "u", "u");
        assertThat(history.get(history.size() - 1).value("name")).isEqualTo("updated twice");
    }

    @Test
    void watermarkBackfillBesideCdcUnderLoadEqualsTheSource() throws Exception {
        require(Behavior.WATERMARK);
        StreamId id = fixture.createTable(table("wm"), Keys.PRIMARY_KEY);
        Row[] rows = rows(0, 3_000);
        fixture.insert(id, rows);
        Map<Long, Row> model = new java.util.concurrent.ConcurrentHashMap<>(expected(rows));
        Sync sync = new Sync();
        ConfiguredStream cs = ConfiguredStream.of(sync.discover(id, Capture.CDC).withSyncMode(SyncMode.CDC));
        WriteLoad.Target target = new WriteLoad.Target() {
            @Override
            public void insert(long key) {
                Row r = row(key);
                fixture.insert(id, r);
                model.putAll(expected(r));
            }

            @Override
            public void update(long key, long op) {
                if (model.containsKey(key)) {
                    Row r = new Row(key, "load-" + op, BigDecimal.valueOf(op, 2), null);
                    fixture.update(id, r);
                    model.putAll(expected(r));
                }
            }

            @Override
            public void delete(long key) {
                if (model.containsKey(key)) {
                    fixture.delete(id, key);
                    model.remove(key);
                }
            }
        };
        AbstractDriver.Options watermark = AbstractDriver.Options.defaults().withCdcBackfill(CdcBackfill.WATERMARK)
                .withWindowRows(200);
        WriteLoad load = WriteLoad.start("conformance", target,
                new WriteLoad.Spec(42, rows.length - 1, 100_000, Duration.ofMillis(3)));
        try {
            sync.run(Capture.CDC, cs, watermark);
        } finally {
            load.close();
        }
        sync.run(Capture.CDC, cs, watermark); // what the load wrote after the first run's end
        State state = State.load(sync.store);
        assertThat(state.backfillCompleted(id)).isTrue();
        assertThat(load.ops()).as("changes made while the backfill ran").isPositive();
        Rows.assertSameRows(model, sync.table(id), "watermark backfill after " + load.ops() + " changes");
        // more than one chunk was read in a window
        assertThat(sync.dest.records(id).stream().filter(r -> r.op() == io.tributary.types.OpType.READ).count())
                .isGreaterThan(2_000);
    }

    @Test
    void cdcPositionIsNotAdvancedWhenTheWriterFailsToCommit() {
        require(Behavior.CDC);
        StreamId id = fixture.createTable(table("ack"), Keys.PRIMARY_KEY);
        fixture.insert(id, rows(0, 50));
        Sync sync = new Sync();
        ConfiguredStream cs = ConfiguredStream.of(sync.discover(id, Capture.CDC).withSyncMode(SyncMode.CDC));
        sync.run(Capture.CDC, cs);
        String before = State.load(sync.store).toJson().toString();

        fixture.insert(id, rows(100, 110));
        sync.dest.beforeCommit(m -> {
            throw new NonRetriableException("destination down");
        });
        assertThatThrownBy(() -> sync.run(Capture.CDC, cs)).hasMessageContaining("destination down");
        assertThat(State.load(sync.store).toJson().toString()).as("state after a failed commit").isEqualTo(before);

        sync.dest.beforeCommit(m -> { });
        sync.run(Capture.CDC, cs);
        Map<Long, Row> want = expected(rows(0, 50));
        want.putAll(expected(rows(100, 110)));
        assertThat(sync.table(id)).isEqualTo(want);
    }

    @Test
    void resnapshotKeepsTheChangeStreamPositionSoADeleteMadeMeanwhileArrives() {
        require(Behavior.RESNAPSHOT_KEEPS_POSITION);
        StreamId id = fixture.createTable(table("resnap"), Keys.PRIMARY_KEY);
        Row[] rows = rows(0, 100);
        fixture.insert(id, rows);
        Sync sync = new Sync();
        ConfiguredStream cs = ConfiguredStream.of(sync.discover(id, Capture.CDC).withSyncMode(SyncMode.CDC));
        AbstractDriver.Options watermark = AbstractDriver.Options.defaults().withCdcBackfill(CdcBackfill.WATERMARK)
                .withWindowRows(40);
        sync.run(Capture.CDC, cs, watermark);
        assertThat(sync.table(id)).isEqualTo(expected(rows));
        String before = State.load(sync.store).toJson().toString();

        try (DriverInterface d = fixture.newDriver(Capture.CDC);
                AbstractDriver a = new AbstractDriver(d, State.load(sync.store))) {
            a.resnapshot(List.of(id));
        }
        State after = State.load(sync.store);
        assertThat(after.backfillCompleted(id)).as("backfill to be redone").isFalse();
        assertThat(positionOf(after, id)).as("the change stream's position after the resnapshot")
                .isEqualTo(positionOf(stateOf(before), id));
        fixture.delete(id, 7); // after the resnapshot, before the next run: only the change stream can see it
        Row changed = new Row(8, "changed after the resnapshot", BigDecimal.ONE, null);
        fixture.update(id, changed);
        sync.run(Capture.CDC, cs, watermark);

        Map<Long, Row> want = expected(rows);
        want.remove(7L);
        want.putAll(expected(changed));
        assertThat(sync.table(id)).as("state before the resnapshot: %s", before).isEqualTo(want);
        assertThat(State.load(sync.store).backfillCompleted(id)).isTrue();
        assertThat(sync.dest.records(id).stream().filter(r -> r.op() == OpType.READ).count())
                .as("rows read by the second backfill").isGreaterThanOrEqualTo(2L * rows.length - 2);
    }

    @Test
    void theFilterAppliesToBackfillAndCdcAlike() {
        require(Behavior.FILTER);
        require(Behavior.CDC);
        StreamId id = fixture.createTable(table("filter"), Keys.PRIMARY_KEY);
        Row[] rows = rows(0, 200); // amount = id * 37 % 100000 / 100: below and above 50
        fixture.insert(id, rows);
        Sync sync = new Sync();
        ConfiguredStream cs = ConfiguredStream.of(sync.discover(id, Capture.CDC).withSyncMode(SyncMode.CDC))
                .withFilter("amount >= 50 and name != 'excluded'");
        sync.run(Capture.CDC, cs);
        Map<Long, Row> want = new TreeMap<>(expected(rows));
        want.values().removeIf(r -> r.amount().compareTo(BigDecimal.valueOf(50)) < 0);
        assertThat(want).hasSizeBetween(50, 150);
        assertThat(sync.table(id)).as("backfill").isEqualTo(want);

        Row in = new Row(1_000, "inserted inside", BigDecimal.valueOf(60), null);
        Row out = new Row(1_001, "inserted outside", BigDecimal.valueOf(10), null);
        fixture.insert(id, in, out);
        long movedOut = want.keySet().iterator().next();
        fixture.update(id, new Row(movedOut, "excluded", BigDecimal.valueOf(99), null)); // leaves by its name
        long movedIn = rows[0].id(); // amount 0
        Row movedInRow = new Row(movedIn, "moved in", BigDecimal.valueOf(75), null);
        fixture.update(id, movedInRow);
        long outsideDeleted = expected(rows).values().stream()
                .filter(r -> r.amount().compareTo(BigDecimal.valueOf(50)) < 0 && r.id() != movedIn)
                .findFirst().orElseThrow().id();
        fixture.delete(id, outsideDeleted);
        sync.run(Capture.CDC, cs);

        want.putAll(expected(in, movedInRow));
        want.remove(movedOut);
        assertThat(sync.table(id)).as("after CDC").isEqualTo(want);
        assertThat(sync.dest.records(id)).as("no record of a row that never passed the filter")
                .noneMatch(r -> r.olakeId().equals(Long.toString(1_001)));
    }

    @Test
    void selectedColumnsAreTheOnlyColumnsWrittenByBackfillAndCdc() {
        require(Behavior.SELECTED_COLUMNS);
        require(Behavior.CDC);
        StreamId id = fixture.createTable(table("cols"), Keys.PRIMARY_KEY);
        fixture.insert(id, rows(0, 20));
        Sync sync = new Sync();
        Stream s = sync.discover(id, Capture.CDC).withSyncMode(SyncMode.CDC);
        ConfiguredStream cs = ConfiguredStream.of(s).withSelectedColumns(List.of(fixture.keyColumn(), "name"));
        sync.run(Capture.CDC, cs);
        fixture.insert(id, rows(100, 105));
        fixture.update(id, new Row(3, "updated", BigDecimal.TEN, null));
        sync.run(Capture.CDC, cs);
        List<Record> records = sync.dest.records(id);
        assertThat(records).hasSize(26);
        assertThat(records).allSatisfy(r -> assertThat(r.schema().names())
                .containsExactlyInAnyOrder(fixture.keyColumn(), "name"));
        assertThat(records.stream().filter(r -> r.op() == OpType.UPDATE).findFirst().orElseThrow().value("name"))
                .isEqualTo("updated");
    }

    private static State stateOf(String json) {
        InMemoryStateStore store = new InMemoryStateStore();
        store.save(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return State.load(store);
    }

    /** The state that places the change stream: the global position and the stream's values but its chunks. */
    private static String positionOf(State state, StreamId id) {
        com.fasterxml.jackson.databind.node.ObjectNode json = state.toJson();
        com.fasterxml.jackson.databind.node.ObjectNode global = json.has("global") && json.get("global").isObject()
                ? ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("global")).deepCopy() : null;
        if (global != null) {
            global.remove("streams"); // the streams whose backfill completed
            List<String> unset = new ArrayList<>();
            global.fieldNames().forEachRemaining(f -> {
                if (global.get(f).isNull()) {
                    unset.add(f);
                }
            });
            global.remove(unset);
        }
        String stream = "";
        for (com.fasterxml.jackson.databind.JsonNode s : json.path("streams")) {
            if (id.name().equals(s.path("stream").asText()) && id.namespace().equals(s.path("namespace").asText())) {
                com.fasterxml.jackson.databind.node.ObjectNode values = s.path("state").deepCopy();
                values.remove("chunks");
                stream = values.toString();
            }
        }
        return "global=" + (global == null || global.isEmpty() ? "{}" : global) + " stream=" + stream;
    }

    // ---------------------------------------------------------------- type fidelity

    /**
     * The fixture's edge-value matrix, for a driver that declares {@link Behavior#TYPE_FIDELITY}: skipped when it
     * does not declare it; a failure when it declares it with an empty matrix or a matrix the kit can see is wrong.
     */
    private TypeFidelity typeFidelity() {
        require(Behavior.TYPE_FIDELITY);
        List<ConformanceFixture.EdgeColumn> columns = fixture.edgeColumns();
        assertThat(columns).as("the driver declares TYPE_FIDELITY: its fixture's edgeColumns() must not be empty")
                .isNotEmpty();
        TypeFidelity tf = new TypeFidelity(fixture, columns);
        TypeFidelity.assertNone("mistakes in the fixture's edge-value matrix", tf.checkMatrix());
        return tf;
    }

    private void assertEdgeValuesExact(String writerType, Path dir) {
        TypeFidelity tf = typeFidelity();
        TypeFidelity.assertNone("edge values differ in the " + writerType + " writer (backfill, CDC insert and CDC update"
                + " each compared with the expected value, and CDC with backfill)",
                tf.run(TypeFidelity.writer(writerType, dir)));
    }

    @Test
    void edgeValuesReachJsonlExactlyThroughBackfillAndCdc(@TempDir Path dir) {
        assertEdgeValuesExact("jsonl", dir);
    }

    @Test
    void edgeValuesReachParquetExactlyThroughBackfillAndCdc(@TempDir Path dir) {
        assertEdgeValuesExact("parquet", dir);
    }

    @Test
    void edgeValuesReachIcebergExactlyThroughBackfillAndCdc(@TempDir Path dir) {
        assertEdgeValuesExact("iceberg", dir);
    }

    @Test
    void anEdgeValueParquetOrIcebergCannotHoldFailsTheSyncNamingItsColumn(@TempDir Path dir) {
        TypeFidelity tf = typeFidelity();
        List<TypeFidelity.Mismatch> problems = new ArrayList<>();
        Optional<io.tributary.types.Schema> schema = tf.discoverMatrix(problems);
        TypeFidelity.assertNone("discovered types differ from the matrix", problems);
        assumeTrue(tf.hasUnrepresentable("parquet", schema.orElseThrow())
                || tf.hasUnrepresentable("iceberg", schema.orElseThrow()),
                "the matrix has no value that Parquet or Iceberg cannot hold: skipped");
        for (String writerType : List.of("parquet", "iceberg")) {
            problems.addAll(tf.unrepresentableFails(TypeFidelity.writer(writerType, dir.resolve(writerType)),
                    schema.orElseThrow()));
        }
        TypeFidelity.assertNone("unrepresentable values did not fail the sync with value_errors fail", problems);
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void aWrongPasswordIsATypedErrorThatDoesNotRevealIt() {
        require(Behavior.PASSWORD_AUTHENTICATION);
        String password = "wrong-" + UUID.randomUUID();
        DriverInterface probe = fixture.newDriver(Capture.NONE);
        String type = probe.type();
        probe.close();
        assertThatThrownBy(() -> {
            try (DriverInterface d = Drivers.configured(type, fixture.configWithWrongPassword(password), "source")) {
                d.setup();
            }
        }).isInstanceOf(ConfigException.class).satisfies(e -> {
            assertThat(e.getMessage()).doesNotContain(password);
            assertThat(String.valueOf(e.getCause())).doesNotContain(password);
        });
    }

    /** Every behaviour, for drivers that support all. */
    protected static Set<Behavior> all() {
        return EnumSet.allOf(Behavior.class);
    }
}
