package io.tributary.flink.job;

import io.tributary.flink.TributaryFlink;
import io.tributary.types.ConfigException;
import io.tributary.types.Json;
import io.tributary.types.ValueErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Syncs a source into Iceberg as a Flink job: backfill in chunks across {@code --parallelism} readers, then (for
 * {@code cdc} streams) the change stream, exactly once with Flink's checkpoints. Submitted with
 * {@code flink run tributary-flink-job.jar --type ...} it runs on that cluster; started with {@code java} and Flink's
 * jars on the class path ({@code target/flink-lib}) it runs in a local mini cluster.
 */
@Command(name = "tributary-flink-job", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Sync a source into Iceberg as a Flink job (exactly once with Flink checkpoints).")
public final class FlinkSyncJob implements Callable<Integer> {
    @Option(names = "--type", required = true, description = "Driver: postgres, mysql or mongodb.")
    String type;

    @Option(names = "--config", required = true, description = "The source's config (source.json).")
    Path config;

    @Option(names = "--catalog", required = true,
            description = "Selected streams and their sync_mode (streams.json from `tributary discover`); "
                    + "full_refresh, cdc and strict_cdc are supported.")
    Path catalog;

    @Option(names = "--destination", required = true, description = "The Iceberg destination (destination.json).")
    Path destination;

    @Option(names = "--parallelism", defaultValue = "2", description = "Readers and writers (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "10000",
            description = "Checkpoint (and Iceberg commit) interval in ms (default: ${DEFAULT-VALUE}).")
    long checkpointInterval;

    @Option(names = "--value-errors", defaultValue = "fail",
            description = "A value no column holds: fail, null or skip (default: ${DEFAULT-VALUE}).")
    String valueErrors;

    @Option(names = "--job-name", description = "The Flink job's name (default: tributary-<type>).")
    String jobName;

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(checkpointInterval);
        TributaryFlink.pipeline(type, Json.parse(Files.readString(config)), Json.parse(Files.readString(catalog)),
                        Json.parse(Files.readString(destination)))
                .withValueErrors(ValueErrors.fromJson(valueErrors))
                .build(env, parallelism);
        env.execute(jobName != null ? jobName : "tributary-" + type);
        return 0;
    }

    /**
     * Runs the job; returns its exit code: 0 the job finished (or was submitted detached), 3 a configuration error
     * (bad files, a table a new job would backfill twice; as the CLI's exit 3), 1 anything else.
     */
    public static int run(String... args) {
        return new CommandLine(new FlinkSyncJob())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    System.err.println("error: " + e.getMessage());
                    return e instanceof ConfigException ? 3 : 1;
                })
                .execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
