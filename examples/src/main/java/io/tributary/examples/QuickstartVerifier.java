package io.tributary.examples;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Compares the quickstart's source tables with the Iceberg tables: row count and an order-independent checksum
 * of every compared column, each value rendered canonically (numbers without trailing zeros, instants in
 * microseconds), read from PostgreSQL over JDBC and from Iceberg with its own generic reader.
 */
final class QuickstartVerifier {
    static final Map<String, List<String>> COLUMNS = Map.of(
            "customers", List.of("id", "name", "email", "country", "vip", "created_at"),
            "products", List.of("id", "sku", "name", "price", "weight_kg", "launched"),
            "orders", List.of("id", "customer_id", "product_id", "quantity", "total", "status", "ordered_at", "note"));

    record Summary(long rows, long checksum) {
    }

    private QuickstartVerifier() {
    }

    static Map<String, Summary> source(Connection c, List<String> tables) throws Exception {
        Map<String, Summary> out = new LinkedHashMap<>();
        for (String t : tables) {
            List<String> cols = COLUMNS.get(t);
            long rows = 0;
            long sum = 0;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT " + String.join(", ", cols) + " FROM public." + t)) {
                while (rs.next()) {
                    Object[] v = new Object[cols.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = rs.getObject(i + 1);
                    }
                    rows++;
                    sum += rowHash(v);
                }
            }
            out.put(t, new Summary(rows, sum));
        }
        return out;
    }

    static Table table(Path warehouse, String name) {
        HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
        return catalog.loadTable(TableIdentifier.of("public", name));
    }

    static Map<String, Summary> iceberg(Path warehouse, List<String> tables) throws Exception {
        Map<String, Summary> out = new LinkedHashMap<>();
        for (String t : tables) {
            List<String> cols = COLUMNS.get(t);
            long rows = 0;
            long sum = 0;
            try (CloseableIterable<Record> it = IcebergGenerics.read(table(warehouse, t)).build()) {
                for (Record r : it) {
                    Object[] v = new Object[cols.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = r.getField(cols.get(i));
                    }
                    rows++;
                    sum += rowHash(v);
                }
            }
            out.put(t, new Summary(rows, sum));
        }
        return out;
    }

    static void printSample(Path warehouse, String name, int n, PrintStream out) throws Exception {
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> it = IcebergGenerics.read(table(warehouse, name)).build()) {
            it.forEach(r -> rows.add(r.copy()));
        }
        rows.sort(Comparator.comparing(r -> -((Number) r.getField("id")).longValue()));
        out.printf("  %-10s %-9s %10s %-26s %s%n", "id", "status", "total", "note", "_op_type");
        for (Record r : rows.subList(0, Math.min(n, rows.size()))) {
            out.printf("  %-10s %-9s %10s %-26s %s%n", r.getField("id"), r.getField("status"), r.getField("total"),
                    r.getField("note"), r.getField("_op_type"));
        }
    }

    static long rowHash(Object[] values) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            sb.append(canon(v)).append('\u0001');
        }
        byte[] d = MessageDigest.getInstance("MD5").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(d).getLong();
    }

    static String canon(Object v) {
        if (v == null) {
            return "\u2205";
        }
        if (v instanceof Float f) {
            return new BigDecimal(Float.toString(f)).stripTrailingZeros().toPlainString();
        }
        if (v instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString());
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof Timestamp t) {
            return micros(t.toInstant());
        }
        if (v instanceof OffsetDateTime t) {
            return micros(t.toInstant());
        }
        if (v instanceof Instant t) {
            return micros(t);
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate().toString();
        }
        return v.toString();
    }

    private static String micros(Instant i) {
        return Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, i));
    }
}
