/**
 * The sync state ({@code state.json}): chunks left, cursors, backfill completion, change-stream positions and the
 * source identity, with the stores it is saved in.
 */
package io.tributary.core.state;
