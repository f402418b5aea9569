package io.tributary.flink;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.DriverInterface;
import io.tributary.core.Preflight;
import io.tributary.core.catalog.Catalog;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueErrors;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.iceberg.IcebergDestination;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The Flink runner: a driver as a {@link TributarySource}, Tributary's Iceberg writer as an exactly-once sink, and a
 * pipeline of the two.
 *
 * <pre>{@code
 * StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.enableCheckpointing(10_000);
 * TributaryFlink.pipeline("postgres", sourceJson, catalogJson, destinationJson).build(env, 2);
 * env.execute("postgres to iceberg");
 * }</pre>
 *
 * <p>{@link #pipeline} checks the source and the destination on the client before the job is built (the driver's
 * preflight: streams exist, grants, replica identity; tables are created), as the embedded engine does before a sync.
 * Full refresh and CDC streams are supported; incremental (cursor) streams are not (use the embedded engine).
 */
public final class TributaryFlink {
    private final SourceSpec spec;
    private final JsonNode destination;
    private final ValueErrors valueErrors;

    private TributaryFlink(SourceSpec spec, JsonNode destination, ValueErrors valueErrors) {
        this.spec = spec;
        this.destination = destination;
        this.valueErrors = valueErrors;
    }

    /**
     * This pipeline with {@code handling} for a value a table's column cannot hold (as the CLI's
     * {@code --value-errors}): {@code FAIL} (the default) fails the job naming stream, column, key and value;
     * {@code NULL} writes NULL, {@code SKIP} leaves the row out, each with a warning.
     */
    public TributaryFlink withValueErrors(ValueErrors handling) {
        return new TributaryFlink(spec, destination, requireNonNull(handling, "handling is null"));
    }

    /**
     * A pipeline of {@code driverType} with its {@code source.json}, the selected streams of {@code catalog}
     * (the {@code streams.json} of {@code discover}, edited as for the CLI) and an Iceberg {@code destination.json};
     * source and destination are checked now.
     */
    public static TributaryFlink pipeline(String driverType, JsonNode sourceConfig, JsonNode catalog,
            JsonNode destinationConfig) {
        requireNonNull(destinationConfig, "destinationConfig is null");
        List<ConfiguredStream> streams = Catalog.fromJson(requireNonNull(catalog, "catalog is null"), "catalog")
                .configuredStreams();
        for (ConfiguredStream s : streams) {
            if (s.syncMode() == SyncMode.INCREMENTAL) {
                throw new ConfigException("stream " + s.id() + ": sync_mode incremental is not supported by the "
                        + "Flink runner (full_refresh, cdc and strict_cdc are)");
            }
        }
        SourceSpec unchecked = new SourceSpec(driverType, sourceConfig, streams);
        List<ConfiguredStream> checked;
        try (DriverInterface driver = unchecked.driver()) {
            driver.setup();
            checked = Preflight.check(driver, streams);
        }
        try (IcebergDestination d = IcebergSinks.destination(destinationConfig)) {
            d.preflight(checked);
            for (ConfiguredStream s : checked) {
                // the table exists before the job: writer subtasks creating it at once would race for the catalog
                d.openStaged(s, new WriterOptions("flink-client", WriteMode.APPEND)).close();
            }
        }
        return new TributaryFlink(new SourceSpec(driverType, sourceConfig, checked), destinationConfig,
                ValueErrors.FAIL);
    }

    private static final ConfigOption<String> SAVEPOINT_PATH = ConfigOptions.key("execution.savepoint.path")
            .stringType().noDefaultValue();

    /**
     * A job that does not restore from a savepoint or checkpoint backfills its streams from the start: refused (before
     * anything runs) when a table it would backfill already holds rows, which it would hold twice.
     */
    private void refuseBackfillOverRows() {
        try (IcebergDestination d = IcebergSinks.destination(destination)) {
            for (ConfiguredStream s : spec.streams()) {
                if (s.syncMode() == SyncMode.STRICT_CDC) {
                    continue; // no backfill: changes are upserts
                }
                org.apache.iceberg.Snapshot current = d.catalog().loadTable(d.identifier(s.id())).currentSnapshot();
                long rows = current == null ? 0 : Long.parseLong(current.summary().getOrDefault("total-records", "0"));
                if (rows > 0) {
                    throw new ConfigException("stream " + s.id() + ": table " + d.identifier(s.id()) + " already holds "
                            + rows + " rows; a new job would backfill them again. Restore the job that wrote them from "
                            + "its savepoint or retained checkpoint (flink run -s <path>), or drop the table to start "
                            + "over");
                }
            }
        }
    }

    /** The source of this pipeline (checked streams). */
    public TributarySource source() {
        return new TributarySource(spec);
    }

    /**
     * Adds source, writer ({@code parallelism} subtasks, chained to the readers) and committer (one subtask) to
     * {@code env}. Unless {@code env} restores a savepoint or checkpoint ({@code execution.savepoint.path}, as
     * {@code flink run -s} sets it), a table the job would backfill must hold no rows yet ({@link ConfigException}). Operator uids are fixed, so a savepoint of this job restores into a rebuilt one.
     */
    public DataStreamSink<Void> build(StreamExecutionEnvironment env, int parallelism) {
        if (env.getConfiguration().getOptional(SAVEPOINT_PATH).isEmpty()) {
            refuseBackfillOverRows();
        }
        DataStream<SourceRecord> rows = env.fromSource(source(), WatermarkStrategy.noWatermarks(),
                        "tributary-" + spec.driverType())
                .uid("tributary-source").setParallelism(parallelism);
        return icebergSink(rows, destination, spec, valueErrors);
    }

    /**
     * The exactly-once Iceberg sink of a source's records: writers with the input's parallelism, one committer
     * that commits each completed checkpoint's files.
     */
    public static DataStreamSink<Void> icebergSink(DataStream<SourceRecord> rows, JsonNode destinationConfig,
            SourceSpec spec, ValueErrors valueErrors) {
        return rows.transform("tributary-iceberg-writer", TributaryTypeInfo.writeResults(),
                        new IcebergWriterOperator(destinationConfig, spec, valueErrors))
                .uid("tributary-iceberg-writer").setParallelism(rows.getParallelism())
                .transform("tributary-iceberg-committer", Types.VOID, new IcebergCommitterOperator(destinationConfig))
                .uid("tributary-iceberg-committer").setParallelism(1).setMaxParallelism(1)
                .sinkTo(new DiscardingSink<>()).uid("tributary-discard").setParallelism(1)
                .name("tributary-end");
    }
}
