package io.tributary.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A half-open range {@code [min, max)} of a stream that one task reads; {@code null} bound = unbounded. The
 * driver gives bounds their meaning (a ctid such as {@code "(262144,0)"}, a key value, a list of values for a
 * composite key, an ObjectId hex string).
 *
 * <p>Bounds are restricted to values that survive a JSON round trip unchanged, so that a chunk read back from
 * {@code state.json} equals the one saved: {@link String}, {@link Long} (smaller integers are widened),
 * {@link BigInteger}, {@link Double} (floats are widened), {@link Boolean}, or a {@link List} of those.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Chunk(@JsonProperty("min") Object min, @JsonProperty("max") Object max) {
    /** Orders chunks by {@code min}, unbounded first; numbers numerically, strings lexicographically. */
    public static final Comparator<Chunk> BY_MIN = (a, b) -> compareBounds(a.min, b.min);

    @JsonCreator
    public Chunk {
        min = normalize(min);
        max = normalize(max);
    }

    public static Chunk of(Object min, Object max) {
        return new Chunk(min, max);
    }

    /** The whole stream in one chunk. */
    public static Chunk all() {
        return new Chunk(null, null);
    }

    /**
     * The chunks between ascending, non-null {@code bounds}: {@code [null, b1), [b1, b2), …, [bn, null)};
     * {@link #all()} alone for no bounds.
     */
    public static List<Chunk> between(List<?> bounds) {
        List<Chunk> chunks = new ArrayList<>(bounds.size() + 1);
        Object lo = null;
        for (Object b : bounds) {
            chunks.add(of(lo, b));
            lo = b;
        }
        chunks.add(of(lo, null));
        return chunks;
    }

    static Object normalize(Object v) {
        if (v == null || v instanceof String || v instanceof Long || v instanceof Double
                || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                Object n = normalize(o);
                if (n instanceof List) {
                    throw new IllegalArgumentException("nested lists are not chunk bounds: " + v);
                }
                out.add(n);
            }
            return java.util.Collections.unmodifiableList(out);
        }
        throw new IllegalArgumentException("chunk bound of unsupported type " + v.getClass().getName() + ": " + v
                + " (use String, Long, Double, Boolean, BigInteger or a list of them)");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareBounds(Object a, Object b) {
        if (a == b) {
            return 0;
        }
        if (a == null) {
            return -1;
        }
        if (b == null) {
            return 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return new java.math.BigDecimal(x.toString()).compareTo(new java.math.BigDecimal(y.toString()));
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                int c = compareBounds(x.get(i), y.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a.getClass() == b.getClass() && a instanceof Comparable ca) {
            return ca.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }

    @Override
    public String toString() {
        return "[" + (min == null ? "-inf" : min) + ", " + (max == null ? "+inf" : max) + ")";
    }
}
