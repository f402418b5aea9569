package io.tributary.driver.jdbc;

import io.tributary.core.Chunk;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a table into chunks {@code [min, max)} of one key column, the first without a lower and the last without
 * an upper bound (so that rows added past the ends during the backfill are read too). A table of at most
 * {@code rowsPerChunk} rows, or one whose key has no value, is one chunk.
 */
public final class KeyRangeChunker {
    private KeyRangeChunker() {
    }

    /**
     * Over an integer column: {@code ceil(rows / rowsPerChunk)} equal value ranges between its minimum and maximum,
     * from one scan ({@code count(*), min, max}). Bounds are {@code Long}s.
     */
    public static List<Chunk> integerRanges(Connection c, SqlDialect dialect, String table, String column,
            long rowsPerChunk) throws SQLException {
        String k = dialect.quote(column);
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*), min(" + k + "), max(" + k + ") FROM " + table)) {
            rs.next();
            long rows = rs.getLong(1);
            long min = rs.getLong(2);
            if (rs.wasNull()) {
                return List.of(Chunk.all());
            }
            return split(min, rs.getLong(3), rows, rowsPerChunk);
        }
    }

    /**
     * The integer split: {@code n = ceil(rows / rowsPerChunk)} ranges of {@code ceil((max - min + 1) / n)} values
     * (at least one), bounds {@code min + step, min + 2·step, …} up to {@code max}. Never overflows: a bound past
     * {@code Long.MAX_VALUE} ends the list.
     */
    public static List<Chunk> split(long min, long max, long rows, long rowsPerChunk) {
        if (rows <= rowsPerChunk) {
            return List.of(Chunk.all());
        }
        long n = (rows + rowsPerChunk - 1) / rowsPerChunk;
        long step = Math.max(1, (long) Math.ceil(((double) max - min + 1) / n));
        List<Object> bounds = new ArrayList<>();
        for (long b = min + step; b <= max && b > min; b += step) {
            bounds.add(b);
        }
        return Chunk.between(bounds);
    }

    /**
     * Over any ordered column: a bound every {@code rowsPerChunk} rows in key order, each found by an
     * {@code ORDER BY … LIMIT 1 OFFSET} probe and read as the server's text of the value (compared back as a string
     * literal). Costs a scan per bound; for keys that cannot be split arithmetically.
     */
    public static List<Chunk> probedRanges(Connection c, SqlDialect dialect, String table, String column,
            long rowsPerChunk) throws SQLException {
        String k = dialect.quote(column);
        try (Statement st = c.createStatement()) {
            long rows;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                rows = rs.getLong(1);
            }
            if (rows <= rowsPerChunk) {
                return List.of(Chunk.all());
            }
            List<Object> bounds = new ArrayList<>();
            for (long off = rowsPerChunk; off < rows; off += rowsPerChunk) {
                try (ResultSet rs = st.executeQuery("SELECT " + k + " FROM " + table + " ORDER BY " + k
                        + dialect.limitOffset(1, off))) {
                    String b = rs.next() ? rs.getString(1) : null;
                    // NULL keys (a nullable chunk column) belong to the first chunk; equal bounds would be empty
                    if (b != null && (bounds.isEmpty() || !b.equals(bounds.get(bounds.size() - 1)))) {
                        bounds.add(b);
                    }
                }
            }
            return Chunk.between(bounds);
        }
    }
}
