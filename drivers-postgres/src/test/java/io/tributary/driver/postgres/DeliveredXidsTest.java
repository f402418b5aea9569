package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveredXidsTest {
    @Test
    void xidsInXipOrAtOrPastXmaxAreInProgressModulo2To32() {
        PostgresCdc.DeliveredXids d = new PostgresCdc.DeliveredXids(8);
        // around the 32-bit wrap: 0xFFFFFFF0 precedes 5
        d.add(0xFFFFFFF0);
        d.add(0xFFFFFFFE);
        d.add(3);
        d.add(5);
        d.add(9);
        long epoch1 = 1L << 32;
        // xmax 5 (epoch 1): 5 and 9 are at or past it; 0xFFFFFFFE is in xip (as a full xid of epoch 0)
        assertThat(d.inProgress(d.count(), 5, List.of(0xFFFFFFFEL))).containsExactly(0xFFFFFFFE, 5, 9);
        assertThat(d.inProgress(d.count(), (int) (epoch1 + 10), List.of())).isEmpty();
        assertThat(d.inProgress(d.count(), (int) (epoch1 + 10), List.of(epoch1 + 3))).containsExactly(3);
    }

    @Test
    void onlyXidsDeliveredBeforeTheMarkCount() {
        PostgresCdc.DeliveredXids d = new PostgresCdc.DeliveredXids(8);
        d.add(100);
        d.add(101);
        long mark = d.count();
        d.add(102); // delivered after the mark: never waited for
        assertThat(mark).isEqualTo(2);
        assertThat(d.inProgress(mark, 100, List.of())).containsExactly(100, 101);
        assertThat(d.inProgress(mark, 200, List.of(101L, 102L))).containsExactly(101);
        assertThat(d.inProgress(d.count(), 200, List.of(101L, 102L))).containsExactly(101, 102);
    }

    @Test
    void theRingKeepsOnlyTheLastXids() {
        PostgresCdc.DeliveredXids d = new PostgresCdc.DeliveredXids(3);
        for (int x = 100; x < 110; x++) {
            d.add(x);
        }
        // 107, 108 and 109 are kept; 100 was overwritten
        assertThat(d.inProgress(d.count(), 200, List.of(100L, 107L, 109L))).containsExactly(107, 109);
        assertThat(d.inProgress(d.count(), 108, List.of())).containsExactly(108, 109);
        assertThat(d.inProgress(9, 108, List.of())).containsExactly(108);
    }
}
