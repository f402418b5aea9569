package io.tributary.driver.jdbc;

import static java.util.Objects.requireNonNull;

import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.filter.Filter;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The read query of a backfill chunk or an incremental pass: {@code SELECT <list> FROM <table> WHERE <conditions>
 * AND (<filter>) ORDER BY <columns>}. The conditions are ours (quoted identifiers, operators and {@code ?}
 * placeholders, in the order of {@link #params()}), so a driver may find their placeholders and write the values
 * inline ({@link #conditions()}); the stream's filter is rendered apart and never scanned.
 *
 * <p>The semantics are those of {@link io.tributary.core.DriverInterface}: a chunk is the half-open key range
 * {@code [min, max)}; {@link #cursorAtMost} keeps the rows a backfill must read below an incremental upper bound,
 * {@link #cursorAtLeast} the rows of an incremental pass from a saved cursor (rows equal to it included). A row
 * whose primary cursor is NULL is placed by its secondary cursor.
 */
public final class SelectQuery {
    /** Turns a cursor value into the parameter its column compares with (an {@code Instant} into a date-time). */
    @FunctionalInterface
    public interface CursorBinder {
        Object bind(String column, Object value);
    }

    private final SqlDialect dialect;
    private final List<String> conditions = new ArrayList<>();
    private final List<Object> params = new ArrayList<>();
    private String filter;
    private final List<Object> filterParams = new ArrayList<>();
    private String orderBy = "";

    public SelectQuery(SqlDialect dialect) {
        this.dialect = requireNonNull(dialect, "dialect is null");
    }

    /** Adds a condition of the driver's own ({@code ctid >= '(10,0)'::tid}) and its parameters. */
    public SelectQuery where(String condition, Object... parameters) {
        conditions.add(condition);
        Collections.addAll(params, parameters);
        return this;
    }

    /**
     * Keeps the chunk's key range {@code [min, max)} of {@code column} (no condition for an unbounded side). The
     * chunk without a lower bound also holds the rows whose key is NULL when {@code column} may be NULL (a
     * configured {@code chunk_column}): no other chunk would read them.
     */
    public SelectQuery keyRange(String column, NullKeys nullKeys, Chunk chunk) {
        String k = dialect.quote(column);
        if (chunk.min() != null) {
            where(k + " >= ?", chunk.min());
        }
        if (chunk.max() != null) {
            if (chunk.min() == null && nullKeys == NullKeys.POSSIBLE) {
                where("(" + k + " < ? OR " + k + " IS NULL)", chunk.max());
            } else {
                where(k + " < ?", chunk.max());
            }
        }
        return this;
    }

    /**
     * Keeps a chunk of the stream's chunk column ({@code chunk_column}, else the first primary key column; see
     * {@link #keyRange(String, NullKeys, Chunk)}). No condition for {@link Chunk#all()}.
     */
    public SelectQuery keyRange(ConfiguredStream s, Chunk chunk) {
        if (chunk.min() == null && chunk.max() == null) {
            return this;
        }
        String column = s.chunkColumn().orElseGet(() -> s.primaryKey().get(0));
        boolean nullable = s.schema().field(column).map(Field::nullable).orElse(true);
        return keyRange(column, nullable ? NullKeys.POSSIBLE : NullKeys.NONE, chunk);
    }

    /** Whether a chunk column may hold NULL. */
    public enum NullKeys {
        /** A primary key, or a column declared NOT NULL. */
        NONE,
        /** A nullable column. */
        POSSIBLE
    }

    /**
     * Keeps the rows at or below an incremental upper bound: primary cursor {@code <= bound.primary()}, or NULL
     * primary with a NULL secondary or one {@code <= bound.secondary()}. No condition for an empty bound.
     */
    public SelectQuery cursorAtMost(ConfiguredStream s, CursorValues bound, CursorBinder binder) {
        if (bound.isEmpty()) {
            return this;
        }
        String primary = s.primaryCursor().orElseThrow();
        String pc = dialect.quote(primary);
        List<Object> p = new ArrayList<>(2);
        String prim = "FALSE";
        if (bound.primary() != null) {
            prim = pc + " <= ?";
            p.add(binder.bind(primary, bound.primary()));
        }
        String nulls = pc + " IS NULL";
        if (s.secondaryCursor().isPresent() && bound.secondary() != null) {
            String sc = dialect.quote(s.secondaryCursor().get());
            nulls = "(" + pc + " IS NULL AND (" + sc + " IS NULL OR " + sc + " <= ?))";
            p.add(binder.bind(s.secondaryCursor().get(), bound.secondary()));
        }
        return where("(" + prim + " OR " + nulls + ")", p.toArray());
    }

    /**
     * Keeps the rows of an incremental pass from {@code from}: primary cursor {@code >= from.primary()} (any
     * non-NULL one when it is NULL), or NULL primary with a secondary cursor {@code >= from.secondary()} (any
     * when it is NULL). No condition for an empty {@code from}: every row.
     */
    public SelectQuery cursorAtLeast(ConfiguredStream s, CursorValues from, CursorBinder binder) {
        if (from.isEmpty()) {
            return this;
        }
        String primary = s.primaryCursor().orElseThrow();
        String pc = dialect.quote(primary);
        List<Object> p = new ArrayList<>(2);
        String prim = pc + " IS NOT NULL";
        if (from.primary() != null) {
            prim = pc + " >= ?";
            p.add(binder.bind(primary, from.primary()));
        }
        String nulls = "FALSE";
        if (s.secondaryCursor().isPresent()) {
            String sc = dialect.quote(s.secondaryCursor().get());
            nulls = pc + " IS NULL";
            if (from.secondary() != null) {
                nulls = "(" + pc + " IS NULL AND " + sc + " >= ?)";
                p.add(binder.bind(s.secondaryCursor().get(), from.secondary()));
            }
        }
        return where("(" + prim + " OR " + nulls + ")", p.toArray());
    }

    /** Orders by the stream's cursor: primary, then secondary (ties and NULL primaries in secondary order). */
    public SelectQuery cursorOrder(ConfiguredStream s) {
        List<String> cols = new ArrayList<>(2);
        cols.add(s.primaryCursor().orElseThrow());
        s.secondaryCursor().ifPresent(cols::add);
        return orderBy(cols);
    }

    /** Orders by {@code columns}, ascending. */
    public SelectQuery orderBy(List<String> columns) {
        List<String> q = new ArrayList<>(columns.size());
        for (String c : columns) {
            q.add(dialect.quote(c));
        }
        orderBy = q.isEmpty() ? "" : " ORDER BY " + String.join(", ", q);
        return this;
    }

    /** Applies the stream's filter (OLake syntax, see {@link Filter#parse}), if it has one. */
    public SelectQuery filter(Optional<String> text) {
        filterParams.clear();
        filter = text.map(t -> "(" + FilterSql.render(Filter.parse(t), dialect, filterParams) + ")").orElse(null);
        return this;
    }

    /** The conditions added so far (the filter not among them), with {@code ?} for {@link #params()}. */
    public List<String> conditions() {
        return List.copyOf(conditions);
    }

    /** The parameters, in placeholder order: the conditions', then the filter's (bound filter values). */
    public List<Object> params() {
        List<Object> all = new ArrayList<>(params);
        all.addAll(filterParams);
        return all;
    }

    /** The query reading {@code selectList} from {@code table} (quoted by the caller). */
    public String sql(String selectList, String table) {
        return sql(selectList, table, conditions);
    }

    /**
     * The query with {@code conditions} in place of {@link #conditions()} (the same conditions with their values
     * written inline, for a statement that takes no parameters).
     */
    public String sql(String selectList, String table, List<String> conditions) {
        List<String> all = new ArrayList<>(conditions);
        if (filter != null) {
            all.add(filter);
        }
        return "SELECT " + selectList + " FROM " + table + (all.isEmpty() ? "" : " WHERE " + String.join(" AND ", all))
                + orderBy;
    }
}
