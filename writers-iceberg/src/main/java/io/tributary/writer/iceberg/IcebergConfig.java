package io.tributary.writer.iceberg;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;
import io.tributary.types.Secret;
import io.tributary.writer.S3Keys;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Config of the {@code iceberg} writer:
 * <pre>{@code
 * {"catalog_type": "rest", "warehouse": "s3://lake/warehouse", "catalog_name": "tributary",
 *  "namespace": "lake_{namespace}", "properties": {"uri": "http://catalog:8181"},
 *  "s3_endpoint": "http://minio:9000", "aws_region": "us-east-1", "s3_path_style": true,
 *  "aws_access_key": "...", "aws_secret_key": "...", "target_file_size_mb": 256}
 * }</pre>
 * {@code catalog_type} is any type Iceberg's {@code CatalogUtil} knows ({@code hadoop}, the default; {@code jdbc};
 * {@code rest}; {@code glue}; {@code nessie}; {@code hive}, ...) or {@code custom} with
 * {@code properties.catalog-impl}; every {@code properties} entry is passed to the catalog and its FileIO. The
 * {@code hadoop} catalog commits by renaming files, so its warehouse must be a local folder. {@code namespace}
 * overrides the source namespace; {@code {namespace}} in it stands for the source namespace
 * ({@code "lake_{namespace}"}), so that tables of the same name in two source schemas stay apart (a fixed
 * {@code namespace} that would put two streams in one table is refused).
 *
 * <p>Object storage: {@code s3_endpoint} (an S3-compatible server; leave it out for AWS), {@code aws_region},
 * {@code s3_path_style} ({@code true} for most S3-compatible servers), {@code aws_access_key},
 * {@code aws_secret_key} and {@code aws_session_token} (leave the keys out to use the AWS SDK's default credentials
 * chain: environment, profile, web identity, instance role). They become Iceberg's {@code s3.*} and
 * {@code client.region} properties. Azure Blob Storage / ADLS Gen2 ({@code abfs://} and {@code abfss://}
 * warehouses, {@code ADLSFileIO}): {@code azure_account_name} with {@code azure_account_key} (Shared Key) or
 * {@code azure_sas_token}, or neither (the Azure SDK's default credential chain: environment, workload identity,
 * managed identity, Azure CLI); {@code azure_endpoint} replaces the account's endpoint (an emulator such as Azurite,
 * {@code http://127.0.0.1:10000/<account>}, or a sovereign cloud). They become Iceberg's {@code adls.*} properties.
 * Secrets never appear in {@link #toString()}: the key, SAS and token fields are {@link Secret}s, and {@code properties} whose names look like a secret ({@code secret}, {@code password},
 * {@code token}, {@code credential}, {@code key}, {@code sas}) print as {@code ****}.
 */
public record IcebergConfig(String catalogType, String warehouse, String catalogName, Optional<String> namespace,
        Map<String, String> properties, long targetFileSizeBytes, S3Keys s3, Azure azure) {


    /**
     * The Azure keys of the config; every field is optional. {@code host} is the storage account's host that the
     * endpoint and SAS token belong to (ADLSFileIO looks them up by the host of each location): the host of an
     * {@code abfs(s)://container@<host>/...} warehouse, else {@code <azure_account_name>.dfs.core.windows.net}.
     */
    public record Azure(Optional<String> accountName, Optional<Secret> accountKey, Optional<Secret> sasToken,
            Optional<String> endpoint, Optional<String> host) {
        static final Azure NONE = new Azure(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());

        boolean isEmpty() {
            return accountName.isEmpty() && accountKey.isEmpty() && sasToken.isEmpty() && endpoint.isEmpty();
        }

        /** Iceberg's {@code ADLSFileIO} properties for these keys. */
        Map<String, String> catalogProperties() {
            Map<String, String> p = new TreeMap<>();
            if (accountKey.isPresent()) {
                p.put("adls.auth.shared-key.account.name", accountName.orElseThrow());
                p.put("adls.auth.shared-key.account.key", accountKey.get().reveal());
            }
            host.ifPresent(h -> {
                endpoint.ifPresent(e -> p.put("adls.connection-string." + h, e));
                sasToken.ifPresent(t -> p.put("adls.sas-token." + h, t.reveal()));
            });
            return p;
        }

        @Override
        public String toString() {
            return "Azure[accountName=" + accountName + ", accountKey=" + accountKey + ", sasToken=" + sasToken
                    + ", endpoint=" + endpoint + "]";
        }
    }

    private static final Pattern ABFS_ACCOUNT = Pattern.compile(
            "(?i)^(abfss?|wasbs?)://[^/@]+@([^/]+)(/.*)?$");
    private static final Pattern URI_SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*)://.*");

    @JsonCreator
    public static IcebergConfig of(
            @ConfigKey(value = "Any catalog type Iceberg's CatalogUtil knows (hadoop, jdbc, rest, hive, glue, ...) or "
                    + "custom with properties.catalog-impl.", defaultValue = "hadoop")
            @JsonProperty("catalog_type") String catalogType,
            @ConfigKey("The warehouse location (required for the hadoop catalog: a folder).")
            @JsonProperty("warehouse") String warehouse,
            @ConfigKey(value = "The catalog's name.", defaultValue = "tributary")
            @JsonProperty("catalog_name") String catalogName,
            @ConfigKey("Overrides the source namespace; {namespace} in it stands for the source namespace "
                    + "(\"lake_{namespace}\").")
            @JsonProperty("namespace") String namespace,
            @ConfigKey("Properties passed to the catalog (e.g. uri).")
            @JsonProperty("properties") Map<String, String> properties,
            @ConfigKey(value = "A writer thread starts a new data file once its current one reaches about this size.",
                    defaultValue = "256", minimum = 1)
            @JsonProperty("target_file_size_mb") Long targetFileSizeMb,
            @ConfigKey("An S3-compatible server's endpoint (leave it out for AWS).")
            @JsonProperty("s3_endpoint") String s3Endpoint,
            @ConfigKey("The AWS region (Iceberg's client.region).")
            @JsonProperty("aws_region") String awsRegion,
            @ConfigKey("Path-style S3 addressing (true for most S3-compatible servers).")
            @JsonProperty("s3_path_style") Boolean s3PathStyle,
            @ConfigKey("The S3 access key ID; leave the keys out to use the AWS SDK's default credentials chain.")
            @JsonProperty("aws_access_key") Secret awsAccessKey,
            @ConfigKey("The S3 secret access key (never printed).")
            @JsonProperty("aws_secret_key") Secret awsSecretKey,
            @ConfigKey("The S3 session token of temporary credentials (never printed).")
            @JsonProperty("aws_session_token") Secret awsSessionToken,
            @ConfigKey("The Azure storage account (Shared Key authentication, with azure_account_key).")
            @JsonProperty("azure_account_name") String azureAccountName,
            @ConfigKey("The Azure storage account's Shared Key (never printed); leave it and azure_sas_token out to "
                    + "use the Azure SDK's default credential chain.")
            @JsonProperty("azure_account_key") Secret azureAccountKey,
            @ConfigKey("A SAS token for the storage account (never printed).")
            @JsonProperty("azure_sas_token") Secret azureSasToken,
            @ConfigKey("Replaces the storage account's endpoint, e.g. an emulator: http://127.0.0.1:10000/<account>.")
            @JsonProperty("azure_endpoint") String azureEndpoint) {
        String type = catalogType == null ? "hadoop" : catalogType.toLowerCase(Locale.ROOT);
        if (type.equals("hadoop") && (warehouse == null || warehouse.isBlank())) {
            throw new ConfigException("iceberg writer: key 'warehouse' is required for the hadoop catalog (a folder)");
        }
        if (type.equals("hadoop") && !isLocal(warehouse)) {
            throw new ConfigException("iceberg writer: the hadoop catalog commits by renaming files, which object "
                    + "stores cannot do atomically, so its 'warehouse' must be a local folder, not " + warehouse
                    + ". For object storage use \"catalog_type\": \"rest\", \"jdbc\" or \"glue\" (see README).");
        }
        if (targetFileSizeMb != null && targetFileSizeMb < 1) {
            throw new ConfigException("iceberg writer: key 'target_file_size_mb' must be >= 1");
        }
        if (s3Endpoint != null) {
            requireUrl("s3_endpoint", s3Endpoint, "http://127.0.0.1:9000");
        }
        if ((awsAccessKey == null) != (awsSecretKey == null)) {
            throw new ConfigException("iceberg writer: give both 'aws_access_key' and 'aws_secret_key', or neither "
                    + "(to use the AWS SDK's default credentials chain)");
        }
        if (azureAccountKey != null && azureAccountName == null) {
            throw new ConfigException("iceberg writer: 'azure_account_key' needs 'azure_account_name' (the storage "
                    + "account the key belongs to)");
        }
        if (azureEndpoint != null) {
            requireUrl("azure_endpoint", azureEndpoint, "http://127.0.0.1:10000/<account>");
        }
        Optional<String> host = abfsHost(warehouse)
                .or(() -> Optional.ofNullable(azureAccountName).map(a -> a + ".dfs.core.windows.net"));
        if ((azureEndpoint != null || azureSasToken != null) && host.isEmpty()) {
            throw new ConfigException("iceberg writer: 'azure_endpoint' and 'azure_sas_token' belong to a storage "
                    + "account: give 'azure_account_name' or an abfss://<container>@<account>.dfs.core.windows.net "
                    + "warehouse");
        }
        Azure azure = new Azure(Optional.ofNullable(azureAccountName), Optional.ofNullable(azureAccountKey),
                Optional.ofNullable(azureSasToken), Optional.ofNullable(azureEndpoint), host);
        S3Keys s3 = S3Keys.of(s3Endpoint, awsRegion, s3PathStyle, awsAccessKey, awsSecretKey, awsSessionToken);
        return new IcebergConfig(type, warehouse, catalogName == null ? "tributary" : catalogName,
                Optional.ofNullable(namespace), properties == null ? Map.of() : Map.copyOf(properties),
                (targetFileSizeMb == null ? 256 : targetFileSizeMb) * 1024 * 1024, s3, azure);
    }

    private static void requireUrl(String key, String value, String example) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("iceberg writer: key '" + key + "' must be a URL such as " + example + ", not "
                    + value);
        }
    }

    /** The host of an {@code abfs(s)://container@account.dfs.core.windows.net/...} location. */
    static Optional<String> abfsHost(String location) {
        if (location == null) {
            return Optional.empty();
        }
        var m = ABFS_ACCOUNT.matcher(location);
        return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
    }

    /** The URI scheme of the warehouse ({@code s3}, {@code gs}, {@code abfss}, ...), empty for a local path. */
    public Optional<String> warehouseScheme() {
        return scheme(warehouse);
    }

    static Optional<String> scheme(String location) {
        if (location == null) {
            return Optional.empty();
        }
        var m = URI_SCHEME.matcher(location);
        return m.matches() ? Optional.of(m.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    static boolean isLocal(String location) {
        return scheme(location).map(s -> s.equals("file")).orElse(true);
    }


    @Override
    public String toString() {
        Map<String, String> shown = Secret.masked(properties);
        return "IcebergConfig[catalogType=" + catalogType + ", warehouse=" + warehouse + ", catalogName="
                + catalogName + ", namespace=" + namespace + ", properties=" + shown + ", targetFileSizeBytes="
                + targetFileSizeBytes + ", s3=" + s3 + ", azure=" + azure + "]";
    }
}
