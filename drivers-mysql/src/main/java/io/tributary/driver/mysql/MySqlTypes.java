package io.tributary.driver.mysql;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.ValueException;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The MySQL / MariaDB type table, for backfill (JDBC, session time zone UTC) and binlog CDC alike.
 *
 * <table>
 *   <caption>type → Tributary type</caption>
 *   <tr><td>tinyint(1), bool</td><td>BOOLEAN</td></tr>
 *   <tr><td>tinyint, smallint, mediumint (signed or unsigned), int, year</td><td>INT32</td></tr>
 *   <tr><td>int unsigned, bigint</td><td>INT64</td></tr>
 *   <tr><td>bigint unsigned</td><td>DECIMAL(20,0): values beyond 2^63 do not overflow</td></tr>
 *   <tr><td>decimal(p,s)</td><td>DECIMAL(p,s), the column's scale</td></tr>
 *   <tr><td>float / double</td><td>FLOAT32 / FLOAT64: the stored bits (not the server's 6-digit float text)</td></tr>
 *   <tr><td>char, varchar, text, enum, set</td><td>STRING</td></tr>
 *   <tr><td>time(fsp)</td><td>STRING: MySQL's rendering with the column's fractional digits, {@code -838:59:59}
 *       … {@code 838:59:59}, {@code 10:00:00.000}</td></tr>
 *   <tr><td>json (MySQL), longtext with a {@code json_valid} check (MariaDB's json)</td><td>JSON_OBJECT: the server's
 *       text of the value</td></tr>
 *   <tr><td>binary(n) (n bytes), varbinary, blob, bit(n) ((n+7)/8 bytes, most significant first), geometry (WKB
 *       with SRID prefix)</td><td>BINARY</td></tr>
 *   <tr><td>date</td><td>DATE (proleptic Gregorian)</td></tr>
 *   <tr><td>datetime(fsp) (read as UTC), timestamp(fsp)</td><td>TIMESTAMP_MICRO</td></tr>
 * </table>
 *
 * <p>Zero dates ({@code 0000-00-00}, or a zero month or day, where {@code sql_mode} allows them) and the zero
 * TIMESTAMP are NULL on both paths. A value that cannot be decoded is a {@link ValueException} naming the column.
 */
final class MySqlTypes {
    private MySqlTypes() {
    }

    /** How a binlog cell of a column becomes its value (chosen once per column at discovery, not per row). */
    enum Kind {
        BOOLEAN, INT, UINT8, UINT16, UINT24, UINT32, INT64, UINT64, DECIMAL, FLOAT, DOUBLE,
        /** Decoded by {@link BinlogRows}: LocalDate, Instant, String (TIME), Integer (YEAR), byte[] (BIT). */
        DECODED, TIME, BINARY_PADDED, BYTES, TEXT, JSON_BINARY, ENUM, SET
    }

    /**
     * What discovery knows of a column: its field, its MySQL type, enum/set members, how binlog cells decode, the
     * byte length of a {@code binary(n)} and the charset of a text column.
     */
    record Column(Field field, String dataType, String columnType, List<String> enumValues, Kind kind, int length,
            Charset charset) {
        /** The SELECT expression of the column (TIME is read as the server's text of it). */
        String select() {
            return select(MySqlDriver.quote(field.name()));
        }

        /** {@link #select()} of an expression of the column's type ({@code max(c)}). */
        String select(String q) {
            return switch (kind) {
                case TIME -> "CAST(" + q + " AS CHAR)";
                case FLOAT -> "(" + q + " * 1e0)"; // the float's exact value (and sign of zero), not its 6-digit text
                default -> q;
            };
        }

        static Column of(String name, String dataType, String columnType, int precision, int scale, boolean nullable,
                long octetLength, String charsetName, boolean json) {
            String t = dataType.toLowerCase(Locale.ROOT);
            String ct = columnType.toLowerCase(Locale.ROOT);
            Field f = json ? Field.of(name, DataType.JSON_OBJECT, nullable)
                    : MySqlTypes.field(name, t, ct, precision, scale, nullable);
            boolean unsigned = ct.contains("unsigned");
            Kind kind = switch (t) {
                case "tinyint" -> f.type() == DataType.BOOLEAN ? Kind.BOOLEAN : unsigned ? Kind.UINT8 : Kind.INT;
                case "bool", "boolean" -> Kind.BOOLEAN;
                case "smallint" -> unsigned ? Kind.UINT16 : Kind.INT;
                case "mediumint" -> unsigned ? Kind.UINT24 : Kind.INT;
                case "int", "integer" -> unsigned ? Kind.UINT32 : Kind.INT;
                case "bigint" -> unsigned ? Kind.UINT64 : Kind.INT64;
                case "decimal", "numeric" -> Kind.DECIMAL;
                case "float" -> Kind.FLOAT;
                case "double", "real" -> Kind.DOUBLE;
                case "date", "datetime", "timestamp", "year", "bit" -> Kind.DECODED;
                case "time" -> Kind.TIME;
                case "binary" -> Kind.BINARY_PADDED;
                case "json" -> Kind.JSON_BINARY;
                case "enum" -> Kind.ENUM;
                case "set" -> Kind.SET;
                default -> f.type() == DataType.BINARY ? Kind.BYTES : Kind.TEXT;
            };
            List<String> members = kind == Kind.ENUM || kind == Kind.SET ? members(columnType) : List.of();
            return new Column(f, t, columnType, members, kind, (int) Math.min(Integer.MAX_VALUE, octetLength),
                    MySqlTypes.charset(charsetName));
        }
    }

    /** The members of {@code enum('a','b')} / {@code set(...)} in order ('' inside a member is a quote). */
    static List<String> members(String columnType) {
        List<String> out = new ArrayList<>();
        int i = columnType.indexOf('(') + 1;
        while (i > 0 && i < columnType.length()) {
            int q = columnType.indexOf('\'', i);
            if (q < 0) {
                break;
            }
            StringBuilder b = new StringBuilder();
            int j = q + 1;
            while (j < columnType.length()) {
                char c = columnType.charAt(j);
                if (c == '\'' && j + 1 < columnType.length() && columnType.charAt(j + 1) == '\'') {
                    b.append('\'');
                    j += 2;
                } else if (c == '\'') {
                    break;
                } else {
                    b.append(c);
                    j++;
                }
            }
            out.add(b.toString());
            i = j + 1;
        }
        return List.copyOf(out);
    }

    /** The Java charset of a MySQL character set (UTF-8 where unknown). */
    static Charset charset(String mysql) {
        if (mysql == null) {
            return StandardCharsets.UTF_8;
        }
        return switch (mysql.toLowerCase(Locale.ROOT)) {
            case "latin1" -> Charset.forName("windows-1252"); // MySQL's latin1 is cp1252
            case "ascii" -> StandardCharsets.US_ASCII;
            case "ucs2", "utf16" -> StandardCharsets.UTF_16BE;
            case "utf16le" -> StandardCharsets.UTF_16LE;
            case "utf32" -> Charset.forName("UTF-32BE");
            case "cp1250" -> Charset.forName("windows-1250");
            case "cp1251" -> Charset.forName("windows-1251");
            case "greek" -> Charset.forName("ISO-8859-7");
            case "hebrew" -> Charset.forName("ISO-8859-8");
            case "latin2" -> Charset.forName("ISO-8859-2");
            case "sjis" -> Charset.forName("Shift_JIS");
            case "gbk" -> Charset.forName("GBK");
            case "big5" -> Charset.forName("Big5");
            case "euckr" -> Charset.forName("EUC-KR");
            default -> StandardCharsets.UTF_8;
        };
    }

    static Field field(String name, String dataType, String columnType, int precision, int scale, boolean nullable) {
        String t = dataType.toLowerCase(Locale.ROOT);
        boolean unsigned = columnType.toLowerCase(Locale.ROOT).contains("unsigned");
        DataType d = switch (t) {
            case "tinyint" -> columnType.toLowerCase(Locale.ROOT).startsWith("tinyint(1)") ? DataType.BOOLEAN
                    : DataType.INT32;
            case "bool", "boolean" -> DataType.BOOLEAN;
            case "smallint", "mediumint", "year" -> DataType.INT32;
            case "int", "integer" -> unsigned ? DataType.INT64 : DataType.INT32;
            case "bigint" -> unsigned ? DataType.DECIMAL : DataType.INT64;
            case "decimal", "numeric" -> DataType.DECIMAL;
            case "float" -> DataType.FLOAT32;
            case "double", "real" -> DataType.FLOAT64;
            case "json" -> DataType.JSON_OBJECT;
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit", "geometry", "point",
                    "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection" ->
                    DataType.BINARY;
            case "date" -> DataType.DATE;
            case "datetime", "timestamp" -> DataType.TIMESTAMP_MICRO;
            default -> DataType.STRING; // char, varchar, text, enum, set, time
        };
        if (d == DataType.DECIMAL) {
            return t.equals("bigint") ? Field.decimal(name, 20, 0, nullable) : Field.decimal(name, precision, scale, nullable);
        }
        return Field.of(name, d, nullable);
    }

    /** One backfill value (column {@code i} selected with {@link Column#select()}). */
    static Object read(ResultSet rs, int i, Column c) throws SQLException {
        Field f = c.field();
        switch (f.type()) {
            case BOOLEAN: {
                boolean v = rs.getBoolean(i);
                return rs.wasNull() ? null : v;
            }
            case INT32: {
                int v = rs.getInt(i);
                return rs.wasNull() ? null : v;
            }
            case INT64: {
                long v = rs.getLong(i);
                return rs.wasNull() ? null : v;
            }
            case FLOAT32: {
                double v = rs.getDouble(i); // selected as a double: the float's exact value
                return rs.wasNull() ? null : (float) v;
            }
            case FLOAT64: {
                double v = rs.getDouble(i);
                return rs.wasNull() ? null : v;
            }
            case DECIMAL:
                return rs.getBigDecimal(i);
            case DATE:
                try {
                    return rs.getObject(i, LocalDate.class);
                } catch (SQLException | RuntimeException e) {
                    return zeroDateOrFail(rs, i, c, e);
                }
            case TIMESTAMP_MICRO: {
                LocalDateTime t;
                try {
                    t = rs.getObject(i, LocalDateTime.class);
                } catch (SQLException | RuntimeException e) {
                    return zeroDateOrFail(rs, i, c, e);
                }
                return t == null ? null : t.toInstant(ZoneOffset.UTC);
            }
            case BINARY:
                return rs.getBytes(i);
            default:
                return rs.getString(i);
        }
    }

    /** A date the driver cannot read as a date: NULL when it has a zero part (as the binlog path), else fails. */
    private static Object zeroDateOrFail(ResultSet rs, int i, Column c, Exception e) throws SQLException {
        String text = rs.getString(i);
        if (text != null && (text.startsWith("0000") || text.matches("\\d{4}-(00-\\d\\d|\\d\\d-00).*"))) {
            return null;
        }
        throw new ValueException(null, c.field().name(), null, text, "cannot be read as "
                + c.field().type().jsonName() + " (" + c.columnType() + "): " + e.getMessage(), e);
    }

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /**
     * A binlog row value as the backfill reads it. The row events carry integers as signed values of their storage
     * width (made unsigned here from the column's signedness), {@code binary(n)} without its trailing zero bytes
     * (padded here to the column's length), strings as bytes (decoded with the column's charset), MySQL's JSON in
     * its binary format, ENUM/SET as index/bit mask; temporal, BIT and YEAR cells arrive decoded by
     * {@link BinlogRows}. A value it cannot decode is a {@link ValueException} naming the column (the caller adds
     * stream and key).
     */
    static Object fromBinlog(Serializable v, Column c) {
        if (v == null) {
            return null;
        }
        try {
            switch (c.kind()) {
                case BOOLEAN:
                    return ((Number) v).intValue() != 0;
                case INT:
                    return ((Number) v).intValue();
                case UINT8:
                    return ((Number) v).intValue() & 0xFF;
                case UINT16:
                    return ((Number) v).intValue() & 0xFFFF;
                case UINT24:
                    return ((Number) v).intValue() & 0xFFFFFF;
                case UINT32:
                    return ((Number) v).longValue() & 0xFFFFFFFFL;
                case INT64:
                    return ((Number) v).longValue();
                case UINT64: {
                    long l = ((Number) v).longValue();
                    return new BigDecimal(l >= 0 ? BigInteger.valueOf(l) : BigInteger.valueOf(l).add(TWO_64));
                }
                case DECIMAL:
                    return v; // BigDecimal with the column's scale
                case FLOAT:
                    return ((Number) v).floatValue();
                case DOUBLE:
                    return ((Number) v).doubleValue();
                case DECODED:
                case TIME:
                    if (v instanceof BinlogRows.Undecodable u) {
                        throw new ValueException(null, c.field().name(), null, u.text(), u.reason());
                    }
                    return v;
                case BINARY_PADDED: {
                    byte[] b = (byte[]) v;
                    return b.length >= c.length() ? b : Arrays.copyOf(b, c.length());
                }
                case BYTES:
                    return v;
                case JSON_BINARY:
                    return MySqlJson.render((byte[]) v);
                case ENUM: {
                    int idx = ((Number) v).intValue();
                    return idx == 0 ? "" : c.enumValues().get(idx - 1);
                }
                case SET: {
                    long mask = ((Number) v).longValue();
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < c.enumValues().size(); i++) {
                        if ((mask & (1L << i)) != 0) {
                            sb.append(sb.length() == 0 ? "" : ",").append(c.enumValues().get(i));
                        }
                    }
                    return sb.toString();
                }
                default: // TEXT
                    return v instanceof byte[] b ? new String(b, c.charset()) : v.toString();
            }
        } catch (ValueException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ValueException(null, c.field().name(), null, show(v), "cannot be read from the binlog as "
                    + c.field().type().jsonName() + " (" + c.columnType() + "): " + e, e);
        }
    }

    private static String show(Serializable v) {
        return v instanceof byte[] b ? "x'" + java.util.HexFormat.of().formatHex(b, 0, Math.min(b.length, 256)) + "'"
                : String.valueOf(v);
    }
}
