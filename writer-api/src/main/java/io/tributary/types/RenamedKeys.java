package io.tributary.types;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Old names of config keys that still bind: a config binds its old name as the new one, and the first use of each old
 * name in a JVM logs one warning naming the old and the new key. The creator that binds a config takes both keys
 * (the old one's {@link ConfigKey#renamedTo} names the new one, so {@code spec} marks it {@code deprecated}) and
 * calls {@link #resolve}.
 */
public final class RenamedKeys {
    private static final Logger LOG = LoggerFactory.getLogger(RenamedKeys.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private RenamedKeys() {
    }

    /**
     * The value of a key that was renamed: {@code newValue}, or else {@code oldValue} (warning once), or null when
     * neither is set.
     *
     * @param config what the keys belong to, for the warning ({@code "mysql source"})
     * @throws ConfigException when both keys are set to different values
     */
    public static <T> T resolve(String config, String newKey, T newValue, String oldKey, T oldValue) {
        if (oldValue == null) {
            return newValue;
        }
        if (newValue != null && !Objects.equals(newValue, oldValue)) {
            throw new ConfigException(config + ": keys '" + newKey + "' and '" + oldKey + "' (its deprecated old name)"
                    + " are both set, to different values; keep '" + newKey + "'");
        }
        warnOnce(config, oldKey, newKey);
        return newValue != null ? newValue : oldValue;
    }

    /** Logs, once per JVM for each config and old key, that {@code oldKey} is deprecated in favour of {@code newKey}. */
    public static void warnOnce(String config, String oldKey, String newKey) {
        warnOnce(config, oldKey, newKey, "");
    }

    /** As {@link #warnOnce(String, String, String)}, the warning ending with {@code note} (what else changed). */
    public static void warnOnce(String config, String oldKey, String newKey, String note) {
        if (WARNED.add(config + "\u0000" + oldKey)) {
            LOG.warn("{}: key '{}' is deprecated and will be removed; use '{}' instead{}", config, oldKey, newKey,
                    note.isEmpty() ? "" : " (" + note + ")");
        }
    }

    /** Forgets which old names were warned about, so that the next use of one warns again (for tests). */
    public static void resetWarnings() {
        WARNED.clear();
    }
}
