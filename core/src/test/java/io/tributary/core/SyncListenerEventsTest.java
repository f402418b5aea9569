package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.core.testing.InMemoryDb;
import io.tributary.core.testing.TestDriver;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.NonRetriableException;
import io.tributary.types.RetriableException;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SyncListenerEventsTest {
    private static final StreamId USERS = StreamId.of("public", "users");
    private static final StreamId ORDERS = StreamId.of("public", "orders");

    private final InMemoryDb db = new InMemoryDb();
    private final MemoryDestination dest = new MemoryDestination();
    private final InMemoryStateStore store = new InMemoryStateStore();

    /** Records every event. */
    static final class Recorder implements SyncListener {
        final List<CdcCommit> commits = new CopyOnWriteArrayList<>();
        final List<RetryEvent> retries = new CopyOnWriteArrayList<>();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final Map<StreamId, AtomicLong> chunkRows = new ConcurrentHashMap<>();
        final List<Duration> chunkTimes = new CopyOnWriteArrayList<>();
        final AtomicLong oldCallbackChanges = new AtomicLong();

        @Override
        public void chunkCommitted(StreamId stream, Chunk chunk, long rows, Duration took) {
            chunkRows.computeIfAbsent(stream, k -> new AtomicLong()).addAndGet(rows);
            chunkTimes.add(took);
        }

        @Override
        public void cdcCommitted(CdcCommit commit) {
            commits.add(commit);
            SyncListener.super.cdcCommitted(commit); // the older callback still hears of it
        }

        @Override
        public void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
            oldCallbackChanges.addAndGet(changes);
        }

        @Override
        public void retrying(RetryEvent event) {
            retries.add(event);
        }

        @Override
        public void failed(String operation, Throwable cause) {
            failures.add(cause);
        }
    }

    private TestDriver driver(long chunkSize) {
        return new TestDriver(db, new TestDriver.Config(2, 2, chunkSize, true, ChangeStreamMode.SEQUENTIAL, 50));
    }

    private void sync(TestDriver d, SyncListener l, SyncMode mode, StreamId... ids) {
        List<ConfiguredStream> streams = java.util.Arrays.stream(ids)
                .map(id -> ConfiguredStream.of(d.produceSchema(id).withSyncMode(mode))).toList();
        try (WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(64))) {
            new AbstractDriver(d, State.load(store), AbstractDriver.Options.defaults()
                    .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).withListener(l))
                    .read(pool, streams);
        }
    }

    private static long sum(List<CdcCommit> commits, StreamId id, java.util.function.ToLongFunction<StreamChanges> f) {
        return commits.stream().map(c -> c.changes().get(id)).filter(java.util.Objects::nonNull).mapToLong(f).sum();
    }

    @Test
    void checkpointsCarryPerStreamCountsByOperationAndTheSourceCommitTimes() {
        db.fill(USERS, 0, 300);
        db.fill(ORDERS, 0, 300);
        Recorder first = new Recorder();
        sync(driver(100), first, SyncMode.CDC, USERS, ORDERS);
        assertThat(first.chunkRows.get(USERS).get()).isEqualTo(300);
        assertThat(first.chunkTimes).hasSize(6).allMatch(t -> !t.isNegative() && !t.isZero());

        Instant before = Instant.now();
        db.update(USERS, InMemoryDb.row(1, "u1", Instant.ofEpochSecond(50), 1L));
        db.delete(USERS, 2);
        db.insert(USERS, InMemoryDb.row(9_000, "c", Instant.ofEpochSecond(9_000), 9_000L));
        db.update(ORDERS, InMemoryDb.row(3, "o3", Instant.ofEpochSecond(60), 3L));
        for (long i = 100; i < 220; i++) {
            db.insert(ORDERS, InMemoryDb.row(10_000 + i, "bulk", Instant.ofEpochSecond(i), i));
        }
        db.delete(ORDERS, 4);
        Instant after = Instant.now();

        Recorder second = new Recorder();
        sync(driver(100), second, SyncMode.CDC, USERS, ORDERS);
        List<CdcCommit> commits = second.commits;
        // 124 changes, a checkpoint every 50 changes and one at the end
        assertThat(commits).hasSizeGreaterThanOrEqualTo(3);
        assertThat(sum(commits, USERS, StreamChanges::inserts)).isEqualTo(1);
        assertThat(sum(commits, USERS, StreamChanges::updates)).isEqualTo(1);
        assertThat(sum(commits, USERS, StreamChanges::deletes)).isEqualTo(1);
        assertThat(sum(commits, ORDERS, StreamChanges::inserts)).isEqualTo(120);
        assertThat(sum(commits, ORDERS, StreamChanges::updates)).isEqualTo(1);
        assertThat(sum(commits, ORDERS, StreamChanges::deletes)).isEqualTo(1);
        assertThat(second.oldCallbackChanges.get()).isEqualTo(125);
        assertThat(commits).allSatisfy(c -> {
            assertThat(c.streams()).containsExactlyInAnyOrder(USERS, ORDERS);
            assertThat(c.duration()).isPositive();
            for (StreamChanges sc : c.changes().values()) {
                assertThat(sc.oldestSourceCommit()).isBetween(before, after);
                assertThat(sc.newestSourceCommit()).isBetween(sc.oldestSourceCommit(), after);
                assertThat(sc.lag(c.committedAt())).isEqualTo(Duration.between(sc.newestSourceCommit(),
                        c.committedAt()));
                assertThat(sc.maxLag(c.committedAt())).isGreaterThanOrEqualTo(sc.lag(c.committedAt()));
            }
        });
        CdcCommit last = commits.get(commits.size() - 1);
        assertThat(last.changes().get(ORDERS).newestSourceCommit()).isEqualTo(db.log(0, db.logSize())
                .get(db.logSize() - 1).at());

        // an idle run still checkpoints, with no change: the stream is caught up
        Recorder idle = new Recorder();
        sync(driver(100), idle, SyncMode.CDC, USERS, ORDERS);
        assertThat(idle.commits).hasSize(1);
        assertThat(idle.commits.get(0).changes()).isEmpty();
        assertThat(idle.commits.get(0).totalChanges()).isZero();
    }

    @Test
    void retriesAndTheFinalFailureAreReported() {
        db.fill(USERS, 0, 1_000);
        TestDriver d = driver(100);
        d.chunkFault = (c, n) -> Long.valueOf(300).equals(c.min()) && n == 1
                ? new RetriableException("connection reset while reading chunk " + c) : null;
        Recorder r = new Recorder();
        sync(d, r, SyncMode.FULL_REFRESH, USERS);
        assertThat(r.retries).singleElement().satisfies(e -> {
            assertThat(e.operation()).isEqualTo("chunk");
            assertThat(e.what()).contains("public.users").contains("300");
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.maxAttempts()).isEqualTo(3);
            assertThat(e.cause()).hasMessageContaining("connection reset");
            assertThat(e.backoff()).isEqualTo(Duration.ofMillis(5));
        });
        assertThat(r.failures).isEmpty();

        TestDriver broken = driver(100);
        broken.chunkFault = (c, n) -> Long.valueOf(500).equals(c.min())
                ? new NonRetriableException("unsupported value in chunk " + c) : null;
        Recorder f = new Recorder();
        assertThatThrownBy(() -> sync(broken, f, SyncMode.FULL_REFRESH, USERS))
                .isInstanceOf(NonRetriableException.class);
        assertThat(f.failures).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("unsupported"));
    }

    @Test
    void aCompositeListenerCallsEveryListenerEvenWhenOneFails() {
        Recorder a = new Recorder();
        SyncListener failing = new SyncListener() {
            @Override
            public void retrying(RetryEvent event) {
                throw new IllegalStateException("broken listener");
            }
        };
        Recorder b = new Recorder();
        SyncListener all = SyncListener.composite(a, failing, b);
        all.retrying(new RetryEvent("chunk", "x", 1, 2, new RuntimeException("boom"), Duration.ZERO));
        assertThat(a.retries).hasSize(1);
        assertThat(b.retries).hasSize(1);
    }
}
