package io.tributary.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriterPoolTest {
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false));
    private static final ConfiguredStream STREAM = ConfiguredStream.of(Stream.of(StreamId.of("s", "t"), SCHEMA,
            List.of("id"), Set.of(), Set.of(SyncMode.FULL_REFRESH)));

    /** A destination whose writes are slow and that records the most records ever buffered at once. */
    private static final class SlowDestination implements Destination {
        final AtomicInteger written = new AtomicInteger();
        volatile boolean failWrites;

        @Override
        public void check() {
        }

        @Override
        public Optional<MetadataState> committedState(StreamId stream, String threadId) {
            return Optional.empty();
        }

        @Override
        public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
            return new DestinationWriter() {
                @Override
                public void write(List<Record> batch) {
                    if (failWrites) {
                        throw new NonRetriableException("disk full writing stream " + stream.id());
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    written.addAndGet(batch.size());
                }

                @Override
                public void commit(MetadataState state) {
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public void dropStreams(Collection<StreamId> streams) {
        }

        @Override
        public void close() {
        }
    }

    private static Record rec(long i) {
        return new Record(SCHEMA, new Object[] {i}, Long.toString(i), OpType.READ, Instant.EPOCH, null);
    }

    @Test
    void aProducerFasterThanTheDestinationIsHeldBackSoAtMostTwoBatchesAreInMemory() {
        SlowDestination d = new SlowDestination();
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults().withBatchSize(100))) {
            WriterThread w = pool.newWriter(STREAM, new WriterOptions("t", WriteMode.APPEND));
            for (int i = 0; i < 2_000; i++) {
                w.push(rec(i));
                // pushed but not yet written: the buffer being filled plus the one batch in flight
                assertThat(w.pushed() - d.written.get()).isLessThanOrEqualTo(200);
            }
            w.close(new MetadataState("t", Json.object()));
            assertThat(d.written.get()).isEqualTo(2_000);
            assertThat(pool.stats(STREAM.id()).committed()).isEqualTo(2_000);
        }
    }

    @Test
    void aFailedFlushSurfacesOnTheNextPushAndNothingIsCommitted() {
        SlowDestination d = new SlowDestination();
        d.failWrites = true;
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults().withBatchSize(10))) {
            WriterThread w = pool.newWriter(STREAM, new WriterOptions("t", WriteMode.APPEND));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    w.push(rec(i));
                }
            }).isInstanceOf(NonRetriableException.class).hasMessageContaining("disk full");
            assertThat(pool.stats(STREAM.id()).committed()).isZero();
        }
    }

    @Test
    void statsTellBufferedCommittedAndDiscardedRecordsApart() {
        try (WriterPool pool = new WriterPool(new SlowDestination(), WriterPool.Options.defaults().withBatchSize(10))) {
            WriterThread kept = pool.newWriter(STREAM, new WriterOptions("a", WriteMode.APPEND));
            WriterThread dropped = pool.newWriter(STREAM, new WriterOptions("b", WriteMode.APPEND));
            for (int i = 0; i < 25; i++) {
                kept.push(rec(i));
                dropped.push(rec(i));
            }
            WriterPool.StreamStats st = pool.stats(STREAM.id());
            assertThat(st.uncommitted()).isEqualTo(50);
            dropped.abort();
            assertThat(st.discarded()).isEqualTo(25);
            assertThat(st.uncommitted()).isEqualTo(25);
            kept.close(new MetadataState("a", Json.object()));
            dropped.abort(); // idempotent: not discarded twice
            assertThat(st.pushed()).isEqualTo(50);
            assertThat(st.committed()).isEqualTo(25);
            assertThat(st.discarded()).isEqualTo(25);
            assertThat(st.uncommitted()).isZero();
        }
    }
}
