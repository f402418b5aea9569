package io.tributary.writer.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfigException;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetDestinationTest {
    private static final StreamId ID = StreamId.of("public", "all_types");
    private static final Schema SCHEMA = Schema.of(
            Field.of("id", DataType.INT64, false),
            Field.nullable("b", DataType.BOOLEAN),
            Field.nullable("i", DataType.INT32),
            Field.nullable("f", DataType.FLOAT32),
            Field.nullable("d", DataType.FLOAT64),
            Field.decimal("small_dec", 9, 2, true),
            Field.decimal("mid_dec", 18, 4, true),
            Field.decimal("big_dec", 30, 10, true),
            Field.decimal("any_dec", 0, 0, true),
            Field.nullable("s", DataType.STRING),
            Field.nullable("dt", DataType.DATE),
            Field.nullable("tm", DataType.TIME),
            Field.nullable("ts", DataType.TIMESTAMP_MICRO),
            Field.nullable("bin", DataType.BINARY),
            Field.nullable("js", DataType.JSON_OBJECT));
    private static final Instant T0 = Instant.parse("2024-03-01T12:34:56.123456Z");

    @TempDir
    Path dir;

    private ParquetDestination destination(String compression) {
        ObjectNode c = Json.object().put("path", dir.toString()).put("compression", compression);
        return (ParquetDestination) new ParquetWriterFactory().create(c);
    }

    private static ConfiguredStream stream(Schema schema) {
        return ConfiguredStream.of(Stream.of(ID, schema, List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH)));
    }

    private static Record row(Schema schema, Object... values) {
        return new Record(schema, values, String.valueOf(values[0]), OpType.READ, T0, null);
    }

    private static MetadataState state(String thread, long chunk) {
        ObjectNode p = Json.object().put("chunk", chunk);
        return new MetadataState(thread, p);
    }

    private static List<List<Object>> query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SET TimeZone='UTC'; " + sql)) {
            List<List<Object>> out = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    private String glob(ParquetDestination d) {
        return "'" + d.streamDir(ID) + "/*.parquet'";
    }

    @Test
    void writesEveryTypeSoThatDuckDbReadsTheSameValues() throws Exception {
        for (String codec : List.of("snappy", "zstd")) {
            ParquetDestination d = destination(codec);
            d.dropStreams(List.of(ID));
            byte[] bytes = {0, 1, (byte) 0xFF, 42};
            try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults())) {
                WriterThread w = pool.newWriter(stream(SCHEMA), new WriterOptions("chunk-1", WriteMode.APPEND));
                w.push(row(SCHEMA, 1L, true, -7, 1.5f, -2.25d, new BigDecimal("-1234567.89"),
                        new BigDecimal("12345678901234.5678"), new BigDecimal("-12345678901234567890.0123456789"),
                        new BigDecimal("123.456"), "héllo wörld ✓ 日本", LocalDate.of(1969, 12, 31),
                        LocalTime.of(23, 59, 58, 123_456_000), T0, bytes, "{\"a\":[1,2]}"));
                Object[] nulls = new Object[SCHEMA.size()];
                nulls[0] = 2L;
                w.push(row(SCHEMA, nulls));
                w.close(state("chunk-1", 1));
            }
            List<List<Object>> rows = query("select id, b, i, f, d, small_dec::varchar, mid_dec::varchar, big_dec::varchar,"
                    + " any_dec::varchar, s, dt::varchar, tm::varchar, epoch_us(ts), hex(bin), js, _olake_id, _op_type,"
                    + " epoch_us(_olake_timestamp), _cdc_timestamp from read_parquet(" + glob(d) + ") order by id");
            assertThat(rows).hasSize(2);
            List<Object> r = rows.get(0);
            assertThat(r.subList(0, 12)).containsExactly(1L, true, -7, 1.5f, -2.25d, "-1234567.89",
                    "12345678901234.5678", "-12345678901234567890.0123456789", "123.456",
                    "héllo wörld ✓ 日本", "1969-12-31", "23:59:58.123456");
            assertThat(r.get(12)).isEqualTo(RecordFileWriter.micros(T0));
            assertThat(r.get(13)).isEqualTo("0001FF2A");
            assertThat(r.subList(14, 19)).containsExactly("{\"a\":[1,2]}", "1", "r", RecordFileWriter.micros(T0), null);
            assertThat(rows.get(1).subList(1, 15)).containsOnlyNulls();
            List<List<Object>> types = query("select column_name, column_type from (describe select * from read_parquet("
                    + glob(d) + "))");
            assertThat(types.stream().map(t -> t.get(0) + " " + t.get(1)).toList()).contains(
                    "small_dec DECIMAL(9,2)", "mid_dec DECIMAL(18,4)", "big_dec DECIMAL(30,10)",
                    "any_dec VARCHAR", "ts TIMESTAMP WITH TIME ZONE", "dt DATE", "tm TIME",
                    "bin BLOB", "s VARCHAR", "_olake_timestamp TIMESTAMP WITH TIME ZONE");
            d.close();
        }
    }

    @Test
    void keyColumnsAreWrittenWithoutADictionaryOtherColumnsWithOne() throws Exception {
        ParquetDestination d = destination("snappy");
        Schema schema = Schema.of(Field.of("id", DataType.INT64, false), Field.nullable("s", DataType.STRING));
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults())) {
            WriterThread w = pool.newWriter(stream(schema), new WriterOptions("chunk-1", WriteMode.APPEND));
            for (long i = 0; i < 5_000; i++) {
                w.push(row(schema, i, "tag" + (i % 3)));
            }
            w.close(state("chunk-1", 1));
        }
        List<List<Object>> meta = query("SELECT path_in_schema, encodings FROM parquet_metadata(" + glob(d) + ")");
        java.util.Map<String, String> encodings = new java.util.HashMap<>();
        meta.forEach(m -> encodings.merge(m.get(0).toString(), m.get(1).toString(), (a, b) -> a + "," + b));
        assertThat(encodings.get("id")).doesNotContain("DICTIONARY");
        assertThat(encodings.get("_olake_id")).doesNotContain("DICTIONARY");
        assertThat(encodings.get("s")).contains("DICTIONARY");
        assertThat(encodings.get("_op_type")).contains("DICTIONARY");
        assertThat(query("SELECT count(*), count(DISTINCT _olake_id), sum(id) FROM read_parquet(" + glob(d) + ")"))
                .containsExactly(List.of(5_000L, 5_000L, java.math.BigInteger.valueOf(4_999L * 5_000 / 2)));
    }

    @Test
    void abortedWriterLeavesNoVisibleFile() throws Exception {
        ParquetDestination d = destination("snappy");
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults().withBatchSize(10))) {
            WriterThread ok = pool.newWriter(stream(SCHEMA), new WriterOptions("t1", WriteMode.APPEND));
            ok.push(row(SCHEMA, rowValues(1)));
            ok.close(state("t1", 1));
            WriterThread bad = pool.newWriter(stream(SCHEMA), new WriterOptions("t2", WriteMode.APPEND));
            for (int i = 100; i < 150; i++) {
                bad.push(row(SCHEMA, rowValues(i)));
            }
            bad.abort();
            assertThat(pool.committedState(ID, "t2")).isEmpty();
        }
        assertThat(query("select count(*) from read_parquet(" + glob(d) + ")").get(0).get(0)).isEqualTo(1L);
        try (var files = Files.list(d.streamDir(ID))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("_commits"))).hasSize(1)
                    .allMatch(n -> n.endsWith(".parquet"));
        }
    }

    @Test
    void crashBeforeCommitIsCleanedAndCommittedStateSurvivesReopen() throws Exception {
        ParquetDestination d = destination("zstd");
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults())) {
            WriterThread w = pool.newWriter(stream(SCHEMA), new WriterOptions("chunk-7", WriteMode.APPEND));
            w.push(row(SCHEMA, rowValues(7)));
            w.close(state("chunk-7", 7));
            // a thread that "crashes": written but neither committed nor aborted
            var crashed = d.open(stream(SCHEMA), new WriterOptions("chunk-8", WriteMode.APPEND));
            crashed.write(List.of(row(SCHEMA, rowValues(8))));
        }
        // simulate a crash in the middle of a commit: the commit record exists but its file never got renamed
        Path commits = d.streamDir(ID).resolve("_commits");
        Files.writeString(commits.resolve("9999999999999-000000-chunk-9.json"),
                "{\"thread_id\":\"chunk-9\",\"files\":[\"9999999999999-000000-chunk-9-00000.parquet\"],\"state\":{}}");

        ParquetDestination reopened = destination("zstd");
        assertThat(reopened.committedState(ID, "chunk-7")).contains(state("chunk-7", 7));
        assertThat(reopened.committedState(ID, "chunk-8")).isEmpty();
        assertThat(reopened.committedState(ID, "chunk-9")).isEmpty();
        try (var files = Files.list(d.streamDir(ID))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("."))).isEmpty();
        }
        assertThat(Files.list(commits).count()).isEqualTo(1);
        assertThat(query("select id from read_parquet(" + glob(d) + ")")).containsExactly(List.of(7L));
    }

    @Test
    void aNewColumnMidStreamStartsAFileWithTheWiderSchema() throws Exception {
        ParquetDestination d = destination("snappy");
        Schema wider = SCHEMA.merge(Schema.of(Field.nullable("added", DataType.STRING)));
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults().withBatchSize(3))) {
            WriterThread w = pool.newWriter(stream(SCHEMA), new WriterOptions("cdc", WriteMode.UPSERT));
            for (int i = 0; i < 5; i++) {
                w.push(row(SCHEMA, rowValues(i)));
            }
            for (int i = 5; i < 10; i++) {
                Object[] v = java.util.Arrays.copyOf(rowValues(i), wider.size());
                v[v.length - 1] = "new-" + i;
                w.push(row(wider, v));
            }
            w.close(state("cdc", 1));
        }
        List<List<Object>> rows = query("select id, added from read_parquet(" + glob(d)
                + ", union_by_name = true) order by id");
        assertThat(rows).hasSize(10);
        assertThat(rows.get(4)).containsExactly(4L, null);
        assertThat(rows.get(9)).containsExactly(9L, "new-9");
        try (var files = Files.list(d.streamDir(ID))) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count()).isEqualTo(2);
        }
    }

    @Test
    void aFileOfManyRowGroupsHoldsEveryRowOnce() throws Exception {
        Schema s = Schema.of(Field.of("id", DataType.INT64, false), Field.nullable("payload", DataType.STRING),
                Field.nullable("n", DataType.INT32));
        Path file = dir.resolve("groups.parquet");
        long rows = 50_000;
        try (RecordFileWriter w = new RecordFileWriter(s, new org.apache.parquet.io.LocalOutputFile(file),
                DirectCodecFactory.INSTANCE.getCompressor(org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY),
                256 * 1024, List.of("id"))) {
            for (long i = 0; i < rows; i++) {
                w.write(row(s, i, i % 7 == 0 ? null : "payload-" + i * 31, i % 5 == 0 ? null : (int) (i % 1000)));
            }
        }
        String f = "'" + file + "'";
        assertThat((Long) query("select count(distinct row_group_id) from parquet_metadata(" + f + ")").get(0).get(0))
                .isGreaterThan(3L);
        long sevenths = (rows + 6) / 7;
        long fifths = (rows + 4) / 5;
        long nSum = 0;
        for (long i = 0; i < rows; i++) {
            nSum += i % 5 == 0 ? 0 : i % 1000;
        }
        assertThat(query("select count(*), count(distinct id), sum(id), count(payload), sum(n), count(n),"
                + " count(*) filter (where payload <> 'payload-' || (id * 31)), count(distinct _olake_id)"
                + " from read_parquet(" + f + ")").get(0))
                .containsExactly(rows, rows, java.math.BigInteger.valueOf(rows * (rows - 1) / 2), rows - sevenths,
                        java.math.BigInteger.valueOf(nSum), rows - fifths, 0L, rows);
    }

    @Test
    void rollsFilesAtTheTargetSize() throws Exception {
        ObjectNode c = Json.object().put("path", dir.toString()).put("target_file_size_mb", 1);
        ParquetDestination d = (ParquetDestination) new ParquetWriterFactory().create(c);
        Schema s = Schema.of(Field.of("id", DataType.INT64, false), Field.nullable("payload", DataType.STRING));
        try (WriterPool pool = new WriterPool(d, WriterPool.Options.defaults())) {
            WriterThread w = pool.newWriter(stream(s), new WriterOptions("big", WriteMode.APPEND));
            for (long i = 0; i < 60_000; i++) {
                w.push(row(s, i, java.util.UUID.nameUUIDFromBytes(Long.toString(i).getBytes()).toString()
                        + java.util.UUID.randomUUID()));
            }
            w.close(state("big", 1));
        }
        try (var files = Files.list(d.streamDir(ID))) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count()).isGreaterThan(1);
        }
        assertThat(query("select count(*), count(distinct id) from read_parquet(" + glob(d) + ")").get(0))
                .containsExactly(60_000L, 60_000L);
    }

    @Test
    void rejectsUnknownKeysAndBadCompression() {
        Assertions.assertThatThrownBy(() -> new ParquetWriterFactory().create(
                Json.object().put("path", dir.toString()).put("colour", "red")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("colour");
        Assertions.assertThatThrownBy(() -> new ParquetWriterFactory().create(
                Json.object().put("path", dir.toString()).put("compression", "lz4")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("compression");
    }

    @Test
    void isFoundByServiceLoader() {
        try (WriterPool pool = WriterPool.open("parquet", Json.object().put("path", dir.toString()),
                WriterPool.Options.defaults())) {
            assertThat(pool.destination()).isInstanceOf(ParquetDestination.class);
        }
    }

    private static Object[] rowValues(long id) {
        Object[] v = new Object[SCHEMA.size()];
        v[0] = id;
        v[9] = "row " + id;
        v[12] = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant().plusSeconds(id);
        return v;
    }

}
