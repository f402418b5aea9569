package io.tributary.testkit.reliability;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.CdcBackfill;
import io.tributary.core.Chunk;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.SyncListener;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Providers;
import io.tributary.writer.WriterFactory;
import io.tributary.writer.WriterPool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sync in its own JVM, for kill/resume tests: discovers every stream, sets each to {@code syncMode} and syncs
 * into the writer, with state in {@code statePath}. Exits 0 when the sync finished.
 *
 * <p>Arguments: {@code driverType sourceJsonFile writerType writerJsonFile statePath syncMode [cdcBackfill]}, the last
 * {@code before_cdc} (default) or {@code watermark}.
 *
 * <p>Progress goes to standard output as lines starting with {@code @} ({@link #READ}, {@link #BACKFILL_STARTED},
 * {@link #CHUNK}, {@link #BACKFILL_COMPLETED}, {@link #CHECKPOINT}), driver-neutral and independent of any logging
 * backend: {@link KillResumeHarness} times its kills by them and tells which phase a kill hit.
 *
 * <p>With {@code -Dtributary.awaitGo=true} the JVM starts without arguments, loads the drivers, writers and JSON
 * mapper (touching no source, destination or state), prints {@link #READY} and waits on standard input for a line
 * {@code go}, then the arguments one per line, then an empty line: the harness starts a JVM while the previous run
 * still works and hands it the next run once that one is dead. End of input before that exits with 3, having done
 * nothing.
 */
public final class SyncMain {
    /** Started and waiting for {@code go} (with {@code -Dtributary.awaitGo=true}). */
    static final String READY = "@ready";
    /** Discovery is done and the sync starts reading. */
    static final String READ = "@read";
    /** A stream's backfill starts (or resumes); followed by the stream and the number of chunks left. */
    static final String BACKFILL_STARTED = "@backfill-started";
    /** A chunk was committed and removed from state. */
    static final String CHUNK = "@chunk";
    /** A stream's backfill finished. */
    static final String BACKFILL_COMPLETED = "@backfill-completed";
    /** A CDC checkpoint was committed; followed by its number of changes. */
    static final String CHECKPOINT = "@checkpoint";

    private SyncMain() {
    }

    public static void main(String[] args) throws Exception {
        if (Boolean.getBoolean("tributary.awaitGo")) {
            args = awaitGo();
        }
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
                AbstractDriver.Options.defaults().withCdcBackfill(backfill).withListener(new Progress()));
                WriterPool pool = WriterPool.open(args[2], Json.parse(Files.readString(Path.of(args[3]))),
                        WriterPool.Options.defaults().withBatchSize(1_000))) {
            sync.setup();
            List<Stream> streams = sync.discover(4).stream().map(s -> s.withSyncMode(mode)).toList();
            List<ConfiguredStream> selected = Catalog.selectAll(streams).configuredStreams();
            System.out.println(READ);
            sync.read(pool, selected);
        }
        System.exit(0);
    }

    private static String[] awaitGo() throws IOException {
        Json.mapper();
        Drivers.available(Providers.defaultLoader());
        Providers.all(WriterFactory.class, WriterFactory::type, Providers.defaultLoader());
        System.out.println(READY);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) {
            System.exit(3);
        }
        List<String> args = new ArrayList<>();
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            args.add(line);
        }
        return args.toArray(String[]::new);
    }

    /** Prints the progress markers; {@code println} on {@code System.out} is synchronized and flushed. */
    private static final class Progress implements SyncListener {
        @Override
        public void backfillStarted(StreamId stream, int remaining, int total) {
            System.out.println(BACKFILL_STARTED + " " + stream + " " + remaining);
        }

        @Override
        public void chunkCommitted(StreamId stream, Chunk chunk, long rows) {
            System.out.println(CHUNK + " " + stream + " " + rows);
        }

        @Override
        public void backfillCompleted(StreamId stream) {
            System.out.println(BACKFILL_COMPLETED + " " + stream);
        }

        @Override
        public void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
            System.out.println(CHECKPOINT + " " + changes);
        }
    }
}
