package io.tributary.driver.postgres;

import io.tributary.core.BackfillMsgFn;
import io.tributary.types.CancelledException;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.types.ValueException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.postgresql.copy.CopyOut;

/**
 * Reads a backfill chunk as {@code COPY (SELECT …) TO STDOUT (FORMAT binary)} and decodes the rows itself: numbers,
 * timestamps and dates straight from their binary form (no text formatting on the server, no parsing here, no
 * per-field copies in the JDBC driver). Types without a binary decoder here are selected as text and parsed
 * exactly as the CDC path parses them, so a value reads the same whichever way it arrives.
 *
 * <p>Binary formats are those of PostgreSQL's {@code *send} functions: integers big-endian; {@code numeric} as
 * base-10000 digits with weight, sign (NaN and ±Infinity have their own) and display scale; {@code date} as days and
 * {@code timestamp[tz]} as microseconds since 2000-01-01 (±infinity as the extreme int32 / int64 values);
 * {@code jsonb} as a version byte and its text.
 */
final class PgBinaryCopy {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final int DAYS_1970_TO_2000 = 10_957;
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** How one column's bytes become its value. */
    enum Decoder {
        INT2, INT4, INT8, FLOAT4, FLOAT8, BOOL, NUMERIC, TEXT, JSONB, DATE, TIMESTAMP, BYTEA, UUID, PARSE_TEXT
    }

    private final Field[] fields;
    private final PostgresTypes.PgType[] types;
    private final Decoder[] decoders;

    private PgBinaryCopy(Field[] fields, PostgresTypes.PgType[] types, Decoder[] decoders) {
        this.fields = fields;
        this.types = types;
        this.decoders = decoders;
    }

    /** The decoders for columns read as {@code fields}, whose PostgreSQL types (domains resolved) are {@code types}. */
    static PgBinaryCopy of(Field[] fields, PostgresTypes.PgType[] types) {
        Decoder[] d = new Decoder[fields.length];
        for (int i = 0; i < fields.length; i++) {
            d[i] = decoder(fields[i], types[i]);
        }
        return new PgBinaryCopy(fields, types, d);
    }

    static Decoder decoder(Field f, PostgresTypes.PgType t) {
        if (PostgresTypes.dataType(t) != f.type()) {
            return Decoder.PARSE_TEXT; // the catalog's type differs from the table's: convert as CDC would
        }
        if (t.category() == 'A' || t.kind() == 'e') {
            return Decoder.PARSE_TEXT;
        }
        return switch (t.name()) {
            case "int2" -> Decoder.INT2;
            case "int4" -> Decoder.INT4;
            case "int8" -> Decoder.INT8;
            case "float4" -> Decoder.FLOAT4;
            case "float8" -> Decoder.FLOAT8;
            case "bool" -> Decoder.BOOL;
            case "numeric" -> Decoder.NUMERIC;
            case "text", "varchar", "bpchar", "json" -> Decoder.TEXT;
            case "jsonb" -> Decoder.JSONB;
            case "date" -> Decoder.DATE;
            case "timestamp", "timestamptz" -> Decoder.TIMESTAMP;
            case "bytea" -> Decoder.BYTEA;
            case "uuid" -> Decoder.UUID;
            default -> Decoder.PARSE_TEXT;
        };
    }

