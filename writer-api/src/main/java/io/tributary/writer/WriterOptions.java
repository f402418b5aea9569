package io.tributary.writer;

import static java.util.Objects.requireNonNull;

/**
 * Options of one writer thread.
 *
 * @param threadId deterministic ID: the same work gets the same ID on a re-run (see {@link MetadataState})
 * @param mode append or upsert
 */
public record WriterOptions(String threadId, WriteMode mode) {
    public WriterOptions {
        requireNonNull(threadId, "threadId is null");
        requireNonNull(mode, "mode is null");
    }
}
