package io.tributary.writer.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.Json;
import io.tributary.writer.Destination;
import io.tributary.writer.WriterFactory;

/** Writer type {@code jsonl}: JSON-lines files in a local folder. See {@link JsonlDestination}. */
public final class JsonlWriterFactory implements WriterFactory {
    @Override
    public String type() {
        return "jsonl";
    }

    @Override
    public Destination create(JsonNode config) {
        return new JsonlDestination(Json.bind(config, JsonlConfig.class, "jsonl writer config"));
    }

    /** The JSON Schema (2020-12) of {@link JsonlConfig}. */
    @Override
    public JsonNode spec() {
        return io.tributary.types.ConfigSchema.of(JsonlConfig.class);
    }
}
