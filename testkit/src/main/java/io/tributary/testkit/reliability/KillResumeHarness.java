package io.tributary.testkit.reliability;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a sync ({@link SyncMain}) in a child JVM, kills it with SIGKILL a number of times and restarts it from the
 * saved state each time, then lets a last run finish on its own. The seed is printed so a failing trial replays
 * ({@code -Dtributary.seed=S}): it fixes each kill's target phase and delay, not the child's speed.
 *
 * <p>A kill is aimed at a moment of the sync's progress, not at a time since the JVM started, so that it lands in
 * the same phase on a fast machine and on a loaded one: the harness reads the child's progress markers
 * ({@link SyncMain}) and kills a random delay after a random chunk commit of the backfill (the kill lands in a chunk
 * read, in a commit, between a commit and the state save, or past the last chunk in CDC), or, once no backfill is
 * left, a random delay after the child began reading (the kill lands in CDC, with the load's changes flowing). The
 * phase each kill hit is reported, from what the child printed before it died, as is the number of chunks a resumed
 * run found already committed in the destination though still in state: a kill between a writer commit and the
 * state save.
 *
 * <p>Each run's JVM is started while the previous run still works and waits ({@code -Dtributary.awaitGo}) until
 * that one is dead. Child JVMs run C1 only with the serial collector (a child lives for a second or two) and, from
 * the second trial on, with an application class-data archive the first finished run dumped
 * ({@code -XX:ArchiveClassesAtExit}; the class path's directories are jarred for it).
 * {@code -Dtributary.childCds=false} and {@code -Dtributary.childJvmOptions=...} change that;
 * {@code -Dtributary.keepChildLogs=true} keeps every run's output.
 */
public final class KillResumeHarness {
    private static final Pattern MARKER = Pattern.compile("^(@[a-z-]+)(.*)$", Pattern.MULTILINE);
    private static final String VM_INIT_FAILED = "Error occurred during initialization of VM";
    /** Class-data archives by child command line; empty when dumping one failed. */
    private static final Map<String, Optional<Path>> ARCHIVES = new ConcurrentHashMap<>();
    /** Jars of the class path's directories, by directory. */
    private static final Map<String, Path> JARS = new ConcurrentHashMap<>();

    /**
     * One trial.
     *
     * @param driverType the driver's type
     * @param sourceConfig the source config file
     * @param writerType the writer's type
     * @param writerConfig the writer config file
     * @param state the state file
     * @param syncMode the sync mode every stream gets
     * @param seed random seed of the kills' targets and delays
     * @param kills runs killed before one is left to finish
     * @param killWindowMillis a kill comes up to this long after a random chunk commit of the run's backfill, or
     *     after the run began reading when no backfill is left (such a run reads the load's backlog in a few hundred
     *     milliseconds)
     * @param cdcBackfill {@code before_cdc} or {@code watermark}
     */
    public record Trial(String driverType, Path sourceConfig, String writerType, Path writerConfig, Path state,
            String syncMode, long seed, int kills, long killWindowMillis, String cdcBackfill) {
        public Trial {
            requireNonNull(driverType, "driverType is null");
            requireNonNull(sourceConfig, "sourceConfig is null");
            requireNonNull(writerType, "writerType is null");
            requireNonNull(writerConfig, "writerConfig is null");
            requireNonNull(state, "state is null");
            requireNonNull(syncMode, "syncMode is null");
            requireNonNull(cdcBackfill, "cdcBackfill is null");
        }

        public Trial(String driverType, Path sourceConfig, String writerType, Path writerConfig, Path state,
                String syncMode, long seed, int kills, long killWindowMillis) {
            this(driverType, sourceConfig, writerType, writerConfig, state, syncMode, seed, kills, killWindowMillis,
                    "before_cdc");
        }

        /** The same trial with the CDC backfill {@code before_cdc} or {@code watermark}. */
        public Trial withCdcBackfill(String backfill) {
            return new Trial(driverType, sourceConfig, writerType, writerConfig, state, syncMode, seed, kills,
                    killWindowMillis, backfill);
        }

        private boolean cdc() {
            return syncMode.contains("cdc");
        }
    }

    /** What a killed run was doing when it died, from the progress it printed. */
    public enum Phase {
        /** Before discovery finished: JVM start, connecting, setup. */
        STARTUP,
        /** Reading and committing chunks (in watermark mode: beside the change stream). */
        BACKFILL,
        /** The change stream, after every backfill of the run completed. */
        CDC,
        /** Nothing: the run finished before its kill moment. */
        FINISHED
    }

    /**
     * One killed run.
     *
     * @param phase what it was doing
     * @param millis how long after its start it died
     * @param chunks chunks it committed
     * @param checkpoints CDC checkpoints it committed
     */
    public record Kill(Phase phase, long millis, int chunks, int checkpoints) {
        @Override
        public String toString() {
            return phase.name().toLowerCase(java.util.Locale.ROOT) + " +" + millis + "ms (" + chunks + " chunks, "
                    + checkpoints + " checkpoints)";
        }
    }

    /**
     * What happened.
     *
     * @param kills the killed runs, in order
     * @param runs every run, the last one included
     * @param exitCode the last run's exit code
     * @param lastOutput the last run's output
     * @param chunksFoundCommitted chunks a resumed run found committed in the destination though still in state
     * @param lastMillis how long the last run took
     */
    public record Outcome(List<Kill> kills, int runs, int exitCode, String lastOutput, int chunksFoundCommitted,
            long lastMillis) {
        public Outcome {
            kills = List.copyOf(kills);
        }

        /** Runs actually killed (not {@link Phase#FINISHED} before their kill moment). */
        public long killed() {
            return kills.stream().filter(k -> k.phase() != Phase.FINISHED).count();
        }

        /** A line for the test output: each kill's phase, and the commits found on resume. */
        public String summary() {
            return killed() + " kills " + kills + ", last run " + lastMillis + "ms, " + chunksFoundCommitted
                    + " chunks found committed but still in state on resume";
        }
    }

    private KillResumeHarness() {
    }

    /** Runs a trial: {@link Trial#kills()} killed runs, then {@code beforeLastRun}, then a run left to finish. */
    public static Outcome run(Trial t, Runnable beforeLastRun) throws IOException, InterruptedException {
        System.out.println("kill/resume trial seed=" + t.seed() + " driver=" + t.driverType() + " writer="
                + t.writerType() + " cdc_backfill=" + t.cdcBackfill() + " (replay: -Dtributary.seed=" + t.seed() + ")");
        Random random = new Random(t.seed());
        List<Kill> kills = new ArrayList<>();
        boolean backfillDone = false;
        int foundCommitted = 0;
        // each run's JVM starts while the previous run still works, and goes once that one is dead
        Child next = Child.take(t, t.kills() == 0);
        for (int k = 0; k < t.kills(); k++) {
            // the backfill while there is one (a long delay runs past it into CDC), then the change stream: a run
            // with no backfill left reads the backlog the load wrote since the last kill, briefly
            boolean aimAtCdc = t.cdc() && backfillDone;
            // a run that only backfills finishes soon after its last chunk: until one kill has landed, aim at the
            // first half of the chunks left, so that every such trial kills at least once
            boolean noneLanded = kills.stream().allMatch(x -> x.phase() == Phase.FINISHED);
            double afterChunks = random.nextDouble() * (!t.cdc() && noneLanded ? 0.5 : 1.0);
            long delay = (long) (random.nextDouble() * t.killWindowMillis());
            Child child = next;
            child.go();
            next = Child.take(t, k == t.kills() - 1);
            Kill kill = child.killAfter(aimAtCdc, afterChunks, delay);
            kills.add(kill);
            foundCommitted += child.foundCommitted();
            backfillDone |= child.backfillCompleted();
            child.delete();
        }
        beforeLastRun.run();
        Child last = next;
        last.go();
        int exit = last.await();
        if (exit != 0 && last.output().contains(VM_INIT_FAILED) && last.dumpsArchive != null) {
            // the JVM could not dump a class-data archive of this class path: run without one
            last.delete();
            last = Child.take(t, false);
            last.go();
            exit = last.await();
        }
        foundCommitted += last.foundCommitted();
        String out = last.output();
        last.delete();
        return new Outcome(kills, t.kills() + 1, exit, out, foundCommitted, last.elapsed());
    }

    /** A child JVM running {@link SyncMain}, its output in a file. */
    private static final class Child {
        /** A JVM started ahead of its run, waiting for it; at most one. */
        private static Child spare;

        private final List<String> command;
        private final Process process;
        private final Path log;
        /** The class-data archive this run dumps at exit, or null. */
        private final Path dumpsArchive;
        private final String archiveKey;
        private Trial trial;
        private long started;
        private int read;
        private int backfillsStarted;
        private long chunksToRead;
        private int backfillsCompleted;
        private int chunks;
        private int checkpoints;

        private Child(List<String> command, Process process, Path log, Path dumpsArchive, String archiveKey) {
            this.command = command;
            this.archiveKey = archiveKey;
            this.process = process;
            this.log = log;
            this.dumpsArchive = dumpsArchive;
        }

        /**
         * A JVM for a run of {@code t}: the spare one if it has the same command line, else a new one; and a new
         * spare for the next run. A run that may dump a class-data archive gets a new JVM that dumps one when the
         * command line has none yet.
         */
        static synchronized Child take(Trial t, boolean mayDumpArchive) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx256m");
            cmd.add("-Dtributary.awaitGo=true");
            cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true"); // milliseconds since start, when slf4j-simple logs
            for (String o : System.getProperty("tributary.childJvmOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
                    .trim().split("\\s+")) {
                if (!o.isEmpty()) {
                    cmd.add(o);
                }
            }
            String classPath = classPath();
            String key = String.join(" ", cmd) + " " + classPath;
            Path dump = null;
            if (Boolean.parseBoolean(System.getProperty("tributary.childCds", "true"))) {
                Optional<Path> archive = ARCHIVES.get(key);
                if (archive != null && archive.isPresent() && Files.exists(archive.get())) {
                    cmd.add("-XX:SharedArchiveFile=" + archive.get());
                } else if (archive == null && mayDumpArchive) {
                    dump = Files.createTempFile("tributary-child", ".jsa");
                    Files.delete(dump);
                    dump.toFile().deleteOnExit();
                    cmd.add("-XX:ArchiveClassesAtExit=" + dump);
                }
            }
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(SyncMain.class.getName());
            Child c;
            if (spare != null && spare.command.equals(cmd) && spare.process.isAlive()) {
                c = spare;
            } else {
                if (spare != null) {
                    spare.discard();
                }
                c = launch(cmd, dump, key);
            }
            spare = dump == null ? launch(cmd, null, key) : null;
            c.trial = t;
            return c;
        }

        private static Child launch(List<String> cmd, Path dump, String key) throws IOException {
            Path log = Files.createTempFile("tributary-child", ".log");
            log.toFile().deleteOnExit(); // the spare left at the end is never used
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Child(List.copyOf(cmd), p, log, dump, key);
        }

        /** A spare JVM not needed: end of input makes it exit having done nothing. */
        private void discard() throws IOException {
            process.getOutputStream().close();
            Files.deleteIfExists(log);
        }

        /** Lets the waiting JVM start the sync. */
        void go() throws IOException {
            started = System.nanoTime();
            List<String> args = List.of(trial.driverType(), trial.sourceConfig().toString(), trial.writerType(),
                    trial.writerConfig().toString(), trial.state().toString(), trial.syncMode(), trial.cdcBackfill());
            try {
                process.getOutputStream().write(("go\n" + String.join("\n", args) + "\n\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                process.getOutputStream().flush();
            } catch (IOException e) {
                if (process.isAlive()) {
                    throw e;
                }
                // the JVM died before it was ready: await() reports its exit code and output
            }
        }

        /**
         * The test's class path with every directory (a module's {@code target/classes}) replaced by a jar of it,
         * made once per test JVM: a class-data archive holds classes from jars only, and the JVM refuses to dump one
         * when it loaded a class from a directory.
         */
        private static String classPath() throws IOException {
            List<String> out = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(e);
                out.add(Files.isDirectory(p) ? JARS.computeIfAbsent(e, d -> jar(p)).toString() : e);
            }
            return String.join(File.pathSeparator, out);
        }

        private static Path jar(Path dir) {
            try {
                Path jar = Files.createTempFile("tributary-classpath", ".jar");
                jar.toFile().deleteOnExit();
                try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                        java.util.stream.Stream<Path> files = Files.walk(dir)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                        out.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
                return jar;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot jar class path directory " + dir, e);
            }
        }

        /**
         * Waits for the moment aimed at, then {@code delay} more, and kills the child if it still runs. In the
         * backfill the moment is a chunk commit: {@code afterChunks} of the chunks the run has to read (0: when the
         * backfill starts, 1: after its last chunk, on the way into CDC); when no backfill is left, the moment the run
         * begins reading.
         */
        Kill killAfter(boolean aimAtCdc, double afterChunks, long delay) throws IOException, InterruptedException {
            long timeout = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds());
            while (process.isAlive()) {
                scan();
                if (aimAtCdc ? read > 0 : backfillsStarted > 0 && chunks >= Math.round(afterChunks * chunksToRead)) {
                    break;
                }
                if (System.nanoTime() > timeout) {
                    throw timedOut();
                }
                process.waitFor(2, TimeUnit.MILLISECONDS);
            }
            if (process.waitFor(delay, TimeUnit.MILLISECONDS)) {
                scan();
                return new Kill(Phase.FINISHED, elapsed(), chunks, checkpoints);
            }
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
            process.waitFor();
            long millis = elapsed();
            scan();
            Phase phase = read == 0 ? Phase.STARTUP
                    : backfillsCompleted < backfillsStarted || !trial.cdc() ? Phase.BACKFILL : Phase.CDC;
            return new Kill(phase, millis, chunks, checkpoints);
        }

        int await() throws IOException, InterruptedException {
            if (!process.waitFor(timeoutSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw timedOut();
            }
            int exit = process.exitValue();
            if (dumpsArchive != null) {
                ARCHIVES.put(archiveKey, exit == 0 && Files.exists(dumpsArchive) ? Optional.of(dumpsArchive)
                        : Optional.empty());
            }
            return exit;
        }

        boolean backfillCompleted() {
            return backfillsStarted > 0 && backfillsCompleted >= backfillsStarted;
        }

        int foundCommitted() throws IOException {
            Matcher m = Pattern.compile("was committed by an earlier run").matcher(output());
            int n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        }

        String output() throws IOException {
            return Files.readString(log);
        }

        void delete() throws IOException {
            if (Boolean.getBoolean("tributary.keepChildLogs")) {
                System.out.println("child output kept in " + log);
            } else {
                Files.deleteIfExists(log);
            }
        }

        private void scan() throws IOException {
            read = 0;
            backfillsStarted = 0;
            chunksToRead = 0;
            backfillsCompleted = 0;
            chunks = 0;
            checkpoints = 0;
            Matcher m = MARKER.matcher(output());
            while (m.find()) {
                switch (m.group(1)) {
                    case SyncMain.READ -> read++;
                    case SyncMain.BACKFILL_STARTED -> {
                        backfillsStarted++;
                        String[] words = m.group(2).trim().split(" ");
                        chunksToRead += Long.parseLong(words[words.length - 1]);
                    }
                    case SyncMain.BACKFILL_COMPLETED -> backfillsCompleted++;
                    case SyncMain.CHUNK -> chunks++;
                    case SyncMain.CHECKPOINT -> checkpoints++;
                    default -> {
                    }
                }
            }
        }

        private long elapsed() {
            return (System.nanoTime() - started) / 1_000_000;
        }

        private static long timeoutSeconds() {
            return Long.getLong("tributary.childTimeoutSeconds", 300);
        }

        private IllegalStateException timedOut() throws IOException {
            process.destroyForcibly();
            String out = output();
            return new IllegalStateException("child sync did not finish in " + timeoutSeconds() + " s (seed "
                    + trial.seed() + "); its output ends:\n" + out.substring(Math.max(0, out.length() - 6_000)));
        }
    }
}
