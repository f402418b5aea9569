package io.tributary.testkit;

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
import io.tributary.writer.iceberg.IcebergDestination;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Iceberg writer on Azure Blob Storage through Iceberg's {@code ADLSFileIO}, against Microsoft's Azurite
 * emulator on 127.0.0.1 (skipped, with a message, where Azurite is not installed), with the JDBC catalog on
 * PostgreSQL.
 */
@ExtendWith(PerClassPostgres.class)
class IcebergAzureTest {
    private static final String CONTAINER = "lake";
    private static final StreamId ID = StreamId.of("shop", "items");
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.nullable("name", DataType.STRING));
    private static final ConfiguredStream STREAM = ConfiguredStream.of(
            Stream.of(ID, SCHEMA, List.of("id"), Set.of("id"), Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)));
    private static final String CATALOG_USER = "azure_catalog";
    private static final String CATALOG_PASSWORD = "catalog-pw-" + UUID.randomUUID();

    static TestingPostgres pg;
    private static TestingAzurite azurite;

    @BeforeAll
    static void start() {
        if (TestingAzurite.locate().isEmpty()) {
            return; // each test is skipped, with the message, by requireAzurite
        }
        azurite = TestingAzurite.start();
        azurite.createContainer(CONTAINER);
        pg.execute("CREATE ROLE " + CATALOG_USER + " LOGIN PASSWORD '" + CATALOG_PASSWORD + "'",
                "CREATE SCHEMA AUTHORIZATION " + CATALOG_USER);
    }

    @BeforeEach
    void requireAzurite() {
        TestingAzurite.assumeInstalled();
    }

    @AfterAll
    static void stop() {
        if (azurite != null) {
            azurite.close();
        }
    }

    private static ObjectNode config() {
        ObjectNode c = Json.object();
        c.put("catalog_type", "jdbc");
        c.put("warehouse", "abfs://" + CONTAINER + "@" + azurite.accountName() + ".dfs.core.windows.net/wh");
        c.putObject("properties")
                .put("uri", "jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + pg.database())
                .put("jdbc.user", CATALOG_USER)
                .put("jdbc.password", CATALOG_PASSWORD);
        c.put("azure_account_name", azurite.accountName());
        c.put("azure_account_key", azurite.accountKey());
        c.put("azure_endpoint", azurite.endpoint());
        return c;
    }

    private static Record rec(long id, String name, OpType op) {
        return new Record(SCHEMA, new Object[] {id, name}, Long.toString(id), op,
                Instant.parse("2026-01-01T00:00:00Z"), op == OpType.READ ? null : Instant.parse("2026-01-02T00:00:00Z"));
    }

    private static void commit(WriterPool pool, String thread, WriteMode mode, Record... records) {
        WriterThread w = pool.newWriter(STREAM, new WriterOptions(thread, mode));
        for (Record r : records) {
            w.push(r);
        }
        w.close(new MetadataState(thread, Json.object().put("n", records.length)));
    }

    @Test
    void wrongKeyFailsCheckWithoutShowingIt() {
        String wrong = java.util.Base64.getEncoder().encodeToString(
                ("wrong-" + UUID.randomUUID()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ObjectNode c = config();
        c.put("azure_account_key", wrong);
        try (WriterPool pool = WriterPool.open("iceberg", c, WriterPool.Options.defaults())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pool.destination().check())
                    .isInstanceOf(io.tributary.types.ConfigException.class)
                    .hasMessageContaining("cannot write to the warehouse abfs://" + CONTAINER)
                    .hasMessageNotContaining(wrong);
        }
    }

    @Test
    void jdbcCatalogWithTablesOnAzureBlobStorage() throws Exception {
        try (WriterPool pool = WriterPool.open("iceberg", config(), WriterPool.Options.defaults())) {
            pool.destination().check();
            Record[] rows = new Record[5];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = rec(i + 1, "row " + (i + 1), OpType.READ);
            }
            commit(pool, "chunk-1", WriteMode.APPEND, rows);
            commit(pool, "cdc", WriteMode.UPSERT, rec(2, "updated", OpType.UPDATE), rec(3, null, OpType.DELETE));
            IcebergDestination d = (IcebergDestination) pool.destination();
            Table t = d.catalog().loadTable(d.identifier(ID));
            Map<Long, String> out = new TreeMap<>();
            try (CloseableIterable<org.apache.iceberg.data.Record> it = IcebergGenerics.read(t).build()) {
                for (org.apache.iceberg.data.Record r : it) {
                    out.put((Long) r.getField("id"), (String) r.getField("name"));
                }
            }
            assertThat(out).containsOnlyKeys(1L, 2L, 4L, 5L).containsEntry(2L, "updated");
            assertThat(t.properties().toString()).doesNotContain(azurite.accountKey());
            assertThat(pool.destination().toString()).doesNotContain(azurite.accountKey());
        }
        // a fresh destination finds the committed state in the table on Azure
        try (WriterPool pool = WriterPool.open("iceberg", config(), WriterPool.Options.defaults())) {
            assertThat(pool.destination().committedState(ID, "cdc")).map(s -> s.payload().get("n").asInt())
                    .contains(2);
        }
        assertThat(azurite.blobs(CONTAINER, "wh/shop/items/")).anyMatch(b -> b.endsWith(".parquet"))
                .anyMatch(b -> b.endsWith(".metadata.json"));
    }
}
