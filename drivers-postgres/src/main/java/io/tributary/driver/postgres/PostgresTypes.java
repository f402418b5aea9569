package io.tributary.driver.postgres;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.types.ValueException;
import io.tributary.writer.OlakeId;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one PostgreSQL type table. Backfill (binary COPY, see {@link PgBinaryCopy}, or JDBC) and CDC (pgoutput text)
 * all go through it, so a value reads the same either way: the select and CDC paths parse the server's text with
 * {@link #parseText}; the binary COPY decodes numbers, dates, timestamps, uuid, bytea and json(b) from their binary
 * form to the same values and parses the text of every other type.
 *
 * <table>
 *   <caption>PostgreSQL type → Tributary type → Java value</caption>
 *   <tr><th>PostgreSQL</th><th>DataType</th><th>value</th></tr>
 *   <tr><td>smallint, integer</td><td>INT32</td><td>Integer</td></tr>
 *   <tr><td>bigint</td><td>INT64</td><td>Long</td></tr>
 *   <tr><td>numeric(p,s), 0 ≤ s ≤ p (a domain's too)</td><td>DECIMAL(p,s)</td><td>BigDecimal of scale s; NaN as
 *       the String "NaN"</td></tr>
 *   <tr><td>numeric (unconstrained; or a scale below 0 or above p)</td><td>DECIMAL(0,0)</td><td>BigDecimal with the
 *       source's scale; NaN, Infinity, -Infinity as those Strings</td></tr>
 *   <tr><td>real / double precision</td><td>FLOAT32 / FLOAT64</td><td>Float / Double (NaN, ±Infinity, -0)</td></tr>
 *   <tr><td>boolean</td><td>BOOLEAN</td><td>Boolean</td></tr>
 *   <tr><td>date</td><td>DATE</td><td>LocalDate (proleptic Gregorian, 1 BC = year 0); ±infinity →
 *       {@link #DATE_INFINITY} / {@link #DATE_MINUS_INFINITY}</td></tr>
 *   <tr><td>timestamp (read as UTC), timestamptz</td><td>TIMESTAMP_MICRO</td><td>Instant, 4714 BC to 294276 AD;
 *       ±infinity → {@link #TIMESTAMP_INFINITY} / {@link #TIMESTAMP_MINUS_INFINITY}</td></tr>
 *   <tr><td>time, timetz</td><td>STRING</td><td>String: the server's text ({@code 24:00:00},
 *       {@code 10:00:00+02})</td></tr>
 *   <tr><td>json, jsonb</td><td>JSON_OBJECT</td><td>String (JSON text as the server prints it)</td></tr>
 *   <tr><td>bytea</td><td>BINARY</td><td>byte[]</td></tr>
 *   <tr><td>text, varchar, char, "char", name, citext, uuid, enums, inet, cidr, macaddr(8), bit, varbit, xml,
 *       money (lc_monetary), interval, oid, tsvector, point, arrays</td><td>STRING</td><td>String: the server's
 *       text</td></tr>
 *   <tr><td>domains</td><td>their base type</td><td></td></tr>
 *   <tr><td>anything else</td><td>STRING (logged once)</td><td>String</td></tr>
 * </table>
 *
 * <p>A value that cannot be read as its field's type (a catalog's type that differs from the table's) is a
 * {@link ValueException} naming the column and the value's text; the readers add the stream and the row's key.
 */
final class PostgresTypes {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresTypes.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    /** What a column's type is, resolved through domains. */
    record PgType(int oid, String name, char kind, char category) {
    }

    private final Map<Integer, PgType> byOid = new HashMap<>();
    private final Map<Integer, Integer> domainBase = new HashMap<>();
    /** A domain's type modifier ({@code CREATE DOMAIN d AS numeric(10,2)}), which its columns do not repeat. */
    private final Map<Integer, Integer> domainTypmod = new HashMap<>();

    private PostgresTypes() {
    }

    static PostgresTypes load(Connection c) throws SQLException {
        PostgresTypes t = new PostgresTypes();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT oid, typname, typtype, typcategory, typbasetype, typtypmod "
                        + "FROM pg_type")) {
            while (rs.next()) {
                int oid = rs.getInt(1);
                t.byOid.put(oid, new PgType(oid, rs.getString(2), rs.getString(3).charAt(0),
                        rs.getString(4).charAt(0)));
                if (rs.getInt(5) != 0) {
                    t.domainBase.put(oid, rs.getInt(5));
                    if (rs.getInt(6) >= 0) {
                        t.domainTypmod.put(oid, rs.getInt(6));
                    }
                }
            }
        }
        return t;
    }

    /** The type behind a column type, domains resolved. */
    PgType resolve(int oid) {
        int o = oid;
        for (int i = 0; i < 10 && domainBase.containsKey(o); i++) {
            o = domainBase.get(o);
        }
        PgType t = byOid.get(o);
        return t != null ? t : new PgType(o, "oid" + o, 'b', 'U');
    }

    /** The field of a column. */
    Field field(String column, int typeOid, int typmod, boolean nullable) {
        PgType t = resolve(typeOid);
        DataType d = dataType(t);
        if (d == DataType.DECIMAL) {
            int mod = typmod;
            for (int o = typeOid, i = 0; mod < 0 && i < 10 && domainBase.containsKey(o); o = domainBase.get(o), i++) {
                mod = domainTypmod.getOrDefault(o, -1);
            }
            if (mod >= 4) {
                // (precision << 16) | scale, the scale an 11-bit signed number since PostgreSQL 15 (numeric(2,-3))
                int p = ((mod - 4) >> 16) & 0xffff;
                int s = (((mod - 4) & 0x7ff) ^ 0x400) - 0x400;
                if (s >= 0 && s <= p) {
                    return Field.decimal(column, p, s, nullable);
                }
                // a negative scale or one above the precision has no decimal(p,s) in the writers: unconstrained,
                // the values keep the scale PostgreSQL shows them with
            }
            return Field.decimal(column, 0, 0, nullable);
        }
        return Field.of(column, d, nullable);
    }

    static DataType dataType(PgType t) {
        if (t.category() == 'A') {
            return DataType.STRING;
        }
        if (t.kind() == 'e') {
            return DataType.STRING;
        }
        return switch (t.name()) {
            case "int2", "int4" -> DataType.INT32;
            case "int8" -> DataType.INT64;
            case "numeric" -> DataType.DECIMAL;
            case "float4" -> DataType.FLOAT32;
            case "float8" -> DataType.FLOAT64;
            case "bool" -> DataType.BOOLEAN;
            case "date" -> DataType.DATE;
            case "timestamp", "timestamptz" -> DataType.TIMESTAMP_MICRO;
            case "json", "jsonb" -> DataType.JSON_OBJECT;
            case "bytea" -> DataType.BINARY;
            case "text", "varchar", "bpchar", "char", "name", "citext", "uuid", "inet", "cidr", "macaddr",
                    "macaddr8", "bit", "varbit", "xml", "money", "time", "timetz", "interval", "oid", "tsvector", "point" ->
                    DataType.STRING;
            default -> {
                if (WARNED.add(t.name())) {
                    LOG.warn("PostgreSQL type {} has no mapping; its values are synced as strings", t.name());
                }
                yield DataType.STRING;
            }
        };
    }

    /**
     * Reads a column of a JDBC row as the Java value its field's type calls for: the server's text form (connections
     * use text transfer, see {@link PostgresConnections}) parsed by {@link #parseText}, exactly as CDC parses it.
     */
    static Object read(ResultSet rs, int i, Field f, PgType t) throws SQLException {
        String s = rs.getString(i);
        return s == null ? null : parseText(s, f, t);
    }

    /**
     * Parses PostgreSQL's text form of a value (ISO DateStyle, UTC session time zone, hex bytea, as
     * {@link PostgresConnections} sets them): what pgoutput sends, what a JDBC select returns, and what the binary
     * COPY selects through the type's output function for types it does not decode itself.
     *
     * @throws ValueException (stream and key not filled in) when the text is not a value of the field's type
     */
    static Object parseText(String s, Field f, PgType t) {
        try {
            return switch (f.type()) {
                case INT32 -> Integer.parseInt(s);
                case INT64 -> Long.parseLong(s);
                case FLOAT32 -> Float.parseFloat(s);
                case FLOAT64 -> Double.parseDouble(s);
                case BOOLEAN -> bool(s);
                case DECIMAL -> decimal(s);
                case DATE -> date(s);
                // only for a catalog discovered when PostgreSQL time was mapped to TIME: '24:00:00' does not fit
                case TIME -> LocalTime.parse(s);
                case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> timestamp(s);
                case BINARY -> bytea(s);
                default -> s;
            };
        } catch (RuntimeException e) {
            throw new ValueException(null, f.name(), null, s, "cannot be read as " + f.type().jsonName()
                    + " (PostgreSQL type " + t.name() + "): " + e.getMessage()
                    + (f.type() == DataType.TIME ? "; run discover again: PostgreSQL time is now synced as a string"
                    : ""), e);
        }
    }

    private static Boolean bool(String s) {
        return switch (s) {
            case "t", "true" -> Boolean.TRUE;
            case "f", "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    /** A {@code numeric}: a BigDecimal with the text's scale, or one of the Strings NaN, Infinity, -Infinity. */
    static Object decimal(String s) {
        return switch (s) {
            case "NaN" -> NAN;
            case "Infinity" -> INFINITY;
            case "-Infinity" -> MINUS_INFINITY;
            default -> new BigDecimal(s);
        };
    }

    static final String NAN = "NaN";
    static final String INFINITY = "Infinity";
    static final String MINUS_INFINITY = "-Infinity";

    /**
     * {@code timestamp[tz] 'infinity'}: the instant {@link Long#MAX_VALUE} microseconds after the epoch (as Debezium
     * maps it), beyond PostgreSQL's last real timestamp (294276 AD) only in the 64-bit microseconds writers store.
     */
    static final Instant TIMESTAMP_INFINITY = epochMicros(Long.MAX_VALUE);
    /** {@code timestamp[tz] '-infinity'}: {@link Long#MIN_VALUE} microseconds after the epoch. */
    static final Instant TIMESTAMP_MINUS_INFINITY = epochMicros(Long.MIN_VALUE);
    /** {@code date 'infinity'}: epoch day {@link Integer#MAX_VALUE}, past PostgreSQL's last date (5874897 AD). */
    static final LocalDate DATE_INFINITY = LocalDate.ofEpochDay(Integer.MAX_VALUE);
    /** {@code date '-infinity'}: epoch day {@link Integer#MIN_VALUE}, before PostgreSQL's first date (4714 BC). */
    static final LocalDate DATE_MINUS_INFINITY = LocalDate.ofEpochDay(Integer.MIN_VALUE);

    /**
     * A {@code date} in ISO DateStyle: {@code Y-MM-DD} with four or more year digits, {@code " BC"} after years
     * before 1 AD (1 BC is year 0 of the proleptic Gregorian calendar PostgreSQL and java.time both use), or
     * ±infinity.
     */
    static LocalDate date(String s) {
        switch (s) {
            case "infinity":
                return DATE_INFINITY;
            case "-infinity":
                return DATE_MINUS_INFINITY;
            default:
                break;
        }
        boolean bc = s.endsWith(" BC");
        int end = bc ? s.length() - 3 : s.length();
        int d1 = s.indexOf('-');
        if (d1 < 1 || end != d1 + 6 || s.charAt(d1 + 3) != '-') {
            throw new IllegalArgumentException("not an ISO date");
        }
        int year = Integer.parseInt(s, 0, d1, 10);
        return LocalDate.of(bc ? 1 - year : year, Integer.parseInt(s, d1 + 1, d1 + 3, 10),
                Integer.parseInt(s, d1 + 4, d1 + 6, 10));
    }

    /**
     * A {@code timestamp} (read as UTC) or {@code timestamptz} in ISO DateStyle:
     * {@code Y-MM-DD HH:MM:SS[.ffffff][±HH[:MM[:SS]]][ BC]}, or ±infinity (see {@link #TIMESTAMP_INFINITY}).
     */
    static Instant timestamp(String s) {
        switch (s) {
            case "infinity":
                return TIMESTAMP_INFINITY;
            case "-infinity":
                return TIMESTAMP_MINUS_INFINITY;
            default:
                break;
        }
        boolean bc = s.endsWith(" BC");
        int end = bc ? s.length() - 3 : s.length();
        int d1 = s.indexOf('-');
        if (d1 < 1 || end < d1 + 6 || s.charAt(d1 + 3) != '-') {
            throw new IllegalArgumentException("not an ISO timestamp");
        }
        int year = Integer.parseInt(s, 0, d1, 10);
        int month = Integer.parseInt(s, d1 + 1, d1 + 3, 10);
        int day = Integer.parseInt(s, d1 + 4, d1 + 6, 10);
        int p = d1 + 6;
        int hour = 0;
        int minute = 0;
        int second = 0;
        int nanos = 0;
        int offset = 0;
        if (p < end) {
            if (end < p + 9 || s.charAt(p) != ' ' || s.charAt(p + 3) != ':' || s.charAt(p + 6) != ':') {
                throw new IllegalArgumentException("not an ISO timestamp");
            }
            hour = Integer.parseInt(s, p + 1, p + 3, 10);
            minute = Integer.parseInt(s, p + 4, p + 6, 10);
            second = Integer.parseInt(s, p + 7, p + 9, 10);
            p += 9;
            if (p < end && s.charAt(p) == '.') {
                int q = p + 1;
                while (q < end && Character.isDigit(s.charAt(q))) {
                    q++;
                }
                if (q == p + 1 || q - p - 1 > 9) {
                    throw new IllegalArgumentException("bad fraction");
                }
                nanos = Integer.parseInt(s, p + 1, q, 10) * (int) POW10[9 - (q - p - 1)];
                p = q;
            }
            if (p < end && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
                int sign = s.charAt(p) == '-' ? -1 : 1;
                int secs = Integer.parseInt(s, p + 1, p + 3, 10) * 3600;
                p += 3;
                if (p < end && s.charAt(p) == ':') {
                    secs += Integer.parseInt(s, p + 1, p + 3, 10) * 60;
                    p += 3;
                    if (p < end && s.charAt(p) == ':') {
                        secs += Integer.parseInt(s, p + 1, p + 3, 10);
                        p += 3;
                    }
                }
                offset = sign * secs;
            }
            if (p != end) {
                throw new IllegalArgumentException("not an ISO timestamp");
            }
        }
        return LocalDateTime.of(bc ? 1 - year : year, month, day, hour, minute, second, nanos)
                .toInstant(ZoneOffset.ofTotalSeconds(offset));
    }

    private static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
        100_000_000L, 1_000_000_000L};

    /** A {@code bytea} in hex ({@code \x…}, what Tributary's sessions use) or escape output. */
    static byte[] bytea(String s) {
        if (s.startsWith("\\x")) {
            return HexFormat.of().parseHex(s, 2, s.length());
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out.write(c);
            } else if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
                out.write('\\');
                i++;
            } else {
                out.write(Integer.parseInt(s, i + 1, i + 4, 8));
                i += 3;
            }
        }
        return out.toByteArray();
    }

    /**
     * {@code e} with the stream and the row's key ({@code _olake_id}, when the row has a primary key whose values were
     * read) filled in.
     */
    static ValueException located(ValueException e, StreamId stream, Schema schema, List<String> primaryKey,
            Object[] row) {
        String key = null;
        if (!primaryKey.isEmpty() && primaryKey.stream().allMatch(k -> schema.indexOf(k) >= 0
                && row[schema.indexOf(k)] != null)) {
            key = OlakeId.forKey(schema, primaryKey).of(row);
        }
        return e.in(stream.toString(), key);
    }

    /**
     * A value as PostgreSQL text that the column's input function reads back to the same value: the inverse of
     * {@link #parseText}, for binding a value read from a row (a key) as an untyped parameter.
     */
    static String text(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Instant i) {
            if (i.equals(TIMESTAMP_INFINITY)) {
                return "infinity";
            }
            if (i.equals(TIMESTAMP_MINUS_INFINITY)) {
                return "-infinity";
            }
            LocalDateTime t = LocalDateTime.ofInstant(i, ZoneOffset.UTC);
            int y = t.getYear();
            return String.format(java.util.Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00%s", y <= 0 ? 1 - y : y,
                    t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond(),
                    t.getNano() / 1_000, y <= 0 ? " BC" : "");
        }
        if (v instanceof LocalDate d) {
            return d.equals(DATE_INFINITY) ? "infinity" : d.equals(DATE_MINUS_INFINITY) ? "-infinity" : isoDate(d);
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof byte[] b) {
            return "\\x" + HexFormat.of().formatHex(b);
        }
        return v.toString(); // numbers, booleans, strings (the server's own text)
    }

    private static String isoDate(LocalDate d) {
        int y = d.getYear();
        return String.format(java.util.Locale.ROOT, "%04d-%02d-%02d", y <= 0 ? 1 - y : y, d.getMonthValue(),
                d.getDayOfMonth()) + (y <= 0 ? " BC" : "");
    }

    /** The instant {@code micros} microseconds after 1970-01-01T00:00Z. */
    static Instant epochMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    static Instant epochMicros2000(long micros) {
        return Instant.ofEpochSecond(946_684_800L + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
