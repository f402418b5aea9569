package io.tributary.driver.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tributary.core.AbstractDriver;
import io.tributary.core.BackfillMsgFn;
import io.tributary.core.CdcBackfill;
import io.tributary.core.ChangeStreamMode;
import io.tributary.core.Chunk;
import io.tributary.core.CursorValues;
import io.tributary.core.DriverConfig;
import io.tributary.core.DriverInterface;
import io.tributary.core.IncrementalSupport;
import io.tributary.core.WatermarkSupport;
import io.tributary.core.Drivers;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingMariaDb;
import io.tributary.testkit.TestingMySqlServer;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Record;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The watermark backfill against the interleaving that lost updates: the binlog stream is idle at the end of the
 * binlog when a chunk's low watermark is registered there, and a row of the chunk is updated after the chunk's
 * SELECT started (so the chunk holds the old value). The stream must hand the low watermark over before that update,
 * so that the update marks the row as changed and the chunk's stale row is dropped. MariaDB here; MySQL 8 in
 * {@link MySql8WatermarkBackfillTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlWatermarkBackfillTest {
    private TestingMySqlServer db;

    /** Starts the server, or skips the test class when it cannot run here. */
    TestingMySqlServer newServer() {
        assumeTrue(TestingMariaDb.available(), "mariadb-server is not installed (apt-get install mariadb-server)");
        return new TestingMariaDb();
    }

    @BeforeAll
    void start() {
        db = newServer();
    }

    @AfterAll
    void stop() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void anUpdateCommittedWhileItsChunkIsReadIsNotLost() {
        db.execute("CREATE TABLE shop.wm_race (id bigint PRIMARY KEY, v varchar(20))");
        StringBuilder insert = new StringBuilder("INSERT INTO shop.wm_race VALUES ");
        for (int i = 1; i <= 50; i++) {
            insert.append(i == 1 ? "" : ", ").append("(").append(i).append(", 'old')");
        }
        db.execute(insert.toString());
        StreamId id = StreamId.of("shop", "wm_race");
        State state = State.inMemory();
        MemoryDestination dest = new MemoryDestination();
        Stream s;
        try (DriverInterface d = driver()) {
            s = new AbstractDriver(d, state).discover(2).stream().filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow();
        }
        ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.CDC));
        AtomicBoolean updated = new AtomicBoolean();
        // the SELECT's read view exists once its first row arrives: the update is not in the chunk
        Runnable duringRead = () -> {
            if (updated.compareAndSet(false, true)) {
                db.execute("UPDATE shop.wm_race SET v = 'new' WHERE id = 50");
            }
        };
        try (DriverInterface d = new UpdatingWhileReading(driver(), duringRead);
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver a = new AbstractDriver(d, state, AbstractDriver.Options.defaults()
                        .withCdcBackfill(CdcBackfill.WATERMARK).withWindowRows(1_000)
                        .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(50)))) {
            a.setup();
            a.read(pool, List.of(cs));
        }
        assertThat(updated).isTrue();
        Map<String, Record> table = dest.table(id);
        assertThat(table).hasSize(50);
        assertThat(table.get("50").value("v")).as("the row updated while its chunk was read").isEqualTo("new");
        assertThat(table.get("49").value("v")).isEqualTo("old");
    }

    private DriverInterface driver() {
        return Drivers.configured("mysql", Json.parse(MySqlConformanceTest.config(db, TestingMySqlServer.ADMIN_USER,
                TestingMySqlServer.ADMIN_PASSWORD, true)), "source.json");
    }

    /** The MySQL driver, running {@code duringRead} when a chunk read hands over its first row. */
    private record UpdatingWhileReading(DriverInterface d, Runnable duringRead) implements DriverInterface {
        @Override
        public void chunkIterator(ConfiguredStream stream, Chunk chunk, CursorValues upperBound, BackfillMsgFn fn) {
            d.chunkIterator(stream, chunk, upperBound, row -> {
                duringRead.run();
                fn.accept(row);
            });
        }

        @Override
        public String type() {
            return d.type();
        }

        @Override
        public Class<? extends DriverConfig> configType() {
            return d.configType();
        }

        @Override
        public DriverInterface configure(DriverConfig config) {
            return new UpdatingWhileReading(d.configure(config), duringRead);
        }

        @Override
        public DriverConfig config() {
            return d.config();
        }

        @Override
        public void setup() {
            d.setup();
        }

        @Override
        public Optional<String> sourceIdentity() {
            return d.sourceIdentity();
        }

        @Override
        public int maxConnections() {
            return d.maxConnections();
        }

        @Override
        public int maxRetries() {
            return d.maxRetries();
        }

        @Override
        public List<StreamId> getStreamNames() {
            return d.getStreamNames();
        }

        @Override
        public Stream produceSchema(StreamId stream) {
            return d.produceSchema(stream);
        }

        @Override
        public void checkStream(ConfiguredStream stream) {
            d.checkStream(stream);
        }

        @Override
        public List<Chunk> getOrSplitChunks(ConfiguredStream stream) {
            return d.getOrSplitChunks(stream);
        }

        @Override
        public List<Chunk> getOrSplitChunks(ConfiguredStream stream, long maxChunkRows) {
            return d.getOrSplitChunks(stream, maxChunkRows);
        }

        @Override
        public Optional<IncrementalSupport> incremental() {
            return d.incremental();
        }

        @Override
        public ChangeStreamMode changeStreamMode() {
            return d.changeStreamMode();
        }

        @Override
        public void preCDC(List<ConfiguredStream> streams) {
            d.preCDC(streams);
        }

        @Override
        public java.util.Optional<io.tributary.core.CdcSource<?>> cdcSource() {
            return d.cdcSource();
        }

        @Override
        public Optional<WatermarkSupport> watermarks() {
            return d.watermarks();
        }

        @Override
        public void close() {
            d.close();
        }
    }
}
