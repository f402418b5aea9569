package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Instant;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot 3 application runs the README's embedding example on the jars Spring Boot's and Tributary's
 * dependency management resolve together: a PostgreSQL table is replicated into Iceberg and read back, and Boot's
 * Jackson auto-configuration works on the one Jackson version the tree holds.
 */
class SpringBootEmbeddingTest {
    @TempDir
    Path dir;

    @SpringBootApplication
    static class App {
        /** Runs the README's snippet with the application's arguments (the folder of source.json). */
        @Bean
        ApplicationRunner replicate() {
            return args -> EmbedPostgresIceberg.main(args.getSourceArgs());
        }
    }

    @Test
    void aSpringBootApplicationReplicatesAPostgresTableIntoIceberg() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE consumer_items (id bigint PRIMARY KEY, name text, at timestamptz)");
                s.execute("INSERT INTO consumer_items SELECT g, 'n' || g, now() FROM generate_series(1, 42) g");
            }
            Files.writeString(dir.resolve("source.json"), "{\"host\": \"localhost\", \"port\": " + pg.getPort()
                    + ", \"database\": \"postgres\", \"username\": \"postgres\", \"ssl\": {\"mode\": \"disable\"}}");

            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE).run(dir.toString())) {
                assertTrue(SpringBootVersion.getVersion().startsWith("3.5."), SpringBootVersion.getVersion());
                // Boot's auto-configured mapper (jsr310 and parameter-names modules) on Tributary's Jackson
                ObjectMapper mapper = context.getBean(ObjectMapper.class);
                assertEquals("\"1970-01-01T00:00:00Z\"", mapper.writeValueAsString(Instant.EPOCH));
            }
            String databind = com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString();
            assertEquals(databind, com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString());
            assertEquals(databind, com.fasterxml.jackson.datatype.jsr310.PackageVersion.VERSION.toString());
            assertEquals(42, icebergRows(dir, "consumer_items"));
            assertTrue(Files.exists(dir.resolve("state.json")));
        }
    }

    static long icebergRows(Path dir, String table) throws Exception {
        try (WriterPool pool = WriterPool.open("iceberg", Json.object().put("warehouse",
                dir.resolve("warehouse").toString()), WriterPool.Options.defaults())) {
            IcebergDestination d = (IcebergDestination) pool.destination();
            Table t = d.catalog().loadTable(d.identifier(StreamId.of("public", table)));
            long rows = 0;
            try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
                for (Record ignored : it) {
                    rows++;
                }
            }
            return rows;
        }
    }
}
