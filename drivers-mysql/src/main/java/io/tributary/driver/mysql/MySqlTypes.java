package io.tributary.driver.mysql;

import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.NonRetriableException;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.List;

/**
 * The MySQL / MariaDB type table, for backfill (JDBC, session time zone UTC) and binlog CDC alike.
 *
 * <table>
 *   <caption>type → Tributary type</caption>
 *   <tr><td>tinyint(1), bool</td><td>BOOLEAN</td></tr>
 *   <tr><td>tinyint, smallint, mediumint, int (signed), year</td><td>INT32</td></tr>
 *   <tr><td>int unsigned, bigint</td><td>INT64</td></tr>
 *   <tr><td>bigint unsigned</td><td>DECIMAL(20,0): values beyond 2^63 do not overflow</td></tr>
 *   <tr><td>decimal(p,s)</td><td>DECIMAL(p,s)</td></tr>
 *   <tr><td>float / double</td><td>FLOAT32 / FLOAT64</td></tr>
 *   <tr><td>char, varchar, text, enum, set, time</td><td>STRING</td></tr>
 *   <tr><td>json</td><td>JSON_OBJECT (JSON text)</td></tr>
 *   <tr><td>binary, varbinary, blob, bit, geometry (WKB with SRID prefix)</td><td>BINARY</td></tr>
 *   <tr><td>date</td><td>DATE</td></tr>
 *   <tr><td>datetime(fsp) (read as UTC), timestamp(fsp)</td><td>TIMESTAMP_MICRO</td></tr>
 * </table>
 */
final class MySqlTypes {
    private MySqlTypes() {
    }

    /** What discovery knows of a column: its field and its MySQL type. */
    record Column(Field field, String dataType, String columnType, List<String> enumValues) {
        boolean unsigned() {
            return columnType.contains("unsigned");
        }
    }

    static Field field(String name, String dataType, String columnType, int precision, int scale, boolean nullable) {
        String t = dataType.toLowerCase();
        boolean unsigned = columnType.toLowerCase().contains("unsigned");
        DataType d = switch (t) {
            case "tinyint" -> columnType.toLowerCase().startsWith("tinyint(1)") ? DataType.BOOLEAN : DataType.INT32;
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
            default -> DataType.STRING;
        };
        if (d == DataType.DECIMAL) {
            return t.equals("bigint") ? Field.decimal(name, 20, 0, nullable) : Field.decimal(name, precision, scale, nullable);
        }
        return Field.of(name, d, nullable);
    }

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
                float v = rs.getFloat(i);
                return rs.wasNull() ? null : v;
            }
            case FLOAT64: {
                double v = rs.getDouble(i);
                return rs.wasNull() ? null : v;
            }
            case DECIMAL:
                return rs.getBigDecimal(i);
            case DATE:
                return rs.getObject(i, LocalDate.class);
            case TIMESTAMP_MICRO: {
                LocalDateTime t = rs.getObject(i, LocalDateTime.class);
                return t == null ? null : t.toInstant(ZoneOffset.UTC);
            }
            case BINARY:
                return rs.getBytes(i);
            default:
                return rs.getString(i);
        }
    }

    /** A binlog row value (library compatibility modes: date/time as epoch micros, strings as bytes). */
    static Object fromBinlog(Serializable v, Column c) {
        if (v == null) {
            return null;
        }
        Field f = c.field();
        try {
            switch (f.type()) {
                case BOOLEAN:
                    return ((Number) v).intValue() != 0;
                case INT32:
                    return ((Number) v).intValue();
                case INT64: {
                    long l = ((Number) v).longValue();
                    if (c.unsigned() && l < 0) {
                        l += 1L << 32; // int unsigned read as a negative int
                    }
                    return l;
                }
                case DECIMAL: {
                    if (v instanceof BigDecimal d) {
                        return d;
                    }
                    long l = ((Number) v).longValue();
                    BigInteger b = BigInteger.valueOf(l);
                    if (c.unsigned() && l < 0) {
                        b = b.add(BigInteger.ONE.shiftLeft(64));
                    }
                    return new BigDecimal(b);
                }
                case FLOAT32:
                    return ((Number) v).floatValue();
                case FLOAT64:
                    return ((Number) v).doubleValue();
                case DATE:
                    return Instant.EPOCH.plusNanos(((Number) v).longValue() * 1_000L).atOffset(ZoneOffset.UTC)
                            .toLocalDate();
                case TIMESTAMP_MICRO: {
                    long micros = ((Number) v).longValue();
                    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1_000L);
                }
                case BINARY:
                    if (v instanceof BitSet bits) {
                        return bits.toByteArray();
                    }
                    return (byte[]) v;
                case JSON_OBJECT:
                    return JsonBinary.parseAsString((byte[]) v);
                default:
                    if (v instanceof byte[] b) {
                        return new String(b, StandardCharsets.UTF_8);
                    }
                    if (c.dataType().equals("enum") && v instanceof Integer idx) {
                        return idx == 0 ? "" : c.enumValues().get(idx - 1);
                    }
                    if (c.dataType().equals("set") && v instanceof Long mask) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 0; i < c.enumValues().size(); i++) {
                            if ((mask & (1L << i)) != 0) {
                                sb.append(sb.length() == 0 ? "" : ",").append(c.enumValues().get(i));
                            }
                        }
                        return sb.toString();
                    }
                    if (c.dataType().equals("time") && v instanceof Long micros) {
                        return java.time.LocalTime.ofNanoOfDay(micros * 1_000L).toString();
                    }
                    return v.toString();
            }
        } catch (IOException | RuntimeException e) {
            throw new NonRetriableException("column " + f.name() + " (" + c.columnType() + "): cannot read binlog value "
                    + v + " as " + f.type().jsonName() + ": " + e.getMessage(), e);
        }
    }
}
