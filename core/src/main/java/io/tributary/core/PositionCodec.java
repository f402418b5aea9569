package io.tributary.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Turns a driver's change-stream position ({@code P}: a PostgreSQL LSN, a binlog file and offset, a MongoDB resume
 * token) into the JSON the engine saves in {@code state.json} and back. The engine owns the saved form: it writes
 * {@link #encode}'s fields together with {@value #VERSION_FIELD} ({@link #version()}), in the global state when one
 * change stream carries every stream ({@link ChangeStreamMode#SEQUENTIAL}), otherwise in the state of the change
 * stream's only stream, and hands {@link #decode} what it saved.
 *
 * <p>Evolving a format: bump {@link #version()} and keep decoding every earlier version, including {@code 0}, the
 * form written before positions carried a version (read a state saved by an earlier release, never reject it).
 *
 * @param <P> the driver's position type: an immutable value (a record)
 * @since 0.2 (experimental: may change before 1.0)
 */
public interface PositionCodec<P> {
    /** The key of the format version beside the position's own fields. */
    String VERSION_FIELD = "position_version";

    /** The version {@link #encode} writes (1 or more). */
    int version();

    /**
     * Every top-level key a position of this codec may use, in any version it writes or reads. The engine uses them
     * to read a position kept in a stream's state, and removes those a new position does not use.
     */
    List<String> fields();

    /** The position as JSON, with snake_case keys among {@link #fields()} and without {@value #VERSION_FIELD}. */
    ObjectNode encode(P position);

    /**
     * The position {@code json} holds, as written by {@link #encode} of format {@code version} (0: written before
     * positions carried a version). Throws {@link io.tributary.types.NonRetriableException} naming what is malformed
     * when the JSON is not a position (a damaged or foreign state file); never returns null.
     */
    P decode(JsonNode json, int version);

    /** The saved form of {@code position}: {@link #encode}'s fields with {@value #VERSION_FIELD}. */
    default ObjectNode encodeSaved(P position) {
        ObjectNode n = encode(position).deepCopy();
        n.put(VERSION_FIELD, version());
        return n;
    }

    /**
     * The position of a saved form ({@link #encodeSaved}; without {@value #VERSION_FIELD}: version 0). A form newer
     * than this release reads is a {@link io.tributary.types.NonRetriableException}.
     */
    default P decodeSaved(JsonNode saved) {
        int version = saved.path(VERSION_FIELD).asInt(0);
        if (version > version()) {
            throw new io.tributary.types.NonRetriableException("the saved change-stream position " + saved
                    + " has format version " + version + ", newer than this release reads (" + version() + "): it "
                    + "was written by a newer release of Tributary");
        }
        return decode(saved, version);
    }
}
