package io.tributary.writer;

import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Checks that streams resolve to distinct destination targets (tables, folders): two streams never share one. */
public final class DistinctTargets {
    private DistinctTargets() {
    }

    /**
     * Throws a {@link ConfigException} naming both streams when two of {@code streams} map to the same target.
     *
     * @param what what a target is, for the message ("Iceberg table", "folder")
     * @param hint how to keep them apart, appended to the message
     */
    public static <T> void require(Collection<ConfiguredStream> streams, Function<StreamId, T> target, String what,
            String hint) {
        Map<T, StreamId> seen = new HashMap<>();
        for (ConfiguredStream s : streams) {
            T t = target.apply(s.id());
            StreamId other = seen.putIfAbsent(t, s.id());
            if (other != null && !other.equals(s.id())) {
                throw new ConfigException("streams " + other + " and " + s.id() + " would both be written to " + what
                        + " " + t + ": their rows would be mixed. " + hint);
            }
        }
    }
}
