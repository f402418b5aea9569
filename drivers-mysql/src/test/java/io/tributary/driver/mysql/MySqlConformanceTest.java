package io.tributary.driver.mysql;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The MySQL driver against the conformance kit, on a MariaDB server from the machine's packages. */
class MySqlConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        return new Fixture(new TestingMariaDb());
    }

    @Override
    protected Set<Behavior> behaviors() {
        return all();
    }

    static String config(TestingMySqlServer db, String user, String password, boolean cdc) {
        return "{\"host\": \"" + db.host() + "\", \"port\": " + db.port() + ", \"database\": \"shop\", \"username\": \""
                + user + "\", \"password\": \"" + password + "\", \"ssl\": {\"mode\": \"disable\"}, "
                + "\"chunk_size\": 1000" + (cdc ? ", \"update_method\": {\"initial_wait_time\": 2}" : "") + "}";
    }

    /**
     * The kit's tables on a MySQL-protocol server: MariaDB here, MySQL 8 in {@link MySql8ConformanceTest}, MySQL 8.4
     * in Docker in {@link MySqlContainerConformanceTest}.
     */
    static final class Fixture implements ConformanceFixture {
        final TestingMySqlServer db;

        Fixture(TestingMySqlServer db) {
            this.db = db;
        }

        @Override
        public StreamId createTable(String name, Keys keys) {
            db.execute("DROP TABLE IF EXISTS shop." + name, "CREATE TABLE shop." + name + " (id bigint"
                    + (keys == Keys.PRIMARY_KEY ? " PRIMARY KEY" : "")
                    + ", name varchar(200), amount decimal(12,2), updated_at datetime(6) NULL)");
            return StreamId.of("shop", name);
        }

        @Override
        public void insert(StreamId table, Row... rows) {
            try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + MySqlDriver.qualified(table) + " VALUES (?, ?, ?, ?)")) {
                c.setAutoCommit(false);
                for (Row r : rows) {
                    bind(ps, r);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        private static void bind(PreparedStatement ps, Row r) throws SQLException {
            ps.setLong(1, r.id());
            ps.setString(2, r.name());
            ps.setBigDecimal(3, r.amount());
            ps.setObject(4, r.updatedAt() == null ? null : LocalDateTime.ofInstant(r.updatedAt(), ZoneOffset.UTC));
        }

        @Override
        public void update(StreamId table, Row row) {
            try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("UPDATE "
                    + MySqlDriver.qualified(table) + " SET name = ?, amount = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, row.name());
                ps.setBigDecimal(2, row.amount());
                ps.setObject(3, row.updatedAt() == null ? null : LocalDateTime.ofInstant(row.updatedAt(), ZoneOffset.UTC));
                ps.setLong(4, row.id());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void delete(StreamId table, long id) {
            db.execute("DELETE FROM " + MySqlDriver.qualified(table) + " WHERE id = " + id);
        }

        @Override
        public List<EdgeColumn> edgeColumns() {
            return MySqlEdgeValues.columns(db.product().startsWith("MySQL"));
        }

        @Override
        public StreamId createEdgeTable(String name, List<EdgeColumn> columns) {
            StringBuilder ddl = new StringBuilder("CREATE TABLE shop." + name + " (id bigint PRIMARY KEY, tag int");
            for (EdgeColumn c : columns) {
                ddl.append(", ").append(MySqlDriver.quote(c.name())).append(' ').append(c.declaration());
            }
            db.execute("DROP TABLE IF EXISTS shop." + name, ddl.append(')').toString());
            return StreamId.of("shop", name);
        }

        @Override
        public void insertEdgeRow(StreamId table, long id, int tag, Map<String, String> literals) {
            StringBuilder cols = new StringBuilder("id, tag");
            StringBuilder vals = new StringBuilder(id + ", " + tag);
            literals.forEach((c, v) -> {
                cols.append(", ").append(MySqlDriver.quote(c));
                vals.append(", ").append(v);
            });
            // literals of timestamp columns are UTC wall-clock times
            db.execute("SET time_zone = '+00:00'", "INSERT INTO " + MySqlDriver.qualified(table) + " (" + cols
                    + ") VALUES (" + vals + ")");
        }

        @Override
        public void updateEdgeTag(StreamId table, long id, int tag) {
            db.execute("UPDATE " + MySqlDriver.qualified(table) + " SET tag = " + tag + " WHERE id = " + id);
        }

        @Override
        public DriverInterface newDriver(Capture capture) {
            return Drivers.configured("mysql", Json.parse(config(db, TestingMySqlServer.ADMIN_USER,
                    TestingMySqlServer.ADMIN_PASSWORD, capture == Capture.CDC)), "source.json");
        }

        @Override
        public JsonNode configWithWrongPassword(String password) {
            return Json.parse(config(db, TestingMySqlServer.APP_USER, password, false));
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
