package io.tributary.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.ConfigException;
import io.tributary.writer.Destination;
import io.tributary.writer.iceberg.IcebergDestination;
import io.tributary.writer.iceberg.IcebergWriterFactory;

/** The Iceberg destination of a {@code destination.json}, as the sink's operators open it. */
final class IcebergSinks {
    /** Snapshot summary key: the Flink job whose checkpoint a commit holds. */
    static final String JOB_ID = "tributary.flink.job-id";
    /** Snapshot summary key: the checkpoint a commit holds ({@link Long#MAX_VALUE}: the end of a bounded job). */
    static final String CHECKPOINT_ID = "tributary.flink.checkpoint-id";

    private IcebergSinks() {
    }

    static IcebergDestination destination(JsonNode config) {
        Destination d = new IcebergWriterFactory().create(config);
        if (d instanceof IcebergDestination i) {
            return i;
        }
        d.close();
        throw new ConfigException("the Flink sink writes Iceberg only; got " + d.getClass().getName());
    }
}
