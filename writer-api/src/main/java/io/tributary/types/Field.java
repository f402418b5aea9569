package io.tributary.types;

import static java.util.Objects.requireNonNull;

/**
 * One column of a stream: a name, a {@link DataType}, whether it may hold SQL NULL and, for
 * {@link DataType#DECIMAL}, precision and scale (0 for every other type; precision 0 on a decimal means
 * "unconstrained", stored with the writer's widest decimal).
 */
public record Field(String name, DataType type, boolean nullable, int precision, int scale) {
    public Field {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        if (type != DataType.DECIMAL && (precision != 0 || scale != 0)) {
            throw new IllegalArgumentException("precision/scale only apply to decimal: " + name);
        }
        if (precision < 0 || scale < 0 || (precision > 0 && scale > precision)) {
            throw new IllegalArgumentException("invalid decimal(" + precision + "," + scale + ") for " + name);
        }
    }

    public static Field of(String name, DataType type, boolean nullable) {
        return new Field(name, type, nullable, 0, 0);
    }

    public static Field nullable(String name, DataType type) {
        return new Field(name, type, true, 0, 0);
    }

    public static Field decimal(String name, int precision, int scale, boolean nullable) {
        return new Field(name, DataType.DECIMAL, nullable, precision, scale);
    }

    /** The field that holds values of both {@code this} and {@code other} (same name): schema evolution's rule. */
    public Field widen(Field other) {
        if (!other.name.equals(name)) {
            throw new IllegalArgumentException("cannot widen " + name + " with " + other.name);
        }
        DataType t = type.widen(other.type);
        boolean n = nullable || other.nullable;
        if (t != DataType.DECIMAL) {
            return new Field(name, t, n, 0, 0);
        }
        if (type != DataType.DECIMAL || other.type != DataType.DECIMAL) {
            Field d = type == DataType.DECIMAL ? this : other;
            return new Field(name, t, n, d.precision, d.scale);
        }
        if (precision == 0 || other.precision == 0) {
            return new Field(name, t, n, 0, Math.max(scale, other.scale));
        }
        int s = Math.max(scale, other.scale);
        int intDigits = Math.max(precision - scale, other.precision - other.scale);
        return new Field(name, t, n, intDigits + s, s);
    }

    public Field withNullable(boolean isNullable) {
        return new Field(name, type, isNullable, precision, scale);
    }

    @Override
    public String toString() {
        String t = type == DataType.DECIMAL ? "decimal(" + precision + "," + scale + ")" : type.jsonName();
        return name + " " + t + (nullable ? "" : " not null");
    }
}
