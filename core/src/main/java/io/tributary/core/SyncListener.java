package io.tributary.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.StreamId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Progress callbacks for a sync (a CLI progress bar, metrics). Called from orchestrator threads concurrently;
 * implementations must be thread-safe and fast (a change stream waits while its listener runs). Every method
 * defaults to doing nothing; the richer callbacks added later default to the older ones they extend, so a listener
 * written against either keeps working. Nothing here is called per row: counts arrive per chunk, per incremental
 * pass and per checkpoint, and {@link #cdcProgress} at most about once a second per change stream.
 */
public interface SyncListener {
    SyncListener NONE = new SyncListener() {
    };

    /** A listener that calls each of {@code listeners} in turn (a failing one does not stop the others). */
    static SyncListener composite(SyncListener... listeners) {
        List<SyncListener> all = List.of(listeners);
        return new Composite(all);
    }

    /** A stream's backfill starts with {@code remaining} of {@code total} chunks left to read. */
    default void backfillStarted(StreamId stream, int remaining, int total) {
    }

    /** A chunk was read and committed. */
    default void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
    }

    /**
     * A chunk was read and committed, {@code took} after its reading began (rows / took is the chunk's throughput).
     * Defaults to {@link #chunkCommitted(StreamId, Chunk, long)}.
     */
    default void chunkCommitted(StreamId stream, Chunk chunk, long rows, Duration took) {
        chunkCommitted(stream, chunk, rows);
    }

    /** A stream's backfill finished. */
    default void backfillCompleted(StreamId stream) {
    }

    /** An incremental pass of a stream committed {@code rows} rows. */
    default void incrementalCommitted(StreamId stream, long rows) {
    }

    /** A CDC checkpoint committed {@code changes} changes since the previous one. */
    default void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
    }

    /**
     * A CDC checkpoint committed: changes per stream and operation, their source commit times (so the lag from
     * source commit to destination commit), the commit's duration. Defaults to
     * {@link #cdcCheckpointed(int, ObjectNode, long)}.
     */
    default void cdcCommitted(CdcCommit commit) {
        cdcCheckpointed(commit.identifier(), commit.position(), commit.totalChanges());
    }

    /**
     * A change stream (re)starts reading the log for {@code streams} (called again for each retry or each restart of
     * a driver that streams bounded runs).
     */
    default void changeStreamStarted(int identifier, List<StreamId> streams) {
    }

    /**
     * A change stream is reading: {@code changes} changes accepted since its last checkpoint (not yet committed),
     * the newest committed in the source at {@code newestSourceCommit}. Called at most about once a second per
     * change stream, only while changes arrive (the clock is read at the first change after a checkpoint and then
     * every 16th, to keep the per-change cost down).
     */
    default void cdcProgress(int identifier, long changes, Instant newestSourceCommit) {
    }

    /** A task failed and will be tried again after {@link RetryEvent#backoff()}. */
    default void retrying(RetryEvent event) {
    }

    /**
     * The sync failed with {@code cause} (after its retries, or at once for a non-retriable failure or a
     * cancellation); {@code operation} is the entry point ({@code read}, {@code full_refresh}, {@code incremental},
     * {@code cdc}). Called once, before the failure is thrown to the caller.
     */
    default void failed(String operation, Throwable cause) {
    }

    /** See {@link SyncListener#composite}. */
    final class Composite implements SyncListener {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Composite.class);
        private final List<SyncListener> listeners;

        private Composite(List<SyncListener> listeners) {
            listeners.forEach(l -> requireNonNull(l, "listener is null"));
            this.listeners = listeners;
        }

        private void each(java.util.function.Consumer<SyncListener> call) {
            for (SyncListener l : listeners) {
                try {
                    call.accept(l);
                } catch (RuntimeException e) {
                    LOG.warn("sync listener {} failed: {}", l, e.toString());
                }
            }
        }

        @Override
        public void backfillStarted(StreamId stream, int remaining, int total) {
            each(l -> l.backfillStarted(stream, remaining, total));
        }

        @Override
        public void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
            each(l -> l.chunkCommitted(stream, chunk, rows));
        }

        @Override
        public void chunkCommitted(StreamId stream, Chunk chunk, long rows, Duration took) {
            each(l -> l.chunkCommitted(stream, chunk, rows, took));
        }

        @Override
        public void backfillCompleted(StreamId stream) {
            each(l -> l.backfillCompleted(stream));
        }

        @Override
        public void incrementalCommitted(StreamId stream, long rows) {
            each(l -> l.incrementalCommitted(stream, rows));
        }

        @Override
        public void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
            each(l -> l.cdcCheckpointed(identifier, position, changes));
        }

        @Override
        public void cdcCommitted(CdcCommit commit) {
            each(l -> l.cdcCommitted(commit));
        }

        @Override
        public void changeStreamStarted(int identifier, List<StreamId> streams) {
            each(l -> l.changeStreamStarted(identifier, streams));
        }

        @Override
        public void cdcProgress(int identifier, long changes, Instant newestSourceCommit) {
            each(l -> l.cdcProgress(identifier, changes, newestSourceCommit));
        }

        @Override
        public void retrying(RetryEvent event) {
            each(l -> l.retrying(event));
        }

        @Override
        public void failed(String operation, Throwable cause) {
            each(l -> l.failed(operation, cause));
        }
    }
}
