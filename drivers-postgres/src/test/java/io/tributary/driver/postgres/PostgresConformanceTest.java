package io.tributary.driver.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import io.tributary.types.DataType;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The PostgreSQL driver against the conformance kit, on an embedded PostgreSQL 17. */
class PostgresConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        return new Fixture(new TestingPostgres());
    }

    @Override
    protected Set<Behavior> behaviors() {
        return all();
    }

    private static final class Fixture implements ConformanceFixture {
        private final TestingPostgres pg;

        Fixture(TestingPostgres pg) {
            this.pg = pg;
        }

        @Override
        public List<EdgeColumn> edgeColumns() {
            return PostgresEdgeValues.columns();
        }

        @Override
        public StreamId createEdgeTable(String name, List<EdgeColumn> columns) {
            return PostgresEdgeValues.createTable(pg, name, columns);
        }

        @Override
        public void insertEdgeRow(StreamId table, long id, int tag, Map<String, String> literals) {
            PostgresEdgeValues.insert(pg, table, id, tag, literals);
        }

        @Override
        public void updateEdgeTag(StreamId table, long id, int tag) {
            PostgresEdgeValues.updateTag(pg, table, id, tag);
        }

        @Override
        public StreamId createTable(String name, Keys keys) {
            pg.execute("DROP TABLE IF EXISTS public." + name,
                    "CREATE TABLE public." + name + " (id bigint" + (keys == Keys.PRIMARY_KEY ? " PRIMARY KEY" : "")
                            + ", name text, amount numeric(12,2), updated_at timestamptz)");
            if (keys == Keys.NONE) {
                pg.execute("ALTER TABLE public." + name + " REPLICA IDENTITY FULL");
            }
            return StreamId.of("public", name);
        }

        @Override
        public void insert(StreamId table, Row... rows) {
            try (Connection c = pg.connection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + PostgresDriver.qualified(table) + " VALUES (?, ?, ?, ?)")) {
                for (Row r : rows) {
                    bind(ps, r);
                    ps.addBatch();
                }
                ps.executeBatch();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            pg.execute("ANALYZE " + PostgresDriver.qualified(table));
        }

        private static void bind(PreparedStatement ps, Row r) throws SQLException {
            ps.setLong(1, r.id());
            ps.setString(2, r.name());
            ps.setBigDecimal(3, r.amount());
            ps.setObject(4, r.updatedAt() == null ? null : OffsetDateTime.ofInstant(r.updatedAt(), ZoneOffset.UTC));
        }

        @Override
        public void update(StreamId table, Row row) {
            try (Connection c = pg.connection(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE " + PostgresDriver.qualified(table) + " SET name = ?, amount = ?, updated_at = ? "
                            + "WHERE id = ?")) {
                ps.setString(1, row.name());
                ps.setBigDecimal(2, row.amount());
                ps.setObject(3, row.updatedAt() == null ? null
                        : OffsetDateTime.ofInstant(row.updatedAt(), ZoneOffset.UTC));
                ps.setLong(4, row.id());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public List<EdgeColumn> edgeColumns() {
            return List.of(
                    new EdgeColumn("c_int4", "integer", DataType.INT32, List.of(
                            new EdgeValue("0", 0, "zero"),
                            new EdgeValue("-2147483648", Integer.MIN_VALUE, "min"),
                            new EdgeValue("2147483647", Integer.MAX_VALUE, "max"),
                            new EdgeValue("NULL", null, "NULL"))),
                    new EdgeColumn("c_int8", "bigint", DataType.INT64, List.of(
                            new EdgeValue("0", 0L, "zero"),
                            new EdgeValue("-9223372036854775808", Long.MIN_VALUE, "min"),
                            new EdgeValue("9223372036854775807", Long.MAX_VALUE, "max"),
                            new EdgeValue("NULL", null, "NULL"))),
                    new EdgeColumn("c_text", "text", DataType.STRING, List.of(
                            new EdgeValue("''", "", "empty"),
                            new EdgeValue("'héllo wörld ✓'", "héllo wörld ✓", "unicode"),
                            new EdgeValue("NULL", null, "NULL"))),
                    new EdgeColumn("c_numeric", "numeric(10,2)", DataType.DECIMAL, List.of(
                            new EdgeValue("0", new BigDecimal("0.00"), "zero"),
                            new EdgeValue("1.5", new BigDecimal("1.50"), "scale padded"),
                            new EdgeValue("-12345678.90", new BigDecimal("-12345678.90"), "min digits"),
                            new EdgeValue("NULL", null, "NULL"))),
                    new EdgeColumn("c_timestamptz", "timestamptz", DataType.TIMESTAMP_MICRO, List.of(
                            new EdgeValue("'2024-02-29 12:34:56.123456+00'",
                                    Instant.parse("2024-02-29T12:34:56.123456Z"), "leap day µs"),
                            new EdgeValue("'1970-01-01 00:00:00+00'", Instant.EPOCH, "epoch"),
                            new EdgeValue("NULL", null, "NULL"))),
                    new EdgeColumn("c_bytea", "bytea", DataType.BINARY, List.of(
                            new EdgeValue("'\\x00ff2a'", new byte[] {0, (byte) 0xff, 42}, "bytes"),
                            new EdgeValue("''", new byte[0], "empty"),
                            new EdgeValue("NULL", null, "NULL"))),
                    new EdgeColumn("c_bool", "boolean", DataType.BOOLEAN, List.of(
                            new EdgeValue("true", true, "true"),
                            new EdgeValue("false", false, "false"),
                            new EdgeValue("NULL", null, "NULL"))),
                    new EdgeColumn("c_date", "date", DataType.DATE, List.of(
                            new EdgeValue("'2024-02-29'", LocalDate.of(2024, 2, 29), "leap day"),
                            new EdgeValue("'1970-01-01'", LocalDate.EPOCH, "epoch"),
                            new EdgeValue("NULL", null, "NULL"))));
        }

        @Override
        public StreamId createEdgeTable(String name, List<EdgeColumn> columns) {
            StringBuilder ddl = new StringBuilder("CREATE TABLE public." + name + " (id bigint PRIMARY KEY, tag int");
            for (EdgeColumn c : columns) {
                ddl.append(", ").append(c.name()).append(' ').append(c.declaration());
            }
            pg.execute("DROP TABLE IF EXISTS public." + name, ddl.append(')').toString());
            return StreamId.of("public", name);
        }

        @Override
        public void insertEdgeRow(StreamId table, long id, int tag, Map<String, String> literals) {
            StringBuilder cols = new StringBuilder("id, tag");
            StringBuilder values = new StringBuilder(id + ", " + tag);
            literals.forEach((column, literal) -> {
                cols.append(", ").append(column);
                values.append(", ").append(literal);
            });
            pg.execute("INSERT INTO " + PostgresDriver.qualified(table) + " (" + cols + ") VALUES (" + values + ")");
        }

        @Override
        public void updateEdgeTag(StreamId table, long id, int tag) {
            pg.execute("UPDATE " + PostgresDriver.qualified(table) + " SET tag = " + tag + " WHERE id = " + id);
        }

        @Override
        public void delete(StreamId table, long id) {
            pg.execute("DELETE FROM " + PostgresDriver.qualified(table) + " WHERE id = " + id);
        }

        private String config(Capture capture) {
            return PgSync.config(pg, "\"chunk_size\": 1000, \"max_threads\": 3"
                    + (capture == Capture.CDC ? ", \"update_method\": {\"replication_slot\": \"conformance\", "
                    + "\"publication\": \"conformance\", \"initial_wait_time\": 2, \"create_if_missing\": true}" : ""));
        }

        @Override
        public DriverInterface newDriver(Capture capture) {
            return Drivers.configured("postgres", Json.parse(config(capture)), "source.json");
        }

        @Override
        public JsonNode configWithWrongPassword(String password) {
            return Json.parse("{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                    + "\"username\": \"" + TestingPostgres.APP_USER + "\", \"password\": \"" + password + "\", "
                    + "\"ssl\": {\"mode\": \"disable\"}}");
        }

        @Override
        public void close() {
            pg.close();
        }
    }
}
