package io.tributary.writer;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import java.util.Collection;
import java.util.Optional;

/**
 * A configured destination (a folder of files, an Iceberg catalog), shared by every writer thread of a sync.
 * Implementations are thread-safe. Created by a {@link WriterFactory}.
 */
public interface Destination extends AutoCloseable {
    /**
     * Checks that the destination is reachable and writable. Throws
     * {@link io.tributary.types.ConfigException} naming what is wrong.
     */
    void check();

    /**
     * Checks, before a sync reads or writes anything, that these streams can be written together: no two of them
     * resolve to the same table or folder, and no table already holds another stream's rows. Throws
     * {@link io.tributary.types.ConfigException} naming the streams and the table. The default checks nothing.
     */
    default void preflight(Collection<ConfiguredStream> streams) {
    }

    /**
     * The metadata state last committed by a writer thread with this ID for this stream, or empty when that
     * thread ID never committed. Must reflect every commit that returned before this call.
     */
    Optional<MetadataState> committedState(StreamId stream, String threadId);

    /**
     * Opens a writer for one thread of work. The returned writer is used by one thread at a time; nothing it
     * writes is visible until {@link DestinationWriter#commit}.
     */
    DestinationWriter open(ConfiguredStream stream, WriterOptions options);

    /** Removes the streams' data and commit metadata (full refresh, clear-destination). Missing streams are ignored. */
    void dropStreams(Collection<StreamId> streams);

    /** Releases resources; idempotent. Uncommitted writers are aborted. */
    @Override
    void close();
}
