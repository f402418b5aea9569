package io.tributary.examples;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.writer.WriterPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Embeds a sync in an application: find a driver by type, configure it from JSON, discover, and sync every stream
 * into JSON-lines files, keeping state in a file so the next call resumes. Runs with the bundled {@code generator}
 * driver; swap the type and config for {@code postgres}, {@code mysql} or {@code mongodb}.
 *
 * <pre>{@code ./mvnw -q -pl examples exec:java -Dexec.mainClass=io.tributary.examples.EmbedSyncExample}</pre>
 */
public final class EmbedSyncExample {
    private EmbedSyncExample() {
    }

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("tributary-embed");
        long rows = sync(out);
        System.out.println("synced " + rows + " rows into " + out);
    }

    /** Syncs and returns the rows written. */
    public static long sync(Path out) {
        DriverInterface driver = Drivers.configured("generator",
                Json.parse("{\"streams\": [\"orders\", \"users\"], \"rows\": 5000, \"chunk_size\": 1000, "
                        + "\"max_threads\": 2}"), "source config");
        State state = State.load(new FileStateStore(out.resolve("state.json")));
        try (AbstractDriver sync = new AbstractDriver(driver, state);
                WriterPool pool = WriterPool.open("jsonl", Json.parse("{\"path\": \"" + out.resolve("data")
                        .toString().replace("\\", "/") + "\"}"), WriterPool.Options.defaults())) {
            sync.setup();
            List<Stream> streams = sync.discover(4);
            sync.read(pool, Catalog.selectAll(streams).configuredStreams());
            return pool.allStats().values().stream().mapToLong(WriterPool.StreamStats::committed).sum();
        }
    }
}
