package io.tributary.driver.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The PostgreSQL driver against the conformance kit, on an embedded PostgreSQL 17. */
class PostgresConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        return new Fixture(PgServer.of(new TestingPostgres()));
    }

    @Override
    protected Set<Behavior> behaviors() {
        return all();
    }

    /** The kit's tables on a PostgreSQL server: embedded here, in Docker in {@link PostgresContainerConformanceTest}. */
    static final class Fixture implements ConformanceFixture {
        private final PgServer pg;

        Fixture(PgServer pg) {
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
            return Json.parse("{\"host\": \"" + pg.host() + "\", \"port\": " + pg.port() + ", \"database\": \""
                    + pg.database() + "\", \"username\": \"" + TestingPostgres.APP_USER + "\", \"password\": \""
                    + password + "\", \"ssl\": {\"mode\": \"disable\"}}");
        }

        @Override
        public void close() {
            pg.close();
        }
    }
}
