package io.tributary.writer;

import io.tributary.types.ConfigException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds providers of an SPI by type name through {@link ServiceLoader}. An unknown type fails with the list of
 * available ones; two providers of one type fail loudly; a broken provider jar is logged and reported in the
 * error, never allowed to hide the others.
 */
public final class Providers {
    private static final Logger LOG = LoggerFactory.getLogger(Providers.class);

    private Providers() {
    }

    private record Loaded<T>(Map<String, T> byType, List<String> broken) {
    }

    /** Every provider by type; fails on duplicates. */
    public static <T> Map<String, T> all(Class<T> spi, Function<T, String> typeOf, ClassLoader loader) {
        return load(spi, typeOf, loader).byType();
    }

    private static <T> Loaded<T> load(Class<T> spi, Function<T, String> typeOf, ClassLoader loader) {
        Map<String, T> byType = new TreeMap<>();
        List<String> broken = new ArrayList<>();
        Iterator<T> it = ServiceLoader.load(spi, loader).iterator();
        while (true) {
            T provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                LOG.warn("skipping a broken {} provider: {}", spi.getSimpleName(), e.getMessage());
                broken.add(e.getMessage());
                continue;
            }
            String type = typeOf.apply(provider);
            T previous = byType.putIfAbsent(type, provider);
            if (previous != null) {
                throw new ConfigException("two " + spi.getSimpleName() + " providers have type '" + type + "': "
                        + previous.getClass().getName() + " and " + provider.getClass().getName());
            }
        }
        return new Loaded<>(byType, broken);
    }

    /** The provider of {@code type}; {@link ConfigException} listing the available types when there is none. */
    public static <T> T find(Class<T> spi, Function<T, String> typeOf, String type, ClassLoader loader) {
        Loaded<T> loaded = load(spi, typeOf, loader);
        T p = loaded.byType().get(type);
        if (p == null) {
            throw new ConfigException("no " + spi.getSimpleName() + " of type '" + type + "'; available: "
                    + loaded.byType().keySet() + " (add the module to the classpath)"
                    + (loaded.broken().isEmpty() ? "" : "; broken providers: " + loaded.broken()));
        }
        return p;
    }

    public static ClassLoader defaultLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : Providers.class.getClassLoader();
    }
}
