package io.tributary.core;

/**
 * The watermark role of a driver ({@link DriverInterface#watermarks()}): lets {@link CdcBackfill#WATERMARK} backfill
 * while the change streams run.
 *
 * @since 0.2
 */
@Experimental
@FunctionalInterface
public interface WatermarkSupport {
    /**
     * Puts a marker into the log of change stream {@code identifier}, which the change stream hands to
     * {@link ChangeSink#watermark} when it reads that point of the log: every change
     * committed before this call started is delivered before it, every change committed after it returned is
     * delivered after it, and every change delivered before it is visible to a read that starts after this call
     * returned (the watermark backfill reads a chunk between a low and a high marker and keeps only the rows no
     * change after the low marker touched: a change delivered before the low marker but missing from the chunk would
     * be lost). Where the log shows a transaction before the database makes it visible (a binlog is written before
     * the engine commits), the call waits for that. The change stream must reach it in bounded time even when nothing
     * else is written (PostgreSQL: a logical decoding message; MySQL: a binlog position the reader compares with its
     * own). Called only after {@link DriverInterface#preCDC}. Thread-safe: chunk readers call it while the change
     * stream runs.
     */
    void writeWatermark(int identifier, String watermark);
}
