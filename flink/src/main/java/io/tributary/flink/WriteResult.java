package io.tributary.flink;

import io.tributary.writer.iceberg.StagedFiles;
import java.io.Serializable;
import java.util.List;

/**
 * Writer to committer: the files one writer subtask wrote for checkpoint {@code checkpointId}
 * ({@link Long#MAX_VALUE}: at the end of a bounded input), not yet committed.
 */
public record WriteResult(long checkpointId, List<StagedFiles> files) implements Serializable {
    private static final long serialVersionUID = 1L;

    public WriteResult {
        files = List.copyOf(files);
    }
}
