package io.tributary.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.types.ValueErrors;
import io.tributary.types.ValueException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ValueGuardTest {
    private static final Instant MIN = Instant.parse("-290308-12-21T19:59:05.224192Z");
    private static final Instant MAX = Instant.parse("+294247-01-10T04:00:54.775807Z");
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT32, false),
            Field.nullable("ts", DataType.TIMESTAMP_MICRO), Field.decimal("dec", 9, 2, true));

    @Test
    void epochMicrosReachesBothEndsOfTheLongRange() {
        assertThat(ValueGuard.epochMicros(MIN)).isEqualTo(Long.MIN_VALUE);
        assertThat(ValueGuard.epochMicros(MAX)).isEqualTo(Long.MAX_VALUE);
        assertThat(ValueGuard.epochMicros(Instant.parse("1969-12-31T23:59:59.999999999Z"))).isEqualTo(-1);
        assertThat(ValueGuard.epochMicros(Instant.parse("1970-01-01T00:00:00.000001999Z"))).isEqualTo(1);
    }

    @Test
    void timestampsFitExactlyTheSigned64BitMicrosecondRange() {
        ValueGuard.Check c = ValueGuard.timestampMicros();
        assertThat(c.problem(MIN)).isNull();
        assertThat(c.problem(MAX)).isNull();
        assertThat(c.problem(MAX.plusNanos(999))).isNull(); // the same microsecond
        assertThat(c.problem(MAX.plusNanos(1000))).contains("outside");
        assertThat(c.problem(MIN.minusNanos(1))).contains("outside");
        assertThat(c.problem(Instant.MAX)).contains("outside");
        assertThat(c.problem("2026-01-01")).contains("String");
    }

    @Test
    void datesFitInt32Days() {
        ValueGuard.Check c = ValueGuard.epochDays();
        assertThat(c.problem(LocalDate.ofEpochDay(Integer.MAX_VALUE))).isNull();
        assertThat(c.problem(LocalDate.ofEpochDay(Integer.MIN_VALUE))).isNull();
        assertThat(c.problem(LocalDate.ofEpochDay(Integer.MAX_VALUE + 1L))).contains("outside");
        assertThat(c.problem(LocalDate.ofEpochDay(Integer.MIN_VALUE - 1L))).contains("outside");
    }

    @Test
    void decimalsFitWhenTheColumnHoldsThemExactly() {
        ValueGuard.Check c = ValueGuard.decimal(9, 2);
        for (String ok : new String[] {"9999999.99", "-9999999.99", "0", "0.00", "1.500", "1E+2", "-0.01", "12"}) {
            assertThat(c.problem(new BigDecimal(ok))).as(ok).isNull();
        }
        assertThat(c.problem(new BigDecimal("1.505"))).contains("fractional digits (3)");
        assertThat(c.problem(new BigDecimal("10000000"))).contains("more digits");
        assertThat(c.problem(new BigDecimal("1E+7"))).contains("more digits");
        assertThat(c.problem("NaN")).contains("not a finite number").contains("decimal(9,2)");
        ValueGuard.Check fraction = ValueGuard.decimal(2, 2);
        assertThat(fraction.problem(BigDecimal.ZERO)).isNull();
        assertThat(fraction.problem(new BigDecimal("0.99"))).isNull();
        assertThat(fraction.problem(BigDecimal.ONE)).contains("more digits");
    }

    private static Record record(Object ts, Object dec) {
        return new Record(SCHEMA, new Object[] {1, ts, dec}, "k1", OpType.READ, Instant.EPOCH, null);
    }

    private static ValueGuard guard(ValueErrors handling) {
        ValueGuard g = new ValueGuard(StreamId.of("s", "t"), handling);
        g.bind(new ValueGuard.Check[] {null, ValueGuard.timestampMicros(), ValueGuard.decimal(9, 2)});
        return g;
    }

    @Test
    void appliesTheSettingToARecord() {
        Record fits = record(Instant.EPOCH, BigDecimal.ONE);
        Record bad = record(Instant.MAX, "Infinity");
        assertThat(guard(ValueErrors.FAIL).check(fits)).isSameAs(fits);
        assertThatThrownBy(() -> guard(ValueErrors.FAIL).check(bad)).isInstanceOf(ValueException.class)
                .hasMessageStartingWith("stream s.t, column ts, key k1: value '" + Instant.MAX + "' is outside");

        ValueGuard nulls = guard(ValueErrors.NULL);
        assertThat(nulls.check(bad).values()).containsExactly(1, null, null);
        assertThat(bad.values()).containsExactly(1, Instant.MAX, "Infinity"); // the record is not changed
        assertThat(nulls.count()).isEqualTo(2);

        ValueGuard skip = guard(ValueErrors.SKIP);
        assertThat(skip.check(bad)).isNull();
        assertThat(skip.check(fits)).isSameAs(fits);
        assertThat(skip.count()).isEqualTo(1);
    }
}
