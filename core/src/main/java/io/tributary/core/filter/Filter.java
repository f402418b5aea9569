package io.tributary.core.filter;

import static java.util.Objects.requireNonNull;

import io.tributary.types.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A stream's row filter, parsed once from the catalog's {@code filter} (OLake's syntax: {@code column op value}
 * conditions joined by {@code and} / {@code or}, {@code and} binding tighter; see {@link #parse}). Drivers render it
 * for their source ({@link #toSql}, or their own rendering of the tree, e.g. BSON); the engine evaluates it on change
 * events ({@link #test}) so that CDC delivers the rows that backfill and incremental deliver.
 */
public sealed interface Filter {
    /** A comparison operator. */
    enum Op {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">="), IS_NULL("IS NULL"), IS_NOT_NULL("IS NOT NULL");

        private final String sql;

        Op(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }

    /**
     * Parses a filter: {@code age > 18 and status = "active"}, {@code "Mixed Case" <= 2.5 or note is null}.
     * Left of the operator is a column (bare, or in double quotes); right of it a value: a number, a string in single
     * or double quotes (the quote doubled inside), {@code true}, {@code false}. Operators: {@code = != <> < <= > >=},
     * {@code is null}, {@code is not null}; parentheses group. Throws {@link io.tributary.types.ConfigException}
     * naming the position.
     */
    static Filter parse(String text) {
        return new FilterParser(text).parse();
    }

    /** The columns the filter reads, in order of appearance. */
    default Set<String> columns() {
        Set<String> out = new LinkedHashSet<>();
        collectColumns(out);
        return out;
    }

    void collectColumns(Set<String> out);

    /**
     * The filter as a SQL boolean expression: identifiers through {@code quoteIdentifier}, strings as standard
     * single-quoted literals (quotes doubled), numbers and booleans as they are.
     */
    String toSql(UnaryOperator<String> quoteIdentifier);

    /**
     * Whether a row of {@code schema} passes, SQL-style (a comparison with NULL is not true). A column the row does
     * not have (a delete event that carries only the key) makes its condition unknown; {@code unknownPasses} says
     * whether such a row is let through.
     */
    default boolean test(Schema schema, Object[] values, boolean unknownPasses) {
        Boolean b = eval(schema, values);
        return b == null ? unknownPasses : b;
    }

    /** TRUE, FALSE, or null when a column it reads is not in the row. */
    Boolean eval(Schema schema, Object[] values);

    /**
     * SQL's three-valued AND ({@code decisive} false) or OR ({@code decisive} true): a part equal to
     * {@code decisive} decides; otherwise unknown if a part is unknown, else {@code !decisive}.
     */
    private static Boolean junction(List<Filter> parts, Schema schema, Object[] values, boolean decisive) {
        boolean unknown = false;
        for (Filter p : parts) {
            Boolean b = p.eval(schema, values);
            if (b != null && b == decisive) {
                return decisive;
            }
            unknown |= b == null;
        }
        return unknown ? null : !decisive;
    }

    /**
     * {@code column op value}. {@code value} is a {@link BigDecimal} (a number), a {@link String} (a quoted
     * literal), a {@link Boolean}, or null for {@link Op#IS_NULL} / {@link Op#IS_NOT_NULL}.
     */
    record Condition(String column, Op op, Object value) implements Filter {
        public Condition {
            requireNonNull(column, "column is null");
            requireNonNull(op, "op is null");
        }

        @Override
        public void collectColumns(Set<String> out) {
            out.add(column);
        }

        @Override
        public String toSql(UnaryOperator<String> quoteIdentifier) {
            String col = quoteIdentifier.apply(column);
            return op == Op.IS_NULL || op == Op.IS_NOT_NULL ? col + " " + op.sql() : col + " " + op.sql() + " "
                    + sqlLiteral(value);
        }

        private static String sqlLiteral(Object v) {
            if (v instanceof String s) {
                return "'" + s.replace("'", "''") + "'";
            }
            if (v instanceof BigDecimal d) {
                return d.toPlainString();
            }
            return String.valueOf(v).toUpperCase(Locale.ROOT);
        }

        @Override
        public Boolean eval(Schema schema, Object[] values) {
            int i = schema.indexOf(column);
            if (i < 0) {
                return null;
            }
            Object v = values[i];
            if (op == Op.IS_NULL) {
                return v == null;
            }
            if (op == Op.IS_NOT_NULL) {
                return v != null;
            }
            if (v == null || value == null) {
                return false;
            }
            int cmp;
            try {
                cmp = compare(v, value);
            } catch (IllegalArgumentException | DateTimeParseException e) {
                return false; // not comparable: the row does not pass, as the source's query would not return it
            }
            return switch (op) {
                case EQ -> cmp == 0;
                case NE -> cmp != 0;
                case LT -> cmp < 0;
                case LE -> cmp <= 0;
                case GT -> cmp > 0;
                case GE -> cmp >= 0;
                default -> throw new IllegalStateException(op.name());
            };
        }

        private static int compare(Object v, Object literal) {
            if (v instanceof Number n) {
                BigDecimal left = n instanceof BigDecimal d ? d : n instanceof Double || n instanceof Float
                        ? new BigDecimal(n.toString()) : BigDecimal.valueOf(n.longValue());
                BigDecimal right = literal instanceof BigDecimal d ? d : new BigDecimal(literal.toString().trim());
                return left.compareTo(right);
            }
            if (v instanceof Boolean b) {
                return b.compareTo(literal instanceof Boolean r ? r : Boolean.valueOf(literal.toString()));
            }
            if (v instanceof LocalDate d) {
                return d.compareTo(LocalDate.parse(literal.toString().trim()));
            }
            if (v instanceof Instant t) {
                return t.compareTo(instant(literal.toString().trim()));
            }
            return v.toString().compareTo(literal.toString());
        }

        /** A timestamp literal: an ISO instant, or a local date-time or date read as UTC. */
        private static Instant instant(String s) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                String t = s.replace(' ', 'T');
                if (t.length() == 10) {
                    return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            }
        }
    }

    /** Every part holds. */
    record And(List<Filter> parts) implements Filter {
        public And {
            parts = List.copyOf(parts);
        }

        @Override
        public void collectColumns(Set<String> out) {
            parts.forEach(p -> p.collectColumns(out));
        }

        @Override
        public String toSql(UnaryOperator<String> quoteIdentifier) {
            return parts.stream().map(p -> "(" + p.toSql(quoteIdentifier) + ")").collect(Collectors.joining(" AND "));
        }

        @Override
        public Boolean eval(Schema schema, Object[] values) {
            return junction(parts, schema, values, false);
        }
    }

    /** Some part holds. */
    record Or(List<Filter> parts) implements Filter {
        public Or {
            parts = List.copyOf(parts);
        }

        @Override
        public void collectColumns(Set<String> out) {
            parts.forEach(p -> p.collectColumns(out));
        }

        @Override
        public String toSql(UnaryOperator<String> quoteIdentifier) {
            return parts.stream().map(p -> "(" + p.toSql(quoteIdentifier) + ")").collect(Collectors.joining(" OR "));
        }

        @Override
        public Boolean eval(Schema schema, Object[] values) {
            return junction(parts, schema, values, true);
        }
    }
}
