package io.tributary.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Iceberg's reference REST catalog server ({@code RESTCatalogServer} of {@code iceberg-open-api}'s test fixtures,
 * Iceberg 1.11.0) on 127.0.0.1, in a child JVM (its Iceberg differs from the writer's; see {@link ChildServer}).
 * Behind it: Iceberg's JDBC catalog on a SQLite file and {@code S3FileIO} on a {@link TestingS3} bucket, so table
 * metadata and data live in {@code s3://<bucket>/<prefix>}. One per test class; {@link #close()} stops it.
 */
public final class TestingRestCatalog implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final String warehouse;
    private final ChildServer server;

    /** A catalog whose warehouse is {@code s3://<bucket>/<prefix>} on {@code s3} (the bucket must exist). */
    public TestingRestCatalog(TestingS3 s3, String bucket, String prefix) {
        try {
            dir = Files.createTempDirectory("tributary-rest-catalog");
            port = ChildServer.freePort();
            warehouse = "s3://" + bucket + "/" + prefix;
            // RESTCatalogServer reads its backend catalog's properties from CATALOG_* variables
            // (CATALOG_S3_PATH__STYLE__ACCESS = s3.path-style-access)
            Map<String, String> env = new HashMap<>();
            env.put("CATALOG_REST_PORT", Integer.toString(port));
            env.put("CATALOG_WAREHOUSE", warehouse);
            env.put("CATALOG_URI", "jdbc:sqlite:" + dir.resolve("catalog.db"));
            env.put("CATALOG_JDBC_SCHEMA__VERSION", "V1");
            env.put("CATALOG_IO__IMPL", "org.apache.iceberg.aws.s3.S3FileIO");
            env.put("CATALOG_S3_ENDPOINT", s3.endpoint());
            env.put("CATALOG_S3_PATH__STYLE__ACCESS", "true");
            env.put("CATALOG_S3_ACCESS__KEY__ID", s3.accessKey());
            env.put("CATALOG_S3_SECRET__ACCESS__KEY", s3.secretKey());
            env.put("CATALOG_CLIENT_REGION", TestingS3.REGION);
            env.put("AWS_REGION", TestingS3.REGION);
            env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
            env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
            server = ChildServer.start("Iceberg REST catalog", "tributary-testkit-servers/rest-catalog.classpath",
                    "org.apache.iceberg.rest.RESTCatalogServer",
                    List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), List.of(), env, dir, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the REST catalog", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: the catalog's {@code uri}. */
    public String uri() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code s3://<bucket>/<prefix>}. */
    public String warehouse() {
        return warehouse;
    }

    /** The server's own output (to show when a test fails). */
    public String serverLogTail() {
        return server.logTail();
    }

    @Override
    public void close() {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files
        }
    }
}
