package io.tributary.writer;

import static java.util.Objects.requireNonNull;

import io.tributary.types.StreamId;
import io.tributary.types.ValueErrors;
import io.tributary.types.ValueException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a record's values against what its destination columns can hold, before the writer writes any of the row,
 * and applies the sync's {@link ValueErrors}: {@code FAIL} throws a {@link ValueException} naming stream, column,
 * key and value; {@code NULL} returns a copy of the record with NULL in that column; {@code SKIP} leaves the row
 * out. Both log a warning naming stream, column, key and value, and are counted ({@link #count()}).
 *
 * <p>One guard per writer thread (not thread-safe). A writer {@link #bind binds} the checks of its current columns
 * (by record position; {@code null} for a column whose type holds every value) whenever the record schema or its
 * column types change; a record then costs one loop over the checked columns only.
 */
public final class ValueGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ValueGuard.class);

    /** A column's limit: {@code null} when the value fits, otherwise what the column cannot do with it. */
    @FunctionalInterface
    public interface Check {
        String problem(Object value);
    }

    // Long.MIN_VALUE / Long.MAX_VALUE microseconds as (epoch second, microsecond of second)
    private static final long MIN_SECOND = Math.floorDiv(Long.MIN_VALUE, 1_000_000L);
    private static final long MIN_MICRO = Math.floorMod(Long.MIN_VALUE, 1_000_000L);
    private static final long MAX_SECOND = Math.floorDiv(Long.MAX_VALUE, 1_000_000L);
    private static final long MAX_MICRO = Math.floorMod(Long.MAX_VALUE, 1_000_000L);

    private static final String TIMESTAMP_RANGE = "is outside the timestamps the column holds (signed 64-bit "
            + "microseconds since the epoch: " + epochMicrosToText(Long.MIN_VALUE) + " to "
            + epochMicrosToText(Long.MAX_VALUE) + ")";

    private static final Check TIMESTAMP_MICROS = v -> {
        if (!(v instanceof Instant t)) {
            return "is a " + v.getClass().getSimpleName() + ", not an Instant";
        }
        long s = t.getEpochSecond();
        if (s > MIN_SECOND && s < MAX_SECOND) {
            return null;
        }
        long us = t.getNano() / 1000;
        if ((s == MIN_SECOND && us >= MIN_MICRO) || (s == MAX_SECOND && us <= MAX_MICRO)) {
            return null;
        }
        return TIMESTAMP_RANGE;
    };

    private static final String DATE_RANGE = "is outside the dates the column holds (signed 32-bit days since "
            + "1970-01-01: " + LocalDate.ofEpochDay(Integer.MIN_VALUE) + " to " + LocalDate.ofEpochDay(Integer.MAX_VALUE)
            + ")";

    private static final Check EPOCH_DAYS = v -> {
        if (!(v instanceof LocalDate date)) {
            return "is a " + v.getClass().getSimpleName() + ", not a LocalDate";
        }
        long d = date.toEpochDay();
        return d == (int) d ? null : DATE_RANGE;
    };

    private final StreamId stream;
    private final ValueErrors handling;
    private Check[] checks = new Check[0];
    private int[] checked = new int[0];
    private long count;

    public ValueGuard(StreamId stream, ValueErrors handling) {
        this.stream = requireNonNull(stream, "stream is null");
        this.handling = requireNonNull(handling, "handling is null");
    }

    /** Values are Instants that must fit signed 64-bit microseconds since the epoch (Parquet, Iceberg timestamps). */
    public static Check timestampMicros() {
        return TIMESTAMP_MICROS;
    }

    /** Values are LocalDates that must fit signed 32-bit days since the epoch (Parquet, Iceberg dates). */
    public static Check epochDays() {
        return EPOCH_DAYS;
    }

    /**
     * Values must be BigDecimals that {@code decimal(precision, scale)} holds exactly: no more fractional digits than
     * {@code scale} (trailing zeros aside) and no more than {@code precision} digits at that scale. A special value
     * (the String {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}) does not fit.
     */
    public static Check decimal(int precision, int scale) {
        int intDigits = precision - scale;
        String type = "decimal(" + precision + "," + scale + ")";
        return v -> {
            if (!(v instanceof BigDecimal d)) {
                return "is not a finite number: a " + type + " column cannot hold it";
            }
            if (d.scale() <= scale && d.precision() - d.scale() <= intDigits) {
                return null;
            }
            BigDecimal scaled;
            try {
                scaled = d.setScale(scale, RoundingMode.UNNECESSARY);
            } catch (ArithmeticException e) {
                return "has more fractional digits (" + d.stripTrailingZeros().scale() + ") than a " + type
                        + " column holds";
            }
            return scaled.precision() <= precision ? null
                    : "has more digits (" + scaled.precision() + " at scale " + scale + ") than a " + type
                            + " column holds";
        };
    }

    /** Signed 64-bit microseconds since the epoch of an Instant (truncating nanoseconds, towards the past). */
    public static long epochMicros(Instant t) {
        long s = t.getEpochSecond();
        long us = t.getNano() / 1000;
        if (s < 0 && us > 0) { // Long.MIN_VALUE µs has a second that alone overflows
            return Math.addExact(Math.multiplyExact(s + 1, 1_000_000L), us - 1_000_000L);
        }
        return Math.addExact(Math.multiplyExact(s, 1_000_000L), us);
    }

    private static String epochMicrosToText(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
                .toString();
    }

    /** Uses {@code byPosition} (one check per record position, {@code null} for none) for the next records. */
    public void bind(Check[] byPosition) {
        this.checks = byPosition.clone();
        this.checked = IntStream.range(0, byPosition.length).filter(i -> byPosition[i] != null)
                .toArray();
    }

    /**
     * The record to write: {@code r} itself when every value fits, a copy with NULLs under {@link ValueErrors#NULL},
     * or {@code null} when the row is to be left out ({@link ValueErrors#SKIP}).
     *
     * @throws ValueException under {@link ValueErrors#FAIL}
     */
    public Record check(Record r) {
        Object[] values = null;
        for (int i : checked) {
            Object v = r.value(i);
            if (v == null) {
                continue;
            }
            String problem = checks[i].problem(v);
            if (problem == null) {
                continue;
            }
            String column = r.schema().field(i).name();
            String text = text(v);
            switch (handling) {
                case FAIL -> throw ValueException.unwritable(stream.id(), column, r.olakeId(), text, problem);
                case SKIP -> {
                    count++;
                    LOG.warn("stream {}, column {}, key {}: value {} {}; the row is left out (value_errors: skip)",
                            stream, column, r.olakeId(), text, problem);
                    return null;
                }
                case NULL -> {
                    count++;
                    LOG.warn("stream {}, column {}, key {}: value {} {}; writing NULL (value_errors: null)",
                            stream, column, r.olakeId(), text, problem);
                    if (values == null) {
                        values = Arrays.copyOf(r.values(), r.values().length);
                    }
                    values[i] = null;
                }
                default -> throw new IllegalStateException("unhandled " + handling);
            }
        }
        return values == null ? r
                : new Record(r.schema(), values, r.olakeId(), r.op(), r.olakeTimestamp(), r.cdcTimestamp());
    }

    /** Values written as NULL or rows left out so far. */
    public long count() {
        return count;
    }

    /** A value as text for a message: decimals in plain notation (unless absurdly long), others as Java renders them. */
    static String text(Object v) {
        if (v instanceof BigDecimal d) {
            return Math.abs((long) d.scale()) < 1000 ? d.toPlainString() : d.toString();
        }
        return String.valueOf(v);
    }
}
