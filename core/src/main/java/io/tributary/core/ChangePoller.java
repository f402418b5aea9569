package io.tributary.core;

import java.time.Duration;

/**
 * A driver's side of one run of a change stream under {@link ChangeStreamLoop}: it reads and decodes the log and
 * hands changes and watermarks to the sink; the loop decides when to checkpoint and when the run ends. Used by the
 * change stream's thread only.
 *
 * @param <P> the driver's position type
 * @since 0.2 (experimental: may change before 1.0)
 */
public interface ChangePoller<P> {
    /** {@link #poll}'s answer when nothing arrived. */
    int NOTHING = -1;

    /**
     * Reads what the source has, waiting at most about {@code max} for it: decodes one message, event or batch, hands
     * its changes and watermarks to {@code sink} (never {@link ChangeSink#checkpoint}: the loop does), and returns how
     * many row changes it read (rows of streams not synced may count: the count advances the checkpoint cadence), or
     * {@link #NOTHING} when nothing arrived. Throws a {@link io.tributary.types.RetriableException} when the
     * connection failed.
     */
    int poll(ChangeSink<P> sink, Duration max) throws InterruptedException;

    /** True between transactions: where a checkpoint may be taken and a run may end. */
    boolean atBoundary();

    /** The position a checkpoint taken now saves (at a boundary: everything before it was handed to the sink). */
    P position();

    /** True once the stream read the log up to the end it had when the run began (a bounded run may end here). */
    boolean reachedEnd();

    /** True when the stream cannot go on (a MongoDB collection dropped or renamed): the run ends at once. */
    default boolean ended() {
        return false;
    }
}
