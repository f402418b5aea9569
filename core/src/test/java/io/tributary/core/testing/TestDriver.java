package io.tributary.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.BackfillMsgFn;
import io.tributary.core.CdcChange;
import io.tributary.core.CdcSource;
import io.tributary.core.ChangeSink;
import io.tributary.core.ChangeStreamMode;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverConfig;
import io.tributary.core.DriverInterface;
import io.tributary.core.IncrementalSupport;
import io.tributary.core.PositionCodec;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A driver over {@link InMemoryDb} that drives every orchestrator path: chunks of {@code chunkSize} keys, a change
 * log with positions (global in sequential mode, per stream otherwise), fault injection and read counters.
 */
public final class TestDriver implements DriverInterface, IncrementalSupport {
    /** Test driver config. */
    public record Config(int maxThreads, int retries, long chunkSize, boolean cdc, ChangeStreamMode mode,
            int checkpointEvery) implements DriverConfig {
        @Override
        public void validate() {
            if (maxThreads < 1) {
                throw new ConfigException("test driver: key 'maxThreads' must be >= 1");
            }
        }
    }

    private final InMemoryDb db;
    private final Config config;
    private volatile List<ConfiguredStream> cdcStreams = List.of();

    /** Reads per chunk (to prove no committed chunk is read twice). */
    public final Map<Chunk, AtomicInteger> chunkReads = new ConcurrentHashMap<>();
    public final AtomicInteger running = new AtomicInteger();
    public final AtomicInteger maxRunning = new AtomicInteger();
    public final AtomicInteger streamChangesCalls = new AtomicInteger();
    public final Set<Integer> identifiers = ConcurrentHashMap.newKeySet();
    /** Throws the returned exception (if not null) when a chunk is read; gets the chunk and its read count. */
    public volatile ChunkFault chunkFault = (c, n) -> null;
    public volatile boolean closed;
    /** Whether {@link #incremental()} offers the incremental reads. */
    public volatile boolean incrementalRole = true;
    /** {@link #cdcSource()}: the decoded positions streams started from, and the acknowledgements. */
    public final List<Integer> startedFrom = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final List<Ack> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
    /**
     * What a test observes at each acknowledgement (by change stream identifier), kept in {@link Ack#savedThen()}: the
     * test reads its own state there, to prove the engine saved a position before acknowledging it.
     */
    public volatile java.util.function.IntFunction<JsonNode> observeOnAcknowledge = id -> null;

    /** Fault injection hook. */
    @FunctionalInterface
    public interface ChunkFault {
        RuntimeException on(Chunk chunk, int readCount);
    }

    /** A driver over an empty database of its own with the default config (the ServiceLoader instance). */
    public TestDriver() {
        this(new InMemoryDb(), new Config(4, 2, 100, true, ChangeStreamMode.SEQUENTIAL, 50));
    }

    public TestDriver(InMemoryDb db, Config config) {
        this.db = db;
        this.config = config;
    }

    @Override
    public String type() {
        return "test";
    }

    @Override
    public Class<? extends DriverConfig> configType() {
        return Config.class;
    }

    @Override
    public TestDriver configure(DriverConfig c) {
        return new TestDriver(db, Config.class.cast(c));
    }

    @Override
    public Config config() {
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
        return config.retries();
    }

    @Override
    public List<StreamId> getStreamNames() {
        return db.tables();
    }

