package io.tributary.writer.iceberg;

import io.tributary.writer.Record;
import java.util.List;

/**
 * Writes a stream's rows into new Iceberg files and hands them over instead of committing them: for an external
 * committer that commits them later, e.g. when a Flink checkpoint completes ({@link IcebergDestination#openStaged},
 * {@link IcebergDestination#commitStaged}). Rows are written as by the embedded writer: appended, or in upsert mode
 * with an equality delete on {@code _olake_id} for each key first seen since the last flush, and a position delete
 * for a key written again before the next flush.
 *
 * <p>Calls come from one thread at a time. Each flush's files must be committed in their own
 * {@link IcebergDestination#commitStaged} call, after those of the writer's earlier flushes (an equality delete only
 * removes rows of earlier snapshots); files of several writers and the same flush round may share one call when no
 * key is written by two of them.
 */
public interface StagedWriter extends AutoCloseable {
    /**
     * Writes a batch into the open files (not visible to readers). Records may carry a newer source schema: the
     * table evolves as for the embedded writer. Throws {@link io.tributary.types.RetriableException} on an I/O
     * failure, {@link io.tributary.types.ValueException} for a value the table cannot hold with
     * {@code value_errors=fail}; the writer should then be aborted.
     */
    void write(List<Record> batch);

    /**
     * Closes the open files and returns them ({@link StagedFiles#isEmpty() empty} when nothing was written since
     * the last flush); the caller now owns them, and {@link #abort} no longer deletes them. Rows written after this
     * belong to a later snapshot (a key seen again gets an equality delete, not a position delete). The writer
     * stays usable and opens new files for the next rows.
     */
    StagedFiles flush();

    /** Deletes the files written since the last flush. Idempotent, never throws; the writer stays usable. */
    void abort();

    /** Values written as NULL or rows left out because a column could not hold a value, since the writer opened. */
    long valueErrors();

    /** Same as {@link #abort}: work not flushed is discarded. */
    @Override
    void close();
}
