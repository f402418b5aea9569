package io.tributary.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.filter.Filter;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ConfiguredStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SelectQueryTest {
    private static final SelectQuery.CursorBinder AS_IS = (column, value) -> value;

    private static ConfiguredStream stream(String cursorField) {
        Schema schema = new Schema(List.of(Field.of("id", DataType.INT64, false), Field.nullable("up", DataType.INT64),
                Field.nullable("made", DataType.INT64), Field.nullable("name", DataType.STRING)));
        Stream s = Stream.of(StreamId.of("s", "t"), schema, List.of("id"), Set.of("up", "made"),
                Set.of(SyncMode.INCREMENTAL));
        return ConfiguredStream.of(cursorField == null ? s : s.withCursorField(Optional.of(cursorField)));
    }

    @Test
    void aChunkIsItsHalfOpenKeyRange() {
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES).keyRange("id", SelectQuery.NullKeys.NONE,
                Chunk.of(10L, 20L));
        assertThat(q.sql("*", "t")).isEqualTo("SELECT * FROM t WHERE \"id\" >= ? AND \"id\" < ?");
        assertThat(q.params()).containsExactly(10L, 20L);
    }

    @Test
    void unboundedSidesHaveNoCondition() {
        assertThat(new SelectQuery(SqlDialect.MYSQL).keyRange("id", SelectQuery.NullKeys.NONE, Chunk.all())
                .sql("*", "t")).isEqualTo("SELECT * FROM t");
        SelectQuery last = new SelectQuery(SqlDialect.MYSQL).keyRange("id", SelectQuery.NullKeys.POSSIBLE,
                Chunk.of("m", null));
        assertThat(last.sql("*", "t")).isEqualTo("SELECT * FROM t WHERE `id` >= ?");
        assertThat(last.params()).containsExactly("m");
    }

    @Test
    void theFirstChunkOfANullableKeyHoldsItsNullKeys() {
        SelectQuery first = new SelectQuery(SqlDialect.POSTGRES).keyRange("k", SelectQuery.NullKeys.POSSIBLE,
                Chunk.of(null, 5L));
        assertThat(first.conditions()).containsExactly("(\"k\" < ? OR \"k\" IS NULL)");
        SelectQuery notNull = new SelectQuery(SqlDialect.POSTGRES).keyRange("k", SelectQuery.NullKeys.NONE,
                Chunk.of(null, 5L));
        assertThat(notNull.conditions()).containsExactly("\"k\" < ?");
    }

    @Test
    void aStreamsChunkIsOnItsChunkColumnElseItsFirstKeyColumn() {
        ConfiguredStream byKey = stream(null);
        assertThat(new SelectQuery(SqlDialect.MYSQL).keyRange(byKey, Chunk.of(null, 9L)).conditions())
                .containsExactly("`id` < ?");
        assertThat(new SelectQuery(SqlDialect.MYSQL).keyRange(byKey, Chunk.all()).conditions()).isEmpty();
        ConfiguredStream byUp = new ConfiguredStream(byKey.stream(), List.of(), true, Optional.empty(),
                Optional.of("up"), false, true, Optional.empty());
        assertThat(new SelectQuery(SqlDialect.MYSQL).keyRange(byUp, Chunk.of(null, 9L)).conditions())
                .as("a nullable chunk column").containsExactly("(`up` < ? OR `up` IS NULL)");
    }

    @Test
    void cursorAtMostKeepsRowsUpToTheBoundAndNullPrimariesBySecondary() {
        SelectQuery one = new SelectQuery(SqlDialect.POSTGRES).cursorAtMost(stream("up"),
                new CursorValues(7L, null), AS_IS);
        assertThat(one.conditions()).containsExactly("(\"up\" <= ? OR \"up\" IS NULL)");
        assertThat(one.params()).containsExactly(7L);

        SelectQuery two = new SelectQuery(SqlDialect.MYSQL).cursorAtMost(stream("up:made"),
                new CursorValues(7L, 3L), AS_IS);
        assertThat(two.conditions())
                .containsExactly("(`up` <= ? OR (`up` IS NULL AND (`made` IS NULL OR `made` <= ?)))");
        assertThat(two.params()).containsExactly(7L, 3L);

        SelectQuery noPrimary = new SelectQuery(SqlDialect.MYSQL).cursorAtMost(stream("up:made"),
                new CursorValues(null, 3L), AS_IS);
        assertThat(noPrimary.conditions())
                .containsExactly("(FALSE OR (`up` IS NULL AND (`made` IS NULL OR `made` <= ?)))");
        assertThat(noPrimary.params()).containsExactly(3L);

        assertThat(new SelectQuery(SqlDialect.MYSQL).cursorAtMost(stream("up"), CursorValues.NONE, AS_IS)
                .conditions()).isEmpty();
    }

    @Test
    void cursorAtLeastIncludesTheSavedCursorAndBindsThroughTheBinder() {
        Instant t = Instant.parse("2024-05-01T10:00:00Z");
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES).cursorAtLeast(stream("up:made"),
                new CursorValues(t, 3L), (column, value) -> column + "=" + value);
        assertThat(q.conditions()).containsExactly("(\"up\" >= ? OR (\"up\" IS NULL AND \"made\" >= ?))");
        assertThat(q.params()).containsExactly("up=" + t, "made=3");

        SelectQuery noSecondaryValue = new SelectQuery(SqlDialect.POSTGRES).cursorAtLeast(stream("up:made"),
                new CursorValues(5L, null), AS_IS);
        assertThat(noSecondaryValue.conditions()).containsExactly("(\"up\" >= ? OR \"up\" IS NULL)");

        SelectQuery noPrimaryValue = new SelectQuery(SqlDialect.POSTGRES).cursorAtLeast(stream("up"),
                new CursorValues(null, 2L), AS_IS);
        assertThat(noPrimaryValue.conditions()).containsExactly("(\"up\" IS NOT NULL OR FALSE)");
        assertThat(noPrimaryValue.params()).isEmpty();

        assertThat(new SelectQuery(SqlDialect.POSTGRES).cursorAtLeast(stream("up"), CursorValues.NONE, AS_IS)
                .sql("*", "t")).isEqualTo("SELECT * FROM t");
    }

    @Test
    void incrementalReadsOrderByPrimaryThenSecondaryCursor() {
        assertThat(new SelectQuery(SqlDialect.MYSQL).cursorOrder(stream("up:made")).sql("*", "t"))
                .isEqualTo("SELECT * FROM t ORDER BY `up`, `made`");
        assertThat(new SelectQuery(SqlDialect.POSTGRES).cursorOrder(stream("up")).sql("*", "t"))
                .isEqualTo("SELECT * FROM t ORDER BY \"up\"");
    }

    @Test
    void postgresWritesFilterValuesInline() {
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES).keyRange("id", SelectQuery.NullKeys.NONE,
                Chunk.of(1L, null)).filter(Optional.of("up > 18 and name = \"O'Brien\" or name is null"));
        assertThat(q.sql("*", "t")).isEqualTo("SELECT * FROM t WHERE \"id\" >= ? AND "
                + "(((\"up\" > 18) AND (\"name\" = 'O''Brien')) OR (\"name\" IS NULL))");
        assertThat(q.params()).containsExactly(1L);
        assertThat(q.conditions()).as("the filter is not among the scannable conditions")
                .containsExactly("\"id\" >= ?");
    }

    @Test
    void inlineFilterSqlIsCoresRendering() {
        String text = "\"we\"\"ird\" >= 2.50 and (flag = true or name <> 'a''b') and made is not null";
        assertThat(new SelectQuery(SqlDialect.POSTGRES).filter(Optional.of(text)).sql("*", "t"))
                .isEqualTo("SELECT * FROM t WHERE (" + Filter.parse(text).toSql(SqlDialect.POSTGRES::quote) + ")");
    }

    @Test
    void mysqlBindsFilterValuesAfterTheConditionsParameters() {
        SelectQuery q = new SelectQuery(SqlDialect.MYSQL)
                .filter(Optional.of("name = 'C:\\temp\\' or up >= 2.5 and flag = true"))
                .keyRange("id", SelectQuery.NullKeys.NONE, Chunk.of(1L, 9L));
        assertThat(q.sql("*", "t")).isEqualTo("SELECT * FROM t WHERE `id` >= ? AND `id` < ? AND "
                + "((`name` = ?) OR ((`up` >= ?) AND (`flag` = ?)))");
        assertThat(q.params()).containsExactly(1L, 9L, "C:\\temp\\", new BigDecimal("2.5"), true);
    }

    @Test
    void conditionsCanBeReplacedByTheirInlinedForm() {
        SelectQuery q = new SelectQuery(SqlDialect.POSTGRES).where("ctid >= '(1,0)'::tid")
                .keyRange("id", SelectQuery.NullKeys.NONE, Chunk.of(3L, null)).filter(Optional.of("up = 1"))
                .orderBy(List.of("id"));
        assertThat(q.sql("\"id\"", "\"s\".\"t\"", List.of("ctid >= '(1,0)'::tid", "\"id\" >= 3")))
                .isEqualTo("SELECT \"id\" FROM \"s\".\"t\" WHERE ctid >= '(1,0)'::tid AND \"id\" >= 3 AND "
                        + "(\"up\" = 1) ORDER BY \"id\"");
    }
}