    @Override
    public Stream produceSchema(StreamId stream) {
        return Stream.of(stream, InMemoryDb.SCHEMA, List.of("id"), Set.of("id", "updated_at", "seq"),
                Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL, SyncMode.CDC, SyncMode.STRICT_CDC));
    }

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream) {
        long min = db.minKey(stream.id());
        long max = db.maxKey(stream.id());
        List<Chunk> out = new ArrayList<>();
        Long lo = null;
        for (long k = min + config.chunkSize(); k <= max; k += config.chunkSize()) {
            out.add(Chunk.of(lo, k));
            lo = k;
        }
        out.add(Chunk.of(lo, null));
        return out;
    }

    @Override
    public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound,
            BackfillMsgFn processFn) {
        int n = chunkReads.computeIfAbsent(chunk, c -> new AtomicInteger()).incrementAndGet();
        int now = running.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        try {
            RuntimeException fault = chunkFault.on(chunk, n);
            if (fault != null) {
                throw fault;
            }
            long lo = chunk.min() == null ? Long.MIN_VALUE : (Long) chunk.min();
            Long hi = (Long) chunk.max();
            for (Object[] row : db.rows(stream.id(), lo, hi)) {
                if (!upperBound.isEmpty() && beyond(row, upperBound)) {
                    continue;
                }
                processFn.accept(row);
            }
            Thread.sleep(2); // let chunks overlap so parallelism is observable
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.tributary.types.CancelledException("interrupted");
        } finally {
            running.decrementAndGet();
        }
    }

    private static boolean beyond(Object[] row, CursorValues bound) {
        Instant p = (Instant) row[2];
        if (p != null) {
            return bound.primary() != null && p.isAfter((Instant) bound.primary());
        }
        return row[3] != null && bound.secondary() != null && (Long) row[3] > (Long) bound.secondary();
    }

    @Override
    public CursorValues fetchMaxCursorValues(ConfiguredStream stream) {
        Instant maxP = null;
        Long maxS = null;
        for (Object[] r : db.rows(stream.id())) {
            if (r[2] != null && (maxP == null || ((Instant) r[2]).isAfter(maxP))) {
                maxP = (Instant) r[2];
            }
            if (r[3] != null && (maxS == null || (Long) r[3] > maxS)) {
                maxS = (Long) r[3];
            }
        }
        return new CursorValues(maxP, maxS);
    }

    @Override
    public void streamIncrementalChanges(ConfiguredStream stream, CursorValues from, BackfillMsgFn processFn) {
        for (Object[] r : db.rows(stream.id())) {
            Instant p = (Instant) r[2];
            boolean take;
            if (from.isEmpty()) {
                take = true;
            } else if (p != null) {
                take = from.primary() == null || !p.isBefore((Instant) from.primary());
            } else {
                take = r[3] != null && (from.secondary() == null || (Long) r[3] >= (Long) from.secondary());
            }
            if (take) {
                processFn.accept(r);
            }
        }
    }

    @Override
    public Optional<IncrementalSupport> incremental() {
        return incrementalRole ? Optional.of(this) : Optional.empty();
    }

    @Override
    public ChangeStreamMode changeStreamMode() {
        return config.mode();
    }

    @Override
    public Optional<CdcSource<?>> cdcSource() {
        return config.cdc() ? Optional.of(typed) : Optional.empty();
    }

    /** {@link #cdcSource()}: positions are {@code Integer} log offsets that the engine saves. */
    private final CdcSource<Integer> typed = new CdcSource<>() {
        @Override
        public PositionCodec<Integer> positionCodec() {
            return CODEC;
        }

        @Override
        public Integer startPosition(int identifier, List<ConfiguredStream> streams) {
            return db.logSize();
        }

        @Override
        public void streamChanges(int identifier, Integer from, ChangeSink<Integer> sink) {
            streamChangesCalls.incrementAndGet();
            identifiers.add(identifier);
            startedFrom.add(from);
            int end = db.logSize();
            Function<StreamId, Boolean> mine = config.mode() == ChangeStreamMode.SEQUENTIAL
                    ? id -> true
                    : id -> id.equals(cdcStreams.get(identifier).id());
            int sinceCheckpoint = 0;
            List<InMemoryDb.Change> changes = db.log(from, end);
            for (int i = 0; i < changes.size(); i++) {
                InMemoryDb.Change c = changes.get(i);
                if (mine.apply(c.stream())) {
                    sink.accept(new CdcChange(c.stream(), c.op(), c.at(), InMemoryDb.SCHEMA, c.row().clone()));
                    sinceCheckpoint++;
                }
                if (sinceCheckpoint >= config.checkpointEvery()) {
                    sink.checkpoint(from + i + 1);
                    sinceCheckpoint = 0;
                }
            }
            sink.checkpoint(end);
        }

        @Override
        public void acknowledge(int identifier, Integer position) {
            acknowledged.add(new Ack(identifier, position, observeOnAcknowledge.apply(identifier)));
        }
    };

    /** An acknowledgement of the {@link #cdcSource()}, with what the test observed when it came (or null). */
    public record Ack(int identifier, int position, JsonNode savedThen) {
    }

    /** The codec of {@link #cdcSource()}: {@code {"pos": n}}, version 1; version 0 is the same form. */
    public static final PositionCodec<Integer> CODEC = new PositionCodec<>() {
        @Override
        public int version() {
            return 1;
        }

        @Override
        public List<String> fields() {
            return List.of("pos");
        }

        @Override
        public ObjectNode encode(Integer position) {
            return position(position);
        }

        @Override
        public Integer decode(JsonNode json, int version) {
            if (!json.path("pos").canConvertToInt()) {
                throw new NonRetriableException("malformed test position " + json);
            }
            return json.get("pos").asInt();
        }
    };

    @Override
    public void preCDC(List<ConfiguredStream> streams) {
        this.cdcStreams = List.copyOf(streams); // the engine records the start positions
    }

    private static ObjectNode position(int pos) {
        ObjectNode n = Json.object();
        n.put("pos", pos);
        return n;
    }

    @Override
    public void close() {
        closed = true;
    }
}
