package io.tributary.writer.iceberg;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.Json;
import io.tributary.writer.Destination;
import io.tributary.writer.WriterFactory;

/** Writer type {@code iceberg}: Apache Iceberg tables written in-process. See {@link IcebergDestination}. */
public final class IcebergWriterFactory implements WriterFactory {
    @Override
    public String type() {
        return "iceberg";
    }

    @Override
    public Destination create(JsonNode config) {
        return new IcebergDestination(Json.bind(config, IcebergConfig.class, "iceberg writer config"));
    }

    /** The JSON Schema (2020-12) of {@link IcebergConfig}. */
    @Override
    public JsonNode spec() {
        return io.tributary.types.ConfigSchema.of(IcebergConfig.class);
    }
}
