package io.tributary.types;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DataTypeTest {
    @Test
    void wideningFollowsOlakesTreeAndKeepsDecimalDigits() {
        assertThat(DataType.INT32.widen(DataType.INT64)).isEqualTo(DataType.INT64);
        assertThat(DataType.INT64.widen(DataType.FLOAT32)).isEqualTo(DataType.FLOAT32);
        assertThat(DataType.FLOAT32.widen(DataType.FLOAT64)).isEqualTo(DataType.FLOAT64);
        assertThat(DataType.NULL.widen(DataType.DATE)).isEqualTo(DataType.DATE);
        assertThat(DataType.TIMESTAMP_MILLI.widen(DataType.TIMESTAMP_NANO)).isEqualTo(DataType.TIMESTAMP_NANO);
        assertThat(DataType.INT64.widen(DataType.TIMESTAMP_MICRO)).isEqualTo(DataType.STRING);
        assertThat(DataType.DECIMAL.widen(DataType.FLOAT32)).isEqualTo(DataType.FLOAT64);
        assertThat(DataType.INT32.canWidenTo(DataType.INT64)).isTrue();
        assertThat(DataType.INT64.canWidenTo(DataType.INT32)).isFalse();
        Field a = Field.decimal("x", 10, 2, false);
        Field b = Field.decimal("x", 8, 4, true);
        assertThat(a.widen(b)).isEqualTo(Field.decimal("x", 12, 4, true));
        assertThat(DataType.fromJson("timestamp")).isEqualTo(DataType.TIMESTAMP_MICRO);
    }

    @Test
    void schemaMergeAddsNewColumnsAfterTheOldOnes() {
        Schema s1 = Schema.of(Field.of("id", DataType.INT32, false), Field.nullable("name", DataType.STRING));
        Schema s2 = Schema.of(Field.of("id", DataType.INT64, false), Field.nullable("age", DataType.INT32));
        Schema m = s1.merge(s2);
        assertThat(m.names()).containsExactly("id", "name", "age");
        assertThat(m.field("id").orElseThrow().type()).isEqualTo(DataType.INT64);
        assertThat(s1.merge(s1)).isSameAs(s1);
    }

    @Test
    void secretsNeverPrint() {
        Secret s = Secret.of("hunter2");
        assertThat(s.toString()).doesNotContain("hunter2");
        assertThat(Json.write(s)).isEqualTo("\"hunter2\"");
    }
}
