package io.tributary.driver.mysql;

import io.tributary.testkit.conformance.ConformanceFixture.EdgeColumn;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeValue;
import io.tributary.types.DataType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The MySQL / MariaDB edge-value matrix (one column per row of the README type table, each with its extremes, zero,
 * empty, NULL and the values Java's types cannot hold), shared by the conformance fixture and
 * {@link MySqlValuesTest}. Literals are written in a session with {@code time_zone = '+00:00'}.
 */
final class MySqlEdgeValues {
    private MySqlEdgeValues() {
    }

    private static EdgeValue v(String literal, Object expected, String label) {
        return new EdgeValue(literal, expected, label);
    }

    private static EdgeValue nul() {
        return new EdgeValue("NULL", null, "NULL");
    }

    private static EdgeColumn col(String name, String declaration, DataType type, EdgeValue... values) {
        List<EdgeValue> list = new ArrayList<>(List.of(values));
        list.add(nul());
        return new EdgeColumn(name, declaration, type, List.copyOf(list));
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    /** The matrix; {@code mysql} selects MySQL 8's JSON rendering (MariaDB keeps JSON text as written). */
    static List<EdgeColumn> columns(boolean mysql) {
        String decMax = "99999999999999999999999999999999999.999999999999999999999999999999";
        return List.of(
                col("c_bool", "tinyint(1)", DataType.BOOLEAN, v("0", false, "false"), v("1", true, "true")),
                col("c_ti", "tinyint", DataType.INT32, v("-128", -128, "min"), v("127", 127, "max"),
                        v("0", 0, "zero")),
                col("c_uti", "tinyint unsigned", DataType.INT32, v("255", 255, "max"), v("200", 200, "200"),
                        v("0", 0, "zero")),
                col("c_si", "smallint", DataType.INT32, v("-32768", -32768, "min"), v("32767", 32767, "max")),
                col("c_usi", "smallint unsigned", DataType.INT32, v("65535", 65535, "max"),
                        v("32768", 32768, "2^15")),
                col("c_mi", "mediumint", DataType.INT32, v("-8388608", -8388608, "min"),
                        v("8388607", 8388607, "max")),
                col("c_umi", "mediumint unsigned", DataType.INT32, v("16777215", 16777215, "max"),
                        v("8388608", 8388608, "2^23")),
                col("c_i", "int", DataType.INT32, v("-2147483648", Integer.MIN_VALUE, "min"),
                        v("2147483647", Integer.MAX_VALUE, "max")),
                col("c_ui", "int unsigned", DataType.INT64, v("4294967295", 4294967295L, "max"),
                        v("2147483648", 2147483648L, "2^31"), v("0", 0L, "zero")),
                col("c_bi", "bigint", DataType.INT64, v("-9223372036854775808", Long.MIN_VALUE, "min"),
                        v("9223372036854775807", Long.MAX_VALUE, "max")),
                col("c_ubi", "bigint unsigned", DataType.DECIMAL,
                        v("18446744073709551615", new BigDecimal("18446744073709551615"), "max"),
                        v("9223372036854775808", new BigDecimal("9223372036854775808"), "2^63"),
                        v("0", BigDecimal.ZERO, "zero")),
                col("c_dec", "decimal(65,30)", DataType.DECIMAL, v(decMax, new BigDecimal(decMax), "max"),
                        v("-" + decMax, new BigDecimal("-" + decMax), "min"),
                        v("0.000000000000000000000000000001", new BigDecimal("1E-30"), "smallest"),
                        v("-0.0", new BigDecimal("0E-30"), "negative zero")),
                col("c_dec2", "decimal(10,2)", DataType.DECIMAL, v("-12345678.90", new BigDecimal("-12345678.90"),
                        "negative"), v("0", new BigDecimal("0.00"), "zero"), v("0.5", new BigDecimal("0.50"), "half")),
                col("c_f", "float", DataType.FLOAT32, v("3.402823466E+38", Float.MAX_VALUE, "max"),
                        v("-3.402823466E+38", -Float.MAX_VALUE, "min"),
                        v("1.175494351E-38", Float.MIN_NORMAL, "smallest normal"), v("0.1", 0.1f, "0.1"),
                        v("-0.0e0", mysql ? -0.0f : 0.0f, "negative zero (MariaDB stores 0)")),
                col("c_dbl", "double", DataType.FLOAT64,
                        v("1.7976931348623157E308", Double.MAX_VALUE, "max"),
                        v("-1.7976931348623157E308", -Double.MAX_VALUE, "min"),
                        v("2.2250738585072014E-308", Double.MIN_NORMAL, "smallest normal"),
                        v("0.1", 0.1, "0.1"), v("-0.0e0", mysql ? -0.0 : 0.0,
                        "negative zero (MariaDB stores 0)")),
                col("c_date", "date", DataType.DATE, v("'1000-01-01'", LocalDate.of(1000, 1, 1), "min"),
                        v("'9999-12-31'", LocalDate.of(9999, 12, 31), "max"),
                        v("'1582-10-04'", LocalDate.of(1582, 10, 4), "before Gregorian"),
                        v("'2024-02-29'", LocalDate.of(2024, 2, 29), "leap day")),
                col("c_dtm", "datetime(6)", DataType.TIMESTAMP_MICRO,
                        v("'1000-01-01 00:00:00.000001'", Instant.parse("1000-01-01T00:00:00.000001Z"), "min"),
                        v("'9999-12-31 23:59:59.999999'", Instant.parse("9999-12-31T23:59:59.999999Z"), "max"),
                        v("'1582-10-10 12:00:00'", Instant.parse("1582-10-10T12:00:00Z"), "Julian gap"),
                        v("'1970-01-01 00:00:00'", Instant.EPOCH, "epoch")),
                col("c_dtm0", "datetime", DataType.TIMESTAMP_MICRO,
                        v("'2020-06-30 10:11:12'", Instant.parse("2020-06-30T10:11:12Z"), "plain")),
                col("c_ts", "timestamp(6) NULL", DataType.TIMESTAMP_MICRO,
                        v("'1970-01-01 00:00:01'", Instant.parse("1970-01-01T00:00:01Z"), "min"),
                        v("'2038-01-19 03:14:07.999999'", Instant.parse("2038-01-19T03:14:07.999999Z"), "max")),
                col("c_time", "time", DataType.STRING, v("'-838:59:59'", "-838:59:59", "min"),
                        v("'838:59:59'", "838:59:59", "max"), v("'00:00:00'", "00:00:00", "zero"),
                        v("'-00:00:01'", "-00:00:01", "minus one second"), v("'24:00:00'", "24:00:00", "24 h")),
                col("c_time3", "time(3)", DataType.STRING, v("'10:00:00.000'", "10:00:00.000", "whole"),
                        v("'-838:59:59.000'", "-838:59:59.000", "min"),
                        v("'-01:02:03.450'", "-01:02:03.450", "negative fraction")),
                col("c_time6", "time(6)", DataType.STRING, v("'-00:00:00.000001'", "-00:00:00.000001", "-1 µs"),
                        v("'23:59:59.999999'", "23:59:59.999999", "last µs of a day")),
                col("c_year", "year", DataType.INT32, v("1901", 1901, "min"), v("2155", 2155, "max"),
                        v("0", 0, "zero year")),
                col("c_char", "char(10)", DataType.STRING, v("''", "", "empty"), v("'\uD83D\uDE00x'",
                        "\uD83D\uDE00x", "beyond BMP"), v("'a  '", "a", "trailing spaces (CHAR strips)")),
                col("c_vc", "varchar(20)", DataType.STRING, v("''", "", "empty"),
                        v("'\uD83D\uDE00 \u00fcn\u00ef '", "\uD83D\uDE00 \u00fcn\u00ef ", "beyond BMP")),
                col("c_latin1", "varchar(10) CHARACTER SET latin1", DataType.STRING,
                        v("'\u00fc\u00e9\u20ac'", "\u00fc\u00e9\u20ac", "latin1 (cp1252) bytes")),
                col("c_text", "text", DataType.STRING, v("''", "", "empty"), v("'line\\nnext \uD83D\uDE00'",
                        "line\nnext \uD83D\uDE00", "newline")),
                col("c_bin", "binary(4)", DataType.BINARY, v("x'AB000000'", bytes(0xAB, 0, 0, 0), "trailing zeros"),
                        v("x'00000000'", bytes(0, 0, 0, 0), "all zeros"), v("x''", bytes(0, 0, 0, 0), "empty"),
                        v("x'FFFFFFFF'", bytes(0xFF, 0xFF, 0xFF, 0xFF), "all ones")),
                col("c_vbin", "varbinary(8)", DataType.BINARY, v("x''", bytes(), "empty"),
                        v("x'AB0000'", bytes(0xAB, 0, 0), "trailing zeros")),
                col("c_blob", "blob", DataType.BINARY, v("x''", bytes(), "empty"), v("x'00FF00'",
                        bytes(0, 0xFF, 0), "bytes")),
                col("c_bit", "bit(13)", DataType.BINARY, v("b'1010101010101'", bytes(0x15, 0x55), "0x1555"),
                        v("b'0'", bytes(0, 0), "zero"), v("b'1111111111111'", bytes(0x1F, 0xFF), "max")),
                col("c_bit1", "bit(1)", DataType.BINARY, v("b'1'", bytes(1), "one"), v("b'0'", bytes(0), "zero")),
                col("c_bit64", "bit(64)", DataType.BINARY, v("x'FFFFFFFFFFFFFFFF'",
                        bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), "max"),
                        v("x'0102030405060708'", bytes(1, 2, 3, 4, 5, 6, 7, 8), "order")),
                // members beyond the BMP are not in the matrix: information_schema (utf8mb3) shows them as '?'
                col("c_enum", "enum('a','b c','\u00fc\u2713')", DataType.STRING, v("'a'", "a", "first"),
                        v("'\u00fc\u2713'", "\u00fc\u2713", "non-ASCII")),
                col("c_set", "set('a','b','c')", DataType.STRING, v("''", "", "empty"), v("'a,c'", "a,c", "two"),
                        v("'c,b,a'", "a,b,c", "all")),
                col("c_json", "json", DataType.JSON_OBJECT,
                        v("'{\"k\": [1, 2]}'", "{\"k\": [1, 2]}", "object"),
                        v("'{\"b\":1,\"a\":\"\uD83D\uDE00\"}'", mysql ? "{\"a\": \"\uD83D\uDE00\", \"b\": 1}"
                                : "{\"b\":1,\"a\":\"\uD83D\uDE00\"}", "keys"),
                        v("'[]'", "[]", "empty array"), v("'\"s\\\\\"q\"'", "\"s\\\"q\"", "string"),
                        v("'null'", "null", "JSON null"),
                        v("'[1.5, -0.25, 1e300, 100, 18446744073709551615, true]'", mysql
                                ? "[1.5, -0.25, 1e300, 100, 18446744073709551615, true]"
                                : "[1.5, -0.25, 1e300, 100, 18446744073709551615, true]", "numbers"),
                        v("'[1e15, 1e-7, 1e-15, 1e-16, 100.0, -0.0, 0.30000000000000004, 123456789012345678.0, "
                                + "1234567890123456.7, -2.5e-20]'", mysql
                                ? "[1e15, 0.0000001, 0.000000000000001, 1e-16, 100.0, -0.0, 0.30000000000000004, "
                                        + "1.2345678901234568e17, 1234567890123456.8, -2.5e-20]"
                                : "[1e15, 1e-7, 1e-15, 1e-16, 100.0, -0.0, 0.30000000000000004, 123456789012345678.0, "
                                        + "1234567890123456.7, -2.5e-20]", "doubles"),
                        v("JSON_ARRAY(CAST('2020-01-02 03:04:05.5' AS DATETIME(1)), CAST('-10:00:00.5' AS TIME(1)), "
                                + "CAST('2020-01-02' AS DATE), CAST(1.50 AS DECIMAL(5,2)), '\\\\/\\t\\\"')", mysql
                                ? "[\"2020-01-02 03:04:05.500000\", \"-10:00:00.500000\", \"2020-01-02\", 1.50, "
                                        + "\"\\\\/\\t\\\"\"]"
                                : "[\"2020-01-02 03:04:05.5\", \"-10:00:00.5\", \"2020-01-02\", 1.50, "
                                        + "\"\\\\/\\t\\\"\"]", "temporal and escapes"),
                        v("'{\"o\": {\"z\": [], \"\": {}}, \"\\\\u0001\": \"\\\\u001f\"}'", mysql
                                ? "{\"\\u0001\": \"\\u001f\", \"o\": {\"\": {}, \"z\": []}}"
                                : "{\"o\": {\"z\": [], \"\": {}}, \"\\u0001\": \"\\u001f\"}", "nested, controls"),
                        mysql ? v("JSON_ARRAY(x'cafe')", "[\"base64:type15:yv4=\"]", "opaque binary")
                                : v("'[\"yv4=\"]'", "[\"yv4=\"]", "string")),
                col("c_geo", "geometry", DataType.BINARY, v("ST_GeomFromText('POINT(1 2)')", bytes(0, 0, 0, 0, 1, 1, 0, 0,
                        0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x40), "point (SRID 0, WKB)")));
    }
}
