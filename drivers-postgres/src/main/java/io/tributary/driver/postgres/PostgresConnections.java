package io.tributary.driver.postgres;

import io.tributary.driver.jdbc.JdbcErrors;
import io.tributary.types.ConfigException;
import io.tributary.types.RetriableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/** Opens JDBC and replication connections from the config; turns connection failures into typed errors. */
final class PostgresConnections {
    private final PostgresConfig config;

    PostgresConnections(PostgresConfig config) {
        this.config = config;
    }

    String url() {
        return "jdbc:postgresql://" + config.host() + ":" + config.port() + "/" + config.database();
    }

    private Properties properties() {
        Properties p = new Properties();
        p.setProperty("user", config.username());
        p.setProperty("password", config.password().reveal());
        p.setProperty("ApplicationName", "tributary");
        p.setProperty("connectTimeout", "10");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("sslmode", config.ssl().mode().sslmode());
        if (config.ssl().rootCert() != null) {
            p.setProperty("sslrootcert", config.ssl().rootCert());
        }
        for (Map.Entry<String, String> e : config.jdbcUrlParams().entrySet()) {
            p.setProperty(e.getKey(), e.getValue());
        }
        // the text forms PostgresTypes parses, whatever the server's, database's or role's defaults are; after
        // options from jdbc_url_params, so that ours win (the last -c of a setting does)
        String own = "-c TimeZone=UTC -c DateStyle=ISO,MDY -c extra_float_digits=3 -c bytea_output=hex "
                + "-c IntervalStyle=postgres";
        String theirs = p.getProperty("options");
        p.setProperty("options", theirs == null || theirs.isBlank() ? own : theirs + " " + own);
        // results as text: the select path parses the server's own rendering, as CDC does (pgjdbc's binary
        // transfer, used once a statement is server-prepared, renders some types itself)
        p.setProperty("binaryTransfer", "false");
        return p;
    }

    /** Whether a connection ever succeeded (then a failed connect is retried rather than a config error). */
    private volatile boolean connected;

    /**
     * pgJDBC's driver, used directly: {@code DriverManager} finds only drivers registered from a class loader the
     * caller sees, which fails in a Flink task (child-first user class loader, one per job; seen on a session
     * cluster: "No suitable driver found" after another job had loaded the driver).
     */
    private static final java.sql.Driver JDBC = new org.postgresql.Driver();

    private static Connection connect(String url, Properties p) throws SQLException {
        Connection c = JDBC.connect(url, p);
        if (c == null) {
            throw new SQLException("pgJDBC does not accept the URL " + url);
        }
        return c;
    }

    Connection open() {
        try {
            Connection c = connect(url(), properties());
            connected = true;
            return c;
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /** A logical replication connection ({@code replication=database}). */
    Connection openReplication() {
        Properties p = properties();
        p.setProperty("replication", "database");
        p.setProperty("assumeMinServerVersion", "10");
        p.setProperty("preferQueryMode", "simple");
        try {
            return connect(url(), p);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /**
     * Connection-level failures: wrong credentials, unknown databases or host names, a refused TLS setup and missing
     * privileges are config errors (a retry cannot fix them). A refused connection, a timeout, a server starting up
     * or shutting down (57P03, 57P01) or out of connection slots is transient: a restart or a failover looks like
     * that, so the orchestrator retries it and the CLI exits with 5, not 3. The rest is transient too.
     */
    RuntimeException translate(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = config.username() + "@" + config.host() + ":" + config.port() + "/" + config.database();
        String at = config.host() + ":" + config.port();
        return switch (state) {
            case "28P01", "28000" -> new ConfigException("PostgreSQL rejected the credentials of " + where
                    + " (check 'username' and 'password', and pg_hba.conf)", e);
            case "3D000" -> new ConfigException("database '" + config.database() + "' does not exist on "
                    + at + " (check 'database')", e);
            case "42501" -> new ConfigException("PostgreSQL denied " + config.username() + " a privilege on "
                    + at + "/" + config.database() + ": " + safe(e.getMessage())
                    + " (GRANT it, e.g. GRANT SELECT ON <table> TO " + config.username() + ")", e);
            case "08001", "08004", "08006" -> {
                if (JdbcErrors.hasCause(e, java.net.UnknownHostException.class)) {
                    yield new ConfigException("cannot connect to PostgreSQL at " + at + ": unknown host '"
                            + config.host() + "' (check 'host')", e);
                }
                if (JdbcErrors.hasCause(e, javax.net.ssl.SSLException.class) || "08004".equals(state)) {
                    yield new ConfigException("cannot connect to PostgreSQL at " + at + " (check 'ssl'): "
                            + safe(e.getMessage()), e);
                }
                yield new RetriableException((connected ? "lost PostgreSQL at " : "cannot connect to PostgreSQL at ")
                        + at + " (the server is down, restarting or unreachable; retried, then check 'host', "
                        + "'port' and that the server runs): " + safe(e.getMessage()), e);
            }
            default -> new RetriableException("PostgreSQL error on " + where + " [" + state + "]: "
                    + safe(e.getMessage()), e);
        };
    }

    private String safe(String message) {
        return JdbcErrors.masked(message, config.password().reveal());
    }
}
