package io.tributary.core;

import static java.util.Objects.requireNonNull;

import io.tributary.types.CancelledException;
import java.time.Duration;

/**
 * The one change-stream loop of every driver: polls a {@link ChangePoller} and owns the run's bound and cadence.
 * <ul>
 * <li>Checkpoint: at a transaction boundary, once {@link ChangeSink#CHECKPOINT_EVERY} changes were read since the
 * last one or whenever {@link ChangeSink#checkpointWanted()} (watermark rows waiting, the continuous interval, a
 * stop); and always once when the run ends.</li>
 * <li>End of a bounded run: at a boundary, when the poller {@linkplain ChangePoller#reachedEnd() reached the end} the
 * log had at the start, or when nothing arrived for the initial wait ({@link #AFTER_CHANGES} once changes flowed);
 * never while {@link ChangeSink#keepStreaming()} (a watermark backfill, the continuous mode until it is stopped).</li>
 * <li>Cancellation: an interrupt ends the run with a {@link CancelledException}.</li>
 * </ul>
 *
 * @since 0.2 (experimental: may change before 1.0)
 */
public final class ChangeStreamLoop {
    /** The idle time that ends a bounded run once changes flowed (when shorter than the initial wait). */
    public static final Duration AFTER_CHANGES = Duration.ofSeconds(1);
    /** The longest a single poll waits, so that the bound, the cadence and a stop are looked at this often. */
    public static final Duration POLL_WAIT = Duration.ofMillis(100);

    private ChangeStreamLoop() {
    }

    /**
     * Runs change stream {@code name} from {@code poller} into {@code sink} until its bound, then checkpoints at the
     * poller's position. {@code initialWait}: how long a bounded run waits for a first change.
     */
    public static <P> void run(String name, ChangePoller<P> poller, ChangeSink<P> sink, Duration initialWait) {
        requireNonNull(poller, "poller is null");
        requireNonNull(sink, "sink is null");
        long initialNanos = initialWait.toNanos();
        long afterNanos = Math.min(AFTER_CHANGES.toNanos(), initialNanos);
        long lastArrival = System.nanoTime();
        boolean any = false;
        long since = 0;
        try {
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancelledException(name + " was cancelled");
                }
                int read = poller.poll(sink, POLL_WAIT);
                if (read == ChangePoller.NOTHING) {
                    if (!poller.atBoundary()) {
                        continue;
                    }
                    if (sink.checkpointWanted()) {
                        sink.checkpoint(poller.position());
                        since = 0;
                    }
                    if (sink.keepStreaming()) {
                        continue;
                    }
                    // only a boundary the poller decoded proves the log was read up to a point
                    if (poller.reachedEnd()
                            || System.nanoTime() - lastArrival >= (any ? afterNanos : initialNanos)) {
                        break;
                    }
                    continue;
                }
                lastArrival = System.nanoTime();
                any = true;
                since += read;
                if (poller.ended()) {
                    break;
                }
                if (poller.atBoundary()) {
                    if (since >= ChangeSink.CHECKPOINT_EVERY || sink.checkpointWanted()) {
                        sink.checkpoint(poller.position());
                        since = 0;
                    }
                    if (poller.reachedEnd() && !sink.keepStreaming()) {
                        break; // a bounded run under a steady load: the source is never idle long enough to end
                    }
                }
            }
        } catch (InterruptedException e) {
            throw CancelledException.interrupted(name, e);
        }
        sink.checkpoint(poller.position());
    }
}
