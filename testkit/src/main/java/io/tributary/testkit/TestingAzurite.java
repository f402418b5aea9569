package io.tributary.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Microsoft's Azure Storage emulator Azurite (npm {@code azurite}), blob service only, on 127.0.0.1 and a free
 * port, as a child process with its data under a temporary folder. It is not a Java library: {@link #start()}
 * finds {@code azurite-blob} on the {@code PATH}, under {@code $HOME/.cache/tributary/azurite} (where
 * {@code .ci/run} installs it with npm) or at the path in the system property {@value #BINARY_PROPERTY}; when none
 * is there the calling test is skipped with a message that says how to install it (JUnit's assumptions), never
 * passed silently.
 *
 * <p>The fixture has its own storage account, {@value #ACCOUNT}, whose key is random and contains
 * {@value #SECRET_MARK} once decoded, so a test can look for it in logs and messages; Azurite checks Shared Key
 * signatures against it. One per test class; {@link #close()} stops it and deletes its files.
 */
public final class TestingAzurite implements AutoCloseable {
    public static final String ACCOUNT = "tributarytest";
    public static final String BINARY_PROPERTY = "tributary.azurite";
    static final String SECRET_MARK = "TRIBUTARY-AZURE-SECRET-";
    static final String VERSION = "3.37.0";

    private final Path dir;
    private final int port;
    private final String accountKey;
    private final Process process;
    private final Path log;
    private final Thread reaper;

    private TestingAzurite(Path binary) {
        accountKey = Base64.getEncoder().encodeToString(
                (SECRET_MARK + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII));
        try {
            dir = Files.createTempDirectory("tributary-azurite");
            port = ChildServer.freePort();
            log = dir.resolve("server.log");
            List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--blobHost", "127.0.0.1",
                    "--blobPort", Integer.toString(port), "--location", dir.resolve("data").toString(),
                    "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry", "--silent"));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // the account and its key (Azurite's AZURITE_ACCOUNTS replaces its well-known devstoreaccount1)
            pb.environment().put("AZURITE_ACCOUNTS", ACCOUNT + ":" + accountKey);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Azurite from " + binary, e);
        }
        reaper = new Thread(process::destroyForcibly, "azurite-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        awaitPort();
    }

    /**
     * Starts Azurite, or skips the calling test (a JUnit assumption) when {@code azurite-blob} is not installed.
     * From a {@code @BeforeAll}, JUnit aborts the whole class and Surefire then counts no test at all: call
     * {@link #assumeInstalled()} from a {@code @BeforeEach} too, so that each test is reported skipped, with the
     * message.
     */
    public static TestingAzurite start() {
        assumeInstalled();
        return new TestingAzurite(locate().orElseThrow());
    }

    /** Skips the calling test (a JUnit assumption, with how to install it) when Azurite is not installed. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(locate().isPresent(), "Azurite " + VERSION + " is not installed (azurite-blob is "
                + "neither on the PATH nor under ~/.cache/tributary/azurite): the Azure tests are skipped. Install it "
                + "with `npm install --prefix ~/.cache/tributary/azurite azurite@" + VERSION + "` (.ci/run does)");
    }

    /** Where {@code azurite-blob} is, if anywhere this fixture looks. */
    public static Optional<Path> locate() {
        List<Path> candidates = new ArrayList<>();
        String explicit = System.getProperty(BINARY_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, "azurite-blob"));
                }
            }
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".cache", "tributary", "azurite", "node_modules",
                ".bin", "azurite-blob"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    private void awaitPort() {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            if (!process.isAlive()) {
                String tail = logTail();
                close();
                throw new IllegalStateException("Azurite exited with " + process.exitValue() + ":\n" + tail);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    String tail = logTail();
                    close();
                    throw new IllegalStateException("Azurite did not listen on port " + port + ":\n" + tail);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    close();
                    throw new IllegalStateException("interrupted while waiting for Azurite", e);
                }
            }
        }
    }

    /** The account's blob endpoint, IP style: {@code http://127.0.0.1:<port>/<account>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    public String accountName() {
        return ACCOUNT;
    }

    /** The account's Shared Key (base64; a secret). */
    public String accountKey() {
        return accountKey;
    }

    /** A connection string for Azure SDK clients ({@code BlobServiceClientBuilder.connectionString}). */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + accountKey
                + ";BlobEndpoint=" + endpoint() + ";";
    }

    /** Creates a container (an ADLS "file system") in the account, through the Azure SDK's blob client. */
    public void createContainer(String name) {
        new com.azure.storage.blob.BlobServiceClientBuilder().connectionString(connectionString()).buildClient()
                .createBlobContainerIfNotExists(name);
    }

    /** The names of the blobs in a container under a prefix, sorted. */
    public List<String> blobs(String container, String prefix) {
        var c = new com.azure.storage.blob.BlobServiceClientBuilder().connectionString(connectionString())
                .buildClient().getBlobContainerClient(container);
        return c.listBlobs(new com.azure.storage.blob.models.ListBlobsOptions().setPrefix(prefix), null).stream()
                .map(com.azure.storage.blob.models.BlobItem::getName).sorted().toList();
    }

    /** The server's own output (to show when a test fails). */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temporary files
        }
    }
}
