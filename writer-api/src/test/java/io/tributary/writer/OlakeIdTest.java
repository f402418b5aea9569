package io.tributary.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class OlakeIdTest {
    private static final Schema S = Schema.of(Field.of("a", DataType.INT64, false),
            Field.of("b", DataType.STRING, false), Field.nullable("c", DataType.DECIMAL));

    @Test
    void singleKeyIsTheValueAndCompositeKeysHashCanonically() {
        assertThat(OlakeId.forKey(S, List.of("a")).of(new Object[] {42L, "x", null})).isEqualTo("42");
        OlakeId composite = OlakeId.forKey(S, List.of("a", "b"));
        String id = composite.of(new Object[] {42L, "x", null});
        assertThat(id).hasSize(32).isEqualTo(composite.of(new Object[] {42, "x", BigDecimal.ONE}));
        assertThat(id).isNotEqualTo(composite.of(new Object[] {42L, "y", null}));
        OlakeId whole = OlakeId.forKey(S, List.of());
        assertThat(whole.of(new Object[] {1L, "x", new BigDecimal("1.50")}))
                .isEqualTo(whole.of(new Object[] {1L, "x", new BigDecimal("1.5")}));
    }
}
