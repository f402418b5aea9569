package io.tributary.writer.iceberg;

import static java.util.Objects.requireNonNull;

import io.tributary.types.StreamId;
import java.io.Serializable;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;

/**
 * The files a {@link StagedWriter} wrote between two flushes, not yet part of any snapshot: handed to whoever
 * commits them later with {@link IcebergDestination#commitStaged} (a Flink committer keeps them in its state; they
 * are {@link Serializable}, and deserializing them needs iceberg-api and iceberg-core on the class path).
 *
 * @param namespace the source stream's namespace ({@link StreamId#namespace()}), not the table's
 * @param table the source stream's name ({@link StreamId#name()})
 * @param dataFiles the new rows' data files
 * @param deleteFiles in upsert mode: an equality delete file on {@code _olake_id} (rows of earlier snapshots) and a
 *     position delete file (rows of these data files written again before the flush)
 * @param rows how many rows the data files hold (rows that a position delete of this flush removes included)
 */
public record StagedFiles(String namespace, String table, List<DataFile> dataFiles, List<DeleteFile> deleteFiles,
        long rows) implements Serializable {
    public StagedFiles {
        requireNonNull(namespace, "namespace is null");
        requireNonNull(table, "table is null");
        dataFiles = List.copyOf(requireNonNull(dataFiles, "dataFiles is null"));
        deleteFiles = List.copyOf(requireNonNull(deleteFiles, "deleteFiles is null"));
        if (rows < 0) {
            throw new IllegalArgumentException("rows is negative: " + rows);
        }
    }

    /** No files of {@code stream}. */
    public static StagedFiles empty(StreamId stream) {
        return new StagedFiles(stream.namespace(), stream.name(), List.of(), List.of(), 0);
    }

    /** The source stream whose table the files belong to. */
    public StreamId stream() {
        return StreamId.of(namespace, table);
    }

    /** True when there is no data file and no delete file: nothing to commit. */
    public boolean isEmpty() {
        return dataFiles.isEmpty() && deleteFiles.isEmpty();
    }
}
