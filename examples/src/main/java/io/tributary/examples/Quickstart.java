package io.tributary.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.cli.ProgressListener;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Stream;
import io.tributary.types.SyncMode;
import io.tributary.writer.WriterPool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The quickstart: an embedded PostgreSQL with a small demo schema, a full sync into a local Apache Iceberg
 * warehouse (Hadoop catalog in a folder), then inserts, updates and deletes captured by CDC, and a check that the
 * Iceberg tables hold exactly the source's rows. Exit code 0 only when they match.
 *
 * <pre>{@code ./quickstart}</pre>
 */
public final class Quickstart {
    static final String SLOT = "tributary_quickstart";
    static final String PUBLICATION = "tributary_quickstart";
    static final List<String> TABLES = List.of("customers", "products", "orders");

    private Quickstart() {
    }

    public static void main(String[] args) throws Exception {
        Path work = args.length > 0 ? Path.of(args[0]) : Path.of("tributary-quickstart");
        System.exit(run(work, 40_000, System.out) ? 0 : 1);
    }

    /** Runs the whole quickstart in {@code work}; returns whether the destination matches the source. */
    public static boolean run(Path work, int orders, PrintStream out) throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        out.println("== Tributary quickstart: embedded PostgreSQL -> Apache Iceberg (" + work.toAbsolutePath() + ")");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "4")
                .setServerConfig("max_wal_senders", "4")
                .setServerConfig("synchronous_commit", "on")
                .setDataDirectory(work.resolve("pgdata"))
                .setCleanDataDirectory(true)
                .start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                DemoSchema.create(st, orders);
            }
            out.println("started PostgreSQL on port " + pg.getPort() + " with " + orders + " orders");

            ObjectNode source = QuickstartConfig.source(pg.getPort(), SLOT, PUBLICATION);
            ObjectNode writer = QuickstartConfig.iceberg(work.resolve("warehouse"));
            Path statePath = work.resolve("state.json");

            long t0 = System.nanoTime();
            sync(source, writer, statePath, out, "full sync (backfill) of " + TABLES);
            double backfillSecs = (System.nanoTime() - t0) / 1e9;

            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                DemoSchema.applyChanges(st);
            }
            out.println("applied inserts, updates and deletes in PostgreSQL");
            sync(source, writer, statePath, out, "CDC sync");

            Map<String, QuickstartVerifier.Summary> src;
            try (Connection c = pg.getPostgresDatabase().getConnection()) {
                src = QuickstartVerifier.source(c, TABLES);
            }
            Map<String, QuickstartVerifier.Summary> dst = QuickstartVerifier.iceberg(work.resolve("warehouse"), TABLES);
            out.println();
            out.printf("%-12s %12s %12s %s%n", "table", "source rows", "iceberg rows", "checksum");
            boolean ok = true;
            for (String t : TABLES) {
                QuickstartVerifier.Summary a = src.get(t);
                QuickstartVerifier.Summary b = dst.get(t);
                boolean same = a.equals(b);
                ok &= same;
                out.printf("%-12s %12d %12d %s%n", t, a.rows(), b.rows(), same ? "match" : "MISMATCH");
            }
            out.println();
            out.printf("backfill took %.1f s; state: %s; tables: %s%n", backfillSecs, statePath.toAbsolutePath(),
                    work.resolve("warehouse").toAbsolutePath());
            out.println("sample rows read back with Iceberg's reader:");
            QuickstartVerifier.printSample(work.resolve("warehouse"), "orders", 5, out);
            out.println(ok ? "OK: the Iceberg tables match PostgreSQL" : "FAILED: the destination differs from the source");
            return ok;
        }
    }

    private static void sync(ObjectNode source, ObjectNode writer, Path statePath, PrintStream out, String what) {
        out.println("-- " + what);
        ProgressListener progress = new ProgressListener(out, System.console() != null);
        DriverInterface driver = Drivers.configured("postgres", source, "quickstart source");
        try (AbstractDriver sync = new AbstractDriver(driver, State.load(new FileStateStore(statePath)),
                AbstractDriver.Options.defaults().withListener(progress));
                WriterPool pool = WriterPool.open("iceberg", writer, WriterPool.Options.defaults())) {
            sync.setup();
            List<Stream> streams = sync.discover(4).stream()
                    .filter(s -> TABLES.contains(s.name()))
                    .map(s -> s.withSyncMode(SyncMode.CDC))
                    .toList();
            List<ConfiguredStream> selected = Catalog.selectAll(streams).configuredStreams();
            sync.read(pool, selected);
            progress.summary(pool);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
