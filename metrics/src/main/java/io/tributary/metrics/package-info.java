/**
 * Micrometer metrics for a sync: a {@link io.tributary.core.SyncListener} that records chunks, rows, CDC commits
 * and lag.
 */
package io.tributary.metrics;
