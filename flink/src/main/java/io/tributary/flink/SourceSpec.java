package io.tributary.flink;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the source reads, in a form Flink ships to the job manager and task managers: the driver type, its
 * {@code source.json} and the selected streams (a catalog). Each enumerator and reader configures its own driver
 * from it (drivers are found by {@code ServiceLoader} on the job's class path).
 */
public final class SourceSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String driverType;
    private final String sourceConfig;
    private final String catalog;
    private transient List<ConfiguredStream> streams;

    public SourceSpec(String driverType, JsonNode sourceConfig, List<ConfiguredStream> streams) {
        this.driverType = requireNonNull(driverType, "driverType is null");
        this.sourceConfig = Json.write(requireNonNull(sourceConfig, "sourceConfig is null"));
        this.catalog = Json.write(catalogJson(streams));
    }

    /** The catalog JSON ({@code streams} and {@code selected_streams}) of these configured streams. */
    static JsonNode catalogJson(List<ConfiguredStream> streams) {
        List<Stream> all = new ArrayList<>();
        Map<StreamId, Catalog.Selection> selected = new LinkedHashMap<>();
        for (ConfiguredStream s : streams) {
            all.add(s.stream());
            selected.put(s.id(), new Catalog.Selection(s.selectedColumns(), s.syncNewColumns(), s.filter(),
                    s.chunkColumn(), s.appendMode(), s.normalization(), s.partitionRegex()));
        }
        return new Catalog(all, selected).toJson();
    }

    public String driverType() {
        return driverType;
    }

    /** The selected streams. */
    public List<ConfiguredStream> streams() {
        if (streams == null) {
            streams = Catalog.fromJson(Json.parse(catalog), "flink source catalog").configuredStreams();
        }
        return streams;
    }

    /**
     * The selected {@code cdc} and {@code strict_cdc} streams, in catalog order: the list the driver's {@code preCDC}
     * gets, whose positions are the change streams' identifiers in the non-sequential modes.
     */
    public List<ConfiguredStream> cdcStreams() {
        return streams().stream()
                .filter(s -> s.syncMode() == SyncMode.CDC || s.syncMode() == SyncMode.STRICT_CDC).toList();
    }

    /** The stream {@code id}; an error when it is not selected. */
    public ConfiguredStream stream(StreamId id) {
        for (ConfiguredStream s : streams()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("stream " + id + " is not selected in this source");
    }

    /** A new configured driver; the caller closes it. */
    public DriverInterface driver() {
        return Drivers.configured(driverType, Json.parse(sourceConfig), "source");
    }
}
