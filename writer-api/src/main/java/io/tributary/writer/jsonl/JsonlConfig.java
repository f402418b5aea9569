package io.tributary.writer.jsonl;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;

/**
 * Config of the {@code jsonl} writer.
 *
 * @param path the root folder; one sub-folder per stream ({@code namespace/name})
 * @param fsync whether to fsync files and folders at commit (default true; off only for throwaway output)
 */
public record JsonlConfig(String path, boolean fsync) {
    @JsonCreator
    public JsonlConfig(
            @ConfigKey(value = "The root folder; one sub-folder per stream (namespace/name).", required = true)
            @JsonProperty("path") String path,
            @ConfigKey(value = "Whether to fsync files and folders at commit (off only for throwaway output).",
                    defaultValue = "true")
            @JsonProperty("fsync") Boolean fsync) {
        this(path, fsync == null || fsync);
    }

    public JsonlConfig {
        if (path == null || path.isBlank()) {
            throw new ConfigException("jsonl writer: key 'path' is required (a folder)");
        }
        requireNonNull(path);
    }
}
