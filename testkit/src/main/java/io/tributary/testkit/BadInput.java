package io.tributary.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.writer.WriterPool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Assertions for bad-input tests: a failing run must leave {@code state.json} and the destination as they were, and
 * no password may appear in an error message (its whole cause chain) or in a log line.
 *
 * <p>Logs are captured by {@link #captureOutput()}, which tees {@code System.out} and {@code System.err}: the tests'
 * SLF4J binding (slf4j-simple) writes every log line to {@code System.err}, looked up at each write, so lines logged
 * by any thread while the capture is open are caught (and still reach the surefire report).
 */
public final class BadInput {
    private BadInput() {
    }

    /**
     * What {@code tributary sync} does with a file state and a jsonl destination: setup, then read (which runs the
     * preflight checks and the state's source check before anything is written).
     */
    public static void sync(String driverType, String sourceConfig, Path stateFile, Path out,
            List<ConfiguredStream> streams) {
        ObjectNode writer = Json.object().put("path", out.toString());
        try (DriverInterface d = Drivers.configured(driverType, Json.parse(sourceConfig), "source.json");
                WriterPool pool = WriterPool.open("jsonl", writer, WriterPool.Options.defaults());
                AbstractDriver a = new AbstractDriver(d, State.load(new FileStateStore(stateFile)),
                        AbstractDriver.Options.defaults().withRetryBackoff(Duration.ofMillis(10),
                                Duration.ofMillis(50)))) {
            a.setup();
            a.read(pool, streams);
        }
    }

    /**
     * Runs {@code run}, which must fail; asserts that the state file and the destination are unchanged and that
     * {@code secret} appears neither in the exception chain nor in any log line; returns the failure.
     */
    public static Throwable failsWithoutSideEffects(Path stateFile, Path out, String secret, Runnable run) {
        Snapshot before = snapshot(stateFile, out);
        Throwable t;
        try (Output output = captureOutput()) {
            t = catchThrowable(run::run);
            assertThat(t).as("the run must fail").isNotNull();
            assertNoSecret(secret, t, output);
        }
        before.assertUnchanged();
        return t;
    }

    /** Everything written to {@code System.out} and {@code System.err} while open. */
    public static final class Output implements AutoCloseable {
        private final PrintStream out;
        private final PrintStream err;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        private Output() {
            out = System.out;
            err = System.err;
            System.setOut(new PrintStream(new Tee(out, buf), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new Tee(err, buf), true, StandardCharsets.UTF_8));
        }

        public String text() {
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            System.out.flush();
            System.err.flush();
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final ByteArrayOutputStream b;

        Tee(OutputStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            synchronized (b) {
                b.write(c);
            }
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            synchronized (b) {
                b.write(bytes, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            a.flush();
        }
    }

    /** Starts capturing {@code System.out} and {@code System.err} (the tests' log output). */
    public static Output captureOutput() {
        return new Output();
    }

    /** Every message, {@code toString} and stack frame text of {@code t} and its causes and suppressed exceptions. */
    public static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        List<Throwable> seen = new ArrayList<>();
        List<Throwable> todo = new ArrayList<>(List.of(t));
        while (!todo.isEmpty()) {
            Throwable x = todo.remove(0);
            if (x == null || seen.stream().anyMatch(s -> s == x)) {
                continue;
            }
            seen.add(x);
            sb.append(x).append('\n');
            todo.add(x.getCause());
            todo.addAll(Arrays.asList(x.getSuppressed()));
        }
        return sb.toString();
    }

    /** Asserts that neither the exception chain nor the captured output contains {@code secret}. */
    public static void assertNoSecret(String secret, Throwable error, Output output) {
        assertThat(describe(error)).as("exception chain of %s", error).doesNotContain(secret);
        assertThat(output.text()).as("log output").doesNotContain(secret);
    }

    /**
     * What a state file and a destination folder hold now: the state file's bytes (or absent) and every regular
     * file below the destination with its size. Compare with {@link #assertUnchanged()} after a failed run.
     */
    public static Snapshot snapshot(Path stateFile, Path destination) {
        return new Snapshot(stateFile, destination);
    }

    /** A state file and destination folder as they were. */
    public static final class Snapshot {
        private final Path stateFile;
        private final Path destination;
        private final byte[] state;
        private final Map<String, Long> files;

        private Snapshot(Path stateFile, Path destination) {
            this.stateFile = stateFile;
            this.destination = destination;
            this.state = read(stateFile);
            this.files = files(destination);
        }

        private static byte[] read(Path p) {
            try {
                return Files.exists(p) ? Files.readAllBytes(p) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static Map<String, Long> files(Path dir) {
            Map<String, Long> out = new TreeMap<>();
            if (!Files.isDirectory(dir)) {
                return out;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile).forEach(p -> {
                    try {
                        out.put(dir.relativize(p).toString(), Files.size(p));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        /** The state file has the same bytes (or is still absent); the destination has exactly the same files. */
        public void assertUnchanged() {
            byte[] now = read(stateFile);
            if (state == null) {
                assertThat(now).as("state file %s must not be created", stateFile).isNull();
            } else {
                assertThat(now).as("state file %s must be unchanged", stateFile).isEqualTo(state);
            }
            assertThat(files(destination)).as("files under destination %s", destination).isEqualTo(files);
        }
    }
}
