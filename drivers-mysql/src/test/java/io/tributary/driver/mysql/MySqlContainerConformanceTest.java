package io.tributary.driver.mysql;

import io.tributary.testkit.TestingMySqlServer;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import org.testcontainers.containers.MySQLContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The MySQL driver against the conformance kit (with {@code TYPE_FIDELITY}) on a real MySQL 8.4 in Docker
 * ({@code mysql:8.4}: binlog ROW with FULL row images, GTID mode on, the CDC user with only the grants the driver
 * needs): the same fixture and edge-value matrix ({@link MySqlEdgeValues}, MySQL's renderings) as
 * {@link MySql8ConformanceTest} on MySQL 8.0.15. Where Docker is not available the class is skipped, and JUnit
 * reports it skipped.
 *
 * <p>Not run on the build machine (no Docker). MySQL 8.4 removed {@code SHOW MASTER STATUS} (now
 * {@code SHOW BINARY LOG STATUS}), which the driver's CDC uses: expect CDC behaviours to fail here until it asks
 * 8.4 with the new statement.
 */
@Testcontainers(disabledWithoutDocker = true)
class MySqlContainerConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        return new MySqlConformanceTest.Fixture(new ContainerMySql());
    }

    @Override
    protected Set<Behavior> behaviors() {
        return all();
    }

    /** {@code mysql:8.4} as a {@link TestingMySqlServer}: the users and database of {@code TestingMySql8}. */
    private static final class ContainerMySql implements TestingMySqlServer {
        private final MySQLContainer<?> container = new MySQLContainer<>(DockerImageName.parse("mysql:8.4"))
                .withDatabaseName("shop")
                // the image's entrypoint passes options to mysqld (the binlog is on by default in 8.x); they override
                // MySQLContainer's small my.cnf, whose max_allowed_packet (1M) the matrix's batches could exceed
                .withCommand("--server-id=1", "--log-bin=binlog", "--binlog-format=ROW", "--binlog-row-image=FULL",
                        "--gtid-mode=ON", "--enforce-gtid-consistency=ON", "--max-allowed-packet=64M",
                        "--innodb-buffer-pool-size=128M");

        ContainerMySql() {
            container.start();
            // MySQLContainer makes its password root's password too
            try (Connection c = DriverManager.getConnection(container.getJdbcUrl(), "root", container.getPassword());
                    Statement st = c.createStatement()) {
                for (String sql : new String[] {
                    "CREATE USER '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "'",
                    "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION",
                    "CREATE USER '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "'",
                    "GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '" + APP_USER + "'@'%'"}) {
                    st.execute(sql);
                }
            } catch (SQLException e) {
                container.stop();
                throw new IllegalStateException("cannot create the test users on MySQL 8.4: " + e.getMessage(), e);
            }
        }

        @Override
        public String product() {
            return "MySQL 8.4";
        }

        @Override
        public String host() {
            return container.getHost();
        }

        @Override
        public int port() {
            return container.getMappedPort(MySQLContainer.MYSQL_PORT);
        }

        /** A container gets a new port when it starts again; the conformance kit never restarts its server. */
        @Override
        public void restart() {
            throw new UnsupportedOperationException("a MySQL container is not restarted in place");
        }

        @Override
        public void close() {
            container.stop();
        }
    }
}
