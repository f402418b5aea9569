package io.tributary.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real S3 API server for tests on 127.0.0.1: S3Proxy ({@code org.gaul:s3proxy}, Maven Central) with jclouds'
 * file-system blob store under a temporary folder, in a child JVM (see {@link ChildServer}). It checks AWS
 * signatures (v2 and v4) against {@link #accessKey()} / {@link #secretKey()}; the secret is random and starts with
 * {@value #SECRET_PREFIX}, so a test can look for it in logs and messages. One per test class; {@link #close()}
 * stops it and deletes its files.
 */
public final class TestingS3 implements AutoCloseable {
    /** Every secret key of this fixture starts with this, recognisable in a log. */
    public static final String SECRET_PREFIX = "TRIBUTARY-S3-SECRET-";
    public static final String REGION = "us-east-1";

    private final Path dir;
    private final int port;
    private final String accessKey = "tributary-test";
    private final String secretKey = SECRET_PREFIX + UUID.randomUUID();
    private final ChildServer server;

    /**
     * Starts the server with the given buckets. S3Proxy 2.6 does not implement the request checksums (trailing
     * {@code x-amz-checksum-*}) that AWS SDK v2 sends by default since 2.30, so this sets the SDK's
     * {@code aws.requestChecksumCalculation} to {@code when_required} for the test JVM, as a user of such a server
     * would (environment {@code AWS_REQUEST_CHECKSUM_CALCULATION=when_required}).
     */
    public TestingS3(String... buckets) {
        System.setProperty("aws.requestChecksumCalculation", "when_required");
        System.setProperty("aws.responseChecksumValidation", "when_required");
        try {
            dir = Files.createTempDirectory("tributary-s3");
            Path blobs = Files.createDirectories(dir.resolve("blobs"));
            for (String b : buckets) {
                Files.createDirectories(blobs.resolve(b));
            }
            port = ChildServer.freePort();
            Path props = dir.resolve("s3proxy.properties");
            Files.writeString(props, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKey,
                    "s3proxy.credential=" + secretKey,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + blobs,
                    "jclouds.identity=local",
                    "jclouds.credential=local", ""));
            server = ChildServer.start("S3Proxy", "tributary-testkit-servers/s3proxy.classpath",
                    "org.gaul.s3proxy.Main", List.of("-DLOG_LEVEL=warn"), List.of("--properties", props.toString()),
                    Map.of("LOG_LEVEL", "warn"), dir, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Proxy", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: the endpoint for path-style access. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The folder that holds a bucket's objects (jclouds' file-system layout: key = relative path). */
    public Path bucketDir(String bucket) {
        return dir.resolve("blobs").resolve(bucket);
    }

    /** The keys of the objects in a bucket under a prefix, sorted. */
    public List<String> keys(String bucket, String prefix) {
        Path root = bucketDir(bucket);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> k.startsWith(prefix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
