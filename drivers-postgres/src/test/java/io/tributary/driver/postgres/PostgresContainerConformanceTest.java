package io.tributary.driver.postgres;

import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Set;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The PostgreSQL driver against the conformance kit (with {@code TYPE_FIDELITY}) on a real PostgreSQL 16 in Docker
 * ({@code postgres:16}, logical decoding on): the same fixture and edge-value matrix as {@link PostgresConformanceTest}
 * on its embedded PostgreSQL 17. Where Docker is not available the class is skipped, and JUnit reports it skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class PostgresContainerConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        return new PostgresConformanceTest.Fixture(new ContainerPostgres());
    }

    @Override
    protected Set<Behavior> behaviors() {
        return all();
    }

    /** {@code postgres:16} as a {@link PgServer}: its superuser is the image's {@code test}. */
    private static final class ContainerPostgres implements PgServer {
        private final PostgreSQLContainer<?> container = new PostgreSQLContainer<>(DockerImageName.parse("postgres:16"))
                // the settings TestingPostgres gives the embedded server (the image's default command is replaced)
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=10",
                        "-c", "max_wal_senders=10", "-c", "synchronous_commit=on", "-c", "fsync=off",
                        "-c", "full_page_writes=off", "-c", "max_connections=100");

        ContainerPostgres() {
            container.start();
            // the image checks passwords (scram-sha-256) for every TCP login, so a wrong password is rejected
            execute("CREATE ROLE " + TestingPostgres.APP_USER + " LOGIN REPLICATION PASSWORD '"
                    + TestingPostgres.APP_PASSWORD + "'", "GRANT pg_read_all_data TO " + TestingPostgres.APP_USER);
        }

        @Override
        public String host() {
            return container.getHost();
        }

        @Override
        public int port() {
            return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
        }

        @Override
        public String database() {
            return container.getDatabaseName();
        }

        @Override
        public String user() {
            return container.getUsername();
        }

        @Override
        public String password() {
            return container.getPassword();
        }

        @Override
        public Connection connection() throws SQLException {
            return DriverManager.getConnection(container.getJdbcUrl(), user(), password());
        }

        @Override
        public void close() {
            container.stop();
        }
    }
}
