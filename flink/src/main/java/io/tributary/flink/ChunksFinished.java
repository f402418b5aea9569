package io.tributary.flink;

import java.util.List;
import org.apache.flink.api.connector.source.SourceEvent;

/** Reader to enumerator: these chunks were read to their end and every row of them emitted. */
record ChunksFinished(List<String> splitIds) implements SourceEvent {
    private static final long serialVersionUID = 1L;

    ChunksFinished {
        splitIds = List.copyOf(splitIds);
    }
}
