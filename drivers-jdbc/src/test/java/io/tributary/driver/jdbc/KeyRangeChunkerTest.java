package io.tributary.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.Chunk;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * A server whose table has {@code keys} in key order (NULLs first, as MySQL sorts them): answers
     * {@code count(*)} and the {@code LIMIT 1 OFFSET n} probes, and records the statements.
     */
    private static Connection sortedKeys(List<String> keys, List<String> statements) {
        return proxy(Connection.class, (m, a) -> m.equals("createStatement") ? proxy(Statement.class, (m2, a2) -> {
            if (!m2.equals("executeQuery")) {
                return null;
            }
            String sql = (String) a2[0];
            statements.add(sql);
            Matcher off = Pattern.compile("OFFSET (\\d+)$").matcher(sql);
            String value = off.find() ? keys.get(Integer.parseInt(off.group(1))) : String.valueOf(keys.size());
            boolean[] read = {false};
            return proxy(ResultSet.class, (m3, a3) -> switch (m3) {
                case "next" -> !read[0] && (read[0] = true);
                case "getString" -> value;
                case "getLong" -> Long.parseLong(value);
                default -> null;
            });
        }) : null);
    }

    private interface Handler {
        Object handle(String method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, Handler h) {
        return type.cast(Proxy.newProxyInstance(KeyRangeChunkerTest.class.getClassLoader(), new Class<?>[] {type},
                (p, m, a) -> m.getName().equals("close") ? null : h.handle(m.getName(), a)));
    }

    @Test
    void probesABoundEveryChunkOfRowsSkippingNullAndRepeatedKeys() throws Exception {
        List<String> keys = new ArrayList<>(Arrays.asList(null, null, null, "a", "b", "b", "b", "b", "c", "d"));
        List<String> statements = new ArrayList<>();
        List<Chunk> chunks = KeyRangeChunker.probedRanges(sortedKeys(keys, statements), SqlDialect.MYSQL,
                "`s`.`t`", "k`ey", 2);
        // probes at offsets 2 (NULL), 4 (b), 6 (b again), 8 (c)
        assertThat(chunks).containsExactly(Chunk.of(null, "b"), Chunk.of("b", "c"), Chunk.of("c", null));
        assertThat(statements).containsExactly("SELECT count(*) FROM `s`.`t`",
                "SELECT `k``ey` FROM `s`.`t` ORDER BY `k``ey` LIMIT 1 OFFSET 2",
                "SELECT `k``ey` FROM `s`.`t` ORDER BY `k``ey` LIMIT 1 OFFSET 4",
                "SELECT `k``ey` FROM `s`.`t` ORDER BY `k``ey` LIMIT 1 OFFSET 6",
                "SELECT `k``ey` FROM `s`.`t` ORDER BY `k``ey` LIMIT 1 OFFSET 8");
        assertThat(KeyRangeChunker.probedRanges(sortedKeys(keys, new ArrayList<>()), SqlDialect.MYSQL, "t", "k", 10))
                .containsExactly(Chunk.all());
    }

    @Test
    void chunksBetweenBoundsCoverEverything() {
        assertThat(Chunk.between(List.of())).containsExactly(Chunk.all());
        assertThat(Chunk.between(List.of("m", "t"))).containsExactly(
                Chunk.of(null, "m"), Chunk.of("m", "t"), Chunk.of("t", null));
    }
}
