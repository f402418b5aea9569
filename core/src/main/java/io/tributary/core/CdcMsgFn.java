package io.tributary.core;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Receives a change stream's changes and checkpoints. Called from the driver's streaming thread. */
public interface CdcMsgFn {
    /** One change; blocks while the writers are behind (back-pressure). */
    void accept(CdcChange change);

    /**
     * Commits every change accepted so far, with {@code position} as the writers' metadata state, then calls
     * {@link DriverInterface#postCDC} so the driver acknowledges the position to the source and saves it in
     * state. Returns once all of that is done. The driver calls it at transaction boundaries: at the end of a
     * bounded run (always, even with no change, so an idle position advances), and periodically in continuous
     * mode. A position is never acknowledged to the source before the writers committed everything before it.
     */
    void checkpoint(ObjectNode position);

    /**
     * A marker written by {@link WatermarkSupport#writeWatermark}, delivered at its place in the log (between
     * transactions, never inside one). Drivers without watermark support never call it.
     */
    default void watermark(String watermark) {
    }

    /**
     * True while the run needs this change stream to go on past its usual bound (a watermark backfill is under
     * way): a bounded run then keeps reading, and returns only once this is false and its own bound is reached.
     */
    default boolean keepStreaming() {
        return false;
    }

    /**
     * True when the orchestrator wants a checkpoint soon (backfill rows emitted at a watermark wait for it): the
     * driver then checkpoints at the next transaction boundary, watermark, or idle moment.
     */
    default boolean checkpointWanted() {
        return false;
    }
}
