package io.tributary.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * The changes of one stream that one CDC checkpoint committed, by operation, and the source commit times of the
 * oldest and the newest of them.
 *
 * @param inserts inserted rows (including a backfill overlap's re-inserts)
 * @param updates updated rows
 * @param deletes deleted rows (including updates that took a row out of the stream's filter)
 * @param oldestSourceCommit source commit time of the oldest change
 * @param newestSourceCommit source commit time of the newest change
 */
public record StreamChanges(long inserts, long updates, long deletes, Instant oldestSourceCommit,
        Instant newestSourceCommit) {
    public StreamChanges {
        requireNonNull(oldestSourceCommit, "oldestSourceCommit is null");
        requireNonNull(newestSourceCommit, "newestSourceCommit is null");
    }

    /** Every change. */
    public long total() {
        return inserts + updates + deletes;
    }

    /**
     * How long the newest change took from its source commit to its destination commit at {@code committedAt}
     * (never negative: a source clock ahead of this one gives zero).
     */
    public Duration lag(Instant committedAt) {
        Duration d = Duration.between(newestSourceCommit, committedAt);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Like {@link #lag} for the oldest change: the longest any change of this checkpoint waited. */
    public Duration maxLag(Instant committedAt) {
        Duration d = Duration.between(oldestSourceCommit, committedAt);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
