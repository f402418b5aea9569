package io.tributary.core;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.StreamId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One committed CDC checkpoint of a change stream.
 *
 * @param identifier the change stream ({@link CdcSource#streamChanges})
 * @param position the source position committed (and acknowledged to the source)
 * @param streams every stream this change stream carries, also those without a change in this checkpoint
 * @param changes per stream with at least one change: its changes by operation and their source commit times; empty
 *     for an idle checkpoint (the change stream read to the end of the log and found nothing: it is caught up)
 * @param backfillRows backfill rows committed with this checkpoint (a watermark backfill's chunks)
 * @param committedAt when the destination commit and the acknowledgement finished
 * @param duration how long the commit took (writers' commits, the save of the position, then {@link CdcSource#acknowledge})
 */
public record CdcCommit(int identifier, ObjectNode position, List<StreamId> streams,
        Map<StreamId, StreamChanges> changes, long backfillRows, Instant committedAt, Duration duration) {
    public CdcCommit {
        requireNonNull(position, "position is null");
        streams = List.copyOf(streams);
        changes = Map.copyOf(changes);
        requireNonNull(committedAt, "committedAt is null");
        requireNonNull(duration, "duration is null");
    }

    /** Changes of every stream. */
    public long totalChanges() {
        long n = 0;
        for (StreamChanges c : changes.values()) {
            n += c.total();
        }
        return n;
    }
}
