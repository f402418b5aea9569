package io.tributary.types;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A discovered stream: its identity, source columns, the source-defined primary key, the columns a cursor
 * may use, the sync modes the driver supports, and the chosen sync mode and cursor
 * ({@code "primary[:secondary]"}, OLake's {@code cursor_field}).
 *
 * <p>The four default columns ({@link DefaultColumns}) are not part of {@link #schema()}: every record carries
 * them and every writer stores them.
 */
public record Stream(
        StreamId id,
        Schema schema,
        List<String> primaryKey,
        Set<String> cursorFields,
        Set<SyncMode> supportedSyncModes,
        SyncMode syncMode,
        Optional<String> cursorField) {

    public Stream {
        requireNonNull(id, "id is null");
        requireNonNull(schema, "schema is null");
        primaryKey = List.copyOf(requireNonNull(primaryKey, "primaryKey is null"));
        cursorFields = Set.copyOf(new TreeSet<>(requireNonNull(cursorFields, "cursorFields is null")));
        supportedSyncModes = Set.copyOf(requireNonNull(supportedSyncModes, "supportedSyncModes is null"));
        requireNonNull(syncMode, "syncMode is null");
        requireNonNull(cursorField, "cursorField is null");
        for (String k : primaryKey) {
            if (schema.indexOf(k) < 0) {
                throw new IllegalArgumentException("primary key column " + k + " is not in the schema of " + id);
            }
        }
    }

    /** A stream as a driver's {@code produceSchema} returns it: full refresh until discovery picks a mode. */
    public static Stream of(StreamId id, Schema schema, List<String> primaryKey, Set<String> cursorFields,
            Set<SyncMode> supportedSyncModes) {
        return new Stream(id, schema, primaryKey, cursorFields, supportedSyncModes, SyncMode.FULL_REFRESH,
                Optional.empty());
    }

    public String namespace() {
        return id.namespace();
    }

    public String name() {
        return id.name();
    }

    public Stream withSchema(Schema newSchema) {
        return new Stream(id, newSchema, primaryKey, cursorFields, supportedSyncModes, syncMode, cursorField);
    }

    public Stream withSyncMode(SyncMode mode) {
        return new Stream(id, schema, primaryKey, cursorFields, supportedSyncModes, mode, cursorField);
    }

    public Stream withCursorField(Optional<String> cursor) {
        return new Stream(id, schema, primaryKey, cursorFields, supportedSyncModes, syncMode, cursor);
    }

    public Stream withSupportedSyncModes(Set<SyncMode> modes) {
        return new Stream(id, schema, primaryKey, cursorFields, modes, syncMode, cursorField);
    }

    public Stream withPrimaryKey(List<String> key) {
        return new Stream(id, schema, key, cursorFields, supportedSyncModes, syncMode, cursorField);
    }
}
