package io.tributary.driver.postgres;

import io.tributary.testkit.conformance.ConformanceFixture.EdgeColumn;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeValue;
import io.tributary.types.DataType;
import io.tributary.types.StreamId;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's edge-value matrix (the {@code TYPE_FIDELITY} fixture of {@link PostgresConformanceTest}, also run
 * by {@link PostgresValuesTest}): one column per row of the README's PostgreSQL type table, each with its minimum,
 * maximum, zero, empty, NULL and special values, and the Java value the driver must produce for each (the README's
 * mapping; a type mapped to STRING expects PostgreSQL's own text rendering under the driver's session settings:
 * ISO DateStyle, UTC, IntervalStyle postgres, the server's lc_monetary). The same matrix runs on a real PostgreSQL 16
 * in Docker ({@link PostgresContainerConformanceTest}); its {@code money} values assume an lc_monetary that renders
 * as the embedded server's does ({@code -$92,233,…}), as the official image's en_US.utf8 should (unverified here).
 */
final class PostgresEdgeValues {
    private PostgresEdgeValues() {
    }

    /** Types the matrix's columns use, created once per database (idempotent). */
    static final String[] TYPES = {
        "DO $$ BEGIN CREATE TYPE edge_mood AS ENUM ('sad', 'happy', '𝄞'); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "DO $$ BEGIN CREATE DOMAIN edge_amount AS numeric(10,2); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "DO $$ BEGIN CREATE DOMAIN edge_code AS varchar(8); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    };

    private static EdgeValue v(String literal, Object expected, String label) {
        return new EdgeValue(literal, expected, label);
    }

    private static EdgeValue nul() {
        return new EdgeValue("NULL", null, "NULL");
    }

    private static EdgeColumn col(String name, String declaration, DataType type, EdgeValue... values) {
        return new EdgeColumn(name, declaration, type, List.of(values));
    }

    private static BigDecimal dec(String s) {
        return new BigDecimal(s);
    }

    private static Instant ts(int year, int month, int day, int h, int m, int s, int micros) {
        return LocalDateTime.of(year, month, day, h, m, s, micros * 1_000).toInstant(ZoneOffset.UTC);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    /** {@code string_agg(md5(g::text), '')} over {@code g} = 1..n. */
    private static String md5s(int n) {
        try {
            StringBuilder sb = new StringBuilder();
            for (int g = 1; g <= n; g++) {
                sb.append(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                        .digest(Integer.toString(g).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            }
            return sb.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PostgreSQL 'infinity' / '-infinity' timestamps: Long.MAX_VALUE / Long.MIN_VALUE µs after the epoch. */
    static final Instant TS_INFINITY = Instant.ofEpochSecond(Math.floorDiv(Long.MAX_VALUE, 1_000_000L),
            Math.floorMod(Long.MAX_VALUE, 1_000_000L) * 1_000L);
    static final Instant TS_MINUS_INFINITY = Instant.ofEpochSecond(Math.floorDiv(Long.MIN_VALUE, 1_000_000L),
            Math.floorMod(Long.MIN_VALUE, 1_000_000L) * 1_000L);

    static List<EdgeColumn> columns() {
        String digits65 = "12345678901234567890123456789012345.123456789012345678901234567890";
        String nines65 = "99999999999999999999999999999999999.999999999999999999999999999999";
        byte[] large = new byte[5000];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i % 2 == 0 ? 0x00 : 0xff);
        }
        return List.of(
                col("c_smallint", "smallint", DataType.INT32,
                        v("-32768", -32768, "min"), v("32767", 32767, "max"), v("0", 0, "zero"), nul()),
                col("c_integer", "integer", DataType.INT32,
                        v("-2147483648", Integer.MIN_VALUE, "min"), v("2147483647", Integer.MAX_VALUE, "max"),
                        v("0", 0, "zero"), nul()),
                col("c_bigint", "bigint", DataType.INT64,
                        v("-9223372036854775808", Long.MIN_VALUE, "min"), v("9223372036854775807", Long.MAX_VALUE,
                                "max"), v("0", 0L, "zero"), nul()),
                col("c_numeric", "numeric", DataType.DECIMAL,
                        v("0.1", dec("0.1"), "0.1 keeps its scale"), v("'0.000'", dec("0.000"), "zero with scale 3"),
                        v("'NaN'", "NaN", "NaN"), v("'Infinity'", "Infinity", "Infinity"),
                        v("'-Infinity'", "-Infinity", "-Infinity"), v(digits65, dec(digits65), "65 digits"),
                        v("-1e-30", dec("-0.000000000000000000000000000001"), "-1e-30"),
                        v("1e100", dec("1" + "0".repeat(100)), "1e100"),
                        v("0.1234567890123456789012345", dec("0.1234567890123456789012345"), "scale 25"), nul()),
                col("c_numeric_65_30", "numeric(65,30)", DataType.DECIMAL,
                        v(nines65, dec(nines65), "max"), v("-" + nines65, dec("-" + nines65), "min"),
                        v("0", dec("0.000000000000000000000000000000"), "zero"), v("'NaN'", "NaN", "NaN"),
                        v("1", dec("1.000000000000000000000000000000"), "one"), nul()),
                col("c_numeric_10_2", "numeric(10,2)", DataType.DECIMAL,
                        v("99999999.99", dec("99999999.99"), "max"), v("-99999999.99", dec("-99999999.99"), "min"),
                        v("0", dec("0.00"), "zero"), v("1.5", dec("1.50"), "scale 2"), nul()),
                col("c_numeric_neg_scale", "numeric(2,-3)", DataType.DECIMAL,
                        v("12345", dec("12000"), "rounded to thousands"), v("-99499", dec("-99000"), "min"),
                        v("0", dec("0"), "zero"), nul()),
                col("c_numeric_3_5", "numeric(3,5)", DataType.DECIMAL,
                        v("0.00999", dec("0.00999"), "max"), v("-0.00001", dec("-0.00001"), "negative"),
                        v("0", dec("0.00000"), "zero"), nul()),
                col("c_real", "real", DataType.FLOAT32,
                        v("'-3.4028235e38'", -Float.MAX_VALUE, "min"), v("'3.4028235e38'", Float.MAX_VALUE, "max"),
                        v("'1e-45'", Float.MIN_VALUE, "smallest subnormal"), v("'0'", 0.0f, "zero"),
                        v("'-0'", -0.0f, "negative zero"), v("'NaN'", Float.NaN, "NaN"),
                        v("'Infinity'", Float.POSITIVE_INFINITY, "Infinity"),
                        v("'-Infinity'", Float.NEGATIVE_INFINITY, "-Infinity"), v("'0.1'", 0.1f, "0.1"), nul()),
                col("c_double", "double precision", DataType.FLOAT64,
                        v("'-1.7976931348623157e308'", -Double.MAX_VALUE, "min"),
                        v("'1.7976931348623157e308'", Double.MAX_VALUE, "max"),
                        v("'4.9e-324'", Double.MIN_VALUE, "smallest subnormal"), v("'0'", 0.0d, "zero"),
                        v("'-0'", -0.0d, "negative zero"), v("'NaN'", Double.NaN, "NaN"),
                        v("'Infinity'", Double.POSITIVE_INFINITY, "Infinity"),
                        v("'-Infinity'", Double.NEGATIVE_INFINITY, "-Infinity"), v("0.1", 0.1d, "0.1"), nul()),
                col("c_boolean", "boolean", DataType.BOOLEAN,
                        v("true", true, "true"), v("false", false, "false"), nul()),
                col("c_date", "date", DataType.DATE,
                        v("'4714-11-24 BC'", LocalDate.of(-4713, 11, 24), "min (4714 BC)"),
                        v("'5874897-12-31'", LocalDate.of(5874897, 12, 31), "max"),
                        v("'1582-10-04'", LocalDate.of(1582, 10, 4), "before the Gregorian switch"),
                        v("'1582-10-15'", LocalDate.of(1582, 10, 15), "Gregorian switch"),
                        v("'0001-01-01'", LocalDate.of(1, 1, 1), "1 AD"),
                        v("'0001-12-31 BC'", LocalDate.of(0, 12, 31), "1 BC is year 0"),
                        v("'9999-12-31'", LocalDate.of(9999, 12, 31), "9999-12-31"),
                        v("'1970-01-01'", LocalDate.of(1970, 1, 1), "epoch"),
                        v("'infinity'", LocalDate.ofEpochDay(Integer.MAX_VALUE), "infinity"),
                        v("'-infinity'", LocalDate.ofEpochDay(Integer.MIN_VALUE), "-infinity"), nul()),
                col("c_time", "time", DataType.STRING,
                        v("'00:00:00'", "00:00:00", "min"), v("'24:00:00'", "24:00:00", "24:00:00"),
                        v("'23:59:59.999999'", "23:59:59.999999", "last µs"),
                        v("'10:00:00.5'", "10:00:00.5", "fraction"), nul()),
                col("c_time3", "time(3)", DataType.STRING,
                        v("'10:00:00'", "10:00:00", "no fraction"), v("'10:00:00.1235'", "10:00:00.124", "rounded"),
                        nul()),
                col("c_timetz", "timetz", DataType.STRING,
                        v("'00:00:00+15:59'", "00:00:00+15:59", "min"), v("'24:00:00-15:59'", "24:00:00-15:59", "max"),
                        v("'10:00:00+02'", "10:00:00+02", "+02"), v("'10:00:00.5+05:30'", "10:00:00.5+05:30",
                                "fraction and minutes"), nul()),
                col("c_timestamp", "timestamp", DataType.TIMESTAMP_MICRO,
                        v("'4714-11-24 00:00:00 BC'", ts(-4713, 11, 24, 0, 0, 0, 0), "min (4714 BC)"),
                        v("'294276-12-31 23:59:59.999999'", ts(294276, 12, 31, 23, 59, 59, 999_999), "max"),
                        v("'infinity'", TS_INFINITY, "infinity"), v("'-infinity'", TS_MINUS_INFINITY, "-infinity"),
                        v("'1582-10-04 12:00:00'", ts(1582, 10, 4, 12, 0, 0, 0), "before the Gregorian switch"),
                        v("'0001-12-31 23:59:59.999999 BC'", ts(0, 12, 31, 23, 59, 59, 999_999), "last µs of 1 BC"),
                        v("'1970-01-01 00:00:00'", Instant.EPOCH, "epoch"),
                        v("'1969-12-31 23:59:59.999999'", ts(1969, 12, 31, 23, 59, 59, 999_999), "before the epoch"),
                        v("'9999-12-31 23:59:59.999999'", ts(9999, 12, 31, 23, 59, 59, 999_999), "9999"), nul()),
                col("c_timestamptz", "timestamptz", DataType.TIMESTAMP_MICRO,
                        v("'4714-11-24 00:00:00+00 BC'", ts(-4713, 11, 24, 0, 0, 0, 0), "min (4714 BC)"),
                        v("'294276-12-31 23:59:59.999999+00'", ts(294276, 12, 31, 23, 59, 59, 999_999), "max"),
                        v("'infinity'", TS_INFINITY, "infinity"), v("'-infinity'", TS_MINUS_INFINITY, "-infinity"),
                        v("'2024-02-29 13:45:12.5+05:30'", ts(2024, 2, 29, 8, 15, 12, 500_000), "offset"),
                        v("'1582-10-04 00:00:00.000001+00'", ts(1582, 10, 4, 0, 0, 0, 1), "before 1582-10-15"),
                        v("'1970-01-01 00:00:00+00'", Instant.EPOCH, "epoch"), nul()),
                col("c_interval", "interval", DataType.STRING,
                        v("'-178000000 years'", "-178000000 years", "min"),
                        v("'178000000 years'", "178000000 years", "max"), v("'0'", "00:00:00", "zero"),
                        v("'1 year 2 mons -3 days 04:05:06.7'", "1 year 2 mons -3 days +04:05:06.7", "mixed signs"),
                        v("'-00:00:00.000001'", "-00:00:00.000001", "-1 µs"), nul()),
                col("c_money", "money", DataType.STRING,
                        v("'-92233720368547758.08'", "-$92,233,720,368,547,758.08", "min"),
                        v("'92233720368547758.07'", "$92,233,720,368,547,758.07", "max"),
                        v("0", "$0.00", "zero"), nul()),
                col("c_bytea", "bytea", DataType.BINARY,
                        v("'\\x'", new byte[0], "empty"), v("'\\x00'", bytes(0), "one zero byte"),
                        v("'\\xab0000'", bytes(0xab, 0, 0), "trailing zero bytes"),
                        v("'\\x" + "00ff".repeat(2500) + "'", large, "5000 bytes"), nul()),
                col("c_text", "text", DataType.STRING,
                        v("''", "", "empty"), v("'𝄞 😀 ✓ ünï'", "𝄞 😀 ✓ ünï", "beyond the BMP"),
                        v("E'tab\\tnew\\nline \"q\" \\\\ back'", "tab\tnew\nline \"q\" \\ back", "escapes"),
                        v("repeat('long 𝄞 ', 20000)", "long 𝄞 ".repeat(20000), "long, compressible"),
                        v("(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 2000) g)", md5s(2000),
                                "TOASTed out of line (CDC updates look it up)"), v("' '", " ", "space"),
                        nul()),
                col("c_varchar", "varchar(10)", DataType.STRING,
                        v("''", "", "empty"), v("'𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞'", "𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞𝄞", "10 characters beyond the BMP"),
                        nul()),
                col("c_char", "char(4)", DataType.STRING,
                        v("''", "    ", "empty: padded"), v("'ab'", "ab  ", "padded"), v("'𝄞'", "𝄞   ", "beyond BMP"),
                        nul()),
                col("c_qchar", "\"char\"", DataType.STRING, v("'a'", "a", "a"), v("''", "", "empty"), nul()),
                col("c_name", "name", DataType.STRING, v("'n'", "n", "n"), v("''", "", "empty"), nul()),
                col("c_uuid", "uuid", DataType.STRING,
                        v("'00000000-0000-0000-0000-000000000000'", "00000000-0000-0000-0000-000000000000", "zero"),
                        v("'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF'", "ffffffff-ffff-ffff-ffff-ffffffffffff", "max"),
                        nul()),
                col("c_json", "json", DataType.JSON_OBJECT,
                        v("'{}'", "{}", "empty object"), v("'[]'", "[]", "empty array"), v("'null'", "null", "null"),
                        v("'{\"b\": 1,   \"a\": [1.50, 1e400, \"𝄞\"], \"b\": 3}'",
                                "{\"b\": 1,   \"a\": [1.50, 1e400, \"𝄞\"], \"b\": 3}", "kept as written"),
                        v("'\"\"'", "\"\"", "empty string"), nul()),
                col("c_jsonb", "jsonb", DataType.JSON_OBJECT,
                        v("'{}'", "{}", "empty object"), v("'[]'", "[]", "empty array"), v("'null'", "null", "null"),
                        v("'{\"b\": 1, \"a\": [1.50, \"𝄞\", null]}'", "{\"a\": [1.50, \"𝄞\", null], \"b\": 1}",
                                "normalized"), v("'0'", "0", "zero"), nul()),
                col("c_inet", "inet", DataType.STRING,
                        v("'0.0.0.0'", "0.0.0.0", "zero"), v("'255.255.255.255'", "255.255.255.255", "max"),
                        v("'10.0.0.0/8'", "10.0.0.0/8", "netmask"), v("'::ffff:1.2.3.4/128'", "::ffff:1.2.3.4", "v6"),
                        nul()),
                col("c_cidr", "cidr", DataType.STRING,
                        v("'10.0.0.0/8'", "10.0.0.0/8", "v4"), v("'::/0'", "::/0", "v6 all"), nul()),
                col("c_macaddr", "macaddr", DataType.STRING,
                        v("'00:00:00:00:00:00'", "00:00:00:00:00:00", "zero"),
                        v("'FF:FF:FF:FF:FF:FF'", "ff:ff:ff:ff:ff:ff", "max"), nul()),
                col("c_macaddr8", "macaddr8", DataType.STRING,
                        v("'08:00:2b:01:02:03:04:05'", "08:00:2b:01:02:03:04:05", "eui-64"), nul()),
                col("c_bit", "bit(8)", DataType.STRING,
                        v("B'00000000'", "00000000", "zero"), v("B'00001111'", "00001111", "leading zeros"),
                        v("B'11111111'", "11111111", "max"), nul()),
                col("c_varbit", "varbit", DataType.STRING,
                        v("B''", "", "empty"), v("B'0'", "0", "zero"), v("B'0101'", "0101", "leading zero"), nul()),
                col("c_xml", "xml", DataType.STRING,
                        v("'<a>𝄞</a>'", "<a>𝄞</a>", "beyond the BMP"), v("''", "", "empty"), nul()),
                col("c_enum", "edge_mood", DataType.STRING,
                        v("'sad'", "sad", "first"), v("'𝄞'", "𝄞", "beyond the BMP"), nul()),
                col("c_domain_numeric", "edge_amount", DataType.DECIMAL,
                        v("1.5", dec("1.50"), "the domain's scale"), v("0", dec("0.00"), "zero"), nul()),
                col("c_domain_text", "edge_code", DataType.STRING, v("''", "", "empty"), v("'x'", "x", "x"), nul()),
                col("c_int_array", "integer[]", DataType.STRING,
                        v("'{}'", "{}", "empty"), v("'{NULL}'", "{NULL}", "NULL element"),
                        v("'{{1,2},{3,4}}'", "{{1,2},{3,4}}", "two dimensions"),
                        v("'[0:1]={1,2}'", "[0:1]={1,2}", "lower bound 0"),
                        v("'{-2147483648,2147483647}'", "{-2147483648,2147483647}", "min and max"), nul()),
                col("c_text_array", "text[]", DataType.STRING,
                        v("'{NULL,\"a b\",\"c\\\"d\",\"\"}'", "{NULL,\"a b\",\"c\\\"d\",\"\"}", "quoting"),
                        v("'{𝄞}'", "{𝄞}", "beyond the BMP"), nul()),
                col("c_oid", "oid", DataType.STRING,
                        v("'0'", "0", "zero"), v("'4294967295'", "4294967295", "max"), nul()),
                col("c_tsvector", "tsvector", DataType.STRING,
                        v("'a fat cat'", "'a' 'cat' 'fat'", "sorted lexemes"), v("''", "", "empty"), nul()),
                col("c_point", "point", DataType.STRING, v("'(1.5,-2)'", "(1.5,-2)", "point"), nul()));
    }

    /** The number of rows the matrix takes: row {@code k} holds each column's {@code k}-th value (NULL past it). */
    static int rows(List<EdgeColumn> columns) {
        return columns.stream().mapToInt(c -> c.values().size()).max().orElse(0);
    }

    /** The literals of row {@code k}. */
    static Map<String, String> row(List<EdgeColumn> columns, int k) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (EdgeColumn c : columns) {
            if (k < c.values().size()) {
                out.put(c.name(), c.values().get(k).literal());
            }
        }
        return out;
    }

    /** The expected value of column {@code c} in row {@code k}. */
    static Object expected(EdgeColumn c, int k) {
        return k < c.values().size() ? c.values().get(k).expected() : null;
    }

    static String label(EdgeColumn c, int k) {
        return k < c.values().size() ? c.values().get(k).label() : "NULL (no value " + k + ")";
    }

    // ------------------------------------------------------------ the fixture's SQL

    static StreamId createTable(PgServer pg, String name, List<EdgeColumn> columns) {
        List<String> sql = new ArrayList<>(Arrays.asList(TYPES));
        StringBuilder create = new StringBuilder("CREATE TABLE public." + PostgresDriver.quote(name)
                + " (id bigint PRIMARY KEY, tag integer");
        for (EdgeColumn c : columns) {
            create.append(", ").append(PostgresDriver.quote(c.name())).append(' ').append(c.declaration());
        }
        sql.add("DROP TABLE IF EXISTS public." + PostgresDriver.quote(name));
        sql.add(create.append(')').toString());
        pg.execute(sql.toArray(String[]::new));
        return StreamId.of("public", name);
    }

    static void insert(PgServer pg, StreamId table, long id, int tag, Map<String, String> literals) {
        StringBuilder cols = new StringBuilder("id, tag");
        StringBuilder vals = new StringBuilder(id + ", " + tag);
        for (Map.Entry<String, String> e : literals.entrySet()) {
            cols.append(", ").append(PostgresDriver.quote(e.getKey()));
            vals.append(", ").append(e.getValue());
        }
        pg.execute("INSERT INTO " + PostgresDriver.qualified(table) + " (" + cols + ") VALUES (" + vals + ")");
    }

    static void updateTag(PgServer pg, StreamId table, long id, int tag) {
        pg.execute("UPDATE " + PostgresDriver.qualified(table) + " SET tag = " + tag + " WHERE id = " + id);
    }
}
