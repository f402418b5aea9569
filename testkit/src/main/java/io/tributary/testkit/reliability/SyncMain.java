package io.tributary.testkit.reliability;

import io.tributary.core.AbstractDriver;
import io.tributary.core.CdcBackfill;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.SyncMode;
import io.tributary.writer.WriterPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A sync in its own JVM, for kill/resume tests: discovers every stream, sets each to {@code syncMode} and syncs
 * into the writer, with state in {@code statePath}. Exits 0 when the sync finished.
 *
 * <p>Arguments: {@code driverType sourceJsonFile writerType writerJsonFile statePath syncMode [cdcBackfill]}, the last
 * {@code before_cdc} (default) or {@code watermark}.
 */
public final class SyncMain {
    private SyncMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6 && args.length != 7) {
            System.err.println("usage: SyncMain driverType source.json writerType writer.json state.json syncMode "
                    + "[before_cdc|watermark]");
            System.exit(2);
        }
        DriverInterface driver = Drivers.configured(args[0], Json.parse(Files.readString(Path.of(args[1]))), args[1]);
        State state = State.load(new FileStateStore(Path.of(args[4])));
        SyncMode mode = SyncMode.fromJson(args[5]);
        CdcBackfill backfill = args.length == 7 ? CdcBackfill.valueOf(args[6].toUpperCase(java.util.Locale.ROOT))
                : CdcBackfill.BEFORE_CDC;
        try (AbstractDriver sync = new AbstractDriver(driver, state,
                AbstractDriver.Options.defaults().withCdcBackfill(backfill));
                WriterPool pool = WriterPool.open(args[2], Json.parse(Files.readString(Path.of(args[3]))),
                        WriterPool.Options.defaults().withBatchSize(1_000))) {
            sync.setup();
            List<Stream> streams = sync.discover(4).stream().map(s -> s.withSyncMode(mode)).toList();
            List<ConfiguredStream> selected = Catalog.selectAll(streams).configuredStreams();
            sync.read(pool, selected);
        }
        System.exit(0);
    }
}
