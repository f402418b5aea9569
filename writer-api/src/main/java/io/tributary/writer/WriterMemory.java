package io.tributary.writer;

/** Memory budgets shared by the columnar writers. */
public final class WriterMemory {
    private static final long MIN_ROW_GROUP = 4L << 20;
    private static final long MAX_ROW_GROUP = 32L << 20;

    private WriterMemory() {
    }

    /**
     * The most a columnar writer thread buffers as one row group: 32 MB, and at most a sixteenth of the heap (never
     * under 4 MB). Every writer thread holds one, so four threads in a 256 MiB heap hold 64 MB; with 32 MB row groups
     * there, a four-thread backfill spent 40 % of its time in GC (bench/results/2026-12-06-*).
     */
    public static long rowGroupBytes() {
        return rowGroupBytes(Runtime.getRuntime().maxMemory());
    }

    static long rowGroupBytes(long maxHeap) {
        return Math.max(MIN_ROW_GROUP, Math.min(MAX_ROW_GROUP, maxHeap / 16));
    }
}
