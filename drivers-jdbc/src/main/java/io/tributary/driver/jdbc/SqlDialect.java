package io.tributary.driver.jdbc;

import static java.util.Objects.requireNonNull;

import io.tributary.types.StreamId;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * How a JDBC source spells what the shared SQL ({@link SelectQuery}, {@link KeyRangeChunker}) needs: identifier
 * quoting, how the values of a stream's filter reach the server, how parameters are bound, and the fetch size of a
 * streaming read. How a column's value is read is the driver's type table ({@link RowDecoder}).
 */
public enum SqlDialect {
    /**
     * PostgreSQL: {@code "identifiers"} (a quote doubled), filter values written inline as standard literals (the
     * binary COPY takes no parameters; the sessions run with {@code standard_conforming_strings} on, the default
     * since 9.1), a {@code String} parameter bound untyped so that the server reads it as the column's type (a
     * numeric cursor at {@code 'NaN'}, a uuid), a cursor-based fetch of 10 000 rows.
     */
    POSTGRES('"', FilterValues.INLINE, 10_000) {
        @Override
        public void bind(PreparedStatement ps, int index, Object value) throws SQLException {
            if (value instanceof String text) {
                ps.setObject(index, text, Types.OTHER);
            } else {
                ps.setObject(index, value);
            }
        }
    },
    /**
     * MySQL and MariaDB: {@code `identifiers`} (a backtick doubled), filter values bound as parameters (a backslash
     * in a string literal is an escape unless {@code sql_mode} has {@code NO_BACKSLASH_ESCAPES}, which Connector/J
     * knows and the SQL text cannot), rows streamed one by one (Connector/J's {@link Integer#MIN_VALUE} fetch size).
     */
    MYSQL('`', FilterValues.BIND, Integer.MIN_VALUE);

    /** How the values of a stream's filter ({@code age > 18}) reach the server. */
    public enum FilterValues {
        /** Written into the SQL as literals. */
        INLINE,
        /** Bound as {@code ?} parameters, after the parameters of the other conditions. */
        BIND
    }

    private final char quote;
    private final String doubled;
    private final FilterValues filterValues;
    private final int fetchSize;

    SqlDialect(char quote, FilterValues filterValues, int fetchSize) {
        this.quote = quote;
        this.doubled = String.valueOf(new char[] {quote, quote});
        this.filterValues = filterValues;
        this.fetchSize = fetchSize;
    }

    /** {@code identifier} quoted, the quote character inside it doubled: any name is safe, case is kept. */
    public String quote(String identifier) {
        requireNonNull(identifier, "identifier is null");
        return quote + identifier.replace(String.valueOf(quote), doubled) + quote;
    }

    /** {@code schema.table}, both quoted. */
    public String qualified(StreamId id) {
        return quote(id.namespace()) + "." + quote(id.name());
    }

    /** How a filter's values are written. */
    public FilterValues filterValues() {
        return filterValues;
    }

    /** A string as a standard SQL literal: single quotes, a quote inside doubled. */
    public String stringLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** The tail that skips {@code offset} rows and returns at most {@code limit}: {@code " LIMIT 1 OFFSET 500"}. */
    public String limitOffset(long limit, long offset) {
        return " LIMIT " + limit + " OFFSET " + offset;
    }

    /** The fetch size that streams a large result instead of buffering it. */
    public int fetchSize() {
        return fetchSize;
    }

    /** Binds parameter {@code index} (1-based) of a statement. */
    public void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        ps.setObject(index, value);
    }
}
