package io.tributary.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debezium's embedded engine with its MariaDB connector on the benchmark's MariaDB, into consumers that only count
 * records: the initial snapshot of a table, and the streaming drain of changes applied while the engine was stopped
 * (as {@link DebeziumBench} does for PostgreSQL).
 *
 * <p>Versions: {@code debezium-connector-mariadb} 3.5.0.Final with its own 3.5.0 engine, the newest published (no
 * 3.6.x of that connector is on Maven Central). The 3.6 MySQL connector cannot serve: it takes MariaDB's version
 * 10.11 for a MySQL of at least 8.4 and sends {@code SHOW BINARY LOG STATUS}, a syntax error on MariaDB; and the 3.5
 * connector does not run on the 3.6.3 engine of the PostgreSQL comparison ({@code NoSuchMethodError} in
 * {@code io.debezium.util.Threads}).
 *
 * <p>So it runs in a child JVM from the self-contained jar of the {@code bench-debezium-mariadb} module (copied to
 * {@code target/debezium-mariadb/}; its binlog client, Debezium's fork {@code io.debezium:mysql-binlog-connector-java}
 * 0.40, shares Java packages with the {@code com.zendesk} 0.30.1 that drivers-mysql uses, so they cannot share a class
 * path either), with the parent's heap settings. The child measures itself (engine start to the last record counted,
 * peak heap, GC time) and prints one {@code RESULT} line.
 */
final class DebeziumMariaDbBench {
    static final String JAR = "tributary-bench-debezium-mariadb.jar";

    private DebeziumMariaDbBench() {
    }

    /** Where the database is; passed to the child on its command line. */
    record Target(String host, int port, String user, String password, String database) {
        List<String> args() {
            return List.of(host, Integer.toString(port), user, password, database);
        }
    }

    /** The child's jar: {@code -Dbench.debeziumMariaDbJar=PATH}, or {@code debezium-mariadb/} beside the bench jar. */
    static Optional<Path> jar() {
        String p = System.getProperty("bench.debeziumMariaDbJar");
        if (p != null) {
            return Optional.of(Path.of(p));
        }
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path dir = Path.of(entry).toAbsolutePath().getParent();
            if (dir != null && Files.isRegularFile(dir.resolve("debezium-mariadb").resolve(JAR))) {
                return Optional.of(dir.resolve("debezium-mariadb").resolve(JAR));
            }
        }
        return Optional.empty();
    }

    /** The initial snapshot of {@code table} ({@code rows} rows). */
    static BackfillBench.Result snapshot(Path jar, Target t, String table, long rows, long tableBytes,
            DebeziumBench.Format format, Path work, int serverId) throws Exception {
        return child(jar, List.of("snapshot", format.name(), table, Long.toString(rows), Long.toString(tableBytes),
                work.toString(), Integer.toString(serverId)), t, null);
    }

    /** Streaming: the engine starts and stops, {@code apply} makes {@code changes} changes, then the drain is timed. */
    static BackfillBench.Result streaming(Path jar, Target t, String table, long changes, Runnable apply, Path work,
            int serverId) throws Exception {
        return child(jar, List.of("stream", "CONNECT", table, Long.toString(changes), "0", work.toString(),
                Integer.toString(serverId)), t, apply);
    }

    private static BackfillBench.Result child(Path jar, List<String> args, Target t, Runnable whenReady)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xmx") || a.startsWith("-Xms") || a.matches("-XX:[+-]Use\\w+GC")) {
                cmd.add(a); // the same heap and collector as the parent
            }
        }
        cmd.addAll(List.of("-cp", jar.toString(), "io.tributary.bench.mariadb.DebeziumMariaDbRun"));
        cmd.addAll(args);
        cmd.addAll(t.args());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BackfillBench.Result result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals("READY") && whenReady != null) {
                    whenReady.run();
                    w.write("GO\n");
                    w.flush();
                } else if (line.startsWith("RESULT\t")) {
                    String[] f = line.split("\t");
                    result = new BackfillBench.Result(f[1], 1, Long.parseLong(f[2]), Double.parseDouble(f[3]),
                            Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]));
                } else {
                    System.out.println(line);
                }
            }
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || result == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the Debezium child JVM failed; its log is above");
        }
        System.out.printf(java.util.Locale.ROOT, "%-40s threads=%d %,12.0f rows/s %8.1f MB/s%n", result.what(),
                result.threads(), result.rowsPerSecond(), result.mbPerSecond());
        return result;
    }
}
