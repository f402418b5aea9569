package io.tributary.core;

/**
 * Receives one change stream's changes and typed checkpoints ({@link CdcSource#streamChanges}). Called from the
 * driver's streaming thread only.
 *
 * @param <P> the driver's position type
 * @since 0.2 (experimental: may change before 1.0)
 */
public interface ChangeSink<P> {
    /**
     * The checkpoint cadence of every change stream: {@link #checkpointWanted()} turns true once this many changes were
     * accepted since the last checkpoint (bounding what a restart reads again and what the writers hold uncommitted).
     */
    int CHECKPOINT_EVERY = 20_000;

    /** One change; blocks while the writers are behind (back-pressure). */
    void accept(CdcChange change);

    /**
     * Commits every change accepted so far, saves {@code position} (the point in the log up to which every change was
     * accepted: a restart reads from there) in the state, then lets the driver acknowledge it
     * ({@link CdcSource#acknowledge}). Returns once all of that is done. Call it at transaction boundaries: at the end
     * of a run (always, even with no change, so that an idle position advances) and whenever
     * {@link #checkpointWanted()} says so.
     */
    void checkpoint(P position);

    /** A marker written by {@link WatermarkSupport#writeWatermark}, delivered at its place in the log. */
    void watermark(String watermark);

    /**
     * True while the run needs this change stream to go on past its usual bound (a watermark backfill is under way,
     * or the run is continuous): a bounded run then keeps reading.
     */
    boolean keepStreaming();

    /**
     * True when the engine wants a checkpoint at the next transaction boundary, watermark or idle moment: after
     * {@link #CHECKPOINT_EVERY} changes, when watermark-backfill rows wait for one, at the continuous mode's interval,
     * or when the run is asked to stop. The cadence is the engine's: a driver keeps no counter of the changes it
     * delivers.
     */
    boolean checkpointWanted();
}
