package io.tributary.types;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A password or token. {@link #toString()} never reveals it, so a config record that holds one can be logged.
 * Jackson reads it from and writes it to a plain JSON string.
 */
public final class Secret {
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(secret|password|passwd|token|credential|key|sas|signature).*");

    private final String value;

    private Secret(String value) {
        this.value = requireNonNull(value, "value is null");
    }

    @JsonCreator
    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The secret itself: pass it to the client library, never to a log line or message. */
    @JsonValue
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "****";
    }

    /**
     * True when a free-form property of this name (a catalog's or FileIO's {@code properties} entry) holds a secret,
     * and so is masked wherever it could be printed.
     */
    public static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /** {@code properties} sorted, with the value of every secret-looking name ({@link #isSecretName}) as ****. */
    public static Map<String, String> masked(Map<String, String> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, isSecretName(k) ? "****" : v));
        return shown;
    }

    /**
     * {@code message} (a library's exception text, which may quote a request) with every value of a secret-looking
     * property of {@code properties} replaced by ****; values shorter than 4 characters are left alone.
     */
    public static String redact(String message, Map<String, String> properties) {
        if (message == null) {
            return null;
        }
        String out = message;
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String v = e.getValue();
            if (v != null && v.length() >= 4 && isSecretName(e.getKey())) {
                out = out.replace(v, "****");
            }
        }
        return out;
    }
}
