package io.tributary.writer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WriterMemoryTest {
    @Test
    void rowGroupsAreASixteenthOfTheHeapBetween4And32Mb() {
        assertThat(WriterMemory.rowGroupBytes(256L << 20)).isEqualTo(16L << 20);
        assertThat(WriterMemory.rowGroupBytes(2L << 30)).isEqualTo(32L << 20);
        assertThat(WriterMemory.rowGroupBytes(32L << 20)).isEqualTo(4L << 20);
        assertThat(WriterMemory.rowGroupBytes()).isBetween(4L << 20, 32L << 20);
    }
}
