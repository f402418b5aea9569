package io.tributary.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.state.State;
import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A destination much slower than PostgreSQL: the producers (chunk readers) must block on the writer pool, so the
 * records read but not yet written stay bounded by the batch size and the number of writer threads, not by the
 * table size, and the sync still delivers every row.
 */
@ExtendWith(PerClassPostgres.class)
class PostgresBackPressureTest {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBackPressureTest.class);
    private static final int ROWS = 200_000;
    private static final int BATCH = 1_000;
    private static final int THREADS = 3;
    private static final long WRITE_MILLIS = 20;

    static TestingPostgres pg;

    @BeforeAll
    static void start() {
        pg.execute("CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL)",
                "INSERT INTO big SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, " + ROWS + ") g",
                "ANALYZE big");
    }

    /**
     * Sleeps in every {@code write}, and measures, at the end of each write (when a producer that filled its next
     * batch is blocked on this one) and from a sampling thread, the records pushed to the pool but not yet through
     * {@code write}. Pushed is read before written, so a sample never exceeds the true value at some instant.
     */
    static final class SlowDestination implements Destination {
        final AtomicLong written = new AtomicLong();
        final AtomicLong committed = new AtomicLong();
        final Set<Long> ids = ConcurrentHashMap.newKeySet();
        final LongAccumulator maxOutstanding = new LongAccumulator(Math::max, 0);
        final AtomicInteger openWriters = new AtomicInteger();
        final LongAccumulator maxOpenWriters = new LongAccumulator(Math::max, 0);
        final AtomicInteger writes = new AtomicInteger();
        volatile LongSupplier pushed = () -> 0;

        void sample() {
            long p = pushed.getAsLong();
            long w = written.get();
            maxOutstanding.accumulate(p - w);
        }

        @Override
        public void check() {
        }

        @Override
        public Optional<MetadataState> committedState(StreamId stream, String threadId) {
            return Optional.empty();
        }

        @Override
        public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
            maxOpenWriters.accumulate(openWriters.incrementAndGet());
            return new DestinationWriter() {
                private long pending;
                private final Set<Long> pendingIds = new HashSet<>();
                private boolean done;

                @Override
                public void write(List<Record> batch) {
                    try {
                        Thread.sleep(WRITE_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                    for (Record r : batch) {
                        pendingIds.add(((Number) r.value("id")).longValue());
                    }
                    sample(); // the producer of this writer thread may be blocked on this batch now
                    pending += batch.size();
                    written.addAndGet(batch.size());
                    writes.incrementAndGet();
                }

                @Override
                public void commit(MetadataState state) {
                    committed.addAndGet(pending);
                    ids.addAll(pendingIds);
                    finish();
                }

                @Override
                public void abort() {
                    finish();
                }

                private void finish() {
                    if (!done) {
                        done = true;
                        openWriters.decrementAndGet();
                    }
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

    private static long sourceCount() throws Exception {
        try (Connection c = pg.connection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM big")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void slowWriterKeepsRecordsInMemoryBoundedByBatchSizeAndWriterThreads() throws Exception {
        PgSync sync = new PgSync(pg, "\"max_threads\": " + THREADS + ", \"chunk_size\": 20000");
        ConfiguredStream big = sync.stream(StreamId.of("public", "big"), SyncMode.FULL_REFRESH);
        SlowDestination dest = new SlowDestination();
        long pushed;
        long start = System.nanoTime();
        try (DriverInterface d = sync.driver();
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(BATCH));
                AbstractDriver a = new AbstractDriver(d, State.inMemory(), PgSync.options())) {
            dest.pushed = () -> pool.stats(big.id()).pushed();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    dest.sample();
                    LockSupport.parkNanos(100_000);
                }
            }, "back-pressure-sampler");
            sampler.setDaemon(true);
            sampler.start();
            try {
                a.setup();
                a.read(pool, List.of(big));
            } finally {
                sampler.interrupt();
                sampler.join();
            }
            pushed = pool.stats(big.id()).pushed();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        // at most THREADS writer threads at once, each holding one batch being filled and one being written
        long bound = 2L * BATCH * THREADS;
        LOG.info("back-pressure: {} rows, batch {}, {} writer threads at most ({} seen), {} writes of {} ms: max "
                + "records pushed but not written {} (bound {}), {} ms", ROWS, BATCH, THREADS, dest.maxOpenWriters.get(),
                dest.writes.get(), WRITE_MILLIS, dest.maxOutstanding.get(), bound, millis);
        assertThat(pushed).isEqualTo(ROWS); // no chunk was read twice
        assertThat(dest.maxOpenWriters.get()).isBetween(2L, (long) THREADS);
        assertThat(dest.maxOutstanding.get()).isLessThanOrEqualTo(bound)
                // the writer really was the bottleneck: more than one batch waited on it at once
                .isGreaterThan(BATCH);
        // the writes took at least as long as their sleeps spread over the writer threads
        assertThat(millis).isGreaterThanOrEqualTo(ROWS / BATCH * WRITE_MILLIS / THREADS);
        assertThat(dest.committed.get()).isEqualTo(sourceCount()).isEqualTo(ROWS);
        assertThat(dest.ids).hasSize(ROWS);
        assertThat(dest.ids.stream().mapToLong(Long::longValue).sum()).isEqualTo((long) ROWS * (ROWS + 1) / 2);
    }
}
