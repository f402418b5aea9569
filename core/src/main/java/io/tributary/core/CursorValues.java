package io.tributary.core;

/**
 * Values of a stream's primary and secondary cursor columns, typed as the stream schema says (an
 * {@link java.time.Instant} for a timestamp column, a {@link Long} for a bigint). Either may be {@code null}:
 * absent or SQL NULL.
 */
public record CursorValues(Object primary, Object secondary) {
    public static final CursorValues NONE = new CursorValues(null, null);

    public boolean isEmpty() {
        return primary == null && secondary == null;
    }
}
