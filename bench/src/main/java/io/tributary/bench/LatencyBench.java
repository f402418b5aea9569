package io.tributary.bench;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * End-to-end CDC latency on an embedded PostgreSQL: a steady load of single-row inserts (each stamped with
 * {@code clock_timestamp()} in its own transaction) while a continuous change stream
 * ({@link AbstractDriver.Options#withContinuousCdc}) commits into a writer; latency = writer commit returned minus
 * the row's timestamp. Reports p50 / p99 / max per writer.
 *
 * <pre>{@code java -Xmx1g -cp bench/target/tributary-bench.jar io.tributary.bench.LatencyBench [changes/s] [seconds] [writers] [checkpoint ms]}</pre>
 * Defaults: 1 000 changes/s, 30 s, {@code null,iceberg}, 200 ms. Writes {@code bench/results/<date>-latency.md}.
 */
public final class LatencyBench {
    private LatencyBench() {
    }

    record Result(String writer, long samples, double p50, double p99, double max) {
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        List<String> writers = List.of((args.length > 2 ? args[2] : "null,iceberg").split(","));
        long checkpointMs = args.length > 3 ? Long.parseLong(args[3]) : 200;
        Path work = Files.createTempDirectory("tributary-latency");
        List<Result> results = new ArrayList<>();
        try (TestingPostgres pg = new TestingPostgres()) {
            for (String writer : writers) {
                results.add(run(pg, writer, rate, seconds, checkpointMs, work));
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# CDC latency, PostgreSQL ").append(LocalDate.now()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "A steady %,d single-row inserts/s for %d s (the first 5 s not counted) "
                + "while a continuous change stream (checkpoint every %d ms) commits into the writer; latency = the "
                + "writer's commit returned minus the row's `clock_timestamp()` in its transaction. Embedded "
                + "PostgreSQL 17, JVM %s, %d cores.%n%n", rate, seconds, checkpointMs,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
        sb.append("| writer | changes measured | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %.0f | %.0f | %.0f |%n", r.writer(), r.samples(),
                    r.p50(), r.p99(), r.max()));
        }
        System.out.println(sb);
        Path out = Path.of("bench", "results", LocalDate.now() + "-latency.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb.toString());
        System.out.println("written to " + out.toAbsolutePath());
    }

    private static Result run(TestingPostgres pg, String writer, int rate, int seconds, long checkpointMs, Path work)
            throws Exception {
        String table = "lat_" + writer;
        String slot = table + "_slot";
        pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, payload text, created_at timestamptz)");
        String config = "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}, "
                + "\"update_method\": {\"replication_slot\": \"" + slot + "\", \"publication\": \"" + slot
                + "\", \"initial_wait_time\": 1, \"create_if_missing\": true}}";
        Destination inner = BackfillBench.destination(writer, work.resolve(table));
        Timed dest = new Timed(inner);
        State state = State.inMemory();
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, state, AbstractDriver.Options.defaults()
                        .withContinuousCdc(Duration.ofMillis(checkpointMs)))) {
            sync.setup();
            Stream s = d.produceSchema(StreamId.of("public", table)).withSyncMode(SyncMode.STRICT_CDC);
            List<ConfiguredStream> streams = List.of(ConfiguredStream.of(s));
            Thread cdc = new Thread(() -> sync.read(pool, streams), "continuous-cdc");
            cdc.start();
            Thread.sleep(2_000); // the slot exists and the stream runs
            long warmupEnd = System.nanoTime() + 5_000_000_000L;
            dest.countFrom = Instant.now().plusSeconds(5);
            long period = 1_000_000_000L / rate;
            long due = System.nanoTime();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            try (Connection c = pg.connection(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + table + " VALUES (?, 'x', clock_timestamp())")) {
                for (long id = 1; System.nanoTime() < end; id++) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                    due += period;
                    long sleep = due - System.nanoTime();
                    if (sleep > 0) {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    }
                }
            }
            Thread.sleep(3_000);
            sync.stop();
            cdc.join(60_000);
            if (warmupEnd > end) {
                throw new IllegalArgumentException("run longer than the 5 s warm-up");
            }
        }
        double[] ms = dest.latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (ms.length == 0) {
            throw new IllegalStateException(writer + ": no change measured");
        }
        Result r = new Result(writer, ms.length, ms[(int) (ms.length * 0.50)], ms[(int) (ms.length * 0.99)],
                ms[ms.length - 1]);
        System.out.printf(Locale.ROOT, "%s: %,d changes, p50 %.0f ms, p99 %.0f ms, max %.0f ms%n", writer, r.samples(),
                r.p50(), r.p99(), r.max());
        return r;
    }

    /** Delegates to a destination and, when a commit returns, records each committed row's age. */
    private static final class Timed implements Destination {
        final ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        volatile Instant countFrom = Instant.MAX;
        private final Destination inner;

        Timed(Destination inner) {
            this.inner = inner;
        }

        @Override
        public void check() {
            inner.check();
        }

        @Override
        public Optional<MetadataState> committedState(StreamId stream, String threadId) {
            return inner.committedState(stream, threadId);
        }

        @Override
        public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
            DestinationWriter w = inner.open(stream, options);
            return new DestinationWriter() {
                private final List<Instant> pending = new ArrayList<>();

                @Override
                public void write(List<Record> batch) {
                    for (Record r : batch) {
                        if (r.value(r.schema().indexOf("created_at")) instanceof Instant at) {
                            pending.add(at);
                        }
                    }
                    w.write(batch);
                }

                @Override
                public void commit(MetadataState state) {
                    w.commit(state);
                    Instant now = Instant.now();
                    for (Instant at : pending) {
                        if (at.isAfter(countFrom)) {
                            latencies.add(Duration.between(at, now).toNanos() / 1e6);
                        }
                    }
                    pending.clear();
                }

                @Override
                public void abort() {
                    pending.clear();
                    w.abort();
                }
            };
        }

        @Override
        public void dropStreams(Collection<StreamId> streams) {
            inner.dropStreams(streams);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
