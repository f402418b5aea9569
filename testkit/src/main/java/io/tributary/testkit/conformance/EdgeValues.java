package io.tributary.testkit.conformance;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;

/**
 * The value rules of {@code TYPE_FIDELITY}: which model values a writer can hold, what a writer is expected to
 * give back for a model value, and the canonical comparison and rendering of values.
 */
public final class EdgeValues {
    /** The special values of DECIMAL (as Strings, see {@link DataType}). */
    public static final Set<String> DECIMAL_SPECIALS = Set.of("NaN", "Infinity", "-Infinity");

    private static final BigInteger MICROS_PER_SECOND = BigInteger.valueOf(1_000_000);

    private EdgeValues() {
    }

    /** A value read back from a destination that has no model value (wrong shape or type): never equal. */
    record Unreadable(String what) {
        @Override
        public String toString() {
            return "unreadable: " + what;
        }
    }

    /**
     * Whether the writer of {@code writerType} ({@code jsonl}, {@code parquet}, {@code iceberg}) can hold the model
     * value {@code v} of a column {@code field}. jsonl holds every value (as text where JSON has no type). Parquet
     * and Iceberg hold timestamps as signed 64-bit microseconds, dates as int32 days and a DECIMAL whose precision is
     * 1..38 as a decimal column (no special values, at most {@code precision - scale} integer digits, at most
     * {@code scale} fractional digits); an unconstrained DECIMAL is a string column there and holds everything.
     */
    public static boolean representable(String writerType, Field field, Object v) {
        if (v == null || writerType.equals("jsonl")) {
            return true;
        }
        if (v instanceof Instant i) {
            return micros(i).bitLength() < 64;
        }
        if (v instanceof LocalDate d) {
            return d.toEpochDay() >= Integer.MIN_VALUE && d.toEpochDay() <= Integer.MAX_VALUE;
        }
        boolean decimalColumn = field.type() == DataType.DECIMAL && field.precision() >= 1 && field.precision() <= 38;
        if (decimalColumn && v instanceof String) {
            return false;
        }
        if (decimalColumn && v instanceof BigDecimal d) {
            try {
                BigDecimal scaled = d.setScale(field.scale(), RoundingMode.UNNECESSARY);
                return scaled.precision() - scaled.scale() <= field.precision() - field.scale();
            } catch (ArithmeticException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * What the writer must give back for the model value {@code expected}: NULL for a value it cannot hold (the sync
     * runs with {@code value_errors: null}); Parquet and Iceberg keep microseconds of timestamps and times
     * (truncated, as their writers document); otherwise the value itself.
     */
    public static Object inDestination(String writerType, Field field, Object expected) {
        if (!representable(writerType, field, expected)) {
            return null;
        }
        if (writerType.equals("jsonl")) {
            return expected;
        }
        if (expected instanceof Instant i) {
            return i.truncatedTo(ChronoUnit.MICROS);
        }
        if (expected instanceof LocalTime t) {
            return t.truncatedTo(ChronoUnit.MICROS);
        }
        return expected;
    }

    /**
     * The canonical comparison: decimals by their exact plain text (scale included), bytes by content, floats and
     * doubles by {@link Double#compare} (NaN equals NaN, -0.0 differs from 0.0), everything else by class and
     * {@code equals}.
     */
    public static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.toPlainString().equals(y.toPlainString());
        }
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x, y) == 0;
        }
        if (a instanceof Float x && b instanceof Float y) {
            return Float.compare(x, y) == 0;
        }
        if (a instanceof Unreadable || b instanceof Unreadable) {
            return false;
        }
        return a.getClass() == b.getClass() && a.equals(b);
    }

    /** A value for a failure message: its text and, where the text alone is ambiguous, its Java type. */
    public static String show(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof String s) {
            return "\"" + abbreviate(escape(s)) + "\"";
        }
        if (v instanceof byte[] b) {
            String hex = HexFormat.of().formatHex(b);
            return "0x" + abbreviate(hex) + " (" + b.length + " bytes)";
        }
        if (v instanceof BigDecimal d) {
            return abbreviate(d.toPlainString()) + " (decimal)";
        }
        if (v instanceof Float f) {
            return f + "f";
        }
        if (v instanceof Double d) {
            return d + "d";
        }
        if (v instanceof Integer i) {
            return i + " (int)";
        }
        if (v instanceof Long l) {
            return l + "L";
        }
        if (v instanceof Unreadable u) {
            return abbreviate(u.toString());
        }
        return abbreviate(v.toString()) + " (" + v.getClass().getSimpleName() + ")";
    }

    static BigInteger micros(Instant i) {
        return BigInteger.valueOf(i.getEpochSecond()).multiply(MICROS_PER_SECOND)
                .add(BigInteger.valueOf(i.getNano() / 1000));
    }

    /** Control characters and characters beyond the BMP as {@code \}{@code u{…}}, so that failures show them. */
    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || cp > 0xffff || Character.getType(cp) == Character.SURROGATE) {
                b.append("\\u{").append(Integer.toHexString(cp)).append('}');
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 60) + "…(" + s.length() + " chars)";
    }
}
