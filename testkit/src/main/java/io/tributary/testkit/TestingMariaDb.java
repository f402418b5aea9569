package io.tributary.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB server for tests, started from the machine's Debian packages ({@code mariadb-server}: a private
 * {@code mariadbd --no-defaults} on a temporary data folder and a free port) with the binlog on, ROW format, FULL row
 * images. {@link #available()} says whether the binaries exist; tests skip (visibly) when they do not. Its
 * {@link #ADMIN_USER} exists because mariadb-install-db's root only answers on the socket.
 */
public final class TestingMariaDb implements TestingMySqlServer {
    private final Path dir;
    private final int port;
    private volatile Process server;
    private final List<String> command;

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/mariadbd")) && Files.isExecutable(Path.of("/usr/bin/mariadb-install-db"));
    }

    public TestingMariaDb() {
        this("ROW");
    }

    /** A server with the given {@code binlog_format} (ROW, or STATEMENT to test the error). */
    public TestingMariaDb(String binlogFormat) {
        this(binlogFormat, 1);
    }

    /** A server with the given {@code binlog_format} and {@code server_id}. */
    public TestingMariaDb(String binlogFormat, int serverId) {
        try {
            dir = Files.createTempDirectory("tributary-mariadb");
            Path data = dir.resolve("data");
            run(List.of("/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + data, "--user=root",
                    "--auth-root-authentication-method=normal", "--skip-test-db"), 120);
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of("/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + data,
                    "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("sock"),
                    "--pid-file=" + dir.resolve("pid"), "--log-error=" + dir.resolve("error.log"), "--user=root",
                    "--log-bin=" + dir.resolve("binlog"), "--binlog-format=" + binlogFormat,
                    "--binlog-row-image=FULL", "--server-id=" + serverId, "--skip-name-resolve",
                    "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
                    "--innodb-buffer-pool-size=64M", "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0"));
            command = List.copyOf(cmd);
            server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile())
                    .start();
            waitForSocket();
            run(List.of("/usr/bin/mariadb", "--no-defaults", "--socket=" + dir.resolve("sock"), "-uroot", "-e",
                    "CREATE USER '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "'; "
                            + "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION; "
                            + "CREATE USER '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "'; "
                            + "GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO '"
                            + APP_USER + "'@'%'; CREATE DATABASE shop; FLUSH PRIVILEGES;"), 60);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start MariaDB", e);
        }
    }

    private void waitForSocket() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                DriverManager.getConnection(url("mysql"), "root", "").close();
                return;
            } catch (SQLException e) {
                if (!server.isAlive()) {
                    throw new IOException("mariadbd exited: " + Files.readString(dir.resolve("error.log")));
                }
                if (Files.exists(dir.resolve("sock")) && Files.exists(dir.resolve("pid"))) {
                    return; // root@localhost only answers on the socket; the server is up
                }
                sleep();
            }
        }
        throw new IOException("mariadbd did not start in 60 s");
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void run(List<String> cmd, int seconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
                String out = new String(p.getInputStream().readAllBytes());
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Stops the server (SIGTERM, a clean shutdown) and starts it again on the same data and port. */
    @Override
    public void restart() {
        stopServer();
        try {
            Files.deleteIfExists(dir.resolve("pid"));
            Files.deleteIfExists(dir.resolve("sock"));
            server = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile())).start();
            waitForSocket();
            connection().close(); // the TCP listener is up too
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart MariaDB", e);
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB restarted but does not answer: " + e.getMessage(), e);
        }
    }

    private void stopServer() {
        server.destroy();
        try {
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
                server.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String product() {
        return "MariaDB";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        stopServer();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp folder
        }
    }
}
