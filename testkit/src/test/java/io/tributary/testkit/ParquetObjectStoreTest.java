package io.tributary.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.tributary.writer.parquet.ObjectStoreParquetDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Parquet writer on S3 (S3Proxy on 127.0.0.1): data files under unique names, one commit record per writer
 * thread commit, orphans of an interrupted writer deleted at the next start, state found again from the records.
 * Files are read back with DuckDB from the server's blob folder, exactly those the commit records list.
 */
class ParquetObjectStoreTest {
    private static final String BUCKET = "lake";
    private static final StreamId ID = StreamId.of("shop", "items");
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.nullable("name", DataType.STRING));
    private static final ConfiguredStream STREAM = ConfiguredStream.of(
            Stream.of(ID, SCHEMA, List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)));
    private static TestingS3 s3;

    @BeforeAll
    static void start() {
        s3 = new TestingS3(BUCKET);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static ObjectNode config(String secret) {
        ObjectNode c = Json.object();
        c.put("path", "s3://" + BUCKET + "/parquet");
        c.put("s3_endpoint", s3.endpoint());
        c.put("aws_region", TestingS3.REGION);
        c.put("s3_path_style", true);
        c.put("aws_access_key", s3.accessKey());
        c.put("aws_secret_key", secret);
        return c;
    }

    private static Record rec(long id, String name, OpType op) {
        return new Record(SCHEMA, new Object[] {id, name}, Long.toString(id), op, Instant.parse("2026-01-01T00:00:00Z"),
                op == OpType.READ ? null : Instant.parse("2026-01-02T00:00:00Z"));
    }

    private static void commit(WriterPool pool, String thread, WriteMode mode, int n, Record... records) {
        WriterThread w = pool.newWriter(STREAM, new WriterOptions(thread, mode));
        for (Record r : records) {
            w.push(r);
        }
        ObjectNode p = Json.object();
        p.put("n", n);
        w.close(new MetadataState(thread, p));
    }

    /** Latest row per id (the append log's reading), from the files the commit records list. */
    private static Map<Long, String> read(ObjectStoreParquetDestination d) throws Exception {
        List<String> files = d.committedFiles(ID).stream()
                .map(loc -> "'" + s3.bucketDir(BUCKET).resolve(loc.substring(("s3://" + BUCKET + "/").length())) + "'")
                .toList();
        Map<Long, String> out = new TreeMap<>();
        if (files.isEmpty()) {
            return out;
        }
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, name, _op_type FROM read_parquet([" + String.join(", ", files)
                        + "], filename = true) ORDER BY filename")) {
            while (rs.next()) {
                if (rs.getString(3).equals("d")) {
                    out.remove(rs.getLong(1));
                } else {
                    out.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    @Test
    void commitsWithoutRenameAndCleansUpOrphans() throws Exception {
        String prefix = "parquet/shop/items/";
        try (WriterPool pool = WriterPool.open("parquet", config(s3.secretKey()),
                WriterPool.Options.defaults().withBatchSize(3))) {
            ObjectStoreParquetDestination d = (ObjectStoreParquetDestination) pool.destination();
            d.check();
            Record[] rows = new Record[10];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = rec(i + 1, "row " + (i + 1), OpType.READ);
            }
            commit(pool, "chunk-1", WriteMode.APPEND, 1, rows);
            commit(pool, "cdc", WriteMode.UPSERT, 2, rec(3, "updated", OpType.UPDATE), rec(4, null, OpType.DELETE),
                    rec(11, "new", OpType.CREATE));
            Map<Long, String> t = read(d);
            assertThat(t).hasSize(10).containsEntry(1L, "row 1").containsEntry(3L, "updated")
                    .containsEntry(11L, "new").doesNotContainKey(4L);
        }
        List<String> keys = s3.keys(BUCKET, prefix);
        assertThat(keys.stream().filter(k -> k.endsWith(".parquet"))).hasSize(2);
        assertThat(keys.stream().filter(k -> k.startsWith(prefix + "_commits/") && k.endsWith(".json"))).hasSize(2);

        // a writer that died after uploading a data file but before its commit record left an orphan
        Path orphan = s3.bucketDir(BUCKET).resolve(prefix + "0000000000001-000001-chunk-2-deadbeef-00000.parquet");
        Files.copy(s3.bucketDir(BUCKET).resolve(keys.stream().filter(k -> k.endsWith(".parquet")).findFirst()
                .orElseThrow()), orphan);
        try (WriterPool pool = WriterPool.open("parquet", config(s3.secretKey()), WriterPool.Options.defaults())) {
            ObjectStoreParquetDestination d = (ObjectStoreParquetDestination) pool.destination();
            // the orphan is not in the table, the state of each thread is found again, and the orphan goes
            assertThat(read(d)).hasSize(10);
            assertThat(pool.destination().committedState(ID, "cdc")).map(s -> s.payload().get("n").asInt())
                    .contains(2);
            assertThat(Files.exists(orphan)).isFalse();
            commit(pool, "chunk-2", WriteMode.APPEND, 3, rec(20, "twenty", OpType.READ));
            assertThat(read(d)).hasSize(11).containsEntry(20L, "twenty");
            pool.destination().dropStreams(List.of(ID));
        }
        assertThat(s3.keys(BUCKET, prefix)).isEmpty();
    }

    @Test
    void wrongSecretFailsCheckWithoutShowingIt() {
        String wrong = TestingS3.SECRET_PREFIX + "not-this-one";
        try (WriterPool pool = WriterPool.open("parquet", config(wrong), WriterPool.Options.defaults())) {
            assertThatThrownBy(() -> pool.destination().check()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("cannot write to s3://" + BUCKET + "/parquet")
                    .hasMessageNotContaining(wrong);
        }
        assertThat(Json.bind(config(wrong), io.tributary.writer.parquet.ParquetConfig.class, "t").toString())
                .doesNotContain(wrong).doesNotContain(s3.accessKey());
    }

    @Test
    void otherSchemesAreRefused() {
        ObjectNode c = Json.object();
        c.put("path", "gs://lake/parquet");
        assertThatThrownBy(() -> WriterPool.open("parquet", c, WriterPool.Options.defaults()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gs:// is not supported");
    }
}
