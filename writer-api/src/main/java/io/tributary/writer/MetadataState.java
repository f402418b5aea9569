package io.tributary.writer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.Json;

/**
 * What a writer thread commits together with its data, atomically: the thread ID (deterministic, so a re-run
 * finds it) and a payload (the chunk it read, the cursor values it reached, the CDC position it covered).
 * After a crash between the destination commit and the state save, the orchestrator reads it back and skips
 * work already committed.
 */
public record MetadataState(String threadId, ObjectNode payload) {
    public MetadataState {
        requireNonNull(threadId, "threadId is null");
        // normalized through its JSON text, so a state read back from a destination equals the one committed
        // (an int put by a caller and the same number parsed from text are then the same node type)
        payload = (ObjectNode) Json.parse(Json.write(requireNonNull(payload, "payload is null")));
    }

    @Override
    public ObjectNode payload() {
        return payload.deepCopy();
    }
}
