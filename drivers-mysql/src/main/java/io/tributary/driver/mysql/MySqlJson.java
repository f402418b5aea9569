package io.tributary.driver.mysql;

import com.github.shyiko.mysql.binlog.event.deserialization.ColumnType;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonFormatter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;

/**
 * MySQL's binary JSON (a MySQL 8 binlog cell) rendered as the server renders it (what {@code SELECT}, and so the
 * backfill, returns; MySQL's {@code Json_wrapper::to_string}): {@code ", "} and {@code ": "} separators, keys in
 * the stored order, doubles as {@code my_gcvt} prints them ({@code 1e300}, {@code 0.0000001}, {@code 100.0}),
 * temporal values quoted with six fractional digits, other opaque values as {@code "base64:typeNN:…"}.
 */
final class MySqlJson implements JsonFormatter {
    private static final int MAX_DECPT_FOR_F_FORMAT = 15; // DBL_DIG
    private static final int WIDTH = 34; // MY_GCVT_MAX_FIELD_WIDTH = DBL_DIG + 4 + max(5, MAX_DECPT_FOR_F_FORMAT)
    private final StringBuilder sb = new StringBuilder(64);
    private boolean afterName;

    private MySqlJson() {
    }

    /** The server's text of a binary JSON value. */
    static String render(byte[] binary) throws IOException {
        if (binary.length == 0) {
            return "null"; // MySQL logs an empty image for a JSON NULL literal written by some paths
        }
        MySqlJson f = new MySqlJson();
        new Reader(binary).parse(f);
        return f.sb.toString();
    }

    /** JsonBinary with MySQL's signed TIME decoding (the library's drops the sign of a fraction). */
    private static final class Reader extends JsonBinary {
        Reader(byte[] bytes) {
            super(bytes);
        }

        @Override
        protected void parseTime(JsonFormatter formatter) throws IOException {
            long packed = readInt64();
            boolean negative = packed < 0;
            if (negative) {
                packed = -packed;
            }
            long hms = packed >> 24;
            int micros = (int) (packed & 0xFFFFFF);
            ((MySqlJson) formatter).raw('"' + BinlogRows.clock(negative, (int) ((hms >> 12) & 0x3FF),
                    (int) ((hms >> 6) & 63), (int) (hms & 63), micros, 6) + '"');
        }
    }

    private void raw(String s) {
        sb.append(s);
    }

    @Override
    public void beginObject(int numElements) {
        sb.append('{');
    }

    @Override
    public void beginArray(int numElements) {
        sb.append('[');
    }

    @Override
    public void endObject() {
        sb.append('}');
    }

    @Override
    public void endArray() {
        sb.append(']');
    }

    @Override
    public void name(String name) {
        quote(name);
        sb.append(": ");
    }

    @Override
    public void nextEntry() {
        sb.append(", ");
    }

    @Override
    public void value(String value) {
        quote(value);
    }

    @Override
    public void value(int value) {
        sb.append(value);
    }

    @Override
    public void value(long value) {
        sb.append(value);
    }

    @Override
    public void value(BigInteger value) {
        sb.append(value);
    }

    @Override
    public void value(BigDecimal value) {
        sb.append(value.toPlainString());
    }

    @Override
    public void value(boolean value) {
        sb.append(value);
    }

    @Override
    public void valueNull() {
        sb.append("null");
    }

    @Override
    public void value(double value) {
        gcvt(sb, value);
    }

    @Override
    public void valueYear(int year) {
        sb.append(year);
    }

    @Override
    public void valueDate(int year, int month, int day) {
        sb.append('"');
        date(year, month, day);
        sb.append('"');
    }

    @Override
    public void valueDatetime(int year, int month, int day, int hour, int min, int sec, int microSeconds) {
        sb.append('"');
        date(year, month, day);
        sb.append(' ').append(BinlogRows.clock(false, hour, min, sec, microSeconds, 6)).append('"');
    }

    @Override
    public void valueTime(int hour, int min, int sec, int microSeconds) {
        sb.append('"').append(BinlogRows.clock(hour < 0, Math.abs(hour), min, sec, microSeconds, 6)).append('"');
    }

    @Override
    public void valueTimestamp(long secondsPastEpoch, int microSeconds) {
        sb.append(secondsPastEpoch); // not produced by MySQL's binary JSON (timestamps are stored as datetimes)
    }

    @Override
    public void valueOpaque(ColumnType type, byte[] value) {
        sb.append("\"base64:type").append(type.getCode()).append(':')
                .append(Base64.getEncoder().encodeToString(value)).append('"');
    }

    private void date(int year, int month, int day) {
        String y = Integer.toString(year);
        sb.append("0000", 0, Math.max(0, 4 - y.length())).append(y).append('-');
        sb.append((char) ('0' + month / 10)).append((char) ('0' + month % 10)).append('-');
        sb.append((char) ('0' + day / 10)).append((char) ('0' + day % 10));
    }

    /** MySQL's {@code double_quote}: {@code "}, {@code \}, \b \f \n \r \t escaped, other controls as \\u00XX. */
    private void quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * A double as MySQL's JSON prints it: the shortest digits that read back as the value ({@code my_gcvt} with
     * dtoa mode 4), in 'f' format while the decimal point lies within 15 digits, else in 'e' format
     * ({@code 1e300}, {@code -2.5e-20}); ".0" is appended to an integral 'f' number.
     */
    static void gcvt(StringBuilder sb, double d) {
        if (d == 0) {
            sb.append(1 / d < 0 ? "-0.0" : "0.0");
            return;
        }
        BigDecimal b = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = b.unscaledValue().toString();
        int len = digits.length();
        int decpt = len - b.scale(); // the decimal point's position relative to the first digit
        int width = d < 0 ? WIDTH - 1 : WIDTH;
        boolean haveSpace = (decpt <= 0 ? len - decpt + 2 : decpt < len ? len + 1 : decpt) <= width;
        if (d < 0) {
            sb.append('-');
        }
        if (haveSpace && decpt >= -MAX_DECPT_FOR_F_FORMAT + 1 && (decpt <= MAX_DECPT_FOR_F_FORMAT || len > decpt)) {
            if (decpt <= 0) {
                sb.append("0.");
                for (int i = decpt; i < 0; i++) {
                    sb.append('0');
                }
                sb.append(digits);
            } else if (decpt < len) {
                sb.append(digits, 0, decpt).append('.').append(digits, decpt, len);
            } else {
                sb.append(digits);
                for (int i = len; i < decpt; i++) {
                    sb.append('0');
                }
                sb.append(".0");
            }
        } else {
            sb.append(digits.charAt(0));
            if (len > 1) {
                sb.append('.').append(digits, 1, len);
            }
            sb.append('e').append(decpt - 1);
        }
    }
}
