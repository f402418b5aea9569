package io.tributary.driver.postgres;

import io.tributary.core.Chunk;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a table into physical page ranges ({@code ctid} bounds {@code "(page,0)"}), OLake's approach: no index
 * scan, no key distribution needed, balanced by pages. The page count comes from {@code pg_relation_size} and the
 * block size, rows per page from the planner's statistics. The first chunk has no lower bound and the last no
 * upper bound, so rows on pages added during the backfill are read too.
 *
 * <p>Partitioned tables (no ctid on the parent) and a configured {@code chunk_column} use
 * {@link #keyRanges key ranges} instead.
 */
final class CtidChunker {
    private CtidChunker() {
    }

    static List<Chunk> ctidRanges(Connection c, long oid, long rowsPerChunk) throws SQLException {
        long pages;
        double tuples;
        long relpages;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.reltuples, c.relpages
                FROM pg_class c WHERE c.oid = ?""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                pages = rs.getLong(1);
                tuples = rs.getDouble(2);
                relpages = rs.getLong(3);
            }
        }
        if (pages <= 0) {
            return List.of(Chunk.all());
        }
        double rowsPerPage = tuples > 0 && relpages > 0 ? tuples / relpages : 60.0;
        long pagesPerChunk = Math.max(1, (long) Math.ceil(rowsPerChunk / Math.max(1.0, rowsPerPage)));
        List<Chunk> chunks = new ArrayList<>();
        for (long start = 0; start < pages; start += pagesPerChunk) {
            long end = start + pagesPerChunk;
            chunks.add(Chunk.of(start == 0 ? null : tid(start), end >= pages ? null : tid(end)));
        }
        return chunks;
    }

    static String tid(long page) {
        return "(" + page + ",0)";
    }

    /**
     * Key ranges over a single integer column: {@code ceil(rows / rowsPerChunk)} equal value ranges between its
     * minimum and maximum (first and last unbounded). Any other key: the whole table as one chunk.
     */
    static List<Chunk> keyRanges(Connection c, String table, String quotedColumn, boolean integerColumn,
            long rowsPerChunk) throws SQLException {
        if (!integerColumn) {
            return List.of(Chunk.all());
        }
        long min;
        long max;
        long rows;
        try (PreparedStatement ps = c.prepareStatement("SELECT min(" + quotedColumn + "), max(" + quotedColumn
                + "), count(*) FROM " + table);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            min = rs.getLong(1);
            if (rs.wasNull()) {
                return List.of(Chunk.all());
            }
            max = rs.getLong(2);
            rows = rs.getLong(3);
        }
        long n = Math.max(1, (long) Math.ceil((double) rows / rowsPerChunk));
        long step = Math.max(1, (long) Math.ceil(((double) max - min + 1) / n));
        List<Chunk> chunks = new ArrayList<>();
        Long lo = null;
        for (long b = min + step; b <= max && b > min; b += step) {
            chunks.add(Chunk.of(lo, b));
            lo = b;
        }
        chunks.add(Chunk.of(lo, null));
        return chunks;
    }
}
