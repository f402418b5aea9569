package io.tributary.writer;

import static java.util.Objects.requireNonNull;

import io.tributary.types.ValueErrors;

/**
 * Options of one writer thread.
 *
 * @param threadId deterministic ID: the same work gets the same ID on a re-run (see {@link MetadataState})
 * @param mode append or upsert
 * @param valueErrors what the writer does with a value its column cannot hold (see {@link ValueGuard});
 *     {@link WriterPool#newWriter} sets it from {@link WriterPool.Options#valueErrors()}
 */
public record WriterOptions(String threadId, WriteMode mode, ValueErrors valueErrors) {
    public WriterOptions {
        requireNonNull(threadId, "threadId is null");
        requireNonNull(mode, "mode is null");
        requireNonNull(valueErrors, "valueErrors is null");
    }

    /** Options that fail on a value the destination cannot hold ({@link ValueErrors#FAIL}). */
    public WriterOptions(String threadId, WriteMode mode) {
        this(threadId, mode, ValueErrors.FAIL);
    }

    public WriterOptions withValueErrors(ValueErrors handling) {
        return new WriterOptions(threadId, mode, handling);
    }
}
