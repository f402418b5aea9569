package io.tributary.driver.postgres;

import io.tributary.testkit.TestingPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A PostgreSQL server with logical decoding on that a test writes to: the embedded {@link TestingPostgres}
 * ({@link #of(TestingPostgres)}) or a real server in Docker ({@link PostgresContainerConformanceTest}). {@link #user()}
 * is a superuser; the role {@link TestingPostgres#APP_USER} exists, logs in with a checked password, and has
 * REPLICATION and {@code pg_read_all_data}.
 */
interface PgServer extends AutoCloseable {
    String host();

    int port();

    String database();

    /** A superuser, as the fixture's drivers connect. */
    String user();

    String password();

    /** A new connection to {@link #database()} as {@link #user()}. */
    Connection connection() throws SQLException;

    /** Runs statements (DDL, DML) in autocommit mode as {@link #user()}. */
    default void execute(String... sql) {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    /** Stops the server. */
    @Override
    void close();

    /** The embedded server, reached as {@code postgres} on {@code localhost}; {@link #close()} stops it. */
    static PgServer of(TestingPostgres pg) {
        return new PgServer() {
            @Override
            public String host() {
                return "localhost";
            }

            @Override
            public int port() {
                return pg.port();
            }

            @Override
            public String database() {
                return pg.database();
            }

            @Override
            public String user() {
                return TestingPostgres.USER;
            }

            @Override
            public String password() {
                return TestingPostgres.PASSWORD;
            }

            @Override
            public Connection connection() throws SQLException {
                return pg.connection();
            }

            @Override
            public void execute(String... sql) {
                pg.execute(sql);
            }

            @Override
            public void close() {
                pg.close();
            }
        };
    }
}
