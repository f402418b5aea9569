package io.tributary.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.writer.WriterPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** Reads the OLake-shaped JSON files; every error names the file. */
final class ConfigFiles {
    private ConfigFiles() {
    }

    static JsonNode read(Path file) {
        try {
            return Json.mapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": file not found");
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** A destination file: {@code {"type": "ICEBERG" | "PARQUET" | "JSONL" | ..., "writer": {...}}}. */
    record DestinationFile(Path file, String type, JsonNode writer) {
        /** Opens the writer pool; an error in the writer's settings names this file. */
        WriterPool open(WriterPool.Options options) {
            try {
                return WriterPool.open(type, writer, options);
            } catch (ConfigException e) {
                throw new ConfigException(file + ": " + e.getMessage(), e);
            }
        }
    }

    static DestinationFile destination(Path file) {
        JsonNode root = read(file);
        if (!root.isObject()) {
            throw new ConfigException(file + ": expected an object {\"type\": ..., \"writer\": {...}}");
        }
        root.fieldNames().forEachRemaining(k -> {
            if (!k.equals("type") && !k.equals("writer")) {
                throw new ConfigException(file + ": unknown key '" + k + "'; known keys: type, writer");
            }
        });
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new ConfigException(file + ": key 'type' is required (a string such as \"ICEBERG\" or \"PARQUET\")");
        }
        JsonNode writer = root.get("writer");
        if (writer == null || !writer.isObject()) {
            throw new ConfigException(file + ": key 'writer' is required (an object with the writer's settings)");
        }
        return new DestinationFile(file, type.asText().toLowerCase(Locale.ROOT), writer);
    }
}
