package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.core.testing.InMemoryDb;
import io.tributary.core.testing.TestDriver;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.RetriableException;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AbstractDriverTest {
    private static final StreamId USERS = StreamId.of("public", "users");
    private static final StreamId ORDERS = StreamId.of("public", "orders");

    private final InMemoryDb db = new InMemoryDb();
    private final MemoryDestination dest = new MemoryDestination();
    private final InMemoryStateStore store = new InMemoryStateStore();

    private TestDriver driver(int threads, long chunkSize, ChangeStreamMode mode) {
        return new TestDriver(db, new TestDriver.Config(threads, 2, chunkSize, true, mode, 50));
    }

    private AbstractDriver orchestrator(TestDriver d) {
        return new AbstractDriver(d, State.load(store),
                AbstractDriver.Options.defaults().withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)));
    }

    private ConfiguredStream stream(TestDriver d, StreamId id, SyncMode mode) {
        Stream s = d.produceSchema(id).withSyncMode(mode);
        if (mode == SyncMode.INCREMENTAL) {
            s = s.withCursorField(java.util.Optional.of("updated_at:seq"));
        }
        return ConfiguredStream.of(s);
    }

    private void sync(TestDriver d, ConfiguredStream... streams) {
        try (WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(64))) {
            orchestrator(d).read(pool, List.of(streams));
        }
    }

    /** The destination's live rows (latest per key) as id → name/updated_at/seq, to compare with the source. */
    private Map<Long, List<Object>> destinationTable(StreamId id) {
        Map<Long, List<Object>> out = new TreeMap<>();
        for (Record r : dest.table(id).values()) {
            out.put((Long) r.value("id"), Arrays.asList(r.values()));
        }
        return out;
    }

    private Map<Long, List<Object>> sourceTable(StreamId id) {
        return db.rows(id).stream().collect(Collectors.toMap(r -> (Long) r[0], Arrays::asList, (a, b) -> a,
                TreeMap::new));
    }

    private long duplicates(StreamId id) {
        List<Record> all = dest.records(id);
        return all.size() - all.stream().map(Record::olakeId).distinct().count();
    }

    @Test
    void discoverPicksDefaultsForEveryStreamConcurrently() {
        db.fill(USERS, 0, 10);
        db.fill(ORDERS, 0, 10);
        TestDriver d = driver(2, 10, ChangeStreamMode.SEQUENTIAL);
        List<Stream> streams = orchestrator(d).discover(2);
        assertThat(streams).extracting(Stream::id).containsExactly(ORDERS, USERS);
        assertThat(streams).allSatisfy(s -> {
            assertThat(s.syncMode()).isEqualTo(SyncMode.CDC);
            assertThat(s.cursorField()).contains("id");
            assertThat(s.primaryKey()).containsExactly("id");
        });
        TestDriver noCdc = new TestDriver(db, new TestDriver.Config(2, 0, 10, false, ChangeStreamMode.SEQUENTIAL, 5));
        assertThat(orchestrator(noCdc).discover(4)).allSatisfy(s -> {
            assertThat(s.syncMode()).isEqualTo(SyncMode.INCREMENTAL);
            assertThat(s.supportedSyncModes()).doesNotContain(SyncMode.CDC, SyncMode.STRICT_CDC);
        });
    }

    @Test
    void backfillReadsManyChunksInParallelAndCommitsEveryRowOnce() {
        db.fill(USERS, 0, 5_000);
        TestDriver d = driver(4, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d, stream(d, USERS, SyncMode.FULL_REFRESH));
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(dest.records(USERS)).hasSize(5_000).allMatch(r -> r.op() == OpType.READ);
        assertThat(d.chunkReads).hasSize(50).allSatisfy((c, n) -> assertThat(n.get()).isEqualTo(1));
        assertThat(d.maxRunning.get()).isBetween(2, 4);
        State st = State.load(store);
        assertThat(st.backfillCompleted(USERS)).isTrue();
        assertThat(st.chunks(USERS)).contains(List.of());
    }

    @Test
    void retriesAChunkThatFailsOnceAndLosesNothing() {
        db.fill(USERS, 0, 1_000);
        TestDriver d = driver(3, 100, ChangeStreamMode.SEQUENTIAL);
        d.chunkFault = (c, n) -> Long.valueOf(300).equals(c.min()) && n == 1
                ? new RetriableException("connection reset while reading chunk " + c) : null;
        sync(d, stream(d, USERS, SyncMode.FULL_REFRESH));
        assertThat(d.chunkReads.get(Chunk.of(300L, 400L)).get()).isEqualTo(2);
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(duplicates(USERS)).isZero();
    }

    @Test
    void aProgrammingErrorIsNotRetriedAndStopsTheRunAsNonRetriable() {
        db.fill(USERS, 0, 1_000);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        d.chunkFault = (c, n) -> Long.valueOf(300).equals(c.min())
                ? new NullPointerException("a bug reading chunk " + c) : null;
        assertThatThrownBy(() -> sync(d, stream(d, USERS, SyncMode.FULL_REFRESH)))
                .isInstanceOf(NonRetriableException.class).hasMessageContaining("unexpected error")
                .hasMessageContaining("chunk").hasRootCauseInstanceOf(NullPointerException.class);
        assertThat(d.chunkReads.get(Chunk.of(300L, 400L)).get()).isEqualTo(1); // not retried
    }

    @Test
    void anIoFailureIsRetriedLikeARetriableOne() {
        db.fill(USERS, 0, 1_000);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        d.chunkFault = (c, n) -> Long.valueOf(300).equals(c.min()) && n == 1
                ? new java.io.UncheckedIOException(new java.io.IOException("connection reset")) : null;
        sync(d, stream(d, USERS, SyncMode.FULL_REFRESH));
        assertThat(d.chunkReads.get(Chunk.of(300L, 400L)).get()).isEqualTo(2);
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
    }

    @Test
    void nonRetriableFailureStopsTheRunAndKeepsUncommittedChunksInState() {
        db.fill(USERS, 0, 2_000);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        d.chunkFault = (c, n) -> Long.valueOf(500).equals(c.min())
                ? new NonRetriableException("unsupported value in chunk " + c) : null;
        assertThatThrownBy(() -> sync(d, stream(d, USERS, SyncMode.FULL_REFRESH)))
                .isInstanceOf(NonRetriableException.class).hasMessageContaining("unsupported value");
        assertThat(d.chunkReads.get(Chunk.of(500L, 600L)).get()).isEqualTo(1); // not retried
        State st = State.load(store);
        assertThat(st.backfillCompleted(USERS)).isFalse();
        List<Chunk> left = st.chunks(USERS).orElseThrow();
        assertThat(left).contains(Chunk.of(500L, 600L));
        // every chunk that left state was committed, and only those
        long committedRows = dest.records(USERS).size();
        long rowsInLeftChunks = left.stream().mapToLong(c -> db.rows(USERS, c.min() == null ? Long.MIN_VALUE
                : (Long) c.min(), (Long) c.max()).size()).sum();
        assertThat(committedRows + rowsInLeftChunks).isEqualTo(2_000);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("tributary-sync"));
    }

    @Test
    void runKilledMidBackfillResumesWithoutRereadingCommittedChunks() {
        db.fill(USERS, 0, 3_000);
        TestDriver first = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        AtomicInteger commits = new AtomicInteger();
        dest.beforeCommit(s -> {
            if (commits.incrementAndGet() > 12) {
                throw new NonRetriableException("killed");
            }
        });
        assertThatThrownBy(() -> sync(first, stream(first, USERS, SyncMode.FULL_REFRESH)))
                .hasMessageContaining("killed");
        Set<Chunk> committed = dest.committedStates(USERS).values().stream()
                .map(m -> new Chunk(m.payload().get("chunk").get("min").isNull() ? null
                        : m.payload().get("chunk").get("min").asLong(),
                        m.payload().get("chunk").get("max").isNull() ? null
                                : m.payload().get("chunk").get("max").asLong()))
                .collect(Collectors.toSet());
        assertThat(committed).hasSize(12);

        dest.beforeCommit(s -> { });
        TestDriver second = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(second, stream(second, USERS, SyncMode.FULL_REFRESH));
        assertThat(second.chunkReads.keySet()).doesNotContainAnyElementsOf(committed);
        assertThat(second.chunkReads.keySet()).hasSize(30 - 12);
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(dest.records(USERS)).hasSize(3_000);
    }

    @Test
    void crashBetweenWriterCommitAndStateSaveDoesNotDuplicateTheChunk() {
        db.fill(USERS, 0, 1_000);
        TestDriver first = driver(1, 100, ChangeStreamMode.SEQUENTIAL);
        // the state store dies right after the destination committed the 3rd chunk
        AtomicInteger commits = new AtomicInteger();
        FailingStore failing = new FailingStore(store);
        dest.beforeCommit(s -> {
            if (commits.incrementAndGet() == 3) {
                failing.failFromNow = true;
            }
        });
        assertThatThrownBy(() -> {
            try (WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults())) {
                new AbstractDriver(first, State.load(failing), AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)))
                        .read(pool, List.of(stream(first, USERS, SyncMode.FULL_REFRESH)));
            }
        }).hasMessageContaining("disk gone");
        assertThat(dest.records(USERS)).hasSize(300);
        assertThat(State.load(store).chunks(USERS).orElseThrow()).hasSize(8); // state missed the 3rd removal

        dest.beforeCommit(s -> { });
        TestDriver second = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(second, stream(second, USERS, SyncMode.FULL_REFRESH));
        assertThat(second.chunkReads).hasSize(7); // the 3rd chunk was found committed and skipped
        assertThat(dest.records(USERS)).hasSize(1_000);
        assertThat(duplicates(USERS)).isZero();
    }

    /** A store that fails once told to, like a full disk. */
    private static final class FailingStore implements io.tributary.core.state.StateStore {
        private final io.tributary.core.state.StateStore delegate;
        volatile boolean failFromNow;

        FailingStore(io.tributary.core.state.StateStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public java.util.Optional<byte[]> load() {
            return delegate.load();
        }

        @Override
        public void save(byte[] json) {
            if (failFromNow) {
                throw new NonRetriableException("disk gone");
            }
            delegate.save(json);
        }
    }

    @Test
    void incrementalWithPrimaryAndSecondaryCursorAcrossTwoRuns() {
        db.fill(USERS, 0, 500);
        db.insert(USERS, InMemoryDb.row(1_000, "no-ts", null, 1_000L)); // primary NULL: secondary cursor applies
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        ConfiguredStream s = stream(d, USERS, SyncMode.INCREMENTAL);
        sync(d, s);
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        State st = State.load(store);
        assertThat(st.streamValue(USERS, "updated_at").orElseThrow().asText())
                .isEqualTo("1970-01-01T00:08:19.000000000Z");
        assertThat(st.streamValue(USERS, "seq").orElseThrow().asLong()).isEqualTo(1_000L);

        // second run: an update at the saved cursor, newer rows, a newer NULL-primary row
        db.update(USERS, InMemoryDb.row(499, "same-ts-late-write", Instant.ofEpochSecond(499), 499L));
        db.update(USERS, InMemoryDb.row(10, "moved", Instant.ofEpochSecond(10_000), 10L));
        db.insert(USERS, InMemoryDb.row(2_000, "new", Instant.ofEpochSecond(20_000), 2_000L));
        db.insert(USERS, InMemoryDb.row(2_001, "no-ts-2", null, 2_001L));
        TestDriver d2 = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d2, stream(d2, USERS, SyncMode.INCREMENTAL));
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(d2.chunkReads).isEmpty(); // no second backfill
        st = State.load(store);
        assertThat(AbstractDriver.reformatCursorValue("updated_at", st.streamValue(USERS, "updated_at").get(),
                s.stream())).isEqualTo(Instant.ofEpochSecond(20_000));
        assertThat(st.streamValue(USERS, "seq").orElseThrow().asLong()).isEqualTo(2_001L);
    }

    @Test
    void incrementalBackfillSkipsRowsPastTheMaxCursorAndTheNextPassReadsThem() {
        db.fill(USERS, 0, 300);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        AtomicInteger n = new AtomicInteger();
        d.chunkFault = (c, k) -> {
            if (n.incrementAndGet() == 1) { // a row moves past the max cursor after it was fetched
                db.update(USERS, InMemoryDb.row(5, "late", Instant.ofEpochSecond(5_000), 5L));
            }
            return null;
        };
        sync(d, stream(d, USERS, SyncMode.INCREMENTAL));
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(dest.records(USERS).stream().filter(r -> r.op() == OpType.READ)
                .noneMatch(r -> "late".equals(r.value("name")))).isTrue();
    }

    private void applyChanges() {
        db.update(USERS, InMemoryDb.row(1, "u1", Instant.ofEpochSecond(50), 1L));
        db.delete(USERS, 2);
        db.insert(USERS, InMemoryDb.row(9_000, "c", Instant.ofEpochSecond(9_000), 9_000L));
        db.update(ORDERS, InMemoryDb.row(3, "o3", Instant.ofEpochSecond(60), 3L));
        db.delete(ORDERS, 4);
        for (long i = 100; i < 220; i++) {
            db.insert(ORDERS, InMemoryDb.row(10_000 + i, "bulk", Instant.ofEpochSecond(i), i));
        }
        db.delete(USERS, 9_000);
        db.insert(USERS, InMemoryDb.row(9_000, "again", Instant.ofEpochSecond(9_001), 9_001L));
    }

    private void cdcRoundTrip(ChangeStreamMode mode) {
        db.fill(USERS, 0, 400);
        db.fill(ORDERS, 0, 400);
        TestDriver d = driver(2, 100, mode);
        sync(d, stream(d, USERS, SyncMode.CDC), stream(d, ORDERS, SyncMode.CDC));
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(destinationTable(ORDERS)).isEqualTo(sourceTable(ORDERS));

        applyChanges();
        TestDriver d2 = driver(2, 100, mode);
        sync(d2, stream(d2, USERS, SyncMode.CDC), stream(d2, ORDERS, SyncMode.CDC));
        assertThat(d2.chunkReads).isEmpty();
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(destinationTable(ORDERS)).isEqualTo(sourceTable(ORDERS));
        assertThat(dest.records(USERS).stream().filter(r -> r.cdcTimestamp() != null)
                .map(r -> r.op().code()).toList()).containsExactly("u", "d", "c", "d", "c");
        if (mode == ChangeStreamMode.SEQUENTIAL) {
            assertThat(d2.identifiers).containsExactly(0);
            assertThat(State.load(store).global().orElseThrow().get("pos").asInt()).isEqualTo(db.logSize());
        } else {
            assertThat(d2.identifiers).containsExactlyInAnyOrder(0, 1);
            assertThat(State.load(store).streamValue(ORDERS, "pos").orElseThrow().asInt()).isEqualTo(db.logSize());
        }
        // the position committed with the data equals the one saved in state
        MetadataState m = dest.committedState(ORDERS, AbstractDriver.cdcThreadId(ORDERS)).orElseThrow();
        assertThat(m.payload().get("pos").asInt()).isEqualTo(db.logSize());
    }

    @Test
    void cdcSequentialModeStreamsAllTablesThroughOneChangeStream() {
        cdcRoundTrip(ChangeStreamMode.SEQUENTIAL);
    }

    @Test
    void cdcParallelModeRunsOneChangeStreamPerTable() {
        cdcRoundTrip(ChangeStreamMode.PARALLEL);
    }

    @Test
    void cdcConcurrentModeStartsEachStreamRightAfterItsBackfill() {
        cdcRoundTrip(ChangeStreamMode.CONCURRENT);
    }

    @Test
    void changesMadeDuringBackfillAreCapturedAsOverlapInserts() {
        db.fill(USERS, 0, 300);
        TestDriver d = driver(1, 100, ChangeStreamMode.SEQUENTIAL);
        AtomicInteger n = new AtomicInteger();
        d.chunkFault = (c, k) -> {
            if (n.incrementAndGet() == 2) {
                db.insert(USERS, InMemoryDb.row(50_000, "during", Instant.ofEpochSecond(1), 1L));
                db.delete(USERS, 0);
            }
            return null;
        };
        sync(d, stream(d, USERS, SyncMode.CDC));
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(dest.records(USERS).stream().filter(r -> r.cdcTimestamp() != null).map(r -> r.op()))
                .containsExactly(OpType.INSERT_OVERLAP, OpType.DELETE);
    }

    @Test
    void strictCdcSkipsBackfill() {
        db.fill(USERS, 0, 200);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d, stream(d, USERS, SyncMode.STRICT_CDC));
        assertThat(d.chunkReads).isEmpty();
        assertThat(dest.records(USERS)).isEmpty();
        db.insert(USERS, InMemoryDb.row(7_000, "x", Instant.ofEpochSecond(7), 7L));
        TestDriver d2 = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d2, stream(d2, USERS, SyncMode.STRICT_CDC));
        assertThat(dest.records(USERS)).extracting(r -> r.value("id")).containsExactly(7_000L);
    }

    @Test
    void clearStateMakesTheNextSyncBackfillAgain() {
        db.fill(USERS, 0, 200);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d, stream(d, USERS, SyncMode.CDC));
        State st = orchestrator(driver(2, 100, ChangeStreamMode.SEQUENTIAL)).clearState(List.of(USERS));
        assertThat(st.backfillCompleted(USERS)).isFalse();
        assertThat(State.load(store).hasStream(USERS)).isFalse();
        dest.dropStreams(List.of(USERS));
        TestDriver d2 = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d2, stream(d2, USERS, SyncMode.CDC));
        assertThat(d2.chunkReads).hasSize(2);
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
    }

    @Test
    void fullRefreshStartsOverOnTheNextSync() {
        db.fill(USERS, 0, 250);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d, stream(d, USERS, SyncMode.FULL_REFRESH));
        db.delete(USERS, 3);
        TestDriver d2 = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d2, stream(d2, USERS, SyncMode.FULL_REFRESH));
        assertThat(d2.chunkReads).hasSize(3);
        assertThat(dest.records(USERS)).hasSize(249);
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
    }

    @Test
    void cdcStreamsNeedACdcEnabledSource() {
        db.fill(USERS, 0, 10);
        TestDriver d = new TestDriver(db, new TestDriver.Config(2, 0, 10, false, ChangeStreamMode.SEQUENTIAL, 5));
        ConfiguredStream s = ConfiguredStream.of(d.produceSchema(USERS).withSyncMode(SyncMode.CDC));
        assertThatThrownBy(() -> sync(d, s)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("public.users").hasMessageContaining("update_method");
        assertThat(store.load()).isEmpty();
    }

    @Test
    void incrementalStreamsNeedADriverWithTheIncrementalRole() {
        db.fill(USERS, 0, 10);
        TestDriver d = driver(2, 10, ChangeStreamMode.SEQUENTIAL);
        d.incrementalRole = false;
        ConfiguredStream s = stream(d, USERS, SyncMode.INCREMENTAL);
        assertThatThrownBy(() -> sync(d, s)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("public.users").hasMessageContaining("sync_mode incremental")
                .hasMessageContaining("driver test");
        assertThat(store.load()).isEmpty();
        assertThat(d.chunkReads).isEmpty();
    }

    @Test
    void selectedColumnsAreProjectedButTheKeyStillIdentifiesRows() {
        db.fill(USERS, 0, 50);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        ConfiguredStream s = stream(d, USERS, SyncMode.FULL_REFRESH).withSelectedColumns(List.of("name"));
        sync(d, s);
        Record r = dest.records(USERS).get(0);
        assertThat(r.schema().names()).containsExactly("name");
        assertThat(dest.records(USERS)).extracting(Record::olakeId).doesNotHaveDuplicates().hasSize(50);
    }

    @Test
    void incrementalPassCommittedButNotSavedInStateIsAdoptedOnTheNextRun() {
        db.fill(USERS, 0, 200);
        TestDriver d = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d, stream(d, USERS, SyncMode.INCREMENTAL));
        db.insert(USERS, InMemoryDb.row(5_000, "later", Instant.ofEpochSecond(5_000), 5_000L));

        // the next pass commits in the destination, then the state store dies before the cursor is saved
        FailingStore failing = new FailingStore(store);
        dest.beforeCommit(s -> failing.failFromNow = true);
        TestDriver d2 = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        assertThatThrownBy(() -> {
            try (WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults())) {
                new AbstractDriver(d2, State.load(failing), AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)))
                        .read(pool, List.of(stream(d2, USERS, SyncMode.INCREMENTAL)));
            }
        }).hasMessageContaining("disk gone");
        assertThat(AbstractDriver.reformatCursorValue("updated_at",
                State.load(store).streamValue(USERS, "updated_at").orElseThrow(), d2.produceSchema(USERS)))
                .isEqualTo(Instant.ofEpochSecond(199));

        dest.beforeCommit(s -> { });
        TestDriver d3 = driver(2, 100, ChangeStreamMode.SEQUENTIAL);
        sync(d3, stream(d3, USERS, SyncMode.INCREMENTAL));
        assertThat(AbstractDriver.reformatCursorValue("updated_at",
                State.load(store).streamValue(USERS, "updated_at").orElseThrow(), d3.produceSchema(USERS)))
                .isEqualTo(Instant.ofEpochSecond(5_000));
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
    }

    @Test
    void driversAreFoundByTypeAndUnknownTypesListTheAvailableOnes() {
        assertThat(Drivers.find("test")).isInstanceOf(TestDriver.class);
        assertThatThrownBy(() -> Drivers.find("oracle")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("available: [test]");
    }
}
