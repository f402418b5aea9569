package io.tributary.types;

import static java.util.Objects.requireNonNull;

/** A stream's identity: namespace (schema or database) and name (table or collection). */
public record StreamId(String namespace, String name) implements Comparable<StreamId> {
    public StreamId {
        requireNonNull(namespace, "namespace is null");
        requireNonNull(name, "name is null");
    }

    public static StreamId of(String namespace, String name) {
        return new StreamId(namespace, name);
    }

    /** {@code namespace.name}, OLake's stream ID. */
    public String id() {
        return namespace.isEmpty() ? name : namespace + "." + name;
    }

    @Override
    public int compareTo(StreamId o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return id();
    }
}
