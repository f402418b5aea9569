package io.tributary.driver.postgres;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.WriterPool;
import io.tributary.writer.memory.MemoryDestination;
import java.time.Duration;
import java.util.List;

/** Runs the real orchestrator with the PostgreSQL driver into a memory destination, state kept across runs. */
class PgSync {
    final TestingPostgres pg;
    final String extraConfig;
    final InMemoryStateStore store = new InMemoryStateStore();
    final MemoryDestination dest = new MemoryDestination();

    PgSync(TestingPostgres pg, String extraConfig) {
        this.pg = pg;
        this.extraConfig = extraConfig;
    }

    static String config(TestingPostgres pg, String extra) {
        return config(PgServer.of(pg), extra);
    }

    /** A source config for {@code server} as its superuser, without TLS, with {@code extra} keys. */
    static String config(PgServer server, String extra) {
        return "{\"host\": \"" + server.host() + "\", \"port\": " + server.port() + ", \"database\": \""
                + server.database() + "\", \"username\": \"" + server.user() + "\", \"password\": \""
                + server.password() + "\", \"ssl\": {\"mode\": \"disable\"}" + (extra.isEmpty() ? "" : ", " + extra)
                + "}";
    }

    DriverInterface driver() {
        return Drivers.configured("postgres", Json.parse(config(pg, extraConfig)), "source.json");
    }

    Stream discover(StreamId id) {
        try (DriverInterface d = driver()) {
            AbstractDriver a = new AbstractDriver(d, State.load(store));
            a.setup();
            return a.discover(4).stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
        }
    }

    void run(ConfiguredStream... streams) {
        run(options(), streams);
    }

    static AbstractDriver.Options options() {
        return AbstractDriver.Options.defaults().withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(100));
    }

    void run(AbstractDriver.Options options, ConfiguredStream... streams) {
        try (DriverInterface d = driver();
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults().withBatchSize(1_000));
                AbstractDriver a = new AbstractDriver(d, State.load(store), options)) {
            a.setup();
            a.read(pool, List.of(streams));
        }
    }

    ConfiguredStream stream(StreamId id, SyncMode mode) {
        return ConfiguredStream.of(discover(id).withSyncMode(mode));
    }

    State state() {
        return State.load(store);
    }
}
