package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.Schema;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class CursorFormatTest {
    private static final Schema SCHEMA = Schema.of(Field.nullable("ts", DataType.TIMESTAMP_NANO),
            Field.nullable("i", DataType.INT32), Field.nullable("l", DataType.INT64),
            Field.decimal("d", 20, 6, true), Field.nullable("day", DataType.DATE), Field.nullable("s", DataType.STRING));

    private static Object roundTrip(String column, Object value) {
        String text = Json.write(CursorFormat.format(value));
        return CursorFormat.reformat(column, Json.parse(text), SCHEMA);
    }

    @Test
    void cursorValuesSurviveTheStateRoundTripWithTheirType() {
        Instant ts = Instant.parse("2026-03-01T10:15:30.123456789Z");
        assertThat(CursorFormat.format(ts).asText()).isEqualTo("2026-03-01T10:15:30.123456789Z");
        assertThat(roundTrip("ts", ts)).isEqualTo(ts);
        assertThat(roundTrip("i", 7)).isEqualTo(7);
        assertThat(roundTrip("l", Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(roundTrip("d", new BigDecimal("12345678901234.123456"))).isEqualTo(new BigDecimal("12345678901234.123456"));
        assertThat(roundTrip("d", "NaN")).as("a decimal's special value").isEqualTo("NaN");
        assertThat(roundTrip("d", "-Infinity")).isEqualTo("-Infinity");
        assertThat(roundTrip("day", LocalDate.of(1999, 12, 31))).isEqualTo(LocalDate.of(1999, 12, 31));
        // PostgreSQL's 'infinity' dates and timestamps (see the README's PostgreSQL type table), BC dates
        assertThat(roundTrip("day", LocalDate.ofEpochDay(Integer.MAX_VALUE))).isEqualTo(LocalDate.ofEpochDay(Integer.MAX_VALUE));
        assertThat(roundTrip("day", LocalDate.of(-4713, 11, 24))).isEqualTo(LocalDate.of(-4713, 11, 24));
        Instant minusInfinity = Instant.ofEpochSecond(Math.floorDiv(Long.MIN_VALUE, 1_000_000L),
                Math.floorMod(Long.MIN_VALUE, 1_000_000L) * 1_000L);
        assertThat(roundTrip("ts", minusInfinity)).isEqualTo(minusInfinity);
        assertThat(roundTrip("s", "ä'\"x")).isEqualTo("ä'\"x");
        assertThat(roundTrip("s", null)).isNull();
    }
}
