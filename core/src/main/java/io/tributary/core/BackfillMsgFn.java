package io.tributary.core;

/**
 * Receives rows read by a backfill chunk or an incremental pass. Called from the reading thread; blocks while
 * the writer is behind (back-pressure). Throws {@link io.tributary.types.CancelledException} when the run was
 * cancelled: the driver lets it propagate.
 */
@FunctionalInterface
public interface BackfillMsgFn {
    /**
     * One row, positionally against {@link io.tributary.types.ConfiguredStream#schema()} (every column of the
     * stream schema, in order; the orchestrator applies column selection). The array is handed over: the driver
     * must not reuse it.
     */
    void accept(Object[] values);
}
