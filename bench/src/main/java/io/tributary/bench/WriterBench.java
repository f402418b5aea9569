package io.tributary.bench;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.MetadataState;
import io.tributary.writer.OlakeId;
import io.tributary.writer.Providers;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterFactory;
import io.tributary.writer.WriterOptions;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The writers alone, on one thread: records of the backfill bench's table (bigint key, int, numeric(12,2), text
 * ~40 chars, timestamptz, bool, jsonb) made in memory once, then written by each writer in 10 000-record batches,
 * one commit per 500 000 records (a chunk). No database, no reader: rows/s here is the ceiling a writer puts on a
 * one-thread backfill. Arguments: {@code [rows (default 2000000)] [writers (default parquet,iceberg)] [rounds (3)]}.
 */
public final class WriterBench {
    private static final int DISTINCT = 500_000;
    private static final int BATCH = 10_000;

    private WriterBench() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        List<String> writers = List.of((args.length > 1 ? args[1] : "parquet,iceberg").split(","));
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Schema schema = Schema.of(Field.of("id", DataType.INT64, false), Field.of("qty", DataType.INT32, false),
                Field.decimal("amount", 12, 2, false), Field.of("label", DataType.STRING, false),
                Field.of("created_at", DataType.TIMESTAMP_MICRO, false), Field.of("active", DataType.BOOLEAN, false),
                Field.of("doc", DataType.JSON_OBJECT, true));
        Stream stream = new Stream(StreamId.of("bench", "writer_bench"), schema, List.of("id"), Set.of(),
                Set.of(SyncMode.FULL_REFRESH), SyncMode.FULL_REFRESH, java.util.Optional.empty());
        List<Record> records = records(schema, stream.primaryKey());
        Path dir = Files.createTempDirectory("writer-bench");
        System.out.printf(Locale.ROOT, "%,d rows per round, %d rounds, JVM %s, max heap %d MB%n", rows, rounds,
                Runtime.version(), Runtime.getRuntime().maxMemory() >> 20);
        for (int round = 0; round < rounds; round++) {
            for (String w : writers) {
                Path out = dir.resolve(w + "-" + round);
                String json = w.equals("iceberg") ? "{\"warehouse\": \"" + out + "\"}" : "{\"path\": \"" + out + "\"}";
                try (Destination dest = Providers.find(WriterFactory.class, WriterFactory::type, w,
                        Providers.defaultLoader()).create(Json.parse(json))) {
                    long t0 = System.nanoTime();
                    write(dest, ConfiguredStream.of(stream), records, rows);
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(Locale.ROOT, "%-8s round %d: %,10.0f rows/s (%.2f s)%n", w, round, rows / s, s);
                }
                deleteTree(out);
            }
        }
        deleteTree(dir);
    }

    private static void write(Destination dest, ConfiguredStream stream, List<Record> records, long rows) {
        long written = 0;
        int chunk = 0;
        while (written < rows) {
            DestinationWriter w = dest.open(stream, new WriterOptions("chunk-" + chunk, WriteMode.APPEND));
            for (int from = 0; from < records.size() && written < rows; from += BATCH) {
                int to = (int) Math.min(Math.min(from + BATCH, records.size()), from + rows - written);
                w.write(records.subList(from, to));
                written += to - from;
            }
            w.commit(new MetadataState("chunk-" + chunk, Json.object().put("chunk", chunk)));
            chunk++;
        }
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    private static List<Record> records(Schema schema, List<String> key) {
        OlakeId ids = OlakeId.forKey(schema, key);
        Instant now = Instant.now();
        Instant base = Instant.parse("2024-01-01T00:00:00Z");
        List<Record> out = new ArrayList<>(DISTINCT);
        for (long g = 1; g <= DISTINCT; g++) {
            Object[] v = {g, (int) (g % 1000), BigDecimal.valueOf(g % 1_000_000, 2),
                    HexFormat.of().formatHex(Arrays.copyOf(Long.toString(g * 2654435761L).getBytes(), 16)) + "-label",
                    base.plusSeconds(g), g % 3 == 0, "{\"k\": " + (g % 17) + ", \"tag\": \"x\"}"};
            out.add(new Record(schema, v, ids.of(v), OpType.READ, now, null));
        }
        return out;
    }
}
