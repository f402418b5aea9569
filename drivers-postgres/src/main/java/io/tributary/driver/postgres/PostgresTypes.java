package io.tributary.driver.postgres;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one PostgreSQL type table. Backfill (binary COPY, see {@link PgBinaryCopy}, or JDBC) and CDC (pgoutput text)
 * all go through it, so a value reads the same either way.
 *
 * <table>
 *   <caption>PostgreSQL type → Tributary type → Java value</caption>
 *   <tr><th>PostgreSQL</th><th>DataType</th><th>value</th></tr>
 *   <tr><td>smallint, integer</td><td>INT32</td><td>Integer</td></tr>
 *   <tr><td>bigint</td><td>INT64</td><td>Long</td></tr>
 *   <tr><td>numeric(p,s)</td><td>DECIMAL(p,s)</td><td>BigDecimal</td></tr>
 *   <tr><td>numeric (unconstrained)</td><td>DECIMAL(0,0): writers use their widest decimal</td><td>BigDecimal</td></tr>
 *   <tr><td>real / double precision</td><td>FLOAT32 / FLOAT64</td><td>Float / Double</td></tr>
 *   <tr><td>money</td><td>STRING (server's text form, locale-dependent)</td><td>String</td></tr>
 *   <tr><td>text, varchar, char, name, citext</td><td>STRING</td><td>String</td></tr>
 *   <tr><td>boolean</td><td>BOOLEAN</td><td>Boolean</td></tr>
 *   <tr><td>date</td><td>DATE</td><td>LocalDate (infinity → NULL)</td></tr>
 *   <tr><td>time</td><td>TIME</td><td>LocalTime</td></tr>
 *   <tr><td>timetz, interval</td><td>STRING</td><td>String (server text form)</td></tr>
 *   <tr><td>timestamp</td><td>TIMESTAMP_MICRO, read as UTC</td><td>Instant (±infinity → NULL)</td></tr>
 *   <tr><td>timestamptz</td><td>TIMESTAMP_MICRO</td><td>Instant (±infinity → NULL)</td></tr>
 *   <tr><td>uuid, inet, cidr, macaddr, bit, varbit, xml, enums</td><td>STRING</td><td>String</td></tr>
 *   <tr><td>json, jsonb</td><td>JSON_OBJECT</td><td>String (JSON text as the server prints it)</td></tr>
 *   <tr><td>bytea</td><td>BINARY</td><td>byte[]</td></tr>
 *   <tr><td>arrays</td><td>STRING</td><td>String (PostgreSQL array text, e.g. {@code {1,2}})</td></tr>
 *   <tr><td>domains</td><td>their base type</td><td></td></tr>
 *   <tr><td>anything else</td><td>STRING (logged once)</td><td>String</td></tr>
 * </table>
 */
final class PostgresTypes {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresTypes.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    /** What a column's type is, resolved through domains. */
    record PgType(int oid, String name, char kind, char category) {
    }

    private final Map<Integer, PgType> byOid = new HashMap<>();
    private final Map<Integer, Integer> domainBase = new HashMap<>();

    private PostgresTypes() {
    }

    static PostgresTypes load(Connection c) throws SQLException {
        PostgresTypes t = new PostgresTypes();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT oid, typname, typtype, typcategory, typbasetype FROM pg_type")) {
            while (rs.next()) {
                int oid = rs.getInt(1);
                t.byOid.put(oid, new PgType(oid, rs.getString(2), rs.getString(3).charAt(0),
                        rs.getString(4).charAt(0)));
                if (rs.getInt(5) != 0) {
                    t.domainBase.put(oid, rs.getInt(5));
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
            if (typmod >= 4) {
                int p = ((typmod - 4) >> 16) & 0xffff;
                int s = (typmod - 4) & 0xffff;
                return Field.decimal(column, p, s, nullable);
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
            case "time" -> DataType.TIME;
            case "timestamp", "timestamptz" -> DataType.TIMESTAMP_MICRO;
            case "json", "jsonb" -> DataType.JSON_OBJECT;
            case "bytea" -> DataType.BINARY;
            case "text", "varchar", "bpchar", "char", "name", "citext", "uuid", "inet", "cidr", "macaddr",
                    "macaddr8", "bit", "varbit", "xml", "money", "timetz", "interval", "oid", "tsvector", "point" ->
                    DataType.STRING;
            default -> {
                if (WARNED.add(t.name())) {
                    LOG.warn("PostgreSQL type {} has no mapping; its values are synced as strings", t.name());
                }
                yield DataType.STRING;
            }
        };
    }

    /** Reads a column of a JDBC row as the Java value its field's type calls for. */
    static Object read(ResultSet rs, int i, Field f, PgType t) throws SQLException {
        switch (f.type()) {
            case INT32: {
                int v = rs.getInt(i);
                return rs.wasNull() ? null : v;
            }
            case INT64: {
                long v = rs.getLong(i);
                return rs.wasNull() ? null : v;
            }
            case FLOAT32: {
                float v = rs.getFloat(i);
                return rs.wasNull() ? null : v;
            }
            case FLOAT64: {
                double v = rs.getDouble(i);
                return rs.wasNull() ? null : v;
            }
            case BOOLEAN: {
                boolean v = rs.getBoolean(i);
                return rs.wasNull() ? null : v;
            }
            case DECIMAL: {
                String s = rs.getString(i);
                return s == null ? null : decimal(s);
            }
            case DATE: {
                String s = rs.getString(i);
                return s == null ? null : date(s);
            }
            case TIME: {
                String s = rs.getString(i);
                return s == null ? null : LocalTime.parse(s);
            }
            case TIMESTAMP_MICRO: {
                if ("timestamptz".equals(t.name())) {
                    OffsetDateTime o = rs.getObject(i, OffsetDateTime.class);
                    return o == null || o.equals(OffsetDateTime.MAX) || o.equals(OffsetDateTime.MIN) ? null
                            : o.toInstant();
                }
                LocalDateTime l = rs.getObject(i, LocalDateTime.class);
                return l == null || l.equals(LocalDateTime.MAX) || l.equals(LocalDateTime.MIN) ? null
                        : l.toInstant(ZoneOffset.UTC);
            }
            case BINARY:
                return rs.getBytes(i);
            default:
                return rs.getString(i);
        }
    }

    private static final DateTimeFormatter TS = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();
    private static final DateTimeFormatter TSTZ = new DateTimeFormatterBuilder()
            .append(TS)
            .appendPattern("[XXX][XX][X]")
            .toFormatter();

    /** Parses pgoutput's text form of a value (ISO DateStyle, UTC session time zone). */
    static Object parseText(String s, Field f, PgType t) {
        try {
            return switch (f.type()) {
                case INT32 -> Integer.parseInt(s);
                case INT64 -> Long.parseLong(s);
                case FLOAT32 -> Float.parseFloat(s);
                case FLOAT64 -> Double.parseDouble(s);
                case BOOLEAN -> "t".equals(s) || "true".equals(s);
                case DECIMAL -> decimal(s);
                case DATE -> date(s);
                case TIME -> LocalTime.parse(s);
                case TIMESTAMP_MICRO -> s.endsWith("infinity") ? null : "timestamptz".equals(t.name())
                        ? OffsetDateTime.parse(s, TSTZ).toInstant()
                        : LocalDateTime.parse(s, TS).toInstant(ZoneOffset.UTC);
                case BINARY -> s.startsWith("\\x") ? HexFormat.of().parseHex(s, 2, s.length()) : s.getBytes();
                default -> s;
            };
        } catch (RuntimeException e) {
            throw new NonRetriableException("column " + f.name() + " (" + t.name() + "): cannot read value '"
                    + abbreviate(s) + "' as " + f.type().jsonName() + ": " + e.getMessage(), e);
        }
    }

    private static BigDecimal decimal(String s) {
        if (s.equals("NaN") || s.endsWith("Infinity")) {
            return null; // no decimal can hold it; documented as NULL
        }
        return new BigDecimal(s);
    }

    private static LocalDate date(String s) {
        if (s.endsWith("infinity")) {
            return null;
        }
        return LocalDate.parse(s);
    }

    static Instant epochMicros2000(long micros) {
        return Instant.ofEpochSecond(946_684_800L + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
