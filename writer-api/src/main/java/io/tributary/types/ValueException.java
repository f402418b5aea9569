package io.tributary.types;

import java.util.Optional;

/**
 * One source value that cannot be read or written as its column's type: the message names the stream, the column,
 * the row's key ({@code _olake_id}) and the value. A value a destination cannot hold ({@link #unwritable}) also says
 * which {@link ValueErrors} setting gets past it; a value the driver cannot read (the constructors) says that the
 * driver cannot read it. Not retriable: the same value fails the same way again.
 */
public class ValueException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    private final String stream;
    private final String column;
    private final String key;
    private final String value;
    private final String reason;
    private final boolean writer;

    /**
     * @param stream the stream ({@code namespace.name}), or null when not known where thrown
     * @param column the column
     * @param key the row's key ({@code _olake_id}) or null when not known where thrown
     * @param value the value as text (its source rendering where possible)
     * @param reason what the destination or decoder cannot do with it
     */
    public ValueException(String stream, String column, String key, String value, String reason, Throwable cause) {
        this(stream, column, key, value, reason, cause, false);
    }

    public ValueException(String stream, String column, String key, String value, String reason) {
        this(stream, column, key, value, reason, null, false);
    }

    private ValueException(String stream, String column, String key, String value, String reason, Throwable cause,
            boolean writer) {
        super(message(stream, column, key, value, reason, writer), cause);
        this.stream = stream;
        this.column = column;
        this.key = key;
        this.value = value;
        this.reason = reason;
        this.writer = writer;
    }

    /** A value the destination's column cannot hold: the message says how {@link ValueErrors} gets past it. */
    public static ValueException unwritable(String stream, String column, String key, String value, String reason) {
        return new ValueException(stream, column, key, value, reason, null, true);
    }

    private static String message(String stream, String column, String key, String value, String reason,
            boolean writer) {
        return "stream " + (stream == null ? "?" : stream) + ", column " + column + ", key "
                + (key == null ? "?" : key) + ": value " + abbreviate(value) + " " + reason + (writer
                ? " (set value_errors to 'null' to write NULL instead, or 'skip' to leave the row out; default 'fail')"
                : " (the source driver cannot read this value; nothing past it is synced)");
    }

    private static String abbreviate(String v) {
        if (v == null) {
            return "NULL";
        }
        return v.length() > 200 ? "'" + v.substring(0, 200) + "…' (" + v.length() + " chars)" : "'" + v + "'";
    }

    /** The same failure, with the stream and key filled in by a caller that knows them. */
    public ValueException in(String stream, String key) {
        return new ValueException(this.stream == null ? stream : this.stream, column,
                this.key == null ? key : this.key, value, reason, getCause(), writer);
    }

    /** What cannot be done with the value, without the stream/column/key prefix. */
    public String reason() {
        return reason;
    }

    public Optional<String> stream() {
        return Optional.ofNullable(stream);
    }

    public String column() {
        return column;
    }

    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    public String value() {
        return value;
    }
}
