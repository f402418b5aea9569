package io.tributary.core.concurrent;

import static java.util.Objects.requireNonNull;

import io.tributary.types.CancelledException;
import io.tributary.types.NonRetriableException;
import io.tributary.types.RetriableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a task with exponential backoff, sleeping {@code initial}, then twice as long each time, up to {@code max}.
 *
 * <p>Only transient failures are retried ({@link #isTransient}): a {@link RetriableException}, or an I/O failure
 * (an {@link IOException} or {@link UncheckedIOException} anywhere in the cause chain, as writers wrap a storage
 * error). A {@link NonRetriableException} (config errors, value errors, cancellation) and {@link Error}s stop at once
 * and are thrown as they are. Anything else is a programming error (a {@link NullPointerException}, an
 * {@link IllegalStateException}): retrying it only repeats it, so it is not retried either, and is thrown as a
 * {@link NonRetriableException} naming the task, with the original as its cause.
 */
public record Retry(int retries, Duration initial, Duration max, Observer observer) {
    private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

    /** Told of each failed attempt that will be retried (metrics, progress). */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = (what, attempt, attempts, cause, backoff) -> {
        };

        /** Attempt {@code attempt} (from 1) of {@code attempts} failed with {@code cause}; next in {@code backoff}. */
        void retrying(String what, int attempt, int attempts, RuntimeException cause, Duration backoff);
    }

    public Retry(int retries, Duration initial, Duration max) {
        this(retries, initial, max, Observer.NONE);
    }

    public Retry {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0: " + retries);
        }
        requireNonNull(initial, "initial is null");
        requireNonNull(max, "max is null");
        requireNonNull(observer, "observer is null");
    }

    /**
     * Whether {@code t} is worth retrying: no {@link NonRetriableException} in its cause chain, and a
     * {@link RetriableException}, {@link IOException} or {@link UncheckedIOException} in it.
     */
    public static boolean isTransient(Throwable t) {
        boolean transientCause = false;
        int depth = 0;
        for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
            if (c instanceof NonRetriableException || c instanceof Error) {
                return false;
            }
            if (c instanceof RetriableException || c instanceof IOException || c instanceof UncheckedIOException) {
                transientCause = true;
            }
        }
        return transientCause;
    }

    private static NonRetriableException nonRetriableCause(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth < 32; c = c.getCause(), depth++) {
            if (c instanceof NonRetriableException n) {
                return n;
            }
        }
        return null;
    }

    /** Runs {@code task}; returns when one attempt succeeds, throws the last failure otherwise. */
    public void run(String what, Runnable task) {
        Duration sleep = initial;
        for (int attempt = 0; ; attempt++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancelledException(what + " was cancelled");
            }
            try {
                task.run();
                return;
            } catch (NonRetriableException e) {
                throw e;
            } catch (RuntimeException e) {
                if (!isTransient(e)) {
                    NonRetriableException stop = nonRetriableCause(e);
                    if (stop != null) {
                        // a wrapped stop (a change stream that stopped on a destination failure fails the chunks
                        // waiting for it): the stop's own message says what to fix, not "a bug"
                        throw new NonRetriableException(what + " failed: " + stop.getMessage(), e);
                    }
                    throw new NonRetriableException(what + " failed with an unexpected error (not retried: a bug, "
                            + "please report it with this message): " + e, e);
                }
                if (attempt >= retries) {
                    throw e;
                }
                LOG.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt + 1, retries + 1,
                        sleep.toMillis(), e.toString());
                try {
                    observer.retrying(what, attempt + 1, retries + 1, e, sleep);
                } catch (RuntimeException oe) {
                    LOG.warn("retry observer failed: {}", oe.toString());
                }
                try {
                    Thread.sleep(sleep.toMillis());
                } catch (InterruptedException ie) {
                    throw CancelledException.interrupted(what, ie);
                }
                sleep = sleep.multipliedBy(2).compareTo(max) > 0 ? max : sleep.multipliedBy(2);
            }
        }
    }
}
