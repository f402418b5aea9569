package io.tributary.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.StreamId;

/**
 * Progress callbacks for a sync (a CLI progress bar, metrics). Called from orchestrator threads concurrently;
 * implementations must be thread-safe and fast. Every method defaults to doing nothing.
 */
public interface SyncListener {
    SyncListener NONE = new SyncListener() {
    };

    /** A stream's backfill starts with {@code remaining} of {@code total} chunks left to read. */
    default void backfillStarted(StreamId stream, int remaining, int total) {
    }

    /** A chunk was read and committed. */
    default void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
    }

    /** A stream's backfill finished. */
    default void backfillCompleted(StreamId stream) {
    }

    /** An incremental pass of a stream committed {@code rows} rows. */
    default void incrementalCommitted(StreamId stream, long rows) {
    }

    /** A CDC checkpoint committed {@code changes} changes since the previous one. */
    default void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
    }
}
