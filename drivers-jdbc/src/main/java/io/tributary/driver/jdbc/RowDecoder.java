package io.tributary.driver.jdbc;

import io.tributary.types.ValueException;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A driver's reading of the columns of one query: column {@code i} (0-based, JDBC column {@code i + 1}) of the
 * current row as the Java value its field's type calls for. Implementations hold the columns' types in arrays and
 * switch on them; {@link #read} is on the backfill hot path (once per value), so it must not allocate beyond the
 * value itself.
 */
public interface RowDecoder {
    /** How many columns a row has. */
    int columns();

    /**
     * Column {@code i} of the current row; null for SQL NULL.
     *
     * @throws ValueException when the value cannot be read as its field's type (stream and key not filled in)
     */
    Object read(ResultSet rs, int i) throws SQLException;

    /**
     * {@code e} with the stream and the row's key filled in. {@code row} holds the values read so far (the failed
     * one null); {@code rs} is still on the row.
     */
    ValueException locate(ValueException e, ResultSet rs, Object[] row) throws SQLException;
}
