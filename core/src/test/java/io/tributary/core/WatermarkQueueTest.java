package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class WatermarkQueueTest {
    private final List<String> delivered = new ArrayList<>();
    private final Consumer<String> fn = delivered::add;

    @Test
    void deliversInPositionThenRegistrationOrderOnlyOnceReadPast() {
        WatermarkQueue<Long> q = new WatermarkQueue<>();
        q.add(30L, "low:c");
        q.add(10L, "low:a");
        q.add(20L, "low:b");
        q.add(20L, "high:b");
        assertThat(q.deliverUpTo(9L, fn)).isFalse();
        assertThat(delivered).isEmpty();
        assertThat(q.deliverUpTo(20L, fn)).isTrue(); // inclusive: the stream has read position 20
        assertThat(delivered).containsExactly("low:a", "low:b", "high:b");
        assertThat(q.deliverUpTo(29L, fn)).isFalse();
        assertThat(q.isEmpty()).isFalse();
        assertThat(q.deliverUpTo(Long.MAX_VALUE, fn)).isTrue();
        assertThat(delivered).containsExactly("low:a", "low:b", "high:b", "low:c");
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void deliverWhileSeesTheTag() {
        WatermarkQueue<Long> q = new WatermarkQueue<>();
        q.add(5L, 3, "x");
        q.add(6L, 7, "y");
        q.deliverWhile(m -> m.tag() < 5, fn); // y (tag 7) is behind x in position order and stops the scan
        assertThat(delivered).containsExactly("x");
        q.deliverWhile(m -> m.tag() < 8, fn);
        assertThat(delivered).containsExactly("x", "y");
    }
}
