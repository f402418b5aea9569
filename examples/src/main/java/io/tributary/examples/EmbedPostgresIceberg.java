package io.tributary.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.writer.WriterPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The README's embedding snippet, compiled (and run by {@code EmbedPostgresIcebergTest}; the consumer check compiles
 * it against the published jars): replicate the PostgreSQL database of {@code <dir>/source.json} into Iceberg tables
 * under {@code <dir>/warehouse}, resuming from {@code <dir>/state.json}. Only {@code tributary-core},
 * {@code tributary-driver-postgres} and {@code tributary-writer-iceberg} are needed. The README shows the lines
 * between the {@code README} markers; a test keeps the two identical.
 */
public final class EmbedPostgresIceberg {
    private EmbedPostgresIceberg() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        // README:begin
        Path source = dir.resolve("source.json");                              // OLake's source.json
        DriverInterface driver = Drivers.configured("postgres", Json.parse(Files.readString(source)), source.toString());
        State state = State.load(new FileStateStore(dir.resolve("state.json")));  // resumable progress, OLake's shape
        ObjectNode iceberg = Json.object().put("warehouse", dir.resolve("warehouse").toString());
        try (AbstractDriver sync = new AbstractDriver(driver, state);
                WriterPool pool = WriterPool.open("iceberg", iceberg, WriterPool.Options.defaults())) {
            sync.setup();                                                      // connectivity, grants, CDC settings
            List<Stream> streams = sync.discover(8);                           // concurrent schema discovery
            sync.read(pool, Catalog.selectAll(streams).configuredStreams());   // backfill, incremental, CDC
        }
        // README:end
    }
}
