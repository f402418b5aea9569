package io.tributary.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A failed attempt that will be retried.
 *
 * @param operation what kind of task failed: {@code discover}, {@code chunk}, {@code incremental},
 *     {@code change_stream} (a bounded set, fit for a metric tag)
 * @param what the task in words (stream, chunk, change stream), for a log line
 * @param attempt the attempt that failed, from 1
 * @param maxAttempts attempts allowed in all
 * @param cause the failure
 * @param backoff the sleep before the next attempt
 */
public record RetryEvent(String operation, String what, int attempt, int maxAttempts, Throwable cause,
        Duration backoff) {
    public RetryEvent {
        requireNonNull(operation, "operation is null");
        requireNonNull(what, "what is null");
        requireNonNull(cause, "cause is null");
        requireNonNull(backoff, "backoff is null");
    }
}
