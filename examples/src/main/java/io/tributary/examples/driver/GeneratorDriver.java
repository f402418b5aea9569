package io.tributary.examples.driver;

import io.tributary.core.BackfillMsgFn;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverConfig;
import io.tributary.core.DriverInterface;
import io.tributary.core.IncrementalSupport;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The smallest useful third-party driver: type {@code generator}, streams of {@code rows} deterministic rows
 * ({@code id}, {@code name}, {@code amount}, {@code created_at}), split into key-range chunks, with incremental on
 * {@code id}. Registered in {@code META-INF/services/io.tributary.core.DriverInterface}, so
 * {@code Drivers.find("generator")} and {@code tributary --type generator} find it. Copy it to start a driver: a
 * driver answers discovery and chunked backfill, and offers what only some sources can do as roles
 * ({@link #incremental()} here; {@code cdcSource()} and {@code watermarks()} for a source with a change log).
 * {@code GeneratorConformanceTest} runs the driver conformance kit against it.
 */
public final class GeneratorDriver implements DriverInterface, IncrementalSupport {
    static final Schema SCHEMA = Schema.of(
            Field.of("id", DataType.INT64, false),
            Field.nullable("name", DataType.STRING),
            Field.decimal("amount", 12, 2, true),
            Field.nullable("created_at", DataType.TIMESTAMP_MICRO));

    private final GeneratorConfig config;

    /** The unconfigured instance {@link java.util.ServiceLoader} creates. */
    public GeneratorDriver() {
        this(null);
    }

    private GeneratorDriver(GeneratorConfig config) {
        this.config = config;
    }

    @Override
    public String type() {
        return "generator";
    }

    @Override
    public Class<? extends DriverConfig> configType() {
        return GeneratorConfig.class;
    }

    @Override
    public GeneratorDriver configure(DriverConfig c) {
        return new GeneratorDriver(GeneratorConfig.class.cast(c));
    }

    @Override
    public GeneratorConfig config() {
        return config;
    }

    @Override
    public void setup() {
    }

    @Override
    public int maxConnections() {
        return config.maxThreads();
    }

    @Override
    public int maxRetries() {
        return 1;
    }

    @Override
    public List<StreamId> getStreamNames() {
        return config.streams().stream().map(s -> StreamId.of("generated", s)).toList();
    }

    @Override
    public Stream produceSchema(StreamId stream) {
        if (!config.streams().contains(stream.name())) {
            throw new ConfigException("generator: stream " + stream + " does not exist; streams: " + config.streams());
        }
        return Stream.of(stream, SCHEMA, List.of("id"), Set.of("id"),
                Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL));
    }

    /** Row {@code id} of every stream; the same id always gives the same row. */
    public static Object[] row(long id) {
        return new Object[] {id, "name-" + id, BigDecimal.valueOf(id * 7 % 100_000, 2),
                Instant.ofEpochSecond(1_700_000_000L + id)};
    }

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream) {
        List<Chunk> chunks = new ArrayList<>();
        for (long lo = 0; lo < config.rows(); lo += config.chunkSize()) {
            long hi = lo + config.chunkSize();
            chunks.add(Chunk.of(lo == 0 ? null : lo, hi >= config.rows() ? null : hi));
        }
        return chunks;
    }

    @Override
    public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound,
            BackfillMsgFn processFn) {
        long lo = chunk.min() == null ? 0 : (Long) chunk.min();
        long hi = chunk.max() == null ? config.rows() : (Long) chunk.max();
        if (upperBound.primary() != null) {
            hi = Math.min(hi, (Long) upperBound.primary() + 1);
        }
        for (long id = lo; id < hi; id++) {
            processFn.accept(row(id));
        }
    }

    @Override
    public Optional<IncrementalSupport> incremental() {
        return Optional.of(this);
    }

    @Override
    public CursorValues fetchMaxCursorValues(ConfiguredStream stream) {
        return new CursorValues(config.rows() == 0 ? null : config.rows() - 1, null);
    }

    @Override
    public void streamIncrementalChanges(ConfiguredStream stream, CursorValues from, BackfillMsgFn processFn) {
        long start = from.primary() == null ? 0 : (Long) from.primary();
        for (long id = start; id < config.rows(); id++) {
            processFn.accept(row(id));
        }
    }

    @Override
    public void close() {
        // nothing to release
    }
}
