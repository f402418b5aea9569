package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartTest {
    @TempDir
    Path dir;

    @Test
    void quickstartSyncsEmbeddedPostgresIntoIcebergAndVerifiesIt() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean ok = Quickstart.run(dir.resolve("qs"), 4_000, new PrintStream(out, true));
        String text = out.toString();
        assertThat(ok).as(text).isTrue();
        assertThat(text).contains("OK: the Iceberg tables match PostgreSQL").doesNotContain("MISMATCH");
        assertThat(Files.exists(dir.resolve("qs/state.json"))).isTrue();
        assertThat(Files.isDirectory(dir.resolve("qs/warehouse/public/orders/metadata"))).isTrue();
    }
}
