package io.tributary.writer;

import io.tributary.types.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The S3 keys every writer that reaches object storage takes, with the same names ({@code s3_endpoint},
 * {@code aws_region}, {@code s3_path_style}, {@code aws_access_key}, {@code aws_secret_key},
 * {@code aws_session_token}); every field is optional (the keys left out: the AWS SDK's default credentials chain).
 * The secrets are {@link Secret}s, so a config that holds this prints none of them.
 */
public record S3Keys(Optional<String> endpoint, Optional<String> region, Optional<Boolean> pathStyle,
        Optional<Secret> accessKey, Optional<Secret> secretKey, Optional<Secret> sessionToken) {
    /** No S3 key given. */
    public static final S3Keys NONE = new S3Keys(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    /** From the config's keys as bound (each may be null). */
    public static S3Keys of(String endpoint, String region, Boolean pathStyle, Secret accessKey, Secret secretKey,
            Secret sessionToken) {
        return new S3Keys(Optional.ofNullable(endpoint), Optional.ofNullable(region), Optional.ofNullable(pathStyle),
                Optional.ofNullable(accessKey), Optional.ofNullable(secretKey), Optional.ofNullable(sessionToken));
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** Iceberg's {@code S3FileIO} (and catalog) properties for these keys: {@code s3.*} and {@code client.region}. */
    public Map<String, String> icebergProperties() {
        Map<String, String> p = new TreeMap<>();
        endpoint.ifPresent(e -> p.put("s3.endpoint", e));
        region.ifPresent(r -> p.put("client.region", r));
        pathStyle.ifPresent(b -> p.put("s3.path-style-access", b.toString()));
        accessKey.ifPresent(k -> p.put("s3.access-key-id", k.reveal()));
        secretKey.ifPresent(k -> p.put("s3.secret-access-key", k.reveal()));
        sessionToken.ifPresent(k -> p.put("s3.session-token", k.reveal()));
        return p;
    }
}
