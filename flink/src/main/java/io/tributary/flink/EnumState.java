package io.tributary.flink;

import java.util.List;
import java.util.Set;

/**
 * The split enumerator's checkpointed state: whether the backfill was planned, the chunks not yet assigned, the ids
 * of chunks known finished and how many were planned, the change-stream splits not yet assigned, and whether the
 * change streams were released (after a completed checkpoint that holds every chunk's rows). Splits assigned to
 * readers are in the readers' state, not here.
 */
public record EnumState(boolean planned, int totalChunks, List<TributarySplit> chunks, Set<String> finished,
        List<TributarySplit> changes, boolean released) {
    public EnumState {
        chunks = List.copyOf(chunks);
        finished = Set.copyOf(finished);
        changes = List.copyOf(changes);
    }

    static EnumState initial() {
        return new EnumState(false, 0, List.of(), Set.of(), List.of(), false);
    }
}
