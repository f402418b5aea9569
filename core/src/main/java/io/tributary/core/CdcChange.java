package io.tributary.core;

import static java.util.Objects.requireNonNull;

import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import java.time.Instant;

/**
 * One change from a database's log.
 *
 * @param stream the stream it belongs to
 * @param kind {@link OpType#CREATE}, {@link OpType#UPDATE} or {@link OpType#DELETE}
 * @param timestamp commit time of the change's transaction in the source
 * @param schema the stream's schema when the change was made; a newer instance than the catalog's when a column
 *     was added or widened (the orchestrator evolves the stream)
 * @param values the row after the change (before it, for a delete: at least the key columns), against
 *     {@code schema}
 */
public record CdcChange(StreamId stream, OpType kind, Instant timestamp, Schema schema, Object[] values) {
    public CdcChange {
        requireNonNull(stream, "stream is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(timestamp, "timestamp is null");
        requireNonNull(schema, "schema is null");
        requireNonNull(values, "values is null");
    }
}
