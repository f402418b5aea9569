package io.tributary.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A real PostgreSQL 17 server for tests, started from Zonky's embedded binaries (Maven Central; no install, no
 * Docker), configured for logical decoding: {@code wal_level=logical}, replication slots and senders,
 * {@code synchronous_commit=on} so changes are decodable at once. One per test class ({@link PerClassPostgres} starts
 * and stops it); {@link #close()} stops it.
 */
public final class TestingPostgres implements AutoCloseable {
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    /** A login role with a password that is checked (scram-sha-256), REPLICATION and read access. */
    public static final String APP_USER = "tributary";
    public static final String APP_PASSWORD = "tributary-pw";

    private final EmbeddedPostgres pg;

    public TestingPostgres() {
        this("logical");
    }

    /** A server with the given {@code wal_level} ({@code logical}, or {@code replica} to test the error). */
    public TestingPostgres(String walLevel) {
        try {
            pg = EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", walLevel)
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "100")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
        execute("ALTER USER postgres PASSWORD '" + PASSWORD + "'",
                "CREATE ROLE " + APP_USER + " LOGIN REPLICATION PASSWORD '" + APP_PASSWORD + "'",
                "GRANT pg_read_all_data TO " + APP_USER);
        requirePasswords();
    }

    /**
     * Embedded PostgreSQL trusts every local connection; keep that for the superuser the fixture uses, and make
     * every other role authenticate with scram-sha-256, so wrong-password errors are real.
     */
    private void requirePasswords() {
        try (Connection c = connection(); Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SHOW hba_file")) {
            rs.next();
            java.nio.file.Files.writeString(java.nio.file.Path.of(rs.getString(1)), String.join("\n",
                    "local all all trust",
                    "host all postgres 127.0.0.1/32 trust",
                    "host all postgres ::1/128 trust",
                    "host all all 127.0.0.1/32 scram-sha-256",
                    "host all all ::1/128 scram-sha-256",
                    "host replication postgres 127.0.0.1/32 trust",
                    "host replication postgres ::1/128 trust",
                    "host replication all 127.0.0.1/32 scram-sha-256",
                    "host replication all ::1/128 scram-sha-256", ""));
            st.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot configure pg_hba.conf: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return pg.getPort();
    }

    public String database() {
        return "postgres";
    }

    public DataSource dataSource() {
        return pg.getPostgresDatabase();
    }

    public Connection connection() throws SQLException {
        return pg.getPostgresDatabase().getConnection();
    }

    /** Runs statements (DDL, DML) in autocommit mode. */
    public void execute(String... sql) {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            pg.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
