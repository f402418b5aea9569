package io.tributary.driver.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.CancelledException;
import io.tributary.types.ValueException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The row loop against an in-memory result (java.sql proxies): what it binds, hands over and reports. */
class JdbcReadsTest {
    /** A result of {@code rows}; records the statement's fetch size and bound parameters. */
    private static final class FakeDb {
        final List<String[]> rows;
        final Map<Integer, Object> bound = new TreeMap<>();
        final Map<Integer, Integer> boundTypes = new TreeMap<>();
        int fetchSize;
        String sql;

        FakeDb(List<String[]> rows) {
            this.rows = rows;
        }

        Connection connection() {
            return proxy(Connection.class, (m, a) -> {
                if (m.equals("prepareStatement")) {
                    sql = (String) a[0];
                    return statement();
                }
                return null;
            });
        }

        private PreparedStatement statement() {
            return proxy(PreparedStatement.class, (m, a) -> switch (m) {
                case "setFetchSize" -> {
                    fetchSize = (Integer) a[0];
                    yield null;
                }
                case "setObject" -> {
                    bound.put((Integer) a[0], a[1]);
                    if (a.length == 3) {
                        boundTypes.put((Integer) a[0], (Integer) a[2]);
                    }
                    yield null;
                }
                case "executeQuery" -> resultSet();
                default -> null;
            });
        }

        private ResultSet resultSet() {
            int[] at = {-1};
            return proxy(ResultSet.class, (m, a) -> switch (m) {
                case "next" -> ++at[0] < rows.size();
                case "getString" -> rows.get(at[0])[(Integer) a[0] - 1];
                default -> null;
            });
        }
    }

    private interface Handler {
        Object handle(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Handler h) {
        return type.cast(Proxy.newProxyInstance(JdbcReadsTest.class.getClassLoader(), new Class<?>[] {type},
                (p, m, a) -> m.getName().equals("close") ? null : h.handle(m.getName(), a)));
    }

    /** Reads column 0 as a long, column 1 as text; a text "bad" fails; the key is column 0's text. */
    private static final RowDecoder DECODER = new RowDecoder() {
        @Override
        public int columns() {
            return 2;
        }

        @Override
        public Object read(ResultSet rs, int i) throws java.sql.SQLException {
            String s = rs.getString(i + 1);
            if ("bad".equals(s)) {
                throw new ValueException(null, "c" + i, null, s, "is bad");
            }
            return i == 0 ? (Object) Long.parseLong(s) : s;
        }

        @Override
        public ValueException locate(ValueException e, ResultSet rs, Object[] row) {
            return e.in("s.t", String.valueOf(row[0]));
        }
    };

    @Test
    void handsOverEveryRowAsAFreshArrayWithTheDialectsFetchSizeAndBinding() throws Exception {
        FakeDb db = new FakeDb(List.of(new String[] {"1", "a"}, new String[] {"2", "b"}));
        List<Object[]> got = new ArrayList<>();
        JdbcReads reads = new JdbcReads(SqlDialect.POSTGRES, "stream s.t chunk");
        reads.select(db.connection(), "SELECT …", List.of(5L, "NaN"), DECODER, got::add);
        assertThat(got).containsExactly(new Object[] {1L, "a"}, new Object[] {2L, "b"});
        assertThat(got.get(0)).isNotSameAs(got.get(1));
        assertThat(reads.rows()).isEqualTo(2);
        assertThat(db.fetchSize).isEqualTo(10_000);
        assertThat(db.bound).containsEntry(1, 5L).containsEntry(2, "NaN");
        assertThat(db.boundTypes).as("a text parameter is untyped on PostgreSQL").containsExactly(Map.entry(2,
                Types.OTHER));

        FakeDb mysql = new FakeDb(List.of());
        new JdbcReads(SqlDialect.MYSQL, "reading s.t").select(mysql.connection(), "SELECT …", List.of("x"), DECODER,
                got::add);
        assertThat(mysql.fetchSize).isEqualTo(Integer.MIN_VALUE);
        assertThat(mysql.boundTypes).isEmpty();
    }

    @Test
    void aValueThatCannotBeReadNamesTheStreamAndTheRowsKey() {
        FakeDb db = new FakeDb(List.of(new String[] {"1", "a"}, new String[] {"42", "bad"}));
        List<Object[]> got = new ArrayList<>();
        JdbcReads reads = new JdbcReads(SqlDialect.MYSQL, "reading s.t");
        assertThatThrownBy(() -> reads.select(db.connection(), "SELECT …", List.of(), DECODER, got::add))
                .isInstanceOfSatisfying(ValueException.class, e -> {
                    assertThat(e.stream()).contains("s.t");
                    assertThat(e.key()).contains("42");
                    assertThat(e.column()).isEqualTo("c1");
                });
        assertThat(got).hasSize(1);
        assertThat(reads.rows()).isEqualTo(1);
    }

    @Test
    void anInterruptedReadEndsCancelled() {
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            rows.add(new String[] {String.valueOf(i), "v"});
        }
        FakeDb db = new FakeDb(rows);
        JdbcReads reads = new JdbcReads(SqlDialect.POSTGRES, "stream s.t chunk [0, 10)");
        try {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> reads.select(db.connection(), "SELECT …", List.of(), DECODER, r -> { }))
                    .isInstanceOf(CancelledException.class).hasMessageContaining("stream s.t chunk [0, 10) was "
                            + "cancelled");
        } finally {
            Thread.interrupted();
        }
        assertThat(reads.rows()).isEqualTo(4096);
    }

    @Test
    void selectOneReadsTheOnlyRow() throws Exception {
        FakeDb db = new FakeDb(List.<String[]>of(new String[] {"7", "x"}));
        assertThat(new JdbcReads(SqlDialect.MYSQL, "max").selectOne(db.connection(), "SELECT max(a), max(b)",
                DECODER)).containsExactly(7L, "x");
    }
}
