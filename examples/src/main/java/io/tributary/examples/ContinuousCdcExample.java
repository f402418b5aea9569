package io.tributary.examples;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Continuous CDC into your own destination: a custom {@link Destination} (here: hands every committed record to a
 * callback, as an application would publish it) and a loop of bounded CDC runs over the same state, each run
 * committing what the log holds and acknowledging it to the slot. Stop the loop to stop replicating; the next
 * start resumes from the saved position.
 *
 * <pre>{@code java -cp examples/target/tributary.jar io.tributary.examples.ContinuousCdcExample}</pre>
 */
public final class ContinuousCdcExample {
    private ContinuousCdcExample() {
    }

    /** A destination that delivers each writer thread's records to a callback when it commits. */
    public static final class CallbackDestination implements Destination {
        private final Consumer<Record> sink;
        private final Map<String, MetadataState> committed = new ConcurrentHashMap<>();

        public CallbackDestination(Consumer<Record> sink) {
            this.sink = sink;
        }

        @Override
        public void check() {
        }

        @Override
        public Optional<MetadataState> committedState(StreamId stream, String threadId) {
            return Optional.ofNullable(committed.get(stream + "/" + threadId));
        }

        @Override
        public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
            return new DestinationWriter() {
                private final List<Record> pending = new ArrayList<>();

                @Override
                public void write(List<Record> batch) {
                    pending.addAll(batch);
                }

                @Override
                public void commit(MetadataState state) {
                    pending.forEach(sink); // deliver, then remember the position (at-least-once)
                    committed.put(stream.id() + "/" + state.threadId(), state);
                    pending.clear();
                }

                @Override
                public void abort() {
                    pending.clear();
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

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long n = run(rounds, r -> System.out.println(r.op().code() + " " + r.olakeId() + " " + r.value("note")));
        System.out.println(n + " records delivered");
    }

    /** Runs {@code rounds} CDC rounds while rows are inserted; returns how many records reached the callback. */
    public static long run(int rounds, Consumer<Record> callback) throws Exception {
        List<Record> seen = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("wal_level", "logical").start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE events (id serial PRIMARY KEY, note text)");
            }
            String source = QuickstartConfig.source(pg.getPort(), "continuous", "continuous").toString()
                    .replace("\"initial_wait_time\":3", "\"initial_wait_time\":1");
            State state = State.load(new InMemoryStateStore());
            CallbackDestination dest = new CallbackDestination(r -> {
                seen.add(r);
                callback.accept(r);
            });
            for (int round = 0; round < rounds; round++) {
                try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                    st.execute("INSERT INTO events (note) SELECT 'round " + round + " #' || g FROM generate_series(1, 10) g");
                }
                DriverInterface driver = Drivers.configured("postgres", io.tributary.types.Json.parse(source), "source");
                try (AbstractDriver sync = new AbstractDriver(driver, state);
                        WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults())) {
                    sync.setup();
                    List<ConfiguredStream> streams = Catalog.selectAll(sync.discover(2).stream()
                            .filter(s -> s.name().equals("events")).map(s -> s.withSyncMode(SyncMode.CDC)).toList())
                            .configuredStreams();
                    sync.read(pool, streams);
                }
            }
        }
        return seen.size();
    }
}
