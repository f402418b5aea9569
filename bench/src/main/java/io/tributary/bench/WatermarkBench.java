package io.tributary.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.core.AbstractDriver;
import io.tributary.core.CdcBackfill;
import io.tributary.core.DriverInterface;
import io.tributary.core.Drivers;
import io.tributary.core.SyncListener;
import io.tributary.core.state.State;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Destination;
import io.tributary.writer.WriterPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.replication.LogSequenceNumber;

/**
 * A CDC sync of a table under a steady write load, in both {@link CdcBackfill} modes, on the same embedded
 * PostgreSQL: the time from the start until the destination is current (a checkpoint committed a position at or past
 * the WAL position of the moment the backfill finished), and the WAL the slot retains when the backfill finishes.
 *
 * <pre>{@code java -Xmx2g -cp bench/target/tributary-bench.jar io.tributary.bench.WatermarkBench [rows] [changes/s] [writer]}</pre>
 * Defaults: 1 000 000 rows, 1 000 changes/s, {@code iceberg}. Writes {@code bench/results/<date>-watermark.md}.
 */
public final class WatermarkBench {
    private WatermarkBench() {
    }

    record Result(String mode, double backfillSeconds, double currentSeconds, long walRetainedBytes,
            long walUnconfirmedBytes, long changesDuringRun, long peakHeapMb) {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        String writer = args.length > 2 ? args[2] : "iceberg";
        Path work = Files.createTempDirectory("tributary-wm-bench");
        List<Result> results = new ArrayList<>();
        try (TestingPostgres pg = new TestingPostgres()) {
            for (CdcBackfill mode : CdcBackfill.values()) {
                String table = "wm_" + mode.name().toLowerCase(Locale.ROOT);
                System.out.printf("%s: generating %,d rows...%n", table, rows);
                pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, qty integer NOT NULL, "
                        + "amount numeric(12,2) NOT NULL, label text NOT NULL, created_at timestamptz NOT NULL)",
                        "INSERT INTO " + table + " SELECT g, g % 1000, (g % 1000000) / 100.0, md5(g::text) || '-l', "
                                + "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' "
                                + "FROM generate_series(1, " + rows + ") g",
                        "VACUUM ANALYZE " + table);
                results.add(run(pg, table, mode, rows, rate, writer, work));
            }
        }
        String md = report(rows, rate, writer, results);
        System.out.println(md);
        Path out = Path.of("bench", "results", LocalDate.now() + "-watermark.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        System.out.println("written to " + out.toAbsolutePath());
    }

