package io.tributary.core;

/**
 * How {@link AbstractDriver#runChangeStream} backfills a CDC stream relative to its change stream
 * ({@link AbstractDriver.Options#withCdcBackfill}).
 */
public enum CdcBackfill {
    /**
     * OLake's order: the position is recorded, every chunk is read and committed, then the change stream replays
     * what changed meanwhile (inserts of that overlap as op {@code i}, deduplicated by key). The log is retained
     * for the whole backfill.
     */
    BEFORE_CDC,
    /**
     * Netflix DBLog's algorithm: the change streams run from the start and the backfill runs beside them. Each
     * chunk is read between a low and a high watermark that the driver writes into the log
     * ({@link WatermarkSupport#writeWatermark}); its rows are held in memory and, when the change stream reaches the
     * high watermark, emitted through the change stream's writer, except the keys the log changed between the two
     * watermarks (their log events are newer). Each key thus reaches the destination in log order, the source
     * position advances while the backfill runs, and a stream added later (or re-snapshotted with
     * {@link AbstractDriver#resnapshot}) is backfilled while the others keep flowing. Needs
     * {@link DriverInterface#watermarks()} and a primary key on every stream it backfills.
     */
    WATERMARK
}
