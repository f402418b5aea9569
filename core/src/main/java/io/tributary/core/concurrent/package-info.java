/**
 * The engine's concurrency helpers: {@link io.tributary.core.concurrent.TaskGroup} (tasks on an owned executor,
 * the first failure cancels the rest) and {@link io.tributary.core.concurrent.Retry} (retriable failures retried
 * with exponential backoff).
 */
package io.tributary.core.concurrent;
