package io.tributary.testkit.reliability;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Runs a sync ({@link SyncMain}) in a child JVM, kills it with SIGKILL at a random moment, restarts it from the
 * saved state, and repeats until a run finishes on its own. The seed is printed so a failing trial replays.
 */
public final class KillResumeHarness {
    /**
     * One trial.
     *
     * @param driverType the driver's type
     * @param sourceConfig the source config file
     * @param writerType the writer's type
     * @param writerConfig the writer config file
     * @param state the state file
     * @param syncMode the sync mode every stream gets
     * @param seed random seed of the kill moments
     * @param maxKills kills before a run is left to finish
     * @param minKillMillis earliest kill after a start
     * @param maxKillMillis latest kill after a start
     */
    public record Trial(String driverType, Path sourceConfig, String writerType, Path writerConfig, Path state,
            String syncMode, long seed, int maxKills, long minKillMillis, long maxKillMillis, String cdcBackfill) {
        public Trial {
            requireNonNull(driverType, "driverType is null");
            requireNonNull(cdcBackfill, "cdcBackfill is null");
        }

        public Trial(String driverType, Path sourceConfig, String writerType, Path writerConfig, Path state,
                String syncMode, long seed, int maxKills, long minKillMillis, long maxKillMillis) {
            this(driverType, sourceConfig, writerType, writerConfig, state, syncMode, seed, maxKills, minKillMillis,
                    maxKillMillis, "before_cdc");
        }

        /** The same trial with the CDC backfill {@code before_cdc} or {@code watermark}. */
        public Trial withCdcBackfill(String backfill) {
            return new Trial(driverType, sourceConfig, writerType, writerConfig, state, syncMode, seed, maxKills,
                    minKillMillis, maxKillMillis, backfill);
        }
    }

    /** What happened: how many runs were killed, and the exit code of the last run. */
    public record Outcome(int kills, int runs, int exitCode, String lastOutput) {
    }

    private KillResumeHarness() {
    }

    public static Outcome run(Trial t) throws IOException, InterruptedException {
        System.out.println("kill/resume trial seed=" + t.seed() + " driver=" + t.driverType() + " writer="
                + t.writerType() + " cdc_backfill=" + t.cdcBackfill());
        Random random = new Random(t.seed());
        int kills = 0;
        int runs = 0;
        while (true) {
            runs++;
            Path log = Files.createTempFile("tributary-child", ".log");
            Process p = start(t, log);
            boolean kill = kills < t.maxKills();
            long wait = t.minKillMillis() + (long) (random.nextDouble() * (t.maxKillMillis() - t.minKillMillis()));
            if (kill && !p.waitFor(wait, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
                p.waitFor();
                kills++;
                Files.deleteIfExists(log);
                continue;
            }
            if (!p.waitFor(Long.getLong("tributary.childTimeoutSeconds", 300), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                String out = Files.readString(log);
                throw new IllegalStateException("child sync did not finish in 5 minutes (seed " + t.seed() + "); its "
                        + "output ends:\n" + out.substring(Math.max(0, out.length() - 6_000)));
            }
            String out = Files.readString(log);
            Files.deleteIfExists(log);
            return new Outcome(kills, runs, p.exitValue(), out);
        }
    }

    private static Process start(Trial t, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SyncMain.class.getName());
        cmd.add(t.driverType());
        cmd.add(t.sourceConfig().toString());
        cmd.add(t.writerType());
        cmd.add(t.writerConfig().toString());
        cmd.add(t.state().toString());
        cmd.add(t.syncMode());
        cmd.add(t.cdcBackfill());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

}
