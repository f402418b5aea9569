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
import io.tributary.writer.iceberg.IcebergDestination;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Iceberg writer on object storage, against real servers on 127.0.0.1: S3Proxy as the S3 API, Iceberg's
 * reference REST catalog (backed by the same S3), and the JDBC catalog on PostgreSQL with its warehouse on S3.
 * Rows go through the writer and come back through Iceberg's own reader on the same catalog; the S3 secret is
 * looked for in every log line, message, config rendering and table summary.
 */
@ExtendWith(PerClassPostgres.class)
class IcebergObjectStoreTest {
    private static final String BUCKET = "lake";
    private static final StreamId ID = StreamId.of("shop", "items");
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.nullable("name", DataType.STRING), Field.decimal("amount", 12, 3, true));
    private static final ConfiguredStream STREAM = ConfiguredStream.of(
            Stream.of(ID, SCHEMA, List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)));

    private static final String CATALOG_USER = "lake_catalog";
    private static final String CATALOG_PASSWORD = "catalog-pw-" + java.util.UUID.randomUUID();
    static TestingPostgres pg;
    private static TestingS3 s3;
    private static TestingRestCatalog rest;
    private static PrintStream originalErr;
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        originalErr = System.err;
        // slf4j-simple writes to the current System.err: every log line of this JVM passes through here too
        System.setErr(new PrintStream(new TeeStream(originalErr, LOG), true, StandardCharsets.UTF_8));
        // the JDBC catalog's own role and schema (its tables go to the schema named like the role)
        pg.execute("CREATE ROLE " + CATALOG_USER + " LOGIN PASSWORD '" + CATALOG_PASSWORD + "'",
                "CREATE SCHEMA AUTHORIZATION " + CATALOG_USER);
        s3 = new TestingS3(BUCKET);
        rest = new TestingRestCatalog(s3, BUCKET, "rest-warehouse");
    }

    @AfterAll
    static void stop() {
        System.setErr(originalErr);
        if (rest != null) {
            rest.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static ObjectNode s3Keys(ObjectNode config, String secret) {
        config.put("s3_endpoint", s3.endpoint());
        config.put("aws_region", TestingS3.REGION);
        config.put("s3_path_style", true);
        config.put("aws_access_key", s3.accessKey());
        config.put("aws_secret_key", secret);
        return config;
    }

    private static ObjectNode restConfig() {
        ObjectNode c = Json.object();
        c.put("catalog_type", "rest");
        c.put("warehouse", rest.warehouse());
        c.putObject("properties").put("uri", rest.uri());
        return s3Keys(c, s3.secretKey());
    }

    private static ObjectNode jdbcConfig() {
        ObjectNode c = Json.object();
        c.put("catalog_type", "jdbc");
        c.put("warehouse", "s3://" + BUCKET + "/jdbc-warehouse");
        c.putObject("properties")
                .put("uri", "jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + pg.database())
                .put("jdbc.user", CATALOG_USER)
                .put("jdbc.password", CATALOG_PASSWORD);
        return s3Keys(c, s3.secretKey());
    }

    private static Record rec(long id, String name, OpType op) {
        Object[] v = {id, name, op == OpType.DELETE ? null : new BigDecimal(id + ".125")};
        return new Record(SCHEMA, v, Long.toString(id), op, Instant.parse("2026-01-01T00:00:00Z"),
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

    private static Map<Long, String> read(WriterPool pool) throws Exception {
        IcebergDestination d = (IcebergDestination) pool.destination();
        Table t = d.catalog().loadTable(d.identifier(ID));
        Map<Long, String> out = new TreeMap<>();
        try (CloseableIterable<org.apache.iceberg.data.Record> it = IcebergGenerics.read(t).build()) {
            for (org.apache.iceberg.data.Record r : it) {
                assertThat(out.put((Long) r.getField("id"), r.getField("name") + "/" + r.getField("amount")))
                        .as("duplicate id %s", r.getField("id")).isNull();
            }
        }
        return out;
    }

    /** Backfill, then CDC updates and deletes, read back; state found again by a new writer pool. */
    private static void writeAndReadBack(ObjectNode config, String tablePrefix) throws Exception {
        try (WriterPool pool = WriterPool.open("iceberg", config, WriterPool.Options.defaults().withBatchSize(3))) {
            pool.destination().check();
            pool.destination().dropStreams(List.of(ID));
            Record[] rows = new Record[10];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = rec(i + 1, "row " + (i + 1), OpType.READ);
            }
            commit(pool, "chunk-1", WriteMode.APPEND, 1, rows);
            commit(pool, "cdc", WriteMode.UPSERT, 2, rec(3, "updated", OpType.UPDATE), rec(4, null, OpType.DELETE),
                    rec(11, "new", OpType.CREATE));
            Map<Long, String> t = read(pool);
            assertThat(t).hasSize(10).containsEntry(1L, "row 1/1.125").containsEntry(3L, "updated/3.125")
                    .containsEntry(11L, "new/11.125").doesNotContainKey(4L);

            IcebergDestination d = (IcebergDestination) pool.destination();
            Table table = d.catalog().loadTable(d.identifier(ID));
            assertThat(table.location()).startsWith(tablePrefix);
            for (Snapshot snap : table.snapshots()) {
                assertThat(snap.summary().toString()).doesNotContain(s3.secretKey());
            }
            assertThat(table.properties().toString()).doesNotContain(s3.secretKey());
        }
        // the objects are in the bucket, and a fresh destination finds the committed state there
        String keyPrefix = tablePrefix.substring(("s3://" + BUCKET + "/").length());
        assertThat(s3.keys(BUCKET, keyPrefix)).anyMatch(k -> k.endsWith(".parquet"))
                .anyMatch(k -> k.endsWith(".metadata.json") || k.contains("/metadata/"));
        try (WriterPool pool = WriterPool.open("iceberg", config, WriterPool.Options.defaults())) {
            assertThat(pool.destination().committedState(ID, "cdc")).map(s -> s.payload().get("n").asInt())
                    .contains(2);
            assertThat(pool.destination().committedState(ID, "chunk-1")).isPresent();
        }
    }

    @Test
    void restCatalogWithTablesOnS3() throws Exception {
        writeAndReadBack(restConfig(), rest.warehouse() + "/shop/items");
        assertSecretNowhere();
    }

    @Test
    void jdbcCatalogOnPostgresWithWarehouseOnS3() throws Exception {
        writeAndReadBack(jdbcConfig(), "s3://" + BUCKET + "/jdbc-warehouse/shop/items");
        assertSecretNowhere();
    }

    @Test
    void wrongSecretFailsCheckWithoutShowingIt() {
        String wrong = TestingS3.SECRET_PREFIX + "wrong-one";
        ObjectNode config = s3Keys(jdbcConfig(), wrong);
        try (WriterPool pool = WriterPool.open("iceberg", config, WriterPool.Options.defaults())) {
            assertThatThrownBy(() -> pool.destination().check()).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("cannot write to the warehouse s3://" + BUCKET + "/jdbc-warehouse")
                    .satisfies(e -> assertThat(stackText(e)).doesNotContain(wrong).doesNotContain(s3.secretKey()));
            assertThat(pool.destination().toString()).doesNotContain(wrong);
        }
        assertThat(LOG.toString(StandardCharsets.UTF_8)).doesNotContain(wrong);
    }

    @Test
    void configRenderingHidesEverySecret() {
        var config = io.tributary.types.Json.bind(jdbcConfig(), io.tributary.writer.iceberg.IcebergConfig.class,
                "test");
        assertThat(config.toString()).doesNotContain(s3.secretKey()).doesNotContain(CATALOG_PASSWORD)
                .contains("endpoint=Optional[" + s3.endpoint() + "]").doesNotContain("aws_secret_key=" + s3.secretKey());
    }

    private static String stackText(Throwable e) {
        var out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    private static void assertSecretNowhere() {
        String log = LOG.toString(StandardCharsets.UTF_8);
        assertThat(log).as("the test JVM's log").isNotEmpty().doesNotContain(s3.secretKey())
                .doesNotContain(TestingS3.SECRET_PREFIX);
    }

    /** Copies everything written to two streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}
