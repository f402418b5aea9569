package io.tributary.types;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A password or token. {@link #toString()} never reveals it, so a config record that holds one can be logged.
 * Jackson reads it from and writes it to a plain JSON string.
 */
public final class Secret {
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
}
