package io.tributary.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.Rows;
import io.tributary.testkit.TestingPostgres;
import io.tributary.testkit.TestingRestCatalog;
import io.tributary.testkit.TestingS3;
import io.tributary.testkit.WriteLoad;
import io.tributary.testkit.reliability.KillResumeHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PostgresIcebergKillResumeTest} on object storage: PostgreSQL CDC into Iceberg tables on S3 (S3Proxy)
 * through Iceberg's reference REST catalog, the sync in a child JVM killed with SIGKILL at random moments (chunk
 * reads, between a commit and the state save, CDC) under a write load, resumed from its state each time. The table,
 * read through a separate REST catalog client, must equal the source with no {@code _olake_id} twice. One trial in
 * the {@code before_cdc} mode by default ({@code -Dtributary.trials=N}, {@code -Dtributary.seed=S} replays).
 */
@ExtendWith(PerClassPostgres.class)
class PostgresIcebergS3KillResumeTest {
    private static final int ROWS = 5_000;
    private static final String BUCKET = "lake";

    static TestingPostgres pg;
    private static TestingS3 s3;
    private static TestingRestCatalog rest;
    private static String previousChildOptions;

    @BeforeAll
    static void start() {
        s3 = new TestingS3(BUCKET);
        rest = new TestingRestCatalog(s3, BUCKET, "warehouse");
        // the sync's JVM needs what TestingS3 sets in this one (S3Proxy implements no default SDK checksums)
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
        if (rest != null) {
            rest.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void killedAtRandomMomentsTheIcebergTableOnS3EqualsTheSourceWithoutDuplicates(@TempDir Path dir)
            throws Exception {
        String mode = "before_cdc";
        int trials = Integer.getInteger("tributary.trials", 1);
        long baseSeed = Long.getLong("tributary.seed", System.nanoTime());
        for (int i = 0; i < trials; i++) {
            long seed = baseSeed + i;
            long begin = System.nanoTime();
            String table = "ice_s3_" + i;
            String slot = table + "_slot";
            pg.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text, n integer)",
                    "INSERT INTO " + table + " SELECT g, 'v' || g, 0 FROM generate_series(1, " + ROWS + ") g",
                    "ANALYZE " + table);
            Path trial = Files.createDirectories(dir.resolve("t" + i));
            Path source = Files.writeString(trial.resolve("source.json"), "{\"host\": \"localhost\", \"port\": "
                    + pg.port() + ", \"database\": \"postgres\", \"username\": \"postgres\", \"password\": \""
                    + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}, \"chunk_size\": 1000, "
                    + "\"max_threads\": 3, \"update_method\": {\"replication_slot\": \"" + slot
                    + "\", \"publication\": \"" + slot + "\", \"initial_wait_time\": 1, \"create_if_missing\": true}}");
            Path writer = Files.writeString(trial.resolve("writer.json"), "{\"catalog_type\": \"rest\", "
                    + "\"warehouse\": \"" + rest.warehouse() + "\", \"properties\": {\"uri\": \"" + rest.uri()
                    + "\"}, \"s3_endpoint\": \"" + s3.endpoint()
                    + "\", \"aws_region\": \"" + TestingS3.REGION + "\", \"s3_path_style\": true, "
                    + "\"aws_access_key\": \"" + s3.accessKey() + "\", \"aws_secret_key\": \"" + s3.secretKey()
                    + "\"}");
            WriteLoad load = WriteLoad.start(table, WriteLoad.sql(pg.connection(), table),
                    WriteLoad.Spec.of(seed, ROWS, Duration.ofMillis(5)));
            KillResumeHarness.Outcome o;
            try {
                o = KillResumeHarness.run(new KillResumeHarness.Trial("postgres", source, "iceberg", writer,
                        trial.resolve("state.json"), "cdc", seed, 2, 500).withCdcBackfill(mode), load::close);
            } finally {
                load.close();
            }
            assertThat(o.exitCode()).as("seed %d:%n%s", seed, o.lastOutput()).isZero();
            assertThat(o.lastOutput()).doesNotContain(s3.secretKey());
            assertThat(Files.readString(trial.resolve("state.json"))).doesNotContain(s3.secretKey());

            Map<String, String> expected;
            try (Connection c = pg.connection()) {
                expected = Rows.query(c, "SELECT id, v, n FROM " + table);
            }
            Map<String, String> actual = new HashMap<>();
            Map<String, Integer> duplicates = new TreeMap<>();
            try (RESTCatalog catalog = new RESTCatalog()) {
                catalog.initialize("check", Map.of(CatalogProperties.URI, rest.uri(),
                        CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO",
                        "s3.endpoint", s3.endpoint(), "s3.path-style-access", "true",
                        "s3.access-key-id", s3.accessKey(), "s3.secret-access-key", s3.secretKey(),
                        "client.region", TestingS3.REGION));
                try (CloseableIterable<Record> it = IcebergGenerics.read(catalog.loadTable(
                        TableIdentifier.of("public", table))).build()) {
                    for (Record r : it) {
                        String id = (String) r.getField("_olake_id");
                        if (actual.put(id, r.getField("v") + "/" + r.getField("n")) != null) {
                            duplicates.merge(id, 1, Integer::sum);
                        }
                    }
                }
            }
            assertThat(duplicates).as("duplicate _olake_id, seed %d", seed).isEmpty();
            Rows.assertSameRows(expected, actual, "mode " + mode + " seed " + seed + " (" + load.ops()
                    + " load changes) after " + o.summary());
            System.out.printf("postgres->iceberg on S3 + REST kill/resume trial %d, seed %d, %d load changes, %d ms: "
                    + "%s%n", i, seed, load.ops(), (System.nanoTime() - begin) / 1_000_000, o.summary());
            pg.execute("SELECT pg_drop_replication_slot('" + slot + "')", "DROP PUBLICATION IF EXISTS " + slot,
                    "DROP TABLE " + table);
        }
    }
}
