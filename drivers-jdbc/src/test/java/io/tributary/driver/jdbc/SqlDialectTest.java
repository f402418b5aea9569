package io.tributary.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.types.StreamId;
import org.junit.jupiter.api.Test;

class SqlDialectTest {
    @Test
    void postgresDoublesDoubleQuotesAndLeavesBackticksAndUnicodeAlone() {
        assertThat(SqlDialect.POSTGRES.quote("id")).isEqualTo("\"id\"");
        assertThat(SqlDialect.POSTGRES.quote("we\"ird")).isEqualTo("\"we\"\"ird\"");
        assertThat(SqlDialect.POSTGRES.quote("\"\"")).isEqualTo("\"\"\"\"\"\"");
        assertThat(SqlDialect.POSTGRES.quote("back`tick")).isEqualTo("\"back`tick\"");
        assertThat(SqlDialect.POSTGRES.quote("Straße 名前 ✓")).isEqualTo("\"Straße 名前 ✓\"");
        assertThat(SqlDialect.POSTGRES.quote("a'b; DROP")).isEqualTo("\"a'b; DROP\"");
    }

    @Test
    void mysqlDoublesBackticksAndLeavesDoubleQuotesAndUnicodeAlone() {
        assertThat(SqlDialect.MYSQL.quote("id")).isEqualTo("`id`");
        assertThat(SqlDialect.MYSQL.quote("back`tick")).isEqualTo("`back``tick`");
        assertThat(SqlDialect.MYSQL.quote("``")).isEqualTo("``````");
        assertThat(SqlDialect.MYSQL.quote("we\"ird")).isEqualTo("`we\"ird`");
        assertThat(SqlDialect.MYSQL.quote("Straße 名前 ✓")).isEqualTo("`Straße 名前 ✓`");
    }

    @Test
    void qualifiesSchemaAndTableEachQuoted() {
        StreamId id = StreamId.of("my.schema", "t\"`x");
        assertThat(SqlDialect.POSTGRES.qualified(id)).isEqualTo("\"my.schema\".\"t\"\"`x\"");
        assertThat(SqlDialect.MYSQL.qualified(id)).isEqualTo("`my.schema`.`t\"``x`");
    }

    @Test
    void stringLiteralsDoubleSingleQuotes() {
        assertThat(SqlDialect.POSTGRES.stringLiteral("O'Brien")).isEqualTo("'O''Brien'");
        assertThat(SqlDialect.POSTGRES.stringLiteral("")).isEqualTo("''");
    }

    @Test
    void limitOffsetAndFetchSizePerDialect() {
        assertThat(SqlDialect.MYSQL.limitOffset(1, 500)).isEqualTo(" LIMIT 1 OFFSET 500");
        assertThat(SqlDialect.POSTGRES.fetchSize()).isEqualTo(10_000);
        assertThat(SqlDialect.MYSQL.fetchSize()).isEqualTo(Integer.MIN_VALUE);
    }
}
