package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.core.testing.InMemoryDb;
import io.tributary.core.testing.TestDriver;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
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
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** CDC through a {@link CdcSource}: the engine records, saves, restores and acknowledges typed positions. */
class TypedPositionsTest {
    private static final StreamId USERS = StreamId.of("public", "users");
    private static final StreamId ORDERS = StreamId.of("public", "orders");

    private final InMemoryDb db = new InMemoryDb();
    private final MemoryDestination dest = new MemoryDestination();
    private final InMemoryStateStore store = new InMemoryStateStore();

    private TestDriver driver(ChangeStreamMode mode) {
        TestDriver d = new TestDriver(db, new TestDriver.Config(2, 2, 100, true, mode, 50));
        // what the state file holds when the driver is asked to acknowledge
        d.observeOnAcknowledge = id -> State.load(store).global().orElse(null);
        return d;
    }

    private void sync(TestDriver d) {
        List<ConfiguredStream> streams = List.of(ConfiguredStream.of(d.produceSchema(USERS).withSyncMode(SyncMode.CDC)),
                ConfiguredStream.of(d.produceSchema(ORDERS).withSyncMode(SyncMode.CDC)));
        try (WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(64))) {
            new AbstractDriver(d, State.load(store), AbstractDriver.Options.defaults()
                    .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(20))).read(pool, streams);
        }
    }

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

    private void change() {
        db.update(USERS, InMemoryDb.row(1, "u1", Instant.ofEpochSecond(50), 1L));
        db.delete(USERS, 2);
        for (long i = 100; i < 220; i++) {
            db.insert(ORDERS, InMemoryDb.row(10_000 + i, "bulk", Instant.ofEpochSecond(i), i));
        }
    }

    @Test
    void theEngineSavesTheVersionedPositionThenAcknowledgesIt() {
        db.fill(USERS, 0, 300);
        db.fill(ORDERS, 0, 300);
        int start = db.logSize();
        TestDriver first = driver(ChangeStreamMode.SEQUENTIAL);
        sync(first);
        // the start position was recorded by the engine before the backfill, and handed back decoded
        assertThat(first.startedFrom).containsExactly(start);
        assertThat(State.load(store).global().orElseThrow())
                .isEqualTo(Json.object().put("pos", start).put(PositionCodec.VERSION_FIELD, 1));

        change();
        TestDriver second = driver(ChangeStreamMode.SEQUENTIAL);
        sync(second);
        assertThat(second.chunkReads).isEmpty();
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(destinationTable(ORDERS)).isEqualTo(sourceTable(ORDERS));
        assertThat(second.startedFrom).containsExactly(start);
        // 122 changes, a checkpoint every 50: acknowledged in order, each after the engine saved it
        assertThat(second.acknowledged).extracting(TestDriver.Ack::position)
                .containsExactly(start + 50, start + 100, db.logSize());
        assertThat(second.acknowledged).allSatisfy(a -> assertThat(a.savedThen().get("pos").asInt())
                .isEqualTo(a.position()));
        assertThat(State.load(store).global().orElseThrow().get("pos").asInt()).isEqualTo(db.logSize());
        MetadataState m = dest.committedState(ORDERS, AbstractDriver.cdcThreadId(ORDERS)).orElseThrow();
        assertThat(m.payload()).isEqualTo(Json.object().put("pos", db.logSize()).put(PositionCodec.VERSION_FIELD, 1));
    }

    @Test
    void resumesAGlobalPositionSavedBeforePositionsHadAVersion() {
        db.fill(USERS, 0, 200);
        db.fill(ORDERS, 0, 200);
        sync(driver(ChangeStreamMode.SEQUENTIAL));
        int saved = db.logSize();
        State.load(store).setGlobal(Json.object().put("pos", saved)); // as drivers saved it before positions had one
        assertThat(State.load(store).global().orElseThrow()).isEqualTo(Json.object().put("pos", saved));

        change();
        TestDriver typed = driver(ChangeStreamMode.SEQUENTIAL);
        sync(typed);
        assertThat(typed.chunkReads).isEmpty();
        assertThat(typed.startedFrom).containsExactly(saved);
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(destinationTable(ORDERS)).isEqualTo(sourceTable(ORDERS));
        assertThat(State.load(store).global().orElseThrow())
                .isEqualTo(Json.object().put("pos", db.logSize()).put(PositionCodec.VERSION_FIELD, 1));
    }

    @Test
    void resumesPerStreamPositionsSavedBeforePositionsHadAVersion() {
        db.fill(USERS, 0, 200);
        db.fill(ORDERS, 0, 200);
        sync(driver(ChangeStreamMode.CONCURRENT));
        int saved = db.logSize();
        State old = State.load(store);
        for (StreamId id : List.of(USERS, ORDERS)) { // as drivers saved them before positions had a version
            assertThat(old.streamValue(id, "pos").orElseThrow().asInt()).isEqualTo(saved);
            old.removeStreamValue(id, PositionCodec.VERSION_FIELD);
        }
        assertThat(State.load(store).streamValue(ORDERS, PositionCodec.VERSION_FIELD)).isEmpty();

        change();
        TestDriver typed = driver(ChangeStreamMode.CONCURRENT);
        sync(typed);
        assertThat(typed.startedFrom).containsExactly(saved, saved);
        assertThat(typed.identifiers).containsExactlyInAnyOrder(0, 1);
        assertThat(destinationTable(USERS)).isEqualTo(sourceTable(USERS));
        assertThat(destinationTable(ORDERS)).isEqualTo(sourceTable(ORDERS));
        State state = State.load(store);
        for (StreamId id : List.of(USERS, ORDERS)) {
            assertThat(state.streamValue(id, "pos").orElseThrow().asInt()).isEqualTo(db.logSize());
            assertThat(state.streamValue(id, PositionCodec.VERSION_FIELD).orElseThrow().asInt()).isEqualTo(1);
        }
        assertThat(state.global()).isEmpty();
    }

    @Test
    void refusesAPositionOfANewerFormat() {
        db.fill(USERS, 0, 10);
        db.fill(ORDERS, 0, 10);
        State state = State.load(store);
        state.setGlobal(Json.object().put("pos", 0).put(PositionCodec.VERSION_FIELD, 2));
        TestDriver typed = driver(ChangeStreamMode.SEQUENTIAL);
        assertThatThrownBy(() -> sync(typed)).isInstanceOf(NonRetriableException.class)
                .hasMessageContaining("format version 2");
        assertThat(typed.startedFrom).isEmpty();
    }
}
