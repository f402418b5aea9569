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
 * <p>Partitioned tables (no ctid on the parent) and a configured {@code chunk_column} use key ranges instead
 * ({@link io.tributary.driver.jdbc.KeyRangeChunker}, shared with MySQL).
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
}
