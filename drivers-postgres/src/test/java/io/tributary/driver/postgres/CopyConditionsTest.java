package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.driver.jdbc.SelectQuery;
import io.tributary.driver.jdbc.SqlDialect;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The binary COPY takes no parameters: a read's own conditions with their values written inline. */
class CopyConditionsTest {
    @Test
    void integersAndDecimalsAreWrittenInlineOutsideQuotedIdentifiers() {
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES)
                .keyRange("we?ird\"?", SelectQuery.NullKeys.POSSIBLE, Chunk.of(null, 100L))
                .where("\"n\" <= ?", new BigDecimal("1.50"));
        assertThat(PostgresDriver.inlined(q.conditions(), q.params())).containsExactly(
                "(\"we?ird\"\"?\" < 100 OR \"we?ird\"\"?\" IS NULL)", "\"n\" <= '1.50'::numeric");
    }

    @Test
    void aValueWithoutASafeLiteralKeepsTheParameterizedSelect() {
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES).where("\"s\" >= ?", "NaN");
        assertThat(PostgresDriver.inlined(q.conditions(), q.params())).isNull();
        assertThat(PostgresDriver.inlined(List.of("\"a\" = ?"), List.of())).isNull();
        assertThat(PostgresDriver.inlined(List.of("\"a\" = 1"), List.of(1L))).isNull();
    }

    @Test
    void theFilterIsNotAmongTheScannedConditions() {
        Stream s = Stream.of(StreamId.of("s", "t"), new Schema(List.of(Field.nullable("c", DataType.INT64))),
                List.of(), Set.of("c"), Set.of()).withCursorField(Optional.of("c"));
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES).filter(Optional.of("note = 'why?'"))
                .cursorAtMost(ConfiguredStream.of(s), new CursorValues(5L, null), (column, value) -> value);
        List<String> inline = PostgresDriver.inlined(q.conditions(), q.params());
        assertThat(inline).containsExactly("(\"c\" <= 5 OR \"c\" IS NULL)");
        assertThat(q.sql("*", "t", inline)).isEqualTo("SELECT * FROM t WHERE (\"c\" <= 5 OR \"c\" IS NULL) AND "
                + "(\"note\" = 'why?')");
    }
}
