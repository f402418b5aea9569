package io.tributary.types;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ordered, immutable list of a stream's source columns. Records hold values positionally against a
 * schema instance; a schema change (a new column, a widened type) makes a new instance, so writers detect it
 * with one reference comparison per batch.
 */
public final class Schema {
    private final List<Field> fields;
    private final Map<String, Integer> index;

    public Schema(List<Field> fields) {
        this.fields = List.copyOf(requireNonNull(fields, "fields is null"));
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < this.fields.size(); i++) {
            if (idx.put(this.fields.get(i).name(), i) != null) {
                throw new IllegalArgumentException("duplicate column " + this.fields.get(i).name());
            }
        }
        this.index = Collections.unmodifiableMap(idx);
    }

    public static Schema of(Field... fields) {
        return new Schema(List.of(fields));
    }

    public List<Field> fields() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    public Field field(int i) {
        return fields.get(i);
    }

    /** Position of a column, or -1. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    public Optional<Field> field(String name) {
        int i = indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(fields.get(i));
    }

    public List<String> names() {
        return fields.stream().map(Field::name).toList();
    }

    /**
     * The schema that holds rows of both: columns of {@code this} in order (widened where {@code other}
     * has a wider type), then columns only {@code other} has. Returns {@code this} when nothing changes.
     */
    public Schema merge(Schema other) {
        if (other == this || other.equals(this)) {
            return this;
        }
        List<Field> out = new ArrayList<>(fields.size() + other.size());
        boolean changed = false;
        for (Field f : fields) {
            Optional<Field> o = other.field(f.name());
            Field w = o.map(f::widen).orElse(f);
            changed |= !w.equals(f);
            out.add(w);
        }
        for (Field f : other.fields) {
            if (indexOf(f.name()) < 0) {
                out.add(f);
                changed = true;
            }
        }
        return changed ? new Schema(out) : this;
    }

    /** Only the named columns, in this schema's order; unknown names are ignored. */
    public Schema project(List<String> columns) {
        return new Schema(fields.stream().filter(f -> columns.contains(f.name())).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s && s.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
