package io.tributary.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Source and destination as maps from key to row value, and the check that they are the same: the destination of a
 * sync must hold every source row exactly once with its latest values.
 */
public final class Rows {
    /** Differing keys a failure lists. */
    public static final int LISTED = 20;

    private Rows() {
    }

    /**
     * Fails unless {@code actual} equals {@code expected}, listing at most {@link #LISTED} differing keys in key
     * order with both values, and how many differ.
     *
     * @param what names the trial in the failure (seed, mode, kills)
     */
    public static <K extends Comparable<K>, V> void assertSameRows(Map<K, V> expected, Map<K, V> actual, String what) {
        Map<K, String> diff = new TreeMap<>();
        expected.forEach((k, v) -> {
            V a = actual.get(k);
            if (!Objects.equals(v, a)) {
                diff.put(k, "source " + v + " / destination " + (a == null && !actual.containsKey(k) ? "(none)" : a));
            }
        });
        actual.forEach((k, a) -> {
            if (!expected.containsKey(k)) {
                diff.put(k, "source (none) / destination " + a);
            }
        });
        assertThat(diff.entrySet().stream().limit(LISTED).toList())
                .as("%s: %d of %d source rows differ (%d destination rows)", what, diff.size(), expected.size(),
                        actual.size())
                .isEmpty();
    }

    /**
     * The live rows of a change log in the order written (jsonl, memory): the latest row per {@code _olake_id},
     * with deletes ({@code _op_type = d}) applied.
     */
    public static Map<String, String> latest(List<ObjectNode> records, Function<ObjectNode, String> value) {
        Map<String, String> out = new HashMap<>();
        for (ObjectNode r : records) {
            String id = r.get("_olake_id").asText();
            if ("d".equals(r.get("_op_type").asText())) {
                out.remove(id);
            } else {
                out.put(id, value.apply(r));
            }
        }
        return out;
    }

    /** The value {@code v/n} of a kit row {@code (id, v, n)} written as JSON. */
    public static String vn(ObjectNode r) {
        return r.get("v").asText() + "/" + r.get("n").asInt();
    }

    /**
     * A query's rows, the first column as key and the others joined with {@code /} as value; for the kit table
     * {@code SELECT id, v, n FROM t} gives the same values as {@link #vn}.
     */
    public static Map<String, String> query(Connection connection, String sql) {
        Map<String, String> out = new HashMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder v = new StringBuilder();
                for (int c = 2; c <= md.getColumnCount(); c++) {
                    v.append(c > 2 ? "/" : "").append(rs.getString(c));
                }
                out.put(rs.getString(1), v.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the source: " + sql, e);
        }
        return out;
    }
}
