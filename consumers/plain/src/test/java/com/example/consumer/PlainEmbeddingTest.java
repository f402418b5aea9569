package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.examples.EmbedPostgresIceberg;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.WriterPool;
import io.tributary.writer.iceberg.IcebergDestination;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example, compiled against the installed jars, replicates a PostgreSQL table into Iceberg. */
class PlainEmbeddingTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeEmbeddingReplicatesAPostgresTableIntoIceberg() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE consumer_items (id bigint PRIMARY KEY, name text, at timestamptz)");
                s.execute("INSERT INTO consumer_items SELECT g, 'n' || g, now() FROM generate_series(1, 42) g");
            }
            Files.writeString(dir.resolve("source.json"), "{\"host\": \"localhost\", \"port\": " + pg.getPort()
                    + ", \"database\": \"postgres\", \"username\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}}");
            EmbedPostgresIceberg.main(new String[] {dir.toString()});
            assertTrue(Files.exists(dir.resolve("state.json")));
            try (WriterPool pool = WriterPool.open("iceberg", Json.object().put("warehouse",
                    dir.resolve("warehouse").toString()), WriterPool.Options.defaults())) {
                IcebergDestination d = (IcebergDestination) pool.destination();
                Table t = d.catalog().loadTable(d.identifier(StreamId.of("public", "consumer_items")));
                long rows = 0;
                try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
                    for (Record ignored : it) {
                        rows++;
                    }
                }
                assertEquals(42, rows);
            }
        }
    }
}
