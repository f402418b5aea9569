package io.tributary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.CdcBackfill;
import io.tributary.core.DriverInterface;
import io.tributary.core.SyncListener;
import io.tributary.metrics.TributaryMetrics;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.concurrent.Retry;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.types.CancelledException;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.RetriableException;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.TributaryException;
import io.tributary.types.ValueErrors;
import io.tributary.writer.Providers;
import io.tributary.writer.WriterFactory;
import io.tributary.writer.WriterPool;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code tributary} command, with OLake's protocol: {@code spec}, {@code check}, {@code discover}, {@code sync},
 * {@code clear-destination}, on OLake-shaped {@code source.json}, {@code streams.json}, {@code destination.json} and
 * {@code state.json}.
 *
 * <p>Exit codes: 0 success; 2 bad usage; 3 configuration error (fix a file or a grant); 4 the sync failed and a
 * re-run will not help without a change; 5 the sync failed after its retries (transient: re-run later);
 * 130 interrupted.
 */
@Command(name = "tributary", mixinStandardHelpOptions = true, versionProvider = TributaryCli.Version.class,
        description = "Replicate a database into a lakehouse (OLake-compatible protocol).",
        subcommands = {TributaryCli.Spec.class, TributaryCli.Check.class, TributaryCli.Discover.class,
                TributaryCli.Sync.class, TributaryCli.ClearDestination.class})
public final class TributaryCli {
    static final int CONFIG_ERROR = 3;
    static final int FAILED = 4;
    static final int RETRIES_EXHAUSTED = 5;
    static final int INTERRUPTED = 130;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    @Option(names = "--log-level", scope = CommandLine.ScopeType.INHERIT, defaultValue = "warn",
            description = "Level of Tributary's own log lines on stderr: trace, debug, info, warn, error, off "
                    + "(default warn: the progress lines tell the milestones).")
    void logLevel(String level) {
        checkLevel("--log-level", level);
    }

    @Option(names = "--third-party-log-level", scope = CommandLine.ScopeType.INHERIT, defaultValue = "warn",
            description = "Level of other libraries' log lines (JDBC and binlog clients, Hadoop, Iceberg); "
                    + "default warn.")
    void thirdPartyLogLevel(String level) {
        checkLevel("--third-party-log-level", level);
    }

    private static void checkLevel(String option, String level) {
        if (!Logging.LEVELS.contains(level.toLowerCase(java.util.Locale.ROOT))) {
            throw new CommandLine.ParameterException(new CommandLine(new TributaryCli()), option + " must be one of "
                    + Logging.LEVELS + ", got '" + level + "'");
        }
    }

    /** Runs the command line and returns the exit code (for embedding and tests). */
    public static int run(String... args) {
        return run(List.of(), args);
    }

