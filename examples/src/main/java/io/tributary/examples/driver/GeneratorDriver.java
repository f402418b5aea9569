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
 * ({@code id}, {@code name}, {@code amount}, {@code created_at}; {@link GeneratorRows}), split into key-range chunks,
 * with incremental on {@code id}. Registered in {@code META-INF/services/io.tributary.core.DriverInterface}, so
 * {@code Drivers.find("generator")} and {@code tributary --type generator} find it. Copy it to start a driver: it
 * answers discovery and chunked backfill, and offers what only some sources can do as roles ({@link #incremental()};
 * {@code cdcSource()} and {@code watermarks()} for a source with a change log). Its test runs the conformance kit.
 */
public final class GeneratorDriver implements DriverInterface, IncrementalSupport {
    static final Schema SCHEMA = Schema.of(
            Field.of("id", DataType.INT64, false),
            Field.nullable("name", DataType.STRING),
            Field.decimal("amount", 12, 2, true),
            Field.nullable("created_at", DataType.TIMESTAMP_MICRO));
    static final String NAMESPACE = "generated";

    private final GeneratorConfig config;
    private final GeneratorRows rows;

    /** The unconfigured instance {@link java.util.ServiceLoader} creates. */
    public GeneratorDriver() {
        this(null, null);
    }

    private GeneratorDriver(GeneratorConfig config, GeneratorRows rows) {
        this.config = config;
        this.rows = rows;
    }

    /** A driver reading {@code rows} instead of generating them ({@code streams} and {@code rows} of the config unused). */
    public static GeneratorDriver over(GeneratorConfig config, GeneratorRows rows) {
        config.validate();
        return new GeneratorDriver(config, rows);
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
        GeneratorConfig config = GeneratorConfig.class.cast(c);
        return new GeneratorDriver(config, GeneratorRows.generated(config));
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
        return rows.streams().stream().map(s -> StreamId.of(NAMESPACE, s)).toList();
    }

    @Override
    public Stream produceSchema(StreamId stream) {
        if (!rows.streams().contains(stream.name())) {
            throw new ConfigException("generator: stream " + stream + " does not exist; streams: " + rows.streams());
        }
        return Stream.of(stream, rows.schema(), List.of("id"), Set.of("id"),
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
        Long lo = null;
        for (Long hi : rows.splitPoints(stream.id().name(), config.chunkSize())) {
            chunks.add(Chunk.of(lo, hi));
            lo = hi;
        }
        chunks.add(Chunk.of(lo, null));
        return chunks;
    }

    @Override
    public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound,
            BackfillMsgFn processFn) {
        Long hi = key(chunk.max());
        if (upperBound.primary() != null) { // rows past the incremental cursor: the next pass reads them
            long past = key(upperBound.primary()) + 1;
            hi = hi == null ? past : Math.min(hi, past);
        }
        rows.read(stream.id().name(), key(chunk.min()), hi, processFn::accept);
    }

    @Override
    public Optional<IncrementalSupport> incremental() {
        return Optional.of(this);
    }

    @Override
    public CursorValues fetchMaxCursorValues(ConfiguredStream stream) {
        return new CursorValues(rows.maxKey(stream.id().name()).orElse(null), null);
    }

    @Override
    public void streamIncrementalChanges(ConfiguredStream stream, CursorValues from, BackfillMsgFn processFn) {
        rows.read(stream.id().name(), key(from.primary()), null, processFn::accept);
    }

    /** A key as saved in chunks and cursors (a JSON round trip may turn a {@code Long} into an {@code Integer}). */
    private static Long key(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    @Override
    public void close() {
        // nothing to release
    }
}
