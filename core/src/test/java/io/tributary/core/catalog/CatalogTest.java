package io.tributary.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CatalogTest {
    private static final Stream ORDERS = new Stream(StreamId.of("public", "orders"),
            Schema.of(Field.of("id", DataType.INT64, false), Field.decimal("amount", 12, 2, true),
                    Field.nullable("updated_at", DataType.TIMESTAMP_MICRO), Field.nullable("doc", DataType.JSON_OBJECT)),
            List.of("id"), Set.of("id", "updated_at"), Set.of(SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL, SyncMode.CDC),
            SyncMode.INCREMENTAL, Optional.of("updated_at:id"));

    @Test
    void catalogRoundTripsInOlakesShape() {
        Catalog c = Catalog.selectAll(List.of(ORDERS));
        String json = Json.write(c.toJson());
        Catalog back = Catalog.fromJson(Json.parse(json), "streams.json");
        assertThat(back.streams()).containsExactly(ORDERS);
        ConfiguredStream cs = back.configuredStreams().get(0);
        assertThat(cs.primaryCursor()).contains("updated_at");
        assertThat(cs.secondaryCursor()).contains("id");
        assertThat(json).contains("\"_olake_id\"").contains("\"olake_column\":true")
                .contains("\"selected_streams\":{\"public\":[{\"stream_name\":\"orders\"");
    }

    @Test
    void readsAnOlakeCatalogWithFiltersAndSelectedColumns() {
        String json = """
                {"selected_streams": {"public": [{"stream_name": "orders", "normalization": true,
                   "append_mode": false, "chunk_column": "id", "filter": "id > 5",
                   "selected_columns": {"columns": ["id", "amount"], "sync_new_columns": false}}]},
                 "streams": [{"stream": {"name": "orders", "namespace": "public",
                   "type_schema": {"properties": {"id": {"type": ["integer"]}, "amount": {"type": ["number", "null"]},
                                                  "_olake_id": {"type": ["string"], "olake_column": true}}},
                   "supported_sync_modes": ["full_refresh", "incremental"], "source_defined_primary_key": ["id"],
                   "available_cursor_fields": ["id"], "cursor_field": "id", "sync_mode": "incremental"}}]}""";
        ConfiguredStream cs = Catalog.fromJson(Json.parse(json), "streams.json").configuredStreams().get(0);
        assertThat(cs.schema().names()).containsExactly("id", "amount");
        assertThat(cs.schema().field("amount").orElseThrow()).isEqualTo(Field.nullable("amount", DataType.FLOAT64));
        assertThat(cs.selectedColumns()).containsExactly("id", "amount");
        assertThat(cs.syncNewColumns()).isFalse();
        assertThat(cs.filter()).contains("id > 5");
        assertThat(cs.chunkColumn()).contains("id");
    }

    @Test
    void aCursorThatIsNotACursorFieldIsAConfigErrorNamingStreamAndColumn() {
        Catalog c = Catalog.selectAll(List.of(ORDERS.withCursorField(Optional.of("amount"))));
        assertThatThrownBy(c::configuredStreams).isInstanceOf(ConfigException.class)
                .hasMessageContaining("public.orders").hasMessageContaining("amount");
        Catalog missing = Catalog.selectAll(List.of(ORDERS.withCursorField(Optional.of("nope"))));
        assertThatThrownBy(missing::configuredStreams).hasMessageContaining("nope").hasMessageContaining("does not exist");
    }

    @Test
    void anUnsupportedSyncModeIsAConfigError() {
        Catalog c = Catalog.selectAll(List.of(ORDERS.withSyncMode(SyncMode.STRICT_CDC)));
        assertThatThrownBy(c::configuredStreams).isInstanceOf(ConfigException.class)
                .hasMessageContaining("strict_cdc is not supported");
    }
}