    /**
     * Runs the command line with extra subcommands (picocli {@code @Command} objects, e.g. the examples'
     * {@code quickstart}) beside the standard ones, and returns the exit code.
     */
    public static int run(List<?> extraSubcommands, String... args) {
        Logging.configure(args); // before the first logger is made
        CommandLine cli = new CommandLine(new TributaryCli());
        for (Object sub : extraSubcommands) {
            cli.addSubcommand(sub);
        }
        return cli
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    PrintStream err = cmd.getErr() == null ? System.err : new PrintStream(System.err);
                    err.println("error: " + e.getMessage());
                    return exitCode(e);
                })
                .execute(args);
    }

    static int exitCode(Exception e) {
        if (e instanceof ConfigException) {
            return CONFIG_ERROR;
        }
        if (e instanceof CancelledException) {
            return INTERRUPTED;
        }
        if (e instanceof RetriableException || Retry.isTransient(e)) {
            return RETRIES_EXHAUSTED;
        }
        return FAILED; // NonRetriableException, and any other exception (a bug) that no retry would fix
    }

    /** The version from the jar's manifest ({@code Implementation-Version}); "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TributaryCli.class.getPackage().getImplementationVersion();
            return new String[] {"tributary " + (v == null ? "dev" : v)};
        }
    }

    /** Options shared by commands that read the source. */
    static class SourceOptions {
        @Option(names = {"-t", "--type"}, required = true,
                description = "Driver type: postgres, mysql, mongodb (or a third-party driver's type).")
        String type;

        @Option(names = "--config", required = true, description = "The source config (OLake's source.json).")
        Path config;

        DriverInterface driver() {
            return Drivers.configured(type, ConfigFiles.read(config), config.toString());
        }
    }

    @Command(name = "spec", mixinStandardHelpOptions = true,
            description = "Print the JSON schema of a driver's or a writer's config.")
    static final class Spec implements Callable<Integer> {
        @Option(names = {"-t", "--type"}, description = "Driver type.")
        String type;

        @Option(names = "--destination-type", description = "Writer type (iceberg, parquet, jsonl, memory).")
        String destinationType;

        @Override
        public Integer call() {
            JsonNode spec;
            if (destinationType != null) {
                spec = Providers.find(WriterFactory.class, WriterFactory::type, destinationType.toLowerCase(),
                        Providers.defaultLoader()).spec();
            } else if (type != null) {
                spec = Drivers.find(type).spec();
            } else {
                throw new ConfigException("spec needs --type <driver> or --destination-type <writer>; drivers: "
                        + Drivers.available(Providers.defaultLoader()).keySet());
            }
            ObjectNode out = Json.object();
            out.set("jsonschema", spec);
            System.out.println(Json.write(out));
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Check the source (connectivity, grants, CDC settings) or the destination.")
    static final class Check implements Callable<Integer> {
        @Option(names = {"-t", "--type"}, description = "Driver type (with --config).")
        String type;

        @Option(names = "--config", description = "The source config.")
        Path config;

        @Option(names = "--destination", description = "The destination config.")
        Path destination;

        @Override
        public Integer call() {
            ObjectNode status = Json.object();
            status.put("type", "CONNECTION_STATUS");
            ObjectNode cs = status.putObject("connectionStatus");
            try {
                if (destination != null) {
                    ConfigFiles.DestinationFile d = ConfigFiles.destination(destination);
                    try (WriterPool pool = d.open(WriterPool.Options.defaults())) {
                        pool.destination().check();
                    }
                } else {
                    if (type == null || config == null) {
                        throw new ConfigException("check needs --type and --config, or --destination");
                    }
                    try (DriverInterface driver = Drivers.configured(type, ConfigFiles.read(config),
                            config.toString())) {
                        driver.setup();
                    }
                }
                cs.put("status", "SUCCEEDED");
                System.out.println(Json.write(status));
                return 0;
            } catch (TributaryException e) {
                cs.put("status", "FAILED");
                cs.put("message", e.getMessage());
                System.out.println(Json.write(status));
                return exitCode(e);
            }
        }
    }

    @Command(name = "discover", mixinStandardHelpOptions = true,
            description = "Discover the source's streams and write the catalog (streams.json).")
    static final class Discover implements Callable<Integer> {
        @CommandLine.Mixin
        SourceOptions source;

        @Option(names = "--output", description = "Where to write the catalog (default: streams.json beside --config).")
        Path output;

        @Option(names = "--max-discover-threads", defaultValue = "50", description = "Streams described at once.")
        int threads;

        @Override
        public Integer call() throws Exception {
            try (DriverInterface driver = source.driver()) {
                driver.setup();
                List<Stream> streams = new AbstractDriver(driver, State.inMemory()).discover(threads);
                Path out = output != null ? output : source.config.toAbsolutePath().resolveSibling("streams.json");
                Files.write(out, Json.writeBytes(Catalog.selectAll(streams).toJson()));
                System.err.println("discovered " + streams.size() + " streams; catalog written to " + out);
                return 0;
            }
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = "Sync the selected streams of the catalog into the destination.")
    static final class Sync implements Callable<Integer> {
        @CommandLine.Mixin
        SourceOptions source;

        @Option(names = "--destination", required = true, description = "The destination config.")
        Path destination;

        @Option(names = {"--catalog", "--streams"}, required = true, description = "The catalog (streams.json).")
        Path catalog;

        @Option(names = "--state", description = "The state file (default: state.json beside --config).")
        Path state;

        @Option(names = "--destination-buffer-size", defaultValue = "10000",
                description = "Records per writer batch.")
        int batchSize;

        @Option(names = "--cdc-backfill", defaultValue = "before_cdc",
                description = "How CDC streams are backfilled: before_cdc (backfill, then replay the log) or "
                        + "watermark (beside the change stream, chunk by chunk between log watermarks).")
        String cdcBackfill;

        @Option(names = "--window-rows", defaultValue = "50000",
                description = "With --cdc-backfill watermark: rows per chunk held in memory until its high watermark.")
        long windowRows;

        @Option(names = "--value-errors", defaultValue = "fail",
                description = "A value the destination cannot hold: fail (stop, naming stream, column, key and value), "
                        + "null (write NULL and warn) or skip (leave the row out and warn).")
        String valueErrors;

        @Option(names = "--resnapshot", split = ",", paramLabel = "NAMESPACE.NAME",
                description = "With --cdc-backfill watermark: backfill these CDC streams again while the change "
                        + "stream keeps its position (rows are upserted by key), e.g. after ALTER TABLE … ADD COLUMN "
                        + "… DEFAULT, which the log does not carry for existing rows.")
        List<String> resnapshot = List.of();

        @Option(names = "--continuous",
                description = "Keep streaming changes after the backfill until SIGTERM or SIGINT (Ctrl-C), "
                        + "committing at least every --checkpoint-interval; a signal commits what was read, saves the "
                        + "state and exits 0 (a second signal, or --stop-timeout, aborts: exit 130, nothing committed "
                        + "is lost).")
        boolean continuous;

        @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class,
                description = "With --continuous: the longest time changes wait for a commit (e.g. 10s, 500ms, 2m).")
        Duration checkpointInterval;

        @Option(names = "--stop-timeout", defaultValue = "60s", converter = DurationConverter.class,
                description = "After a stop signal: how long the final commit may take before the sync is aborted.")
        Duration stopTimeout;

        @Option(names = "--metrics-port",
                description = "Serve Prometheus metrics on http://<metrics-host>:<port>/metrics (0: any free port).")
        Integer metricsPort;

        @Option(names = "--metrics-host", defaultValue = "127.0.0.1",
                description = "Address the metrics endpoint binds to (default loopback only; 0.0.0.0 for all).")
        String metricsHost;

        @Option(names = "--progress-interval", defaultValue = "5s", converter = DurationConverter.class,
                description = "How often a status line shows rows/s and ETA during a backfill, changes and lag "
                        + "during CDC.")
        Duration progressInterval;

        @Override
        public Integer call() throws Exception {
            ValueErrors onValueError = ValueErrors.fromJson(valueErrors);
            CdcBackfill backfill = switch (cdcBackfill) {
                case "before_cdc" -> CdcBackfill.BEFORE_CDC;
                case "watermark" -> CdcBackfill.WATERMARK;
                default -> throw new ConfigException("--cdc-backfill must be before_cdc or watermark, got '"
                        + cdcBackfill + "'");
            };
            if (windowRows < 1) {
                throw new ConfigException("--window-rows must be >= 1, got " + windowRows);
            }
            Catalog cat = Catalog.fromJson(ConfigFiles.read(catalog), catalog.toString());
            List<ConfiguredStream> streams = cat.configuredStreams();
            List<StreamId> again = resnapshotStreams(resnapshot, streams, backfill);
            ConfigFiles.DestinationFile d = ConfigFiles.destination(destination);
            Path statePath = state != null ? state : source.config.toAbsolutePath().resolveSibling("state.json");
            State st = State.load(new FileStateStore(statePath));
            boolean hasCdc = streams.stream().anyMatch(s -> s.syncMode() == SyncMode.CDC
                    || s.syncMode() == SyncMode.STRICT_CDC);
            if (continuous && !hasCdc) {
                throw new ConfigException("--continuous needs at least one selected cdc or strict_cdc stream");
            }
            if (progressInterval.isZero() || progressInterval.isNegative()) {
                throw new ConfigException("--progress-interval must be positive, got " + progressInterval);
            }
            ProgressListener progress = new ProgressListener(System.err, System.console() != null);
            TributaryMetrics metrics = metricsPort == null ? null : new TributaryMetrics(source.type);
            try (MetricsServer server = metrics == null ? null : new MetricsServer(metricsHost, metricsPort, metrics);
                    DriverInterface driver = source.driver();
                    WriterPool pool = d.open(WriterPool.Options.defaults().withBatchSize(batchSize)
                            .withValueErrors(onValueError));
                    progress) {
                if (server != null) {
                    metrics.watch(pool);
                    System.err.println("metrics on http://" + server.address().getHostString() + ":"
                            + server.address().getPort() + "/metrics");
                }
                driver.setup();
                AbstractDriver.Options options = AbstractDriver.Options.defaults()
                        .withListener(metrics == null ? progress : SyncListener.composite(progress, metrics))
                        .withCdcBackfill(backfill).withWindowRows(windowRows);
                if (continuous) {
                    options = options.withContinuousCdc(checkpointInterval);
                }
                AbstractDriver orchestrator = new AbstractDriver(driver, st, options);
                if (!again.isEmpty()) {
                    orchestrator.resnapshot(again);
                }
                progress.start(pool, progressInterval, hasCdc);
                try (Stopper stopper = new Stopper(orchestrator, Thread.currentThread(), stopTimeout, continuous)) {
                    orchestrator.read(pool, streams);
                    stopper.finished();
                }
                progress.close();
                progress.summary(pool);
                System.err.println("state saved to " + statePath);
                return 0;
            }
        }
    }

    /** The syncs running in this JVM, for {@link #stopRunningSyncs()}. */
    private static final java.util.Set<Stopper> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * What SIGTERM/SIGINT do to a running sync (and {@link #stopRunningSyncs()}, the same path in-process): a
     * continuous sync is asked to stop (its change streams commit what they read and it returns normally); if it has
     * not ended after the stop timeout, or at a second signal, the sync thread is interrupted (cancelled: exit 130,
     * committed work kept). A bounded sync is interrupted at once.
     */
    private static final class Stopper implements AutoCloseable {
        private final AbstractDriver orchestrator;
        private final Thread main;
        private final Duration timeout;
        private final boolean continuous;
        private final AtomicInteger signals = new AtomicInteger();
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        private final java.util.Optional<Signals> handlers;
        private final Thread hook;

        Stopper(AbstractDriver orchestrator, Thread main, Duration timeout, boolean continuous) {
            this.orchestrator = orchestrator;
            this.main = main;
            this.timeout = timeout;
            this.continuous = continuous;
            RUNNING.add(this);
            handlers = continuous ? Signals.install(this::signal) : java.util.Optional.empty();
            if (handlers.isEmpty()) {
                // no signal API (or a bounded sync): the JVM's shutdown runs this hook, which waits for the sync
                hook = new Thread(() -> {
                    signal();
                    try {
                        done.await(timeout.toMillis() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "tributary-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            } else {
                hook = null;
            }
        }

        void signal() {
            if (!continuous || signals.incrementAndGet() > 1) {
                main.interrupt();
                return;
            }
            System.err.println("stopping: committing what was read (signal again to abort)");
            orchestrator.stop();
            Thread watchdog = new Thread(() -> {
                try {
                    if (!done.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        System.err.println("the sync did not stop within " + timeout + ": aborting it");
                        main.interrupt();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "tributary-stop-timeout");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        void finished() {
            if (signals.get() > 0) {
                System.err.println("stopped cleanly: every change read was committed");
            }
        }

        @Override
        public void close() {
            done.countDown();
            RUNNING.remove(this);
            handlers.ifPresent(Signals::close);
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down already
                }
            }
        }
    }

    /** Does to every sync running in this JVM what SIGTERM does (for embedding and tests). */
    static void stopRunningSyncs() {
        RUNNING.forEach(Stopper::signal);
    }

    /** Durations as {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT10S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(v);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            try {
                return Duration.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (10s, 500ms, 2m, "
                        + "1h or PT10S)");
            }
        }
    }

    private static List<StreamId> resnapshotStreams(List<String> names, List<ConfiguredStream> selected,
            CdcBackfill backfill) {
        List<StreamId> out = new java.util.ArrayList<>();
        for (String name : names) {
            ConfiguredStream s = selected.stream().filter(c -> c.id().id().equals(name)).findFirst()
                    .orElseThrow(() -> new ConfigException("--resnapshot " + name + ": not a selected stream of the "
                            + "catalog; selected: " + selected.stream().map(ConfiguredStream::id).toList()));
            if (s.syncMode() != SyncMode.CDC) {
                throw new ConfigException("--resnapshot " + name + ": only cdc streams are resnapshotted (this one is "
                        + s.syncMode().jsonName() + "; a full_refresh stream is read again by every sync)");
            }
            out.add(s.id());
        }
        if (!out.isEmpty() && backfill != CdcBackfill.WATERMARK) {
            throw new ConfigException("--resnapshot needs --cdc-backfill watermark: the re-read rows are then upserted by "
                    + "key beside the change stream; a before_cdc backfill would append them a second time");
        }
        return out;
    }

    @Command(name = "clear-destination", mixinStandardHelpOptions = true,
            description = "Drop the selected streams' data in the destination and clear their state.")
    static final class ClearDestination implements Callable<Integer> {
        @Option(names = "--destination", required = true, description = "The destination config.")
        Path destination;

        @Option(names = {"--catalog", "--streams"}, required = true, description = "The catalog (streams.json).")
        Path catalog;

        @Option(names = "--state", description = "The state file to clear the streams from.")
        Path state;

        @Override
        public Integer call() {
            Catalog cat = Catalog.fromJson(ConfigFiles.read(catalog), catalog.toString());
            List<StreamId> ids = cat.configuredStreams().stream().map(ConfiguredStream::id).toList();
            ConfigFiles.DestinationFile d = ConfigFiles.destination(destination);
            try (WriterPool pool = d.open(WriterPool.Options.defaults())) {
                pool.destination().dropStreams(ids);
            }
            if (state != null) {
                State.load(new FileStateStore(state)).clear(ids);
            }
            System.err.println("cleared " + ids);
            return 0;
        }
    }
}
