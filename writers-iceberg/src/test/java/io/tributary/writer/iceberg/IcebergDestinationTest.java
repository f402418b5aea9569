package io.tributary.writer.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterThread;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IcebergDestinationTest {
    private static final StreamId ID = StreamId.of("shop", "items");
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.nullable("i", DataType.INT32), Field.nullable("f", DataType.FLOAT32),
            Field.nullable("d", DataType.FLOAT64), Field.decimal("amount", 12, 3, true),
            Field.decimal("huge", 0, 0, true), Field.nullable("s", DataType.STRING),
            Field.nullable("b", DataType.BOOLEAN), Field.nullable("day", DataType.DATE),
            Field.nullable("tod", DataType.TIME), Field.nullable("at", DataType.TIMESTAMP_MICRO),
            Field.nullable("bin", DataType.BINARY), Field.nullable("doc", DataType.JSON_OBJECT));
    private static final ConfiguredStream STREAM = ConfiguredStream.of(
            Stream.of(ID, SCHEMA, List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)));

    @TempDir
    Path dir;

    private WriterPool pool() {
        return WriterPool.open("iceberg", Json.parse("{\"warehouse\": \"" + dir.resolve("wh") + "\"}"),
                WriterPool.Options.defaults().withBatchSize(7));
    }

    private static Object[] values(long id, String s) {
        return new Object[] {id, (int) id, 1.5f, 2.25, new BigDecimal("123456789.125"),
                new BigDecimal("3.14159265358979323846264338327950288"), s, true, LocalDate.of(2024, 2, 29),
                LocalTime.parse("13:45:12.123456"), Instant.parse("2024-02-29T08:15:12.654321Z"),
                new byte[] {0, (byte) 0xff}, "{\"a\": [1, 2]}"};
    }

    private static Record rec(long id, String s, OpType op) {
        Object[] v = op == OpType.DELETE ? new Object[SCHEMA.size()] : values(id, s);
        v[0] = id;
        return new Record(SCHEMA, v, Long.toString(id), op, Instant.parse("2026-01-01T00:00:00Z"),
                op == OpType.READ ? null : Instant.parse("2026-01-02T00:00:00Z"));
    }

    private static MetadataState state(String thread, int n) {
        ObjectNode p = Json.object();
        p.put("n", n);
        return new MetadataState(thread, p);
    }

    private void commit(WriterPool pool, String thread, WriteMode mode, Record... records) {
        WriterThread w = pool.newWriter(STREAM, new WriterOptions(thread, mode));
        for (Record r : records) {
            w.push(r);
        }
        w.close(state(thread, records.length));
    }

    private Map<Long, org.apache.iceberg.data.Record> read(WriterPool pool) throws Exception {
        IcebergDestination d = (IcebergDestination) pool.destination();
        Table t = d.catalog().loadTable(d.identifier(ID));
        Map<Long, org.apache.iceberg.data.Record> out = new TreeMap<>();
        try (CloseableIterable<org.apache.iceberg.data.Record> it = IcebergGenerics.read(t).build()) {
            for (org.apache.iceberg.data.Record r : it) {
                assertThat(out.put((Long) r.getField("id"), r.copy())).as("duplicate id %s", r.getField("id")).isNull();
            }
        }
        return out;
    }

    @Test
    void everyTypeIsReadBackByIcebergsOwnReader() throws Exception {
        try (WriterPool pool = pool()) {
            List<Record> rows = new ArrayList<>();
            for (long i = 1; i <= 20; i++) {
                rows.add(rec(i, "ünï ✓ " + i, OpType.READ));
            }
            Object[] nulls = new Object[SCHEMA.size()];
            nulls[0] = 21L;
            rows.add(new Record(SCHEMA, nulls, "21", OpType.READ, Instant.EPOCH, null));
            commit(pool, "chunk-1", WriteMode.APPEND, rows.toArray(Record[]::new));
            Map<Long, org.apache.iceberg.data.Record> t = read(pool);
            assertThat(t).hasSize(21);
            org.apache.iceberg.data.Record r = t.get(3L);
            assertThat(r.getField("i")).isEqualTo(3);
            assertThat(r.getField("f")).isEqualTo(1.5f);
            assertThat(r.getField("d")).isEqualTo(2.25);
            assertThat(r.getField("amount")).isEqualTo(new BigDecimal("123456789.125"));
            assertThat(r.getField("huge")).isEqualTo("3.14159265358979323846264338327950288");
            assertThat(r.getField("s")).isEqualTo("ünï ✓ 3");
            assertThat(r.getField("b")).isEqualTo(true);
            assertThat(r.getField("day")).isEqualTo(LocalDate.of(2024, 2, 29));
            assertThat(r.getField("tod")).isEqualTo(LocalTime.parse("13:45:12.123456"));
            assertThat(((OffsetDateTime) r.getField("at")).toInstant()).isEqualTo(Instant.parse("2024-02-29T08:15:12.654321Z"));
            assertThat(((ByteBuffer) r.getField("bin")).array()).containsExactly(0, 0xff);
            assertThat(r.getField("doc")).isEqualTo("{\"a\": [1, 2]}");
            assertThat(r.getField("_olake_id")).isEqualTo("3");
            assertThat(r.getField("_op_type")).isEqualTo("r");
            assertThat(t.get(21L).getField("amount")).isNull();
            assertThat(((OffsetDateTime) r.getField("_olake_timestamp")).toInstant())
                    .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(((OffsetDateTime) t.get(21L).getField("_olake_timestamp")).toInstant()).isEqualTo(Instant.EPOCH);
            assertThat(r.getField("_cdc_timestamp")).isNull();

            // key columns are unique per row: written without a dictionary; zstd at level 1
            IcebergDestination d = (IcebergDestination) pool.destination();
            Table table = d.catalog().loadTable(d.identifier(ID));
            assertThat(table.properties()).containsEntry("write.parquet.compression-codec", "zstd")
                    .containsEntry("write.parquet.compression-level", "1");
            org.apache.iceberg.DataFile dataFile = table.currentSnapshot().addedDataFiles(table.io()).iterator().next();
            // the file's metrics, as Iceberg's planner and readers use them
            org.apache.iceberg.Schema ts = table.schema();
            int idField = ts.findField("id").fieldId();
            int atField = ts.findField("at").fieldId();
            int amountField = ts.findField("amount").fieldId();
            assertThat(dataFile.recordCount()).isEqualTo(21);
            assertThat(dataFile.valueCounts()).containsEntry(idField, 21L);
            assertThat(dataFile.nullValueCounts()).containsEntry(idField, 0L).containsEntry(amountField, 1L);
            assertThat(dataFile.nanValueCounts()).containsEntry(ts.findField("f").fieldId(), 0L);
            assertThat((Long) org.apache.iceberg.types.Conversions.fromByteBuffer(ts.findType("id"),
                    dataFile.lowerBounds().get(idField))).isEqualTo(1L);
            assertThat((Long) org.apache.iceberg.types.Conversions.fromByteBuffer(ts.findType("id"),
                    dataFile.upperBounds().get(idField))).isEqualTo(21L);
            assertThat((Long) org.apache.iceberg.types.Conversions.fromByteBuffer(ts.findType("at"),
                    dataFile.upperBounds().get(atField))).isEqualTo(1709194512654321L);
            String file = dataFile.location();
            // files are created with Hadoop's default permission and umask (set through java.nio, no chmod process)
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(
                    Path.of(java.net.URI.create(file).getPath())))).isEqualTo("rw-r--r--");
            // and no Hadoop checksum side files: the table's folder holds data and metadata files only
            Path tableDir = Path.of(java.net.URI.create(table.location()).getPath());
            try (var walk = java.nio.file.Files.walk(tableDir)) {
                List<Path> files = walk.filter(java.nio.file.Files::isRegularFile).toList();
                assertThat(files).isNotEmpty();
                assertThat(files).noneMatch(f -> f.getFileName().toString().endsWith(".crc"));
            }
            try (org.apache.parquet.hadoop.ParquetFileReader reader = org.apache.parquet.hadoop.ParquetFileReader.open(
                    new org.apache.parquet.io.LocalInputFile(Path.of(java.net.URI.create(file).getPath())))) {
                Map<String, String> encodings = new TreeMap<>();
                for (var col : reader.getFooter().getBlocks().get(0).getColumns()) {
                    encodings.put(col.getPath().toDotString(), col.getEncodings().toString());
                }
                assertThat(encodings.get("_olake_id")).doesNotContain("DICTIONARY");
                assertThat(encodings.get("id")).doesNotContain("DICTIONARY");
                assertThat(encodings.get("_op_type")).contains("DICTIONARY");
            }
        }
    }

    @Test
    void insertUpdateDeleteReinsertReadsBackAsExactlyTheFinalRows() throws Exception {
        try (WriterPool pool = pool()) {
            commit(pool, "chunk", WriteMode.APPEND, rec(1, "a", OpType.READ), rec(2, "b", OpType.READ),
                    rec(3, "c", OpType.READ));
            // one CDC batch touching key 4 four times and key 2 twice (positional deletes within the commit)
            commit(pool, "cdc", WriteMode.UPSERT, rec(4, "new", OpType.CREATE), rec(4, "upd", OpType.UPDATE),
                    rec(2, "b2", OpType.UPDATE), rec(4, "", OpType.DELETE), rec(4, "again", OpType.CREATE),
                    rec(2, "b3", OpType.UPDATE), rec(3, "", OpType.DELETE));
            Map<Long, org.apache.iceberg.data.Record> t = read(pool);
            assertThat(t.keySet()).containsExactly(1L, 2L, 4L);
            assertThat(t.get(2L).getField("s")).isEqualTo("b3");
            assertThat(t.get(4L).getField("s")).isEqualTo("again");
            // a later batch: delete then re-insert across commits
            commit(pool, "cdc", WriteMode.UPSERT, rec(1, "", OpType.DELETE));
            commit(pool, "cdc", WriteMode.UPSERT, rec(1, "back", OpType.INSERT_OVERLAP));
            t = read(pool);
            assertThat(t.keySet()).containsExactly(1L, 2L, 4L);
            assertThat(t.get(1L).getField("s")).isEqualTo("back");
            assertThat(t.get(1L).getField("_op_type")).isEqualTo("i");
        }
    }

    @Test
    void anAbortedWriterLeavesTheTableAsItWasAndCommitsSurviveReopening() throws Exception {
        try (WriterPool pool = pool()) {
            commit(pool, "chunk-1", WriteMode.APPEND, rec(1, "a", OpType.READ));
            WriterThread w = pool.newWriter(STREAM, new WriterOptions("chunk-2", WriteMode.APPEND));
            for (int i = 10; i < 40; i++) {
                w.push(rec(i, "x", OpType.READ));
            }
            w.flush();
            w.abort();
            assertThat(read(pool).keySet()).containsExactly(1L);
        }
        try (WriterPool pool = pool()) {
            assertThat(pool.committedState(ID, "chunk-1").orElseThrow().payload().toString()).isEqualTo("{\"n\":1}");
            assertThat(pool.committedState(ID, "chunk-2")).isEmpty();
        }
    }

    @Test
    void recordsOfANarrowerSchemaInTheSameFileLeaveTheMissingColumnNull() throws Exception {
        Schema narrow = new Schema(SCHEMA.fields().stream().filter(f -> !f.name().equals("s")).toList());
        try (WriterPool pool = pool()) {
            List<Record> rows = new ArrayList<>();
            for (long i = 1; i <= 30; i++) {
                if (i % 2 == 0) {
                    Object[] full = values(i, "s" + i);
                    Object[] v = new Object[narrow.size()];
                    for (int k = 0, j = 0; k < SCHEMA.size(); k++) {
                        if (!SCHEMA.field(k).name().equals("s")) {
                            v[j++] = full[k];
                        }
                    }
                    v[1] = (int) i * 10;
                    rows.add(new Record(narrow, v, Long.toString(i), OpType.READ, Instant.EPOCH, null));
                } else {
                    rows.add(rec(i, "s" + i, OpType.READ));
                }
            }
            commit(pool, "chunk-1", WriteMode.APPEND, rows.toArray(Record[]::new));
            Map<Long, org.apache.iceberg.data.Record> t = read(pool);
            assertThat(t).hasSize(30);
            for (long i = 1; i <= 30; i++) {
                org.apache.iceberg.data.Record r = t.get(i);
                assertThat(r.getField("s")).as("s of %s", i).isEqualTo(i % 2 == 0 ? null : "s" + i);
                assertThat(r.getField("i")).as("i of %s", i).isEqualTo((int) (i % 2 == 0 ? i * 10 : i));
                assertThat(r.getField("doc")).isEqualTo("{\"a\": [1, 2]}");
            }
        }
    }

    @Test
    void aNewColumnAndAWiderTypeEvolveTheTable() throws Exception {
        try (WriterPool pool = pool()) {
            commit(pool, "chunk-1", WriteMode.APPEND, rec(1, "a", OpType.READ));
            Schema wider = new Schema(new ArrayList<>(SCHEMA.fields()) {
                {
                    set(1, Field.nullable("i", DataType.INT64));
                    add(Field.nullable("extra", DataType.STRING));
                }
            });
            Object[] v = new Object[wider.size()];
            System.arraycopy(values(2, "b"), 0, v, 0, SCHEMA.size());
            v[1] = 5_000_000_000L;
            v[SCHEMA.size()] = "new column";
            commit(pool, "cdc", WriteMode.UPSERT,
                    new Record(wider, v, "2", OpType.CREATE, Instant.EPOCH, Instant.EPOCH));
            Map<Long, org.apache.iceberg.data.Record> t = read(pool);
            assertThat(t.get(2L).getField("extra")).isEqualTo("new column");
            assertThat(t.get(2L).getField("i")).isEqualTo(5_000_000_000L);
            assertThat(t.get(1L).getField("extra")).isNull();
            assertThat(t.get(1L).getField("i")).isEqualTo(1L);
        }
    }
}
