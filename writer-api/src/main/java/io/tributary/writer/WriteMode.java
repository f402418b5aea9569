package io.tributary.writer;

/** How a writer thread applies records. */
public enum WriteMode {
    /** Every record is a new row (backfill, full refresh, append mode). */
    APPEND,
    /** A record replaces the row with the same {@code _olake_id}; a delete removes it (incremental, CDC). */
    UPSERT
}
