package io.tributary.writer.parquet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;
import io.tributary.types.Secret;
import io.tributary.writer.S3Keys;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Config of the {@code parquet} writer.
 *
 * @param path the root folder, or an S3 location {@code s3://bucket/prefix} ({@code s3a://} and {@code s3n://} are
 *     the same); one sub-folder per stream ({@code namespace/name})
 * @param compression {@code snappy} (default), {@code zstd} or {@code none}
 * @param targetFileSizeMb a writer thread starts a new file once its current one reaches about this size
 *     (default 256)
 * @param s3 for an S3 {@code path}: {@code s3_endpoint}, {@code aws_region}, {@code s3_path_style},
 *     {@code aws_access_key}, {@code aws_secret_key}, {@code aws_session_token} (the keys left out: the AWS SDK's
 *     default credentials chain), as for the Iceberg writer
 * @param properties further properties of Iceberg's {@code S3FileIO}, which writes the objects
 *     ({@code s3.sse.type}, {@code s3.acl}, ...)
 */
public record ParquetConfig(String path, Compression compression, long targetFileSizeMb, S3Keys s3,
        Map<String, String> properties) {
    private static final Pattern URI_SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*)://.*");


    /** A local folder, with no object-store keys. */
    public ParquetConfig(String path, Compression compression, long targetFileSizeMb) {
        this(path, compression, targetFileSizeMb, S3Keys.NONE, Map.of());
    }
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
            @ConfigKey(value = "The root folder (one sub-folder per stream, namespace/name), or an s3:// location.",
                    required = true)
            @JsonProperty("path") String path,
            @ConfigKey(value = "Page compression codec (uncompressed is accepted for none).", defaultValue = "snappy",
                    allowed = {"snappy", "zstd", "none", "uncompressed"})
            @JsonProperty("compression") String compression,
            @ConfigKey(value = "A writer thread starts a new file once its current one reaches about this size.",
                    defaultValue = "256", minimum = 1)
            @JsonProperty("target_file_size_mb") Long targetFileSizeMb,
            @ConfigKey("An S3-compatible server's endpoint (leave it out for AWS).")
            @JsonProperty("s3_endpoint") String s3Endpoint,
            @ConfigKey("The AWS region.")
            @JsonProperty("aws_region") String awsRegion,
            @ConfigKey("Path-style S3 addressing (true for most S3-compatible servers).")
            @JsonProperty("s3_path_style") Boolean s3PathStyle,
            @ConfigKey("The S3 access key ID; give both keys or neither (the AWS SDK's default credentials chain).")
            @JsonProperty("aws_access_key") Secret awsAccessKey,
            @ConfigKey("The S3 secret access key (never printed).")
            @JsonProperty("aws_secret_key") Secret awsSecretKey,
            @ConfigKey("The S3 session token of temporary credentials (never printed).")
            @JsonProperty("aws_session_token") Secret awsSessionToken,
            @ConfigKey("Properties of the S3FileIO that writes an s3:// path.")
            @JsonProperty("properties") Map<String, String> properties) {
        if ((awsAccessKey == null) != (awsSecretKey == null)) {
            throw new ConfigException("parquet writer: give both 'aws_access_key' and 'aws_secret_key', or neither "
                    + "(to use the AWS SDK's default credentials chain)");
        }
        S3Keys s3 = S3Keys.of(s3Endpoint, awsRegion, s3PathStyle, awsAccessKey, awsSecretKey, awsSessionToken);
        return new ParquetConfig(path, Compression.parse(compression),
                targetFileSizeMb == null ? DEFAULT_TARGET_FILE_SIZE_MB : targetFileSizeMb, s3,
                properties == null ? Map.of() : properties);
    }

    /** The URI scheme of {@code path} ({@code s3}, ...), empty for a local folder. */
    Optional<String> scheme() {
        Matcher m = URI_SCHEME.matcher(path);
        return m.matches() ? Optional.of(m.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** True when {@code path} is an S3 location (written through {@link ObjectStoreParquetDestination}). */
    boolean isObjectStore() {
        return scheme().map(s -> !s.equals("file")).orElse(false);
    }

    /** The properties of the {@code S3FileIO} that writes an S3 {@code path}. */
    Map<String, String> fileIoProperties() {
        Map<String, String> p = new TreeMap<>(s3.icebergProperties());
        p.putAll(properties);
        return p;
    }

    @Override
    public String toString() {
        Map<String, String> shown = Secret.masked(properties);
        return "ParquetConfig[path=" + path + ", compression=" + compression + ", targetFileSizeMb="
                + targetFileSizeMb + ", s3=" + s3 + ", properties=" + shown + "]";
    }

    public ParquetConfig {
        if (path == null || path.isBlank()) {
            throw new ConfigException("parquet writer: key 'path' is required (a folder)");
        }
        if (compression == null) {
            compression = Compression.SNAPPY;
        }
        s3 = s3 == null ? S3Keys.NONE : s3;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        Matcher m = URI_SCHEME.matcher(path);
        if (m.matches()) {
            String scheme = m.group(1).toLowerCase(Locale.ROOT);
            if (!scheme.equals("file") && !scheme.equals("s3") && !scheme.equals("s3a") && !scheme.equals("s3n")) {
                throw new ConfigException("parquet writer: key 'path' must be a local folder or an s3:// location; "
                        + scheme + ":// is not supported (the Iceberg writer reaches GCS and Azure through Iceberg's "
                        + "FileIOs)");
            }
            if (scheme.equals("file")) {
                path = java.net.URI.create(path).getPath();
            }
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
