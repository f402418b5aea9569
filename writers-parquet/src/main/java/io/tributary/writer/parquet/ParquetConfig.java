package io.tributary.writer.parquet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;
import java.util.Locale;

/**
 * Config of the {@code parquet} writer.
 *
 * @param path the root folder; one sub-folder per stream ({@code namespace/name})
 * @param compression {@code snappy} (default), {@code zstd} or {@code none}
 * @param targetFileSizeMb a writer thread starts a new file once its current one reaches about this size
 *     (default 256)
 */
public record ParquetConfig(String path, Compression compression, long targetFileSizeMb) {
    public static final long DEFAULT_TARGET_FILE_SIZE_MB = 256;

    /** The page compression codecs this writer ships (implemented without Hadoop). */
    public enum Compression {
        SNAPPY, ZSTD, NONE;

        static Compression parse(String s) {
            if (s == null) {
                return SNAPPY;
            }
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "snappy" -> SNAPPY;
                case "zstd" -> ZSTD;
                case "none", "uncompressed" -> NONE;
                default -> throw new ConfigException(
                        "parquet writer: key 'compression' expects snappy, zstd or none, got '" + s + "'");
            };
        }
    }

    @JsonCreator
    static ParquetConfig create(
            @ConfigKey(value = "The root folder; one sub-folder per stream (namespace/name).", required = true)
            @JsonProperty("path") String path,
            @ConfigKey(value = "Page compression codec (uncompressed is accepted for none).", defaultValue = "snappy",
                    allowed = {"snappy", "zstd", "none", "uncompressed"})
            @JsonProperty("compression") String compression,
            @ConfigKey(value = "A writer thread starts a new file once its current one reaches about this size.",
                    defaultValue = "256", minimum = 1)
            @JsonProperty("target_file_size_mb") Long targetFileSizeMb) {
        return new ParquetConfig(path, Compression.parse(compression),
                targetFileSizeMb == null ? DEFAULT_TARGET_FILE_SIZE_MB : targetFileSizeMb);
    }

    public ParquetConfig {
        if (path == null || path.isBlank()) {
            throw new ConfigException("parquet writer: key 'path' is required (a folder)");
        }
        if (compression == null) {
            compression = Compression.SNAPPY;
        }
        if (targetFileSizeMb < 1) {
            throw new ConfigException("parquet writer: key 'target_file_size_mb' must be at least 1: "
                    + targetFileSizeMb);
        }
    }

    long targetFileSizeBytes() {
        return targetFileSizeMb * 1024 * 1024;
    }
}
