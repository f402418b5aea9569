package io.tributary.writer.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterPool;
import io.tributary.writer.WriterThread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same table name in two source schemas never shares one Iceberg table. */
class IcebergTableIdentityTest {
    private static final Schema SCHEMA = Schema.of(Field.of("id", DataType.INT64, false),
            Field.nullable("s", DataType.STRING));
    private static final ConfiguredStream PUBLIC_M = stream(StreamId.of("public", "m"));
    private static final ConfiguredStream S2_M = stream(StreamId.of("s2", "m"));

    @TempDir
    Path dir;

    private static ConfiguredStream stream(StreamId id) {
        return ConfiguredStream.of(Stream.of(id, SCHEMA, List.of("id"), Set.of("id"),
                Set.of(SyncMode.FULL_REFRESH, SyncMode.CDC)));
    }

    private WriterPool pool(String namespace) {
        String ns = namespace == null ? "" : ", \"namespace\": \"" + namespace + "\"";
        return WriterPool.open("iceberg", Json.parse("{\"warehouse\": \"" + dir.resolve("wh") + "\"" + ns + "}"),
                WriterPool.Options.defaults());
    }

    private static void write(WriterPool pool, ConfiguredStream s, String value) {
        WriterThread w = pool.newWriter(s, new WriterOptions("t-" + s.id() + "-" + value, WriteMode.APPEND));
        w.push(new Record(SCHEMA, new Object[] {1L, value}, "1", OpType.READ, Instant.EPOCH, null));
        w.close(new MetadataState("t-" + s.id() + "-" + value, Json.object()));
    }

    private static List<String> values(WriterPool pool, ConfiguredStream s) throws Exception {
        IcebergDestination d = (IcebergDestination) pool.destination();
        Table t = d.catalog().loadTable(d.identifier(s.id()));
        List<String> out = new ArrayList<>();
        try (CloseableIterable<org.apache.iceberg.data.Record> it = IcebergGenerics.read(t).build()) {
            it.forEach(r -> out.add((String) r.getField("s")));
        }
        return out;
    }

    @Test
    void sourceNamespacesAreKeptApartByDefault() throws Exception {
        try (WriterPool pool = pool(null)) {
            pool.destination().preflight(List.of(PUBLIC_M, S2_M));
            write(pool, PUBLIC_M, "from public");
            write(pool, S2_M, "from s2");
            assertThat(values(pool, PUBLIC_M)).containsExactly("from public");
            assertThat(values(pool, S2_M)).containsExactly("from s2");
        }
    }

    @Test
    void aFixedNamespaceThatWouldMergeTwoStreamsIsAConfigErrorBeforeAnythingIsWritten() {
        try (WriterPool pool = pool("lake")) {
            assertThatThrownBy(() -> pool.destination().preflight(List.of(PUBLIC_M, S2_M)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("public.m").hasMessageContaining("s2.m").hasMessageContaining("lake.m")
                    .hasMessageContaining("{namespace}");
        }
        assertThat(Files.exists(dir.resolve("wh").resolve("lake"))).as("nothing created in the warehouse").isFalse();
    }

    @Test
    void theSourceNamespacePlaceholderKeepsThemApartUnderAPrefix() throws Exception {
        try (WriterPool pool = pool("lake_{namespace}")) {
            pool.destination().preflight(List.of(PUBLIC_M, S2_M));
            write(pool, PUBLIC_M, "from public");
            write(pool, S2_M, "from s2");
            IcebergDestination d = (IcebergDestination) pool.destination();
            assertThat(d.identifier(PUBLIC_M.id())).isEqualTo(TableIdentifier.of("lake_public", "m"));
            assertThat(d.identifier(S2_M.id())).isEqualTo(TableIdentifier.of("lake_s2", "m"));
            assertThat(values(pool, PUBLIC_M)).containsExactly("from public");
            assertThat(values(pool, S2_M)).containsExactly("from s2");
        }
    }

    @Test
    void aTableHoldingAnotherStreamsRowsIsRefusedInALaterSync() throws Exception {
        try (WriterPool pool = pool("lake")) {
            write(pool, PUBLIC_M, "from public"); // an earlier sync of public.m alone
        }
        try (WriterPool pool = pool("lake")) { // a later sync of s2.m alone resolves to the same table
            assertThatThrownBy(() -> pool.destination().preflight(List.of(S2_M)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("holds the rows of stream public.m").hasMessageContaining("s2.m");
            // a writer opened without the preflight is refused too, before it writes
            assertThatThrownBy(() -> write(pool, S2_M, "from s2")).isInstanceOf(ConfigException.class);
            assertThat(values(pool, PUBLIC_M)).containsExactly("from public");
        }
    }
}
