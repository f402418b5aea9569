package io.tributary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.PerClassPostgres;
import io.tributary.testkit.TestingPostgres;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.WriterPool;
import io.tributary.writer.iceberg.IcebergDestination;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding snippet runs as written, and the README shows it as the file has it. */
@ExtendWith(PerClassPostgres.class)
class EmbedPostgresIcebergTest {
    static TestingPostgres pg;

    @TempDir
    Path dir;

    @Test
    void theReadmeSnippetReplicatesATableIntoIceberg() throws Exception {
        pg.execute("CREATE TABLE readme_items (id bigint PRIMARY KEY, name text)",
                "INSERT INTO readme_items SELECT g, 'n' || g FROM generate_series(1, 25) g");
        Files.writeString(dir.resolve("source.json"), "{\"host\": \"localhost\", \"port\": " + pg.port()
                + ", \"database\": \"postgres\", \"username\": \"" + TestingPostgres.USER + "\", \"password\": \""
                + TestingPostgres.PASSWORD + "\", \"ssl\": {\"mode\": \"disable\"}}");
        EmbedPostgresIceberg.main(new String[] {dir.toString()});
        assertThat(dir.resolve("state.json")).exists();
        try (WriterPool pool = WriterPool.open("iceberg", Json.object().put("warehouse",
                dir.resolve("warehouse").toString()), WriterPool.Options.defaults())) {
            IcebergDestination d = (IcebergDestination) pool.destination();
            Table t = d.catalog().loadTable(d.identifier(StreamId.of("public", "readme_items")));
            long rows = 0;
            try (CloseableIterable<Record> it = IcebergGenerics.read(t).build()) {
                for (Record ignored : it) {
                    rows++;
                }
            }
            assertThat(rows).isEqualTo(25);
        }
    }

    @Test
    void theReadmeShowsTheSnippetAsCompiled() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> source = Files.readAllLines(root.resolve(
                "examples/src/main/java/io/tributary/examples/EmbedPostgresIceberg.java"));
        int begin = source.indexOf("        // README:begin");
        int end = source.indexOf("        // README:end");
        String snippet = String.join("\n", source.subList(begin + 1, end).stream()
                .map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).toList());
        assertThat(Files.readString(root.resolve("README.md"))).contains(snippet);
    }
}
