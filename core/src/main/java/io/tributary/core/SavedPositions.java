package io.tributary.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.state.State;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the engine keeps the positions of a {@link CdcSource}'s change streams in the state: the global state for a
 * change stream that carries several streams (or any in {@link ChangeStreamMode#SEQUENTIAL} mode), otherwise the
 * state of its only stream. The saved form is {@link PositionCodec#encode}'s fields plus
 * {@value PositionCodec#VERSION_FIELD}; a form without that field is version 0 (saved before positions had one).
 */
final class SavedPositions<P> {
    private final State state;
    private final PositionCodec<P> codec;

    SavedPositions(State state, PositionCodec<P> codec) {
        this.state = state;
        this.codec = codec;
    }

    PositionCodec<P> codec() {
        return codec;
    }

    /** The position saved at {@code where} (empty: the state holds none of the codec's fields yet). */
    Optional<P> load(Optional<StreamId> where) {
        Optional<JsonNode> saved;
        if (where.isEmpty()) {
            saved = state.global().filter(g -> codec.fields().stream().anyMatch(g::has));
        } else {
            ObjectNode n = Json.object();
            for (String f : codec.fields()) {
                state.streamValue(where.get(), f).ifPresent(v -> n.set(f, v));
            }
            saved = n.size() == 0 ? Optional.empty() : Optional.of(n);
            state.streamValue(where.get(), PositionCodec.VERSION_FIELD).ifPresent(v -> n.set(
                    PositionCodec.VERSION_FIELD, v));
        }
        if (saved.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(codec.decodeSaved(saved.get()));
    }

    /** The saved form of {@code position}. */
    ObjectNode encode(P position) {
        return codec.encodeSaved(position);
    }

    /** Saves {@code encoded} (from {@link #encode}) at {@code where}. */
    void save(Optional<StreamId> where, ObjectNode encoded) {
        if (where.isEmpty()) {
            state.setGlobal(encoded);
            return;
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = encoded.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            values.put(e.getKey(), e.getValue());
        }
        state.setStreamValues(where.get(), values);
        for (String f : codec.fields()) {
            if (!encoded.has(f)) {
                state.removeStreamValue(where.get(), f);
            }
        }
    }
}