    private static Result run(TestingPostgres pg, String table, CdcBackfill mode, long rows, int rate, String writer,
            Path work) throws Exception {
        String slot = table + "_slot";
        String config = "{\"host\": \"localhost\", \"port\": " + pg.port() + ", \"database\": \"postgres\", "
                + "\"username\": \"postgres\", \"password\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}, "
                + "\"max_threads\": 3, \"chunk_size\": " + Math.max(20_000, rows / 12) + ", \"update_method\": "
                + "{\"replication_slot\": \"" + slot + "\", \"publication\": \"" + slot + "\", \"initial_wait_time\": 2, "
                + "\"create_if_missing\": true}}";
        Destination dest = BackfillBench.destination(writer, work.resolve(table));
        long[] backfillDone = {0};
        LogSequenceNumber[] walAtBackfillEnd = {null};
        long[] walRetained = {0};
        long[] walUnconfirmed = {0};
        long[] current = {0};
        long start = System.nanoTime();
        SyncListener listener = new SyncListener() {
            @Override
            public void backfillCompleted(StreamId stream) {
                backfillDone[0] = System.nanoTime();
                try (Connection c = pg.connection(); Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text, pg_wal_lsn_diff("
                                + "pg_current_wal_lsn(), restart_lsn)::bigint, pg_wal_lsn_diff(pg_current_wal_lsn(), "
                                + "confirmed_flush_lsn)::bigint FROM pg_replication_slots "
                                + "WHERE slot_name = '" + slot + "'")) {
                    rs.next();
                    walAtBackfillEnd[0] = LogSequenceNumber.valueOf(rs.getString(1));
                    walRetained[0] = rs.getLong(2);
                    walUnconfirmed[0] = rs.getLong(3);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void cdcCheckpointed(int identifier, ObjectNode position, long changes) {
                LogSequenceNumber target = walAtBackfillEnd[0];
                if (current[0] == 0 && target != null
                        && LogSequenceNumber.valueOf(position.get("lsn").asText()).compareTo(target) >= 0) {
                    current[0] = System.nanoTime();
                }
            }
        };
        Load load;
        long peak;
        try (DriverInterface d = Drivers.configured("postgres", Json.parse(config), "bench source");
                WriterPool pool = new WriterPool(dest, WriterPool.Options.defaults());
                AbstractDriver sync = new AbstractDriver(d, State.inMemory(), AbstractDriver.Options.defaults()
                        .withListener(listener).withCdcBackfill(mode).withWindowRows(20_000))) {
            sync.setup();
            Stream s = d.produceSchema(StreamId.of("public", table)).withSyncMode(SyncMode.CDC);
            load = new Load(pg, table, rows, rate);
            HeapPeak heap = HeapPeak.start();
            try {
                // a bounded run ends at the WAL end of its stream's start; runs repeat until the destination is
                // current with the WAL position of the backfill's end
                while (current[0] == 0) {
                    sync.read(pool, List.of(ConfiguredStream.of(s)));
                }
            } finally {
                load.close();
                peak = heap.peakBytes() >> 20;
                heap.close();
            }
        }
        Result r = new Result(mode.name().toLowerCase(Locale.ROOT), (backfillDone[0] - start) / 1e9,
                (current[0] - start) / 1e9, walRetained[0], walUnconfirmed[0], load.ops.get(), peak);
        System.out.printf("%s: backfill done %.1f s, destination current %.1f s, WAL retained %,d bytes, "
                + "unconfirmed %,d bytes%n", r.mode(), r.backfillSeconds(), r.currentSeconds(), r.walRetainedBytes(),
                r.walUnconfirmedBytes());
        return r;
    }

    private static String report(long rows, int rate, String writer, List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("# CDC backfill modes under write load, PostgreSQL ").append(LocalDate.now()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "%,d rows (bigint PK, int, numeric(12,2), text, timestamptz); a load of "
                + "~%,d single-row changes/s (50 %% updates, 30 %% inserts, 20 %% deletes) during the whole run; "
                + "`%s` writer, 3 connections; embedded PostgreSQL 17; JVM %s, max heap %d MB, %d cores.%n%n", rows,
                rate, writer, System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20,
                Runtime.getRuntime().availableProcessors()));
        sb.append("| cdc_backfill | backfill done (s) | destination current (s) | WAL retained at backfill end "
                + "(restart_lsn) | WAL not confirmed at backfill end | changes applied by the load | peak heap MB |\n"
                + "|---|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %,d bytes | %,d bytes | %,d | %d |%n",
                    r.mode(), r.backfillSeconds(), r.currentSeconds(), r.walRetainedBytes(),
                    r.walUnconfirmedBytes(), r.changesDuringRun(), r.peakHeapMb()));
        }
        sb.append("\n\"Destination current\": the first checkpoint that committed a position at or past the WAL "
                + "position of the moment the backfill finished. WAL retained: `pg_current_wal_lsn() - restart_lsn` "
                + "of the slot at that moment (PostgreSQL moves restart_lsn lazily, at running-transactions records); "
                + "not confirmed: `pg_current_wal_lsn() - confirmed_flush_lsn`.\n");
        return sb.toString();
    }

    /** Single-row changes at about {@code rate} per second until closed. */
    private static final class Load implements AutoCloseable {
        final AtomicLong ops = new AtomicLong();
        private final Thread thread;
        private volatile boolean stop;

        Load(TestingPostgres pg, String table, long rows, int rate) {
            thread = new Thread(() -> {
                Random random = new Random(7);
                long next = rows + 1;
                long periodNanos = 1_000_000_000L / rate;
                long due = System.nanoTime();
                try (Connection c = pg.connection(); Statement st = c.createStatement()) {
                    while (!stop) {
                        int op = random.nextInt(10);
                        long key = 1 + (long) (random.nextDouble() * rows);
                        if (op < 5) {
                            st.execute("UPDATE " + table + " SET qty = qty + 1 WHERE id = " + key);
                        } else if (op < 8) {
                            st.execute("INSERT INTO " + table + " VALUES (" + next++ + ", 1, 1.00, 'new', now())");
                        } else {
                            st.execute("DELETE FROM " + table + " WHERE id = " + key);
                        }
                        ops.incrementAndGet();
                        due += periodNanos;
                        long sleep = due - System.nanoTime();
                        if (sleep > 0) {
                            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "load");
            thread.start();
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
