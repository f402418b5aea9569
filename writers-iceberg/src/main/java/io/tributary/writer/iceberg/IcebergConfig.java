package io.tributary.writer.iceberg;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfigKey;
import java.util.Map;
import java.util.Optional;

/**
 * Config of the {@code iceberg} writer:
 * <pre>{@code
 * {"catalog_type": "hadoop", "warehouse": "/data/warehouse", "catalog_name": "tributary",
 *  "namespace": "lake", "properties": {"uri": "jdbc:sqlite:/data/catalog.db"}, "target_file_size_mb": 256}
 * }</pre>
 * {@code catalog_type} is any type Iceberg's {@code CatalogUtil} knows ({@code hadoop}, the default; {@code jdbc};
 * {@code rest}; {@code hive}; {@code glue}, ...) or {@code custom} with {@code properties.catalog-impl}; every
 * {@code properties} entry is passed to the catalog. {@code namespace} overrides the source namespace;
 * {@code {namespace}} in it stands for the source namespace ({@code "lake_{namespace}"}), so that tables of the same
 * name in two source schemas stay apart (a fixed {@code namespace} that would put two streams in one table is refused).
 */
public record IcebergConfig(String catalogType, String warehouse, String catalogName, Optional<String> namespace,
        Map<String, String> properties, long targetFileSizeBytes) {

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
            @JsonProperty("target_file_size_mb") Long targetFileSizeMb) {
        String type = catalogType == null ? "hadoop" : catalogType.toLowerCase(java.util.Locale.ROOT);
        if (type.equals("hadoop") && (warehouse == null || warehouse.isBlank())) {
            throw new ConfigException("iceberg writer: key 'warehouse' is required for the hadoop catalog (a folder)");
        }
        if (targetFileSizeMb != null && targetFileSizeMb < 1) {
            throw new ConfigException("iceberg writer: key 'target_file_size_mb' must be >= 1");
        }
        return new IcebergConfig(type, warehouse, catalogName == null ? "tributary" : catalogName,
                Optional.ofNullable(namespace), properties == null ? Map.of() : Map.copyOf(properties),
                (targetFileSizeMb == null ? 256 : targetFileSizeMb) * 1024 * 1024);
    }
}
