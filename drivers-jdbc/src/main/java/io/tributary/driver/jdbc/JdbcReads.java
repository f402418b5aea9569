package io.tributary.driver.jdbc;

import io.tributary.core.BackfillMsgFn;
import io.tributary.types.CancelledException;
import io.tributary.types.ValueException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Runs a read query and hands its rows over: a forward-only, read-only statement with the dialect's streaming
 * fetch size, each row a fresh {@code Object[]} decoded by the driver's {@link RowDecoder}. A value that cannot be
 * read fails the read with a {@link ValueException} naming the stream and the row's key (the rest of the row is
 * read first, so the key is known); an interrupted thread ends it with a {@link CancelledException} (checked every
 * 4096 rows). One per read; not thread-safe.
 */
public final class JdbcReads {
    private final SqlDialect dialect;
    private final String label;
    private long rows;

    /** {@code label} names the read in messages ({@code "stream public.t chunk [0, 100)"}). */
    public JdbcReads(SqlDialect dialect, String label) {
        this.dialect = dialect;
        this.label = label;
    }

    /** How many rows were handed over so far. */
    public long rows() {
        return rows;
    }

    /** Runs {@code sql} with {@code params} and hands each row to {@code fn}. */
    public void select(Connection c, String sql, List<Object> params, RowDecoder decoder, BackfillMsgFn fn)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(dialect.fetchSize());
            bindAll(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                int n = decoder.columns();
                while (rs.next()) {
                    fn.accept(row(rs, decoder, n));
                    if ((++rows & 0xfff) == 0 && Thread.currentThread().isInterrupted()) {
                        throw new CancelledException(label + " was cancelled");
                    }
                }
            }
        }
    }

    /** The one row of a query that returns one ({@code SELECT max(a), max(b) FROM t}). */
    public Object[] selectOne(Connection c, String sql, RowDecoder decoder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException(label + ": no row from " + sql);
            }
            return row(rs, decoder, decoder.columns());
        }
    }

    private void bindAll(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            dialect.bind(ps, i + 1, params.get(i));
        }
    }

    private static Object[] row(ResultSet rs, RowDecoder decoder, int n) throws SQLException {
        Object[] row = new Object[n];
        ValueException failed = null;
        for (int i = 0; i < n; i++) {
            try {
                row[i] = decoder.read(rs, i);
            } catch (ValueException e) {
                failed = failed == null ? e : failed; // read the rest: the key names the row
            }
        }
        if (failed != null) {
            throw decoder.locate(failed, rs, row);
        }
        return row;
    }
}
