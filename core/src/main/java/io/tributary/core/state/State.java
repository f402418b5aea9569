package io.tributary.core.state;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.Chunk;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A sync's state in the shape of OLake's {@code state.json}:
 * <pre>{@code
 * {"type": "STREAM", "version": 1,
 *  "global": {"state": {"lsn": "0/1A2B3C4D"}, "streams": ["public.users"]},
 *  "streams": [{"stream": "orders", "namespace": "public", "sync_mode": "cdc",
 *               "state": {"chunks": [{"min": 0, "max": 1000}], "updated_at": "2026-01-01T00:00:00.000000000Z"}}]}
 * }</pre>
 * {@code global.state} is the driver's shared CDC position; {@code global.streams} lists streams whose backfill
 * finished; each stream's {@code state} holds its remaining {@code chunks} (chunks not yet committed) and its
 * cursor values keyed by cursor column (or a per-stream CDC position).
 *
 * <p>One top-level key is Tributary's own: {@code "source_identity"}, the source the positions belong to
 * ({@link io.tributary.core.DriverInterface#sourceIdentity()}; see {@link #bindSource}). OLake ignores it; a state
 * without it (written by OLake or an older Tributary) is adopted by the first run that knows its source.
 *
 * <p>Thread-safe. Every mutation is saved through the {@link StateStore} before the method returns.
 */
public final class State {
    /** The version this code writes; older versions are read, newer ones refused. */
    public static final int VERSION = 1;
    public static final String CHUNKS = "chunks";
    /** The top-level key of {@link #sourceIdentity()}. */
    public static final String SOURCE_IDENTITY = "source_identity";

    /** Integers of any size: Chunk widens small ones to Long and keeps BigInteger beyond 64 bits. */
    private static final ObjectMapper CHUNK_MAPPER = Json.mapper();

    private final StateStore store;
    private String type = "STREAM";
    private String sourceIdentity;
    private JsonNode global;
    private final Set<String> completed = new LinkedHashSet<>();
    private final Map<StreamId, StreamState> streams = new LinkedHashMap<>();

    private static final class StreamState {
        String syncMode = "";
        ObjectNode state = Json.object();
    }

    private State(StateStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /**
     * Reads the state saved in {@code store}, or starts an empty one when the store holds nothing (no file). A
     * document that is empty (0 bytes or only white space), truncated, not JSON or not shaped as a state is a
     * {@link ConfigException} naming the store: treating it as "no state" would silently start a full re-sync.
     */
    public static State load(StateStore store) {
        State s = new State(store);
        Optional<byte[]> bytes = store.load();
        if (bytes.isPresent()) {
            String where = store.describe();
            if (new String(bytes.get(), StandardCharsets.UTF_8).isBlank()) {
                throw new ConfigException(where + " is empty (" + bytes.get().length + " bytes), not a state "
                        + "document; it was not modified (restore it from a backup, or remove it to start over with "
                        + "a full sync)");
            }
            JsonNode root;
            try {
                root = Json.mapper().readTree(bytes.get());
            } catch (JsonProcessingException e) {
                throw new ConfigException(where + ": malformed JSON at line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage()
                        + "; it was not modified (restore it, or remove it to start over)", e);
            } catch (IOException e) {
                throw new ConfigException(where + ": cannot parse: " + e.getMessage(), e);
            }
            try {
                s.read(root);
            } catch (ConfigException e) {
                throw new ConfigException(where + ": " + e.getMessage() + "; it was not modified", e);
            }
        }
        return s;
    }

    /** An empty state saved in memory only. */
    public static State inMemory() {
        return new State(new InMemoryStateStore());
    }

    private void read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new ConfigException("expected a JSON object {\"type\": \"STREAM\", \"version\": 1, ...}");
        }
        JsonNode version0 = root.get("version");
        if (version0 != null && !version0.isInt()) {
            throw new ConfigException("key 'version' expects an integer, got " + version0.getNodeType());
        }
        JsonNode global0 = root.get("global");
        if (global0 != null && !global0.isNull() && !global0.isObject()) {
            throw new ConfigException("key 'global' expects an object, got " + global0.getNodeType());
        }
        JsonNode identity0 = root.get(SOURCE_IDENTITY);
        if (identity0 != null && !identity0.isNull() && !identity0.isTextual()) {
            throw new ConfigException("key '" + SOURCE_IDENTITY + "' expects a string, got " + identity0.getNodeType());
        }
        JsonNode streams0 = root.get("streams");
        if (streams0 != null && !streams0.isNull() && !streams0.isArray()) {
            throw new ConfigException("key 'streams' expects an array, got " + streams0.getNodeType());
        }
        int version = root.path("version").asInt(0);
        if (version > VERSION) {
            throw new ConfigException("version " + version + " is newer than this Tributary supports ("
                    + VERSION + "); upgrade Tributary");
        }
        type = root.path("type").asText("STREAM");
        sourceIdentity = identity0 == null || identity0.isNull() ? null : identity0.asText();
        JsonNode g = root.get("global");
        if (g != null && g.isObject()) {
            JsonNode gs = g.get("state");
            global = gs == null || gs.isNull() ? null : gs.deepCopy();
            for (JsonNode n : g.path("streams")) {
                completed.add(n.asText());
            }
        }
        for (JsonNode n : root.path("streams")) {
            String name = n.path("stream").asText(null);
            if (name == null) {
                throw new ConfigException("a stream entry has no 'stream' key: " + n);
            }
            StreamState ss = new StreamState();
            ss.syncMode = n.path("sync_mode").asText("");
            JsonNode st = n.get("state");
            if (st != null && st.isObject()) {
                ss.state = (ObjectNode) st.deepCopy();
            }
            streams.put(StreamId.of(n.path("namespace").asText(""), name), ss);
        }
    }

    /** The state as OLake-shaped JSON. */
    public synchronized ObjectNode toJson() {
        ObjectNode root = Json.object();
        root.put("type", type);
        root.put("version", VERSION);
        if (sourceIdentity != null) {
            root.put(SOURCE_IDENTITY, sourceIdentity);
        }
        if (global != null || !completed.isEmpty()) {
            ObjectNode g = root.putObject("global");
            g.set("state", global == null ? null : global.deepCopy());
            ArrayNode a = g.putArray("streams");
            new TreeSet<>(completed).forEach(a::add);
        }
        ArrayNode a = root.putArray("streams");
        for (Map.Entry<StreamId, StreamState> e : streams.entrySet()) {
            ObjectNode n = a.addObject();
            n.put("stream", e.getKey().name());
            n.put("namespace", e.getKey().namespace());
            n.put("sync_mode", e.getValue().syncMode);
            n.set("state", e.getValue().state.deepCopy());
        }
        return root;
    }

    private void save() {
        store.save(Json.writeBytes(toJson()));
    }

    /** Where the state lives (a file path), for error messages. */
    public String describe() {
        return store.describe();
    }

    // ---- source identity

    /** The identity of the source this state's positions belong to; empty when none was recorded yet. */
    public synchronized Optional<String> sourceIdentity() {
        return Optional.ofNullable(sourceIdentity);
    }

    /**
     * Ties this state to the source {@code identity} ({@link io.tributary.core.DriverInterface#sourceIdentity()}).
     * When the state has no identity yet (new, or written by OLake or an older Tributary) it adopts this one, which
     * is saved with the next change (not now: a run that fails before changing anything leaves the store as it
     * was). When it holds another identity, throws a {@link ConfigException} naming the store, the saved and the
     * current identity, and changes nothing: its positions (chunks, cursors, log positions) belong to another
     * source.
     */
    public synchronized void bindSource(String identity) {
        requireNonNull(identity, "identity is null");
        if (sourceIdentity == null) {
            sourceIdentity = identity;
        } else if (!sourceIdentity.equals(identity)) {
            throw new ConfigException(store.describe() + " belongs to another source: it was written for '"
                    + sourceIdentity + "' but the configured source is '" + identity + "'; resuming from its positions "
                    + "would skip or repeat data. It was not modified: use the state file of this source, or remove "
                    + "it (and clear the destination) to start over with a full sync");
        }
    }

    // ---- global (shared CDC position)

    /** The driver's global state (a CDC position), if any. */
    public synchronized Optional<JsonNode> global() {
        return Optional.ofNullable(global).map(JsonNode::deepCopy);
    }

    public synchronized void setGlobal(JsonNode value) {
        global = value == null ? null : value.deepCopy();
        save();
    }

    // ---- backfill progress

    /** The chunks of a stream not yet committed, or empty when its backfill has not been planned. */
    public synchronized Optional<List<Chunk>> chunks(StreamId stream) {
        StreamState ss = streams.get(stream);
        if (ss == null || !ss.state.has(CHUNKS)) {
            return Optional.empty();
        }
        List<Chunk> out = new ArrayList<>();
        for (JsonNode c : ss.state.get(CHUNKS)) {
            try {
                out.add(CHUNK_MAPPER.treeToValue(c, Chunk.class));
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("state: stream " + stream + " has a malformed chunk " + c, e);
            }
        }
        return Optional.of(out);
    }

    /** Records the chunks a stream's backfill still has to read. */
    public synchronized void setChunks(StreamId stream, Collection<Chunk> chunks) {
        stream(stream).state.set(CHUNKS, CHUNK_MAPPER.valueToTree(new ArrayList<>(chunks)));
        save();
    }

    /** Removes a chunk once its writer committed. */
    public synchronized void removeChunk(StreamId stream, Chunk chunk) {
        List<Chunk> left = new ArrayList<>(chunks(stream).orElse(List.of()));
        if (left.remove(chunk)) {
            stream(stream).state.set(CHUNKS, CHUNK_MAPPER.valueToTree(left));
            save();
        }
    }

    /** Whether the stream's backfill finished (all its chunks committed). */
    public synchronized boolean backfillCompleted(StreamId stream) {
        return completed.contains(stream.id());
    }

    /** Marks the backfill of a stream finished: no chunks left, listed in {@code global.streams}. */
    public synchronized void markBackfillCompleted(StreamId stream) {
        stream(stream).state.set(CHUNKS, Json.mapper().createArrayNode());
        completed.add(stream.id());
        save();
    }

    /** A chunk as JSON (integers of any size kept exact). */
    public static JsonNode chunkJson(Chunk chunk) {
        return CHUNK_MAPPER.valueToTree(chunk);
    }

    // ---- per-stream values (cursors, per-stream CDC positions)

    public synchronized Optional<JsonNode> streamValue(StreamId stream, String key) {
        StreamState ss = streams.get(stream);
        if (ss == null) {
            return Optional.empty();
        }
        JsonNode v = ss.state.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.deepCopy());
    }

    public synchronized void setStreamValue(StreamId stream, String key, JsonNode value) {
        stream(stream).state.set(key, value == null ? null : value.deepCopy());
        save();
    }

    /** Sets several values of one stream in one save. */
    public synchronized void setStreamValues(StreamId stream, Map<String, JsonNode> values) {
        ObjectNode st = stream(stream).state;
        values.forEach((k, v) -> st.set(k, v == null ? null : v.deepCopy()));
        save();
    }

    public synchronized void removeStreamValue(StreamId stream, String key) {
        StreamState ss = streams.get(stream);
        if (ss != null && ss.state.remove(key) != null) {
            save();
        }
    }

    /** Records the sync mode a stream's state belongs to. */
    public synchronized void setSyncMode(StreamId stream, SyncMode mode) {
        StreamState ss = stream(stream);
        if (!ss.syncMode.equals(mode.jsonName())) {
            ss.syncMode = mode.jsonName();
            save();
        }
    }

    public synchronized Set<StreamId> streams() {
        return Set.copyOf(streams.keySet());
    }

    public synchronized boolean hasStream(StreamId stream) {
        return streams.containsKey(stream);
    }

    /**
     * Forgets the backfill of these streams (its chunks and its completion) and keeps every other value of theirs
     * (per-stream change-stream positions such as MongoDB's resume token, cursors): a resnapshot.
     */
    public synchronized void resetBackfill(Collection<StreamId> ids) {
        for (StreamId id : ids) {
            StreamState ss = streams.get(id);
            if (ss != null) {
                ss.state.remove(CHUNKS);
            }
            completed.remove(id.id());
        }
        save();
    }

    /** Forgets everything about these streams (clear-state): chunks, cursors, backfill completion. */
    public synchronized void clear(Collection<StreamId> ids) {
        for (StreamId id : ids) {
            streams.remove(id);
            completed.remove(id.id());
        }
        save();
    }

    /** Forgets the global position too. */
    public synchronized void clearGlobal() {
        global = null;
        completed.clear();
        save();
    }

    private StreamState stream(StreamId id) {
        return streams.computeIfAbsent(id, k -> new StreamState());
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
