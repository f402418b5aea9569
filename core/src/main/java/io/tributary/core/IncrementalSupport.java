package io.tributary.core;

import io.tributary.types.ConfiguredStream;

/**
 * The incremental role of a driver ({@link DriverInterface#incremental()}): cursor-based reads for
 * {@link io.tributary.types.SyncMode#INCREMENTAL} streams.
 *
 * @since 0.2
 */
public interface IncrementalSupport {
    /**
     * The current maximum of the stream's primary and secondary cursor columns ({@code null} where the column
     * has no value), typed as the schema says. Called before an incremental stream's first backfill. Thread-safe.
     */
    CursorValues fetchMaxCursorValues(ConfiguredStream stream);

    /**
     * Reads every row whose primary cursor is greater than or equal to {@code from.primary()}, or, where the
     * primary cursor is NULL, whose secondary cursor is greater than or equal to {@code from.secondary()}, in
     * cursor order where the database allows. Rows equal to the saved cursor are included because they may have
     * been written after the last run; the destination upserts them by {@code _olake_id}. {@code from} may be
     * {@link CursorValues#NONE} (read everything). Applies the stream's filter. Thread-safe.
     */
    void streamIncrementalChanges(ConfiguredStream stream, CursorValues from, BackfillMsgFn processFn);
}
