package io.tributary.flink;

import static java.util.Objects.requireNonNull;

import io.tributary.types.StreamId;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;

/**
 * One row the Tributary source emits: the stream it belongs to, the record to write (values, {@code _olake_id}, op,
 * timestamps) and how the sink writes it: {@link WriteMode#APPEND} for a chunk's first read, {@link WriteMode#UPSERT}
 * (an equality delete on {@code _olake_id} before the row) for changes and for a chunk read again after a restore.
 * Immutable.
 */
public record SourceRecord(StreamId stream, WriteMode mode, Record record) {
    public SourceRecord {
        requireNonNull(stream, "stream is null");
        requireNonNull(mode, "mode is null");
        requireNonNull(record, "record is null");
    }
}
