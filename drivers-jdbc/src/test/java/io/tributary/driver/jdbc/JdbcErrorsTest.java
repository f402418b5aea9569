package io.tributary.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JdbcErrorsTest {
    @Test
    void findsACauseAnyLevelDown() {
        SQLException e = new SQLException("connect failed", new RuntimeException(new UnknownHostException("db")));
        assertThat(JdbcErrors.hasCause(e, UnknownHostException.class)).isTrue();
        assertThat(JdbcErrors.hasCause(e, javax.net.ssl.SSLException.class)).isFalse();
        assertThat(JdbcErrors.hasCause(null, SQLException.class)).isFalse();
    }

    @Test
    void masksEveryOccurrenceOfTheSecret() {
        assertThat(JdbcErrors.masked("password s3cr3t for s3cr3t", "s3cr3t")).isEqualTo("password **** for ****");
        assertThat(JdbcErrors.masked(null, "x")).isEmpty();
        assertThat(JdbcErrors.masked("no secret", "")).isEqualTo("no secret");
    }

    @Test
    void cursorsAreTheOrderedScalarColumnsInTableOrder() {
        List<Field> fields = List.of(Field.nullable("s", DataType.STRING), Field.nullable("j", DataType.JSON_OBJECT),
                Field.nullable("b", DataType.BOOLEAN), Field.nullable("t", DataType.TIMESTAMP_MICRO),
                Field.decimal("d", 10, 2, true), Field.nullable("bin", DataType.BINARY),
                Field.nullable("f", DataType.FLOAT64), Field.nullable("day", DataType.DATE),
                Field.nullable("i", DataType.INT32));
        assertThat(CursorColumns.of(fields)).containsExactly("s", "t", "d", "f", "day", "i");
    }
}
