package io.tributary.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.examples.driver.GeneratorDriver;
import io.tributary.testkit.TestingS3;
import io.tributary.testkit.reliability.KillResumeHarness;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.parquet.ObjectStoreParquetDestination;
import io.tributary.writer.parquet.ParquetConfig;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KillResumeTest}'s Parquet trial on S3 (S3Proxy on 127.0.0.1): a backfill in a child JVM killed with
 * SIGKILL at random moments and resumed from its state; the rows of the files the commit records list (read by
 * DuckDB from the server's blob folder) are every row exactly once with the right values, and no data file is left
 * that no commit lists once a run has opened the stream again. One trial by default ({@code -Dtributary.trials=N}).
 */
class ParquetS3KillResumeTest {
    private static final int ROWS = 6_000;
    private static final String BUCKET = "lake";
    private static TestingS3 s3;
    private static String previousChildOptions;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        s3 = new TestingS3(BUCKET);
        previousChildOptions = System.getProperty("tributary.childJvmOptions");
        System.setProperty("tributary.childJvmOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC "
                + "-Daws.requestChecksumCalculation=when_required -Daws.responseChecksumValidation=when_required");
    }

    @AfterAll
    static void stop() {
        if (previousChildOptions == null) {
            System.clearProperty("tributary.childJvmOptions");
        } else {
            System.setProperty("tributary.childJvmOptions", previousChildOptions);
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void backfillKilledAtRandomMomentsLosesAndDuplicatesNothingOnS3() throws Exception {
        int trials = Integer.getInteger("tributary.trials", 1);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            Path trialDir = Files.createDirectory(dir.resolve("trial-" + i));
            Path source = Files.writeString(trialDir.resolve("source.json"),
                    "{\"streams\": [\"orders\"], \"rows\": " + ROWS + ", \"chunk_size\": 1000, \"max_threads\": 2}");
            String writerJson = "{\"path\": \"s3://" + BUCKET + "/trial-" + i + "\", \"s3_endpoint\": \""
                    + s3.endpoint() + "\", \"aws_region\": \"" + TestingS3.REGION + "\", \"s3_path_style\": true, "
                    + "\"aws_access_key\": \"" + s3.accessKey() + "\", \"aws_secret_key\": \"" + s3.secretKey() + "\"}";
            Path writer = Files.writeString(trialDir.resolve("writer.json"), writerJson);
            KillResumeHarness.Outcome o = KillResumeHarness.run(new KillResumeHarness.Trial("generator", source,
                    "parquet", writer, trialDir.resolve("state.json"), "full_refresh", seed, 2, 100), () -> { });
            assertThat(o.exitCode()).as("seed %d, output:%n%s", seed, o.lastOutput()).isZero();
            assertThat(o.killed()).as("the sync must have been killed mid-way").isPositive();
            assertThat(o.lastOutput()).doesNotContain(s3.secretKey());
            System.out.println("parquet on S3 trial " + i + ", seed " + seed + ": " + o.summary());

            StreamId id = StreamId.of("generated", "orders");
            ParquetConfig config = Json.bind(Json.parse(writerJson), ParquetConfig.class, "test");
            List<String> committed;
            try (ObjectStoreParquetDestination d = new ObjectStoreParquetDestination(config)) {
                d.committedState(id, "none"); // opening the stream deletes what no commit lists
                committed = d.committedFiles(id);
            }
            List<String> onServer = s3.keys(BUCKET, "trial-" + i + "/generated/orders/").stream()
                    .filter(k -> k.endsWith(".parquet")).map(k -> "s3://" + BUCKET + "/" + k).sorted().toList();
            assertThat(onServer).as("data files on the server = the committed ones")
                    .containsExactlyInAnyOrderElementsOf(committed);

            Map<String, Map<String, String>> byId = new HashMap<>();
            List<String> files = committed.stream().map(loc -> "'" + s3.bucketDir(BUCKET)
                    .resolve(loc.substring(("s3://" + BUCKET + "/").length())) + "'").toList();
            try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SET TimeZone='UTC'; SELECT _olake_id, name, amount, "
                            + "strftime(created_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS created_at FROM read_parquet(["
                            + String.join(", ", files) + "])")) {
                while (rs.next()) {
                    Map<String, String> m = new HashMap<>();
                    for (String col : List.of("name", "amount", "created_at")) {
                        m.put(col, rs.getString(col));
                    }
                    assertThat(byId.put(rs.getString("_olake_id"), m)).as("duplicate row, seed %d", seed).isNull();
                }
            }
            assertThat(byId).as("rows after %s, seed %d", o.summary(), seed).hasSize(ROWS);
            for (long row = 0; row < ROWS; row += 997) {
                Object[] expected = GeneratorDriver.row(row);
                Map<String, String> r = byId.get(Long.toString(row));
                assertThat(r.get("name")).isEqualTo(expected[1]);
                assertThat(new BigDecimal(r.get("amount"))).isEqualByComparingTo((BigDecimal) expected[2]);
                assertThat(Instant.parse(r.get("created_at"))).isEqualTo(expected[3]);
            }
        }
    }
}
