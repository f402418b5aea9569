package io.tributary.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.Chunk;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyRangeChunkerTest {
    @Test
    void aTableOfAtMostOneChunkOfRowsIsOneChunk() {
        assertThat(KeyRangeChunker.split(1, 1_000_000, 100, 100)).containsExactly(Chunk.all());
        assertThat(KeyRangeChunker.split(5, 5, 0, 100)).containsExactly(Chunk.all());
    }

    @Test
    void splitsTheKeyRangeIntoEqualRangesFirstAndLastUnbounded() {
        assertThat(KeyRangeChunker.split(1, 100, 100, 25)).containsExactly(
                Chunk.of(null, 26L), Chunk.of(26L, 51L), Chunk.of(51L, 76L), Chunk.of(76L, null));
    }

    @Test
    void splitsNegativeAndSparseRanges() {
        assertThat(KeyRangeChunker.split(-10, 9, 20, 10)).containsExactly(Chunk.of(null, 0L), Chunk.of(0L, null));
        // 3 rows far apart: as many ranges as rows call for, not as many as values
        assertThat(KeyRangeChunker.split(0, 3_000_000, 3, 1)).hasSize(3);
    }

    @Test
    void moreChunksThanValuesGiveOneValueEach() {
        assertThat(KeyRangeChunker.split(1, 3, 1_000, 10)).containsExactly(
                Chunk.of(null, 2L), Chunk.of(2L, 3L), Chunk.of(3L, null));
    }

    @Test
    void boundsNearTheEndsOfLongDoNotOverflow() {
        List<Chunk> chunks = KeyRangeChunker.split(Long.MAX_VALUE - 10, Long.MAX_VALUE, 1_000, 100);
        assertThat(chunks.get(0).min()).isNull();
        assertThat(chunks.get(chunks.size() - 1).max()).isNull();
        for (int i = 1; i < chunks.size(); i++) {
            assertThat((Long) chunks.get(i).min()).isGreaterThan(Long.MAX_VALUE - 11);
            assertThat(chunks.get(i).min()).isEqualTo(chunks.get(i - 1).max());
        }
        List<Chunk> whole = KeyRangeChunker.split(Long.MIN_VALUE, Long.MAX_VALUE, 4, 1);
        assertThat(whole).containsExactly(Chunk.of(null, Long.MIN_VALUE + (1L << 62)), Chunk.of(Long.MIN_VALUE
                + (1L << 62), 0L), Chunk.of(0L, 1L << 62), Chunk.of(1L << 62, null));
    }

    @Test
    void chunksBetweenBoundsCoverEverything() {
        assertThat(KeyRangeChunker.between(List.of())).containsExactly(Chunk.all());
        assertThat(KeyRangeChunker.between(List.of("m", "t"))).containsExactly(
                Chunk.of(null, "m"), Chunk.of("m", "t"), Chunk.of("t", null));
    }
}
