package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.core.catalog.Catalog;
import io.tributary.core.state.FileStateStore;
import io.tributary.core.state.State;
import io.tributary.core.testing.InMemoryDb;
import io.tributary.core.testing.TestDriver;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad state files and catalogs fail with a {@link ConfigException} that names the file and key, changing nothing. */
class CoreBadInputTest {
    private static final String VALID_STATE = """
            {"type": "STREAM", "version": 1, "global": {"state": {"lsn": "0/16B3748"}, "streams": ["public.t"]},
             "streams": [{"stream": "t", "namespace": "public", "sync_mode": "cdc", "state": {"chunks": []}}]}""";

    @TempDir
    Path dir;

    private Path stateFile(String text) throws Exception {
        Path p = dir.resolve("state.json");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void truncatedStateFileIsAConfigErrorNamingTheFileWhichStaysUntouched() throws Exception {
        Path p = stateFile(VALID_STATE.substring(0, VALID_STATE.length() / 2));
        byte[] before = Files.readAllBytes(p);
        assertThatThrownBy(() -> State.load(new FileStateStore(p))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(p.toAbsolutePath().toString()).hasMessageContaining("malformed JSON at line")
                .hasMessageContaining("not modified");
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
        assertThat(Files.list(dir)).containsExactly(p); // no temp file left beside it either
    }

    @Test
    void stateFileOfTheWrongShapeIsAConfigErrorNamingTheKey() throws Exception {
        for (String[] bad : new String[][] {
                {"[1, 2]", "expected a JSON object"},
                {"{\"version\": 1, \"streams\": \"public.t\"}", "'streams' expects an array"},
                {"{\"version\": 1, \"global\": [\"lsn\"]}", "'global' expects an object"},
                {"{\"version\": \"one\"}", "'version' expects an integer"},
                {"{\"version\": 1, \"streams\": [{\"namespace\": \"public\"}]}", "no 'stream' key"}}) {
            Path p = stateFile(bad[0]);
            assertThatThrownBy(() -> State.load(new FileStateStore(p))).as(bad[0])
                    .isInstanceOf(ConfigException.class).hasMessageContaining(p.toString())
                    .hasMessageContaining(bad[1]);
            assertThat(Files.readString(p)).isEqualTo(bad[0]);
        }
    }

    private static String catalog(String selection, String stream) {
        return "{\"selected_streams\": {\"public\": [" + selection + "]}, \"streams\": [{\"stream\": " + stream + "}]}";
    }

    private static final String ORDERS = """
            {"name": "orders", "namespace": "public",
             "type_schema": {"properties": {"id": {"type": ["integer"]}, "updated_at": {"type": ["timestamp", "null"]}}},
             "supported_sync_modes": ["full_refresh", "incremental"], "source_defined_primary_key": ["id"],
             "available_cursor_fields": ["id", "updated_at"], "cursor_field": "updated_at", "sync_mode": "incremental"}""";

    private static void assertCatalogError(String json, String... expected) {
        assertThatThrownBy(() -> Catalog.fromJson(Json.parse(json), "streams.json").configuredStreams())
                .as(json).isInstanceOf(ConfigException.class).hasMessageContainingAll(expected);
    }

    @Test
    void catalogWithUnknownKeysWrongTypesOrMissingKeysIsAConfigErrorNamingStreamAndKey() {
        assertCatalogError(catalog("{\"stream_name\": \"orders\", \"chunk_colum\": \"id\"}", ORDERS),
                "streams.json", "selected_streams.public[0]", "unknown key 'chunk_colum'", "chunk_column");
        assertCatalogError(catalog("{\"stream_name\": \"orders\", \"selected_columns\": {\"colums\": [\"id\"]}}",
                ORDERS), "selected_streams.public.orders.selected_columns", "unknown key 'colums'");
        assertCatalogError("{\"selected_stream\": {}, \"streams\": []}", "unknown key 'selected_stream'");
        assertCatalogError(catalog("{\"stream_name\": \"orders\", \"append_mode\": \"yes\"}", ORDERS),
                "selected_streams.public.orders", "'append_mode' expects true or false");
        assertCatalogError(catalog("{\"stream_name\": \"orders\", \"selected_columns\": {\"columns\": \"id\"}}",
                ORDERS), "'selected_columns.columns' expects a list");
        assertCatalogError("{\"selected_streams\": {\"public\": {\"stream_name\": \"orders\"}}, \"streams\": []}",
                "selected_streams.public expects a list");
        assertCatalogError("{\"selected_streams\": {}, \"streams\": {\"name\": \"orders\"}}",
                "'streams' expects a list");
        assertCatalogError(catalog("{\"name\": \"orders\"}", ORDERS), "selected_streams.public[0]",
                "unknown key 'name'");
        assertCatalogError(catalog("{\"append_mode\": false}", ORDERS), "key 'stream_name' is required");
        assertCatalogError(catalog("{\"stream_name\": \"orders\"}", ORDERS.replace("\"name\": \"orders\", ", "")),
                "streams[0]", "key 'name' is required");
        assertCatalogError(catalog("{\"stream_name\": \"orders\"}", ORDERS.replace("\"timestamp\"", "\"datetime\"")),
                "streams[0]", "updated_at");
        assertCatalogError(catalog("{\"stream_name\": \"nope\"}", ORDERS), "public.nope", "not among");
    }

    @Test
    void cursorFieldMissingFromTheCatalogStreamIsAConfigErrorNamingStreamAndColumn() {
        assertCatalogError(catalog("{\"stream_name\": \"orders\"}", ORDERS.replace("\"cursor_field\": \"updated_at\"",
                "\"cursor_field\": \"changed_at\"")), "public.orders", "cursor field changed_at does not exist",
                "[id, updated_at]");
    }

    @Test
    void preflightRejectsCursorAndChunkColumnsTheSourceNoLongerHas() {
        StreamId id = StreamId.of("public", "orders");
        Stream fromSource = new TestDriver().produceSchema(id);
        // the catalog was discovered when the table still had a column 'moved_at'
        Stream old = fromSource.withSchema(fromSource.schema().merge(io.tributary.types.Schema.of(
                io.tributary.types.Field.nullable("moved_at", io.tributary.types.DataType.TIMESTAMP_MICRO))));
        Stream catalogStream = new Stream(id, old.schema(), List.of("id"), Set.of("id", "moved_at"),
                Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL), SyncMode.INCREMENTAL, Optional.of("moved_at"));
        TestDriver driver = new TestDriver();
        assertThatThrownBy(() -> Preflight.check(driver, List.of(ConfiguredStream.of(catalogStream))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("public.orders")
                .hasMessageContaining("column moved_at").hasMessageContaining("run discover again");
        assertThat(InMemoryDb.SCHEMA.names()).doesNotContain("moved_at");
    }

    @Test
    void stateTextIsNotRewrittenByLoading() throws Exception {
        Path p = stateFile(VALID_STATE);
        State.load(new FileStateStore(p));
        assertThat(Files.readString(p, StandardCharsets.UTF_8)).isEqualTo(VALID_STATE);
    }

    @Test
    void emptyStateFileIsAConfigErrorNamingTheFileNotAnEmptyState() throws Exception {
        for (String empty : List.of("", " \n\t\n")) {
            Path p = stateFile(empty);
            assertThatThrownBy(() -> State.load(new FileStateStore(p))).as("%s bytes", empty.length())
                    .isInstanceOf(ConfigException.class).hasMessageContaining(p.toAbsolutePath().toString())
                    .hasMessageContaining("is empty (" + empty.length() + " bytes)")
                    .hasMessageContaining("not modified");
            assertThat(Files.readString(p)).isEqualTo(empty);
            assertThat(Files.list(dir)).containsExactly(p);
        }
    }

    @Test
    void garbledStateFileIsAConfigErrorNamingTheFile() throws Exception {
        byte[] garbage = {0x1f, (byte) 0x8b, 0x08, 0x00, 0x7b, 0x22, (byte) 0xff, 0x00};
        Path p = dir.resolve("state.json");
        Files.write(p, garbage);
        assertThatThrownBy(() -> State.load(new FileStateStore(p))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(p.toAbsolutePath().toString()).hasMessageContaining("malformed JSON");
        assertThat(Files.readAllBytes(p)).isEqualTo(garbage);
    }

    @Test
    void stateOfAnotherSourceIsAConfigErrorNamingFileAndBothIdentitiesAndChangesNothing() throws Exception {
        Path p = stateFile(VALID_STATE.replace("\"version\": 1,", "\"version\": 1, \"source_identity\": \"test:a/db\","));
        byte[] before = Files.readAllBytes(p);
        State s = State.load(new FileStateStore(p));
        assertThat(s.sourceIdentity()).contains("test:a/db");
        s.bindSource("test:a/db"); // the same source
        assertThatThrownBy(() -> s.bindSource("test:b/db")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(p.toAbsolutePath().toString()).hasMessageContaining("'test:a/db'")
                .hasMessageContaining("'test:b/db'").hasMessageContaining("not modified");
        assertThat(s.sourceIdentity()).contains("test:a/db");
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
    }

    @Test
    void stateWithoutSourceIdentityAdoptsItAtItsNextSaveOnly() throws Exception {
        Path p = stateFile(VALID_STATE);
        State s = State.load(new FileStateStore(p));
        assertThat(s.sourceIdentity()).isEmpty();
        s.bindSource("test:a/db");
        assertThat(Files.readString(p)).isEqualTo(VALID_STATE); // adopting alone writes nothing
        s.setGlobal(Json.parse("{\"lsn\": \"0/16B3750\"}"));
        State again = State.load(new FileStateStore(p));
        assertThat(again.sourceIdentity()).contains("test:a/db");
        assertThat(again.global().orElseThrow().get("lsn").asText()).isEqualTo("0/16B3750");
        assertThat(again.backfillCompleted(StreamId.of("public", "t"))).isTrue();
        assertThatThrownBy(() -> again.bindSource("test:b/db")).isInstanceOf(ConfigException.class);
    }

    @Test
    void sourceIdentityOfTheWrongTypeIsAConfigErrorNamingTheKey() throws Exception {
        Path p = stateFile("{\"version\": 1, \"source_identity\": 42}");
        assertThatThrownBy(() -> State.load(new FileStateStore(p))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'source_identity' expects a string");
    }
}
