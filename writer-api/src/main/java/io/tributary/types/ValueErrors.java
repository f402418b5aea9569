package io.tributary.types;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a sync does with a value its destination column cannot hold (a {@link ValueException}); compare Debezium's
 * {@code event.processing.failure.handling.mode}. Set per sync (CLI {@code --value-errors}, embedders
 * {@code WriterPool.Options.withValueErrors}).
 */
public enum ValueErrors {
    /** Stop the sync with the {@link ValueException} (the default): nothing past it is committed. */
    FAIL,
    /** Leave the whole row out, log a warning naming stream, column, key and value, and count it. */
    SKIP,
    /** Write NULL in that column, log a warning naming stream, column, key and value, and count it. */
    NULL;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ValueErrors fromJson(String s) {
        for (ValueErrors v : values()) {
            if (v.jsonName().equals(s.toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new ConfigException("value_errors must be one of fail, skip, null; got '" + s + "'");
    }
}
