package io.tributary.core;

import io.tributary.types.StreamId;

/**
 * The writer thread IDs under which the runners commit: deterministic, so that a resumed run finds what an earlier
 * run committed ({@link io.tributary.writer.WriterThread#previousState()}).
 */
final class ThreadIds {
    private ThreadIds() {
    }

    static String backfill(StreamId stream, String backfillId, Chunk chunk) {
        return stream.id() + "_" + backfillId + "_min[" + (chunk.min() == null ? "" : chunk.min()) + "]-max["
                + (chunk.max() == null ? "" : chunk.max()) + "]";
    }

    static String cdc(StreamId stream) {
        return stream.id() + "_cdc";
    }

    static String incremental(StreamId stream, CursorValues from) {
        return stream.id() + "_" + CursorFormat.format(from.primary()).asText() + "_"
                + CursorFormat.format(from.secondary()).asText();
    }
}
