package io.tributary.types;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A stream as the user selected it in the catalog ({@code streams.json}'s {@code selected_streams}):
 * the discovered {@link Stream} with its chosen sync mode and cursor, plus the selection.
 *
 * @param stream the stream, with the chosen {@code sync_mode} and {@code cursor_field}
 * @param selectedColumns the columns to sync; empty means every column
 * @param syncNewColumns whether columns that appear later (schema evolution) are synced
 * @param filter an optional SQL-like filter ({@code age > 18 and status = "active"}) the driver applies
 * @param chunkColumn an optional column the driver must split chunks on (a primary key column)
 * @param appendMode write every record as an append even for incremental/CDC (no upserts)
 * @param normalization OLake's flag: flatten into columns (always true here; kept for catalog compatibility)
 * @param partitionRegex OLake's partition template, passed through to writers
 */
public record ConfiguredStream(
        Stream stream,
        List<String> selectedColumns,
        boolean syncNewColumns,
        Optional<String> filter,
        Optional<String> chunkColumn,
        boolean appendMode,
        boolean normalization,
        Optional<String> partitionRegex) {

    public ConfiguredStream {
        requireNonNull(stream, "stream is null");
        selectedColumns = List.copyOf(requireNonNull(selectedColumns, "selectedColumns is null"));
        requireNonNull(filter, "filter is null");
        requireNonNull(chunkColumn, "chunkColumn is null");
        requireNonNull(partitionRegex, "partitionRegex is null");
    }

    /** Every column, no filter, the stream's own sync mode. */
    public static ConfiguredStream of(Stream stream) {
        return new ConfiguredStream(stream, List.of(), true, Optional.empty(), Optional.empty(), false, true,
                Optional.empty());
    }

    public StreamId id() {
        return stream.id();
    }

    public Schema schema() {
        return stream.schema();
    }

    public SyncMode syncMode() {
        return stream.syncMode();
    }

    public List<String> primaryKey() {
        return stream.primaryKey();
    }

    /** The primary cursor column: the part of {@code cursor_field} before {@code ':'}. */
    public Optional<String> primaryCursor() {
        return stream.cursorField().map(c -> c.split(":", 2)[0]);
    }

    /** The secondary cursor column (used where the primary is NULL): the part after {@code ':'}. */
    public Optional<String> secondaryCursor() {
        return stream.cursorField().filter(c -> c.contains(":")).map(c -> c.split(":", 2)[1]);
    }

    public ConfiguredStream withStream(Stream s) {
        return new ConfiguredStream(s, selectedColumns, syncNewColumns, filter, chunkColumn, appendMode,
                normalization, partitionRegex);
    }

    public ConfiguredStream withSyncMode(SyncMode mode) {
        return withStream(stream.withSyncMode(mode));
    }

    public ConfiguredStream withCursorField(String cursorField) {
        return withStream(stream.withCursorField(Optional.of(cursorField)));
    }

    public ConfiguredStream withSelectedColumns(List<String> columns) {
        return new ConfiguredStream(stream, columns, syncNewColumns, filter, chunkColumn, appendMode,
                normalization, partitionRegex);
    }

    public ConfiguredStream withFilter(String f) {
        return new ConfiguredStream(stream, selectedColumns, syncNewColumns, Optional.of(f), chunkColumn,
                appendMode, normalization, partitionRegex);
    }

    /**
     * Checks the selection against the stream: the sync mode is supported, cursor columns exist and may be
     * cursors, selected columns exist. Throws {@link ConfigException} naming the stream and column.
     */
    public void validate() {
        if (!stream.supportedSyncModes().contains(syncMode())) {
            throw new ConfigException("stream " + id() + ": sync_mode " + syncMode().jsonName()
                    + " is not supported; supported: " + stream.supportedSyncModes().stream()
                            .map(SyncMode::jsonName).sorted().toList());
        }
        if (syncMode() == SyncMode.INCREMENTAL) {
            String p = primaryCursor().orElseThrow(() -> new ConfigException(
                    "stream " + id() + ": incremental sync needs a cursor_field; available: "
                            + stream.cursorFields()));
            checkCursor(p);
            secondaryCursor().ifPresent(this::checkCursor);
        }
        for (String c : selectedColumns) {
            if (stream.schema().indexOf(c) < 0 && !DefaultColumns.isDefault(c)) {
                throw new ConfigException("stream " + id() + ": selected column " + c + " does not exist; columns: "
                        + stream.schema().names());
            }
        }
        chunkColumn.ifPresent(c -> {
            if (stream.schema().indexOf(c) < 0) {
                throw new ConfigException("stream " + id() + ": chunk_column " + c + " does not exist");
            }
        });
    }

    private void checkCursor(String column) {
        if (stream.schema().indexOf(column) < 0) {
            throw new ConfigException("stream " + id() + ": cursor field " + column + " does not exist; columns: "
                    + stream.schema().names());
        }
        if (!stream.cursorFields().contains(column)) {
            throw new ConfigException("stream " + id() + ": column " + column
                    + " cannot be a cursor; available cursor fields: " + stream.cursorFields());
        }
    }
}
