package io.tributary.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cursor codec of incremental streams: cursor values to and from their saved text form, in the stream's state
 * (one value per cursor column) and in a writer's metadata state.
 */
final class Cursors {
    private Cursors() {
    }

    /** The saved cursor values of an incremental stream, typed. */
    static CursorValues saved(State state, ConfiguredStream s) {
        Object p = s.primaryCursor().flatMap(c -> state.streamValue(s.id(), c))
                .map(v -> CursorFormat.reformat(s.primaryCursor().get(), v, s.schema())).orElse(null);
        Object q = s.secondaryCursor().flatMap(c -> state.streamValue(s.id(), c))
                .map(v -> CursorFormat.reformat(s.secondaryCursor().get(), v, s.schema())).orElse(null);
        return new CursorValues(p, q);
    }

    static void save(State state, ConfiguredStream s, CursorValues v) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        s.primaryCursor().ifPresent(c -> values.put(c, CursorFormat.format(v.primary())));
        s.secondaryCursor().ifPresent(c -> values.put(c, CursorFormat.format(v.secondary())));
        state.setStreamValues(s.id(), values);
    }

    /** The cursor as a writer's metadata state payload. */
    static ObjectNode payload(ConfiguredStream s, CursorValues v) {
        ObjectNode n = Json.object();
        s.primaryCursor().ifPresent(c -> n.set(c, CursorFormat.format(v.primary())));
        s.secondaryCursor().ifPresent(c -> n.set(c, CursorFormat.format(v.secondary())));
        return n;
    }

    /** The cursor a {@link #payload} holds. */
    static CursorValues fromPayload(ConfiguredStream s, ObjectNode p) {
        return new CursorValues(
                s.primaryCursor().map(c -> CursorFormat.reformat(c, p.get(c), s.schema())).orElse(null),
                s.secondaryCursor().map(c -> CursorFormat.reformat(c, p.get(c), s.schema())).orElse(null));
    }
}
