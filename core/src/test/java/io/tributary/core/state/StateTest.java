package io.tributary.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.Chunk;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateTest {
    private static final StreamId ORDERS = StreamId.of("public", "orders");
    private static final StreamId USERS = StreamId.of("public", "users");

    @TempDir
    Path dir;

    @Test
    void stateRoundTripsThroughTheFileInOlakesShape() throws Exception {
        FileStateStore store = new FileStateStore(dir.resolve("state.json"));
        State s = State.load(store);
        ObjectNode lsn = Json.object().put("lsn", "0/1A2B3C4D");
        s.setGlobal(lsn);
        s.setSyncMode(ORDERS, SyncMode.CDC);
        List<Chunk> chunks = List.of(Chunk.of(null, 10), Chunk.of(10L, "x"), Chunk.of(List.of(1, "a"), null),
                Chunk.of(new BigInteger("18446744073709551615"), 2.5), Chunk.of("(0,0)", "(262144,0)"));
        s.setChunks(ORDERS, chunks);
        s.setStreamValue(USERS, "updated_at", Json.mapper().getNodeFactory().textNode("2026-01-01T00:00:00.000000000Z"));
        s.markBackfillCompleted(USERS);

        State back = State.load(store);
        assertThat(back.toJson().toString()).isEqualTo(s.toJson().toString());
        assertThat(back.chunks(ORDERS)).contains(chunks);
        assertThat(back.global()).contains(lsn);
        assertThat(back.backfillCompleted(USERS)).isTrue();
        assertThat(back.backfillCompleted(ORDERS)).isFalse();
        back.removeChunk(ORDERS, Chunk.of(10, "x")); // an Integer bound equals the Long read back
        assertThat(State.load(store).chunks(ORDERS).orElseThrow()).hasSize(4);

        ObjectNode json = (ObjectNode) Json.mapper().readTree(Files.readAllBytes(store.path()));
        assertThat(json.get("type").asText()).isEqualTo("STREAM");
        assertThat(json.get("global").get("streams").get(0).asText()).isEqualTo("public.users");
        assertThat(json.get("streams").get(0).get("stream").asText()).isEqualTo("orders");
        assertThat(json.get("streams").get(0).get("namespace").asText()).isEqualTo("public");
        assertThat(json.get("streams").get(0).get("state").get("chunks").get(0).get("min").isNull()).isTrue();
    }

    @Test
    void aFailedSaveLeavesThePreviousFileWhole() throws Exception {
        Path file = dir.resolve("state.json");
        FileStateStore store = new FileStateStore(file);
        State s = State.load(store);
        s.setGlobal(Json.object().put("lsn", "0/1"));
        byte[] before = Files.readAllBytes(file);
        // the temp file cannot be created (a folder is in its way): the save fails half-way
        Files.createDirectory(dir.resolve(".state.json.tmp"));
        assertThatThrownBy(() -> s.setGlobal(Json.object().put("lsn", "0/2")))
                .isInstanceOf(NonRetriableException.class).hasMessageContaining("cannot save state file");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(State.load(store).global().orElseThrow().get("lsn").asText()).isEqualTo("0/1");
    }

    @Test
    void everyMutationIsSavedAtOnce() {
        InMemoryStateStore store = new InMemoryStateStore();
        State s = State.load(store);
        s.setChunks(ORDERS, List.of(Chunk.all()));
        s.removeChunk(ORDERS, Chunk.all());
        assertThat(store.saves()).isEqualTo(2);
        assertThat(State.load(store).chunks(ORDERS)).contains(List.of());
    }

    @Test
    void malformedOrNewerStateIsAConfigError() {
        InMemoryStateStore store = new InMemoryStateStore();
        store.save("{not json".getBytes());
        assertThatThrownBy(() -> State.load(store)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("malformed");
        store.save("{\"version\": 99, \"streams\": []}".getBytes());
        assertThatThrownBy(() -> State.load(store)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("version 99");
    }

    @Test
    void clearForgetsStreamsAndTheirCompletion() {
        State s = State.inMemory();
        s.markBackfillCompleted(ORDERS);
        s.setStreamValue(USERS, "id", Json.mapper().getNodeFactory().numberNode(5));
        s.clear(List.of(ORDERS));
        assertThat(s.backfillCompleted(ORDERS)).isFalse();
        assertThat(s.hasStream(ORDERS)).isFalse();
        assertThat(s.streamValue(USERS, "id")).isPresent();
    }
}
