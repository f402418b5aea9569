package io.tributary.driver.jdbc;

import io.tributary.core.filter.Filter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * A stream's filter as a SQL boolean expression of a dialect: identifiers quoted by the dialect, values written as
 * literals ({@link SqlDialect.FilterValues#INLINE}: strings single-quoted with the quote doubled, numbers as
 * written, booleans as {@code TRUE}/{@code FALSE}) or as {@code ?} with the value added to the parameters
 * ({@link SqlDialect.FilterValues#BIND}: a {@code String}, {@code BigDecimal} or {@code Boolean}). Conditions of an
 * {@code and}/{@code or} are each parenthesized, as {@link Filter#toSql} does.
 */
final class FilterSql {
    private FilterSql() {
    }

    static String render(Filter f, SqlDialect dialect, List<Object> params) {
        StringBuilder sb = new StringBuilder();
        render(f, dialect, params, sb);
        return sb.toString();
    }

    private static void render(Filter f, SqlDialect dialect, List<Object> params, StringBuilder sb) {
        if (f instanceof Filter.Condition c) {
            sb.append(dialect.quote(c.column())).append(' ').append(c.op().sql());
            if (c.op() != Filter.Op.IS_NULL && c.op() != Filter.Op.IS_NOT_NULL) {
                sb.append(' ');
                if (dialect.filterValues() == SqlDialect.FilterValues.BIND) {
                    sb.append('?');
                    params.add(c.value());
                } else {
                    sb.append(literal(dialect, c.value()));
                }
            }
        } else if (f instanceof Filter.And a) {
            junction(a.parts(), " AND ", dialect, params, sb);
        } else if (f instanceof Filter.Or o) {
            junction(o.parts(), " OR ", dialect, params, sb);
        } else {
            throw new IllegalStateException("unknown filter node " + f.getClass().getName());
        }
    }

    private static void junction(List<Filter> parts, String op, SqlDialect dialect, List<Object> params,
            StringBuilder sb) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("an empty" + op + "has no SQL");
        }
        for (int i = 0; i < parts.size(); i++) {
            sb.append(i == 0 ? "(" : ")" + op + "(");
            render(parts.get(i), dialect, params, sb);
        }
        sb.append(')');
    }

    private static String literal(SqlDialect dialect, Object v) {
        if (v instanceof String s) {
            return dialect.stringLiteral(s);
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(v).toUpperCase(Locale.ROOT);
    }
}
