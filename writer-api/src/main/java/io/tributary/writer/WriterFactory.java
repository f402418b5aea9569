package io.tributary.writer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The writer SPI: a destination type ({@code memory}, {@code jsonl}, {@code parquet}, {@code iceberg}) found by
 * {@link java.util.ServiceLoader} through {@code META-INF/services/io.tributary.writer.WriterFactory}.
 */
public interface WriterFactory {
    /** The type name users put in {@code destination.json}'s {@code type}; lower case. */
    String type();

    /**
     * Creates a destination from the writer config (the {@code writer} object of {@code destination.json}).
     * Unknown keys and bad values are {@link io.tributary.types.ConfigException}s naming the key.
     */
    Destination create(JsonNode config);

    /** The JSON schema of the writer config, for {@code spec}. */
    default JsonNode spec() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
}
