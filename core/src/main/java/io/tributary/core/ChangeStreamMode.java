package io.tributary.core;

import io.tributary.types.ConfiguredStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    CONCURRENT;

    /**
     * The change streams of {@code streams} by identifier, as the engine numbers them: one (identifier 0) for all
     * streams in {@link #SEQUENTIAL} mode, else one per stream (its index in {@code streams}).
     */
    public Map<Integer, List<ConfiguredStream>> changeStreams(
            List<ConfiguredStream> streams) {
        Map<Integer, List<ConfiguredStream>> out = new LinkedHashMap<>();
        for (int i = 0; i < streams.size(); i++) {
            out.computeIfAbsent(this == SEQUENTIAL ? 0 : i, k -> new ArrayList<>()).add(streams.get(i));
        }
        return out;
    }
}