    /**
     * The SELECT list: each column quoted; those parsed from text are turned into text by their type's output
     * function ({@code format('%s', …)}), which is what JDBC and pgoutput show. ({@code ::text} is not: it picks an
     * explicit cast where one exists, and {@code text(inet)} adds the netmask that {@code inet}'s output omits.)
     */
    String selectList() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            String c = PostgresDriver.quote(fields[i].name());
            if (decoders[i] == Decoder.PARSE_TEXT) {
                sb.append("CASE WHEN ").append(c).append(" IS NULL THEN NULL ELSE format('%s', ").append(c)
                        .append(") END");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** One COPY's rows, handed to {@code fn} as they are decoded. */
    final class Reader {
        private final CopyOut copy;
        private final String what;
        private final StreamId stream;
        private final List<String> primaryKey;
        private byte[] buf = new byte[0];
        private int pos;
        private long rows;

        Reader(CopyOut copy, String what, StreamId stream, List<String> primaryKey) {
            this.copy = copy;
            this.what = what;
            this.stream = stream;
            this.primaryKey = primaryKey;
        }

        long rows() {
            return rows;
        }

        /** Decodes every row; returns when the COPY is complete. */
        void readAll(BackfillMsgFn fn) throws SQLException {
            if (!ensure(SIGNATURE.length + 8)) {
                throw malformed("no COPY header");
            }
            if (!Arrays.equals(buf, pos, pos + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
                throw malformed("not a binary COPY signature");
            }
            pos += SIGNATURE.length + 4; // flags: no OIDs in a COPY (SELECT …)
            int extension = int32();
            skip(extension);
            int n = fields.length;
            while (true) {
                if (!ensure(2)) {
                    throw malformed("COPY data ended without a trailer");
                }
                short count = int16();
                if (count == -1) {
                    break;
                }
                if (count != n) {
                    throw malformed("row has " + count + " fields, expected " + n);
                }
                Object[] row = new Object[n];
                ValueException failed = null;
                for (int i = 0; i < n; i++) {
                    ensureOrFail(4);
                    int len = int32();
                    if (len < 0) {
                        continue; // NULL
                    }
                    ensureOrFail(len);
                    try {
                        row[i] = decode(i, buf, pos, len);
                    } catch (ValueException e) {
                        failed = failed == null ? e : failed; // decode the rest: the key names the row
                    }
                    pos += len;
                }
                if (failed != null) {
                    throw PostgresTypes.located(failed, stream, new Schema(List.of(fields)), primaryKey, row);
                }
                fn.accept(row);
                if ((++rows & 0xfff) == 0 && Thread.currentThread().isInterrupted()) {
                    throw new CancelledException(what + " was cancelled");
                }
            }
            while (copy.readFromCopy() != null) {
                // drain to the end of the COPY so the connection is ready for the commit
            }
        }

        private Object decode(int i, byte[] b, int p, int len) {
            try {
                return PgBinaryCopy.decode(decoders[i], b, p, len, fields[i], types[i]);
            } catch (ValueException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ValueException(null, fields[i].name(), null, "0x" + HexFormat.of().formatHex(b, p,
                        p + Math.min(len, 64)) + (len > 64 ? "…" : ""), "(binary COPY form of PostgreSQL type "
                        + types[i].name() + ") cannot be decoded as " + fields[i].type().jsonName() + " in " + what
                        + ": " + e, e);
            }
        }

        private void ensureOrFail(int n) throws SQLException {
            if (!ensure(n)) {
                throw malformed("COPY data ended inside a row");
            }
        }

        /** Makes {@code n} bytes readable at {@code pos}; false at the end of the COPY with nothing left. */
        private boolean ensure(int n) throws SQLException {
            while (buf.length - pos < n) {
                byte[] next = copy.readFromCopy();
                if (next == null) {
                    if (buf.length - pos == 0) {
                        return false;
                    }
                    throw malformed("COPY data ended inside a row");
                }
                if (pos == buf.length) {
                    buf = next;
                } else {
                    byte[] joined = new byte[buf.length - pos + next.length];
                    System.arraycopy(buf, pos, joined, 0, buf.length - pos);
                    System.arraycopy(next, 0, joined, buf.length - pos, next.length);
                    buf = joined;
                }
                pos = 0;
            }
            return true;
        }

        private void skip(int n) throws SQLException {
            ensureOrFail(n);
            pos += n;
        }

        private short int16() {
            short v = (short) (((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff));
            pos += 2;
            return v;
        }

        private int int32() {
            int v = PgBinaryCopy.int32(buf, pos);
            pos += 4;
            return v;
        }

        private NonRetriableException malformed(String why) {
            return new NonRetriableException(what + ": malformed binary COPY stream after " + rows + " rows: " + why);
        }
    }

    /** A reader of one COPY of stream {@code stream}, whose primary key names a row whose value fails. */
    Reader reader(CopyOut copy, String what, StreamId stream, List<String> primaryKey) {
        return new Reader(copy, what, stream, primaryKey);
    }

    static Object decode(Decoder d, byte[] b, int p, int len, Field f, PostgresTypes.PgType t) {
        return switch (d) {
            case INT2 -> (int) (short) (((b[p] & 0xff) << 8) | (b[p + 1] & 0xff));
            case INT4 -> int32(b, p);
            case INT8 -> int64(b, p);
            case FLOAT4 -> Float.intBitsToFloat(int32(b, p));
            case FLOAT8 -> Double.longBitsToDouble(int64(b, p));
            case BOOL -> b[p] != 0;
            case NUMERIC -> numeric(b, p);
            case TEXT -> new String(b, p, len, StandardCharsets.UTF_8);
            case JSONB -> {
                if (b[p] != 1) {
                    throw new IllegalArgumentException("jsonb binary version " + b[p] + " (only 1 is known)");
                }
                yield new String(b, p + 1, len - 1, StandardCharsets.UTF_8);
            }
            case DATE -> {
                int days = int32(b, p);
                yield days == Integer.MAX_VALUE ? PostgresTypes.DATE_INFINITY
                        : days == Integer.MIN_VALUE ? PostgresTypes.DATE_MINUS_INFINITY
                        : LocalDate.ofEpochDay(DAYS_1970_TO_2000 + (long) days);
            }
            case TIMESTAMP -> {
                long micros = int64(b, p);
                yield micros == Long.MAX_VALUE ? PostgresTypes.TIMESTAMP_INFINITY
                        : micros == Long.MIN_VALUE ? PostgresTypes.TIMESTAMP_MINUS_INFINITY
                        : PostgresTypes.epochMicros2000(micros);
            }
            case BYTEA -> Arrays.copyOfRange(b, p, p + len);
            case UUID -> new UUID(int64(b, p), int64(b, p + 8)).toString();
            case PARSE_TEXT -> PostgresTypes.parseText(new String(b, p, len, StandardCharsets.UTF_8), f, t);
        };
    }

    /**
     * A {@code numeric} from its binary form: {@code ndigits, weight, sign, dscale} (int16 each), then {@code ndigits}
     * base-10000 digits; value = digits × 10000^(weight − ndigits + 1), shown with {@code dscale} decimals (the scale the
     * text form has). NaN and ±Infinity are the Strings of {@link PostgresTypes#decimal}, as in the text path.
     */
    static Object numeric(byte[] b, int p) {
        int ndigits = ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
        int weight = (short) (((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff));
        int sign = ((b[p + 4] & 0xff) << 8) | (b[p + 5] & 0xff);
        int dscale = ((b[p + 6] & 0xff) << 8) | (b[p + 7] & 0xff);
        switch (sign) {
            case 0x0000, 0x4000 -> {
                // a number
            }
            case 0xC000 -> {
                return PostgresTypes.NAN;
            }
            case 0xD000 -> {
                return PostgresTypes.INFINITY;
            }
            case 0xF000 -> {
                return PostgresTypes.MINUS_INFINITY;
            }
            default -> throw new IllegalArgumentException("numeric with sign 0x" + Integer.toHexString(sign));
        }
        if (ndigits == 0) {
            return BigDecimal.valueOf(0, dscale);
        }
        int exp10 = 4 * (weight - ndigits + 1); // value = D × 10^exp10
        int shift = exp10 + dscale; // unscaled (at dscale) = D × 10^shift
        int q = p + 8;
        if (ndigits <= 4 && shift > -19 && shift < 19) {
            long d = 0;
            for (int i = 0; i < ndigits; i++, q += 2) {
                d = d * 10_000 + (((b[q] & 0xff) << 8) | (b[q + 1] & 0xff));
            }
            long unscaled;
            if (shift >= 0) {
                long hi = Math.multiplyHigh(d, POW10[shift]);
                unscaled = d * POW10[shift];
                if (hi != 0 || unscaled < 0) {
                    return slow(b, p + 8, ndigits, exp10, dscale, sign);
                }
            } else {
                unscaled = d / POW10[-shift]; // exact: the digits past dscale are zeros
            }
            return BigDecimal.valueOf(sign == 0x4000 ? -unscaled : unscaled, dscale);
        }
        return slow(b, q, ndigits, exp10, dscale, sign);
    }

    private static BigDecimal slow(byte[] b, int q, int ndigits, int exp10, int dscale, int sign) {
        char[] digits = new char[ndigits * 4];
        for (int i = 0; i < ndigits; i++, q += 2) {
            int g = ((b[q] & 0xff) << 8) | (b[q + 1] & 0xff);
            for (int k = 3; k >= 0; k--) {
                digits[i * 4 + k] = (char) ('0' + g % 10);
                g /= 10;
            }
        }
        BigDecimal v = new BigDecimal(new BigInteger(new String(digits)), -exp10).setScale(dscale,
                RoundingMode.UNNECESSARY);
        return sign == 0x4000 ? v.negate() : v;
    }

    static int int32(byte[] b, int p) {
        return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }

    static long int64(byte[] b, int p) {
        return ((long) int32(b, p) << 32) | (int32(b, p + 4) & 0xffffffffL);
    }
}
