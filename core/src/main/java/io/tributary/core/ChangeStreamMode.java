package io.tributary.core;

/**
 * How {@link AbstractDriver#runChangeStream} runs CDC (the seed's three-boolean {@code ChangeStreamConfig}).
 */
public enum ChangeStreamMode {
    /**
     * One change stream for every stream (a PostgreSQL slot, a MySQL binlog), identifier 0, started after every
     * backfill finished.
     */
    SEQUENTIAL,
    /** One change stream per stream (identifier = the stream's index), all started after every backfill finished. */
    PARALLEL,
    /** One change stream per stream, each started as soon as that stream's own backfill finished. */
    CONCURRENT
}
