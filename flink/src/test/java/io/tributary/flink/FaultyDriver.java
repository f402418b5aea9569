package io.tributary.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.BackfillMsgFn;
import io.tributary.core.CdcChange;
import io.tributary.core.CdcSource;
import io.tributary.core.ChangeSink;
import io.tributary.core.ChangeStreamMode;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverConfig;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.PositionCodec;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A driver that is another driver (the one {@link #DELEGATE} names) with failures injected: a chunk read throws after
 * some rows while {@link #chunkFailures} is positive, a change stream throws after some changes while
 * {@link #changeFailures} is positive. Flink's MiniCluster runs tasks in this JVM, so the counters reach them. Type
 * {@code faulty-postgres} wraps {@code postgres}, {@code faulty-mysql} {@code mysql}, {@code faulty-mongodb}
 * {@code mongodb}.
 */
public class FaultyDriver implements DriverInterface {
    public static final AtomicInteger chunkFailures = new AtomicInteger();
    public static final AtomicInteger changeFailures = new AtomicInteger();
    /** Rows a failing chunk reads before it throws. */
    public static final AtomicLong rowsBeforeFailure = new AtomicLong(500);
    /** Changes a failing change stream reads before it throws. */
    public static final AtomicLong changesBeforeFailure = new AtomicLong(200);
    public static final AtomicInteger injected = new AtomicInteger();

    private final String type;
    private DriverInterface delegate;

    public FaultyDriver() {
        this("faulty-postgres", null);
    }

    protected FaultyDriver(String type, DriverInterface delegate) {
        this.type = type;
        this.delegate = delegate; // found when first used: ServiceLoader constructs this while it loads drivers
    }

    private DriverInterface delegate() {
        if (delegate == null) {
            delegate = Drivers.find(type.substring("faulty-".length()));
        }
        return delegate;
    }

    /** The MongoDB variant. */
    public static final class Mongo extends FaultyDriver {
        public Mongo() {
            super("faulty-mongodb", null);
        }

        private Mongo(DriverInterface delegate) {
            super("faulty-mongodb", delegate);
        }

        @Override
        protected FaultyDriver wrap(DriverInterface configured) {
            return new Mongo(configured);
        }
    }

    /** The MySQL variant. */
    public static final class MySql extends FaultyDriver {
        public MySql() {
            super("faulty-mysql", null);
        }

        private MySql(DriverInterface delegate) {
            super("faulty-mysql", delegate);
        }

        @Override
        protected FaultyDriver wrap(DriverInterface configured) {
            return new MySql(configured);
        }
    }

    protected FaultyDriver wrap(DriverInterface configured) {
        return new FaultyDriver(type, configured);
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Class<? extends DriverConfig> configType() {
        return delegate().configType();
    }

    @Override
    public DriverInterface configure(DriverConfig config) {
        return wrap(delegate().configure(config));
    }

    @Override
    public DriverConfig config() {
        return delegate().config();
    }

    @Override
    public JsonNode spec() {
        return delegate().spec();
    }

    @Override
    public void setup() {
        delegate().setup();
    }

    @Override
    public Optional<String> sourceIdentity() {
        return delegate().sourceIdentity();
    }

    @Override
    public int maxConnections() {
        return delegate().maxConnections();
    }

    @Override
    public int maxRetries() {
        return delegate().maxRetries();
    }

    @Override
    public List<StreamId> getStreamNames() {
        return delegate().getStreamNames();
    }

    @Override
    public Stream produceSchema(StreamId stream) {
        return delegate().produceSchema(stream);
    }

    @Override
    public void checkStream(ConfiguredStream stream) {
        delegate().checkStream(stream);
    }

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream) {
        return delegate().getOrSplitChunks(stream);
    }

    @Override
    public List<Chunk> getOrSplitChunks(ConfiguredStream stream, long maxChunkRows) {
        return delegate().getOrSplitChunks(stream, maxChunkRows);
    }

    @Override
    public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound, BackfillMsgFn fn) {
        long[] rows = {0};
        delegate().chunkIterator(stream, chunk, upperBound, values -> {
            // the first chunk that reaches the row count fails (an empty first chunk does not use up the failure)
            if (++rows[0] > rowsBeforeFailure.get() && rows[0] - 1 == rowsBeforeFailure.get()
                    && chunkFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                injected.incrementAndGet();
                throw new IllegalStateException("injected failure: reader of " + stream.id() + " chunk " + chunk
                        + " after " + (rows[0] - 1) + " rows");
            }
            fn.accept(values);
        });
    }

    @Override
    public ChangeStreamMode changeStreamMode() {
        return delegate().changeStreamMode();
    }

    @Override
    public void preCDC(List<ConfiguredStream> streams) {
        delegate().preCDC(streams);
    }

    @Override
    public Optional<CdcSource<?>> cdcSource() {
        return delegate().cdcSource().map(FaultyDriver::faulty);
    }

    private static <P> CdcSource<?> faulty(CdcSource<P> source) {
        return new CdcSource<P>() {
            @Override
            public PositionCodec<P> positionCodec() {
                return source.positionCodec();
            }

            @Override
            public P startPosition(int identifier, List<ConfiguredStream> streams) {
                return source.startPosition(identifier, streams);
            }

            @Override
            public void streamChanges(int identifier, P from, ChangeSink<P> sink) {
                boolean fail = changeFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                long[] changes = {0};
                source.streamChanges(identifier, from, new ChangeSink<P>() {
                    @Override
                    public void accept(CdcChange change) {
                        if (fail && ++changes[0] > changesBeforeFailure.get()) {
                            injected.incrementAndGet();
                            throw new IllegalStateException("injected failure: change stream " + identifier
                                    + " after " + (changes[0] - 1) + " changes");
                        }
                        sink.accept(change);
                    }

                    @Override
                    public void checkpoint(P position) {
                        sink.checkpoint(position);
                    }

                    @Override
                    public void watermark(String watermark) {
                        sink.watermark(watermark);
                    }

                    @Override
                    public boolean keepStreaming() {
                        return sink.keepStreaming();
                    }

                    @Override
                    public boolean checkpointWanted() {
                        return sink.checkpointWanted();
                    }
                });
            }

            @Override
            public void acknowledge(int identifier, P position) {
                source.acknowledge(identifier, position);
            }
        };
    }

    @Override
    public void close() {
        delegate().close();
    }
}
