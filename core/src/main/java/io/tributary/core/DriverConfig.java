package io.tributary.core;

/**
 * A driver's typed configuration ({@code source.json}), an immutable record bound by Jackson with unknown keys
 * rejected. Secrets are {@link io.tributary.types.Secret}s so that {@code toString} never prints them.
 */
public interface DriverConfig {
    /**
     * Checks values that binding cannot (ranges, combinations). Throws
     * {@link io.tributary.types.ConfigException} whose message names the key and the expected value.
     */
    void validate();
}
