package io.tributary.writer;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a writer thread commits together with its data, atomically: the thread ID (deterministic, so a re-run
 * finds it) and a payload (the chunk it read, the cursor values it reached, the CDC position it covered).
 * After a crash between the destination commit and the state save, the orchestrator reads it back and skips
 * work already committed.
 */
public record MetadataState(String threadId, ObjectNode payload) {
    public MetadataState {
        requireNonNull(threadId, "threadId is null");
        payload = requireNonNull(payload, "payload is null").deepCopy();
    }

    @Override
    public ObjectNode payload() {
        return payload.deepCopy();
    }
}
