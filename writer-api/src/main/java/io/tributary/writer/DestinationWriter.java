package io.tributary.writer;

import java.util.List;

/**
 * One writer thread's view of the destination: batches are written (not yet visible), then committed together
 * with the metadata state in one atomic step, or aborted.
 *
 * <p>Calls come from one thread at a time, in order: {@code write*}, then exactly one of {@code commit} or
 * {@code abort}. Batches may carry records of a newer {@link io.tributary.types.Schema} (a column added during
 * CDC): the writer evolves its output to the wider schema.
 */
public interface DestinationWriter {
    /** Writes a batch (not yet visible). A failure here is retried by re-running the whole thread of work. */
    void write(List<Record> batch);

    /**
     * Makes everything written visible, and stores {@code state} so that
     * {@link Destination#committedState} returns it, atomically: after a crash either both or neither are seen.
     * A commit with no records still stores the state.
     */
    void commit(MetadataState state);

    /** Discards everything written; leaves the destination as it was. Idempotent, never throws. */
    void abort();

    /**
     * How many values this writer wrote as NULL ({@link io.tributary.types.ValueErrors#NULL}) or rows it left out
     * ({@link io.tributary.types.ValueErrors#SKIP}) because their column could not hold a value, since it was
     * opened. Writers whose columns hold every value return 0 (the default).
     */
    default long valueErrors() {
        return 0;
    }
}
