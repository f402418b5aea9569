package io.tributary.writer.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.Json;
import io.tributary.writer.Destination;
import io.tributary.writer.WriterFactory;

/**
 * Writer type {@code parquet}: Parquet files in a local folder ({@link ParquetDestination}) or on S3
 * ({@link ObjectStoreParquetDestination}). Config keys: see {@link ParquetConfig}.
 */
public final class ParquetWriterFactory implements WriterFactory {
    @Override
    public String type() {
        return "parquet";
    }

    @Override
    public Destination create(JsonNode config) {
        ParquetConfig c = Json.bind(config == null ? Json.object() : config, ParquetConfig.class,
                "parquet writer config");
        return c.isObjectStore() ? new ObjectStoreParquetDestination(c) : new ParquetDestination(c);
    }

    /** The JSON Schema (2020-12) of {@link ParquetConfig}. */
    @Override
    public JsonNode spec() {
        return io.tributary.types.ConfigSchema.of(ParquetConfig.class);
    }
}
