package io.tributary.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.writer.Providers;
import java.util.Map;

/** Finds drivers through {@link java.util.ServiceLoader} by {@link DriverInterface#type()}. */
public final class Drivers {
    private Drivers() {
    }

    /** Every driver on the class path, by type. Two drivers of one type are an error. */
    public static Map<String, DriverInterface> available(ClassLoader loader) {
        return Providers.all(DriverInterface.class, DriverInterface::type, loader);
    }

    /** A fresh instance of the driver of {@code type}; {@link io.tributary.types.ConfigException} lists the types. */
    public static DriverInterface find(String type, ClassLoader loader) {
        return Providers.find(DriverInterface.class, DriverInterface::type, type, loader);
    }

    public static DriverInterface find(String type) {
        return find(type, Providers.defaultLoader());
    }

    /** Finds the driver, binds and validates {@code sourceConfig}, and configures the driver with it. */
    public static DriverInterface configured(String type, JsonNode sourceConfig, String sourceName) {
        DriverInterface d = find(type);
        DriverConfig c = Json.bind(sourceConfig, d.configType(), sourceName);
        try {
            c.validate();
        } catch (ConfigException e) {
            throw new ConfigException(sourceName + ": " + e.getMessage(), e);
        }
        return d.configure(c);
    }

    /**
     * Finds the driver whose {@link DriverInterface#configType()} is {@code config}'s class (a config built in Java,
     * e.g. {@code PostgresConfig.builder()...build()}), validates the config and configures the driver with it.
     */
    public static DriverInterface configured(DriverConfig config) {
        java.util.Objects.requireNonNull(config, "config is null");
        DriverInterface d = available(Providers.defaultLoader()).values().stream()
                .filter(x -> x.configType() == config.getClass()).findFirst()
                .orElseThrow(() -> new ConfigException("no DriverInterface takes a " + config.getClass().getName()
                        + "; available: " + available(Providers.defaultLoader()).keySet()));
        config.validate();
        return d.configure(config);
    }
}
