package io.tributary.core.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.ConfigException;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class FilterTest {
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.nullable("age", DataType.INT32), Field.nullable("status", DataType.STRING),
            Field.nullable("Mixed Case", DataType.FLOAT64), Field.nullable("born", DataType.DATE),
            Field.nullable("at", DataType.TIMESTAMP_MICRO), Field.decimal("amount", 10, 2, true));

    private static Object[] row(Integer age, String status, Double mixed) {
        return new Object[] {1L, age, status, mixed, LocalDate.of(2000, 1, 2), Instant.parse("2026-01-01T10:00:00Z"),
                new BigDecimal("12.50")};
    }

    @Test
    void olakesSyntaxWithDoubleQuotedStringsRendersStandardSql() {
        Filter f = Filter.parse("age > 18 and status = \"active\"");
        assertThat(f.toSql(c -> "\"" + c + "\"")).isEqualTo("(\"age\" > 18) AND (\"status\" = 'active')");
        assertThat(f.toSql(c -> "`" + c + "`")).isEqualTo("(`age` > 18) AND (`status` = 'active')");
        assertThat(f.columns()).containsExactly("age", "status");
    }

    @Test
    void aQuotedIdentifierStaysAnIdentifierAndQuotesInValuesAreEscaped() {
        Filter f = Filter.parse("\"Mixed Case\" <= 2.5 or status = 'it''s' or status is not null");
        assertThat(f.toSql(c -> "\"" + c.replace("\"", "\"\"") + "\""))
                .isEqualTo("(\"Mixed Case\" <= 2.5) OR (\"status\" = 'it''s') OR (\"status\" IS NOT NULL)");
    }

    @Test
    void andBindsTighterThanOrAndParenthesesGroup() {
        assertThat(Filter.parse("age = 1 or age = 2 and status = 'x'")).isEqualTo(new Filter.Or(java.util.List.of(
                new Filter.Condition("age", Filter.Op.EQ, new BigDecimal("1")),
                new Filter.And(java.util.List.of(new Filter.Condition("age", Filter.Op.EQ, new BigDecimal("2")),
                        new Filter.Condition("status", Filter.Op.EQ, "x"))))));
        Filter grouped = Filter.parse("(age = 1 or age = 2) and status = 'x'");
        assertThat(grouped.test(SCHEMA, row(1, "x", null), false)).isTrue();
        assertThat(grouped.test(SCHEMA, row(1, "y", null), false)).isFalse();
    }

    @Test
    void evaluatesLikeSqlOnModelValues() {
        assertThat(Filter.parse("age > 18").test(SCHEMA, row(19, "a", null), false)).isTrue();
        assertThat(Filter.parse("age > 18").test(SCHEMA, row(18, "a", null), false)).isFalse();
        assertThat(Filter.parse("age > 18").test(SCHEMA, row(null, "a", null), false)).as("NULL > 18").isFalse();
        assertThat(Filter.parse("age != 18").test(SCHEMA, row(null, "a", null), false)).as("NULL <> 18").isFalse();
        assertThat(Filter.parse("age is null").test(SCHEMA, row(null, "a", null), false)).isTrue();
        assertThat(Filter.parse("\"Mixed Case\" >= 2.5").test(SCHEMA, row(1, "a", 2.5), false)).isTrue();
        assertThat(Filter.parse("amount = 12.5").test(SCHEMA, row(1, "a", 2.5), false)).isTrue();
        assertThat(Filter.parse("born < '2000-01-03'").test(SCHEMA, row(1, "a", 2.5), false)).isTrue();
        assertThat(Filter.parse("at >= '2026-01-01 10:00:00'").test(SCHEMA, row(1, "a", 2.5), false)).isTrue();
        assertThat(Filter.parse("at > '2026-01-01T10:00:00Z'").test(SCHEMA, row(1, "a", 2.5), false)).isFalse();
        assertThat(Filter.parse("status = \"active\"").test(SCHEMA, row(1, "active", 1.0), false)).isTrue();
    }

    @Test
    void aColumnMissingFromTheRowIsUnknown() {
        Schema keyOnly = Schema.of(Field.of("id", DataType.INT64, false));
        Filter f = Filter.parse("age > 18");
        assertThat(f.test(keyOnly, new Object[] {1L}, true)).isTrue();
        assertThat(f.test(keyOnly, new Object[] {1L}, false)).isFalse();
        assertThat(Filter.parse("age > 18 or id = 1").test(keyOnly, new Object[] {1L}, false)).isTrue();
        assertThat(Filter.parse("age > 18 and id = 2").test(keyOnly, new Object[] {1L}, true)).isFalse();
    }

    @Test
    void badFiltersAreConfigErrorsNamingThePosition() {
        assertThatThrownBy(() -> Filter.parse("age >")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expects a value at position 6");
        assertThatThrownBy(() -> Filter.parse("age ~ 3")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("expects an operator");
        assertThatThrownBy(() -> Filter.parse("status = active")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'active' (quote strings)");
        assertThatThrownBy(() -> Filter.parse("status = 'open")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unterminated");
        assertThatThrownBy(() -> Filter.parse("age = 1 age = 2")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unexpected text at position 9");
        assertThatThrownBy(() -> Filter.parse("  ")).isInstanceOf(ConfigException.class).hasMessageContaining("empty");
    }
}
