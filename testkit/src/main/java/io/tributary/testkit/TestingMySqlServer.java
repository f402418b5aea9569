package io.tributary.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A private server speaking the MySQL protocol, started by a test: {@link TestingMariaDb} or {@link TestingMySql8}.
 * Each has the binlog on (ROW format unless asked otherwise, FULL row images), a database {@code shop}, an
 * administrator {@link #ADMIN_USER} and a least-privileged CDC user {@link #APP_USER} (SELECT and the replication
 * grants), both reachable over TCP on {@link #host()}:{@link #port()}. A test written against this interface runs
 * against either server.
 */
public interface TestingMySqlServer extends AutoCloseable {
    /** An administrator reachable over TCP, with every privilege. */
    String ADMIN_USER = "admin";
    String ADMIN_PASSWORD = "admin-pw";
    /** A user with SELECT and the grants binlog CDC needs, nothing else. */
    String APP_USER = "tributary";
    String APP_PASSWORD = "tributary-pw";

    /** The server's product and version as tests name it, e.g. {@code MariaDB} or {@code MySQL 8.0.15}. */
    String product();

    /** The servers listen on the loopback address only. */
    default String host() {
        return "127.0.0.1";
    }

    int port();

    /** A JDBC URL (Connector/J) for {@code database}, without TLS. */
    default String url(String database) {
        return "jdbc:mysql://" + host() + ":" + port() + "/" + database + "?allowPublicKeyRetrieval=true&useSSL=false";
    }

    /** A new connection to {@code shop} as {@link #ADMIN_USER}. */
    default Connection connection() throws SQLException {
        return DriverManager.getConnection(url("shop"), ADMIN_USER, ADMIN_PASSWORD);
    }

    /** Runs each statement in turn on one connection as {@link #ADMIN_USER}; a failure is an unchecked exception. */
    default void execute(String... sql) {
        try (Connection c = connection(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    /** Stops the server (a clean shutdown) and starts it again on the same data and port. */
    void restart();

    /**
     * {@code <derived table> WHERE seq <= to}: the integers {@code from..to} (at most 100,000 of them) as column
     * {@code seq}, for either server (MariaDB's {@code seq_1_to_N} tables do not exist on MySQL), e.g.
     * {@code "INSERT INTO t SELECT seq, 0 FROM " + integers(1, 5000)}.
     */
    static String integers(long from, long to) {
        String digit = "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 "
                + "UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        return "(SELECT " + from + " + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS seq FROM " + digit
                + " a, " + digit + " b, " + digit + " c, " + digit + " e, " + digit + " f) seqs WHERE seq <= " + to;
    }

    /** Stops the server and deletes its data. */
    @Override
    void close();
}
