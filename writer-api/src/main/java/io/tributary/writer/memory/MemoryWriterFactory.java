package io.tributary.writer.memory;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.ConfigException;
import io.tributary.writer.Destination;
import io.tributary.writer.WriterFactory;
import java.util.Iterator;

/** Writer type {@code memory}: config {@code {"name": "…"}} selects a shared {@link MemoryDestination}. */
public final class MemoryWriterFactory implements WriterFactory {
    @Override
    public String type() {
        return "memory";
    }

    @Override
    public Destination create(JsonNode config) {
        String name = "default";
        if (config != null && !config.isNull()) {
            for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!key.equals("name")) {
                    throw new ConfigException("memory writer: unknown key '" + key + "'; known keys: name");
                }
            }
            if (config.has("name")) {
                if (!config.get("name").isTextual()) {
                    throw new ConfigException("memory writer: key 'name' expects a string");
                }
                name = config.get("name").asText();
            }
        }
        return MemoryDestination.named(name);
    }

    /** The JSON Schema (2020-12) of the memory writer's config: only {@code name}. */
    @Override
    public JsonNode spec() {
        com.fasterxml.jackson.databind.node.ObjectNode s = io.tributary.types.Json.object();
        s.put("$schema", io.tributary.types.ConfigSchema.DIALECT);
        s.put("title", "MemoryConfig");
        s.put("type", "object");
        s.putObject("properties").putObject("name").put("type", "string")
                .put("description", "The name the embedder looks the in-memory destination up by.");
        s.put("additionalProperties", false);
        return s;
    }
}
