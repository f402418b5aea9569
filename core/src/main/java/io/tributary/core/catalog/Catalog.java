package io.tributary.core.catalog;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.DefaultColumns;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The catalog ({@code streams.json}) in OLake's shape: every discovered stream under {@code streams}, and the
 * user's choice under {@code selected_streams} (namespace → entries with {@code stream_name},
 * {@code selected_columns}, {@code filter}, {@code chunk_column}, {@code append_mode}, ...). Only selected streams
 * sync. Column types use {@link DataType}'s JSON names; a nullable column lists {@code "null"} among its types;
 * decimals carry {@code precision} and {@code scale}; default columns are listed with {@code olake_column: true}.
 */
public final class Catalog {
    private final List<Stream> streams;
    private final Map<StreamId, Selection> selected;

    /** One entry of {@code selected_streams}. */
    public record Selection(
            List<String> columns,
            boolean syncNewColumns,
            Optional<String> filter,
            Optional<String> chunkColumn,
            boolean appendMode,
            boolean normalization,
            Optional<String> partitionRegex) {
        public static Selection all() {
            return new Selection(List.of(), true, Optional.empty(), Optional.empty(), false, true, Optional.empty());
        }
    }

    public Catalog(List<Stream> streams, Map<StreamId, Selection> selected) {
        this.streams = List.copyOf(requireNonNull(streams, "streams is null"));
        this.selected = new LinkedHashMap<>(requireNonNull(selected, "selected is null"));
        for (StreamId id : this.selected.keySet()) {
            if (find(id).isEmpty()) {
                throw new ConfigException("catalog: selected stream " + id + " is not among the catalog's streams");
            }
        }
    }

    /** A catalog of discovered streams with every stream selected, every column, no filter. */
    public static Catalog selectAll(List<Stream> streams) {
        Map<StreamId, Selection> sel = new LinkedHashMap<>();
        streams.forEach(s -> sel.put(s.id(), Selection.all()));
        return new Catalog(streams, sel);
    }

    public List<Stream> streams() {
        return streams;
    }

    public Optional<Stream> find(StreamId id) {
        return streams.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** The selected streams, validated against their discovered schema. */
    public List<ConfiguredStream> configuredStreams() {
        List<ConfiguredStream> out = new ArrayList<>();
        for (Map.Entry<StreamId, Selection> e : selected.entrySet()) {
            Stream s = find(e.getKey()).orElseThrow();
            Selection sel = e.getValue();
            ConfiguredStream cs = new ConfiguredStream(s, sel.columns(), sel.syncNewColumns(), sel.filter(),
                    sel.chunkColumn(), sel.appendMode(), sel.normalization(), sel.partitionRegex());
            cs.validate();
            out.add(cs);
        }
        return out;
    }

    /** A catalog with one stream replaced (a changed sync mode or cursor). */
    public Catalog withStream(Stream stream) {
        List<Stream> out = new ArrayList<>();
        for (Stream s : streams) {
            out.add(s.id().equals(stream.id()) ? stream : s);
        }
        return new Catalog(out, selected);
    }

    // ---- JSON

    public static Catalog fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new ConfigException(source + ": expected a JSON object with 'streams' and 'selected_streams'");
        }
        knownKeys(root, source, ROOT_KEYS);
        JsonNode streamList = root.path("streams");
        if (!streamList.isMissingNode() && !streamList.isArray()) {
            throw new ConfigException(source + ": 'streams' expects a list of streams");
        }
        List<Stream> streams = new ArrayList<>();
        int i = 0;
        for (JsonNode wrapper : streamList) {
            JsonNode s = wrapper.has("stream") ? wrapper.get("stream") : wrapper;
            streams.add(readStream(s, source + ": streams[" + i++ + "]"));
        }
        Map<StreamId, Selection> selected = new LinkedHashMap<>();
        JsonNode sel = root.path("selected_streams");
        if (!sel.isMissingNode() && !sel.isObject()) {
            throw new ConfigException(source + ": 'selected_streams' expects an object of namespace → list");
        }
        for (Map.Entry<String, JsonNode> e : sel.properties()) {
            String ns = source + ": selected_streams." + e.getKey();
            if (!e.getValue().isArray()) {
                throw new ConfigException(ns + " expects a list of {\"stream_name\": ...} entries");
            }
            int j = 0;
            for (JsonNode n : e.getValue()) {
                String where = ns + "[" + j++ + "]";
                if (!n.isObject()) {
                    throw new ConfigException(where + " expects an object with 'stream_name'");
                }
                knownKeys(n, where, SELECTION_KEYS);
                String name = text(n, "stream_name", where);
                where = ns + "." + name;
                JsonNode cols = n.path("selected_columns");
                List<String> columns = new ArrayList<>();
                if (!cols.isMissingNode() && !cols.isNull()) {
                    if (!cols.isObject()) {
                        throw new ConfigException(where + ": key 'selected_columns' expects an object "
                                + "{\"columns\": [...], \"sync_new_columns\": true}");
                    }
                    knownKeys(cols, where + ".selected_columns", COLUMNS_KEYS);
                    JsonNode list = cols.path("columns");
                    if (!list.isMissingNode() && !list.isNull() && !list.isArray()) {
                        throw new ConfigException(where + ": key 'selected_columns.columns' expects a list of names");
                    }
                    list.forEach(c -> columns.add(c.asText()));
                }
                selected.put(StreamId.of(e.getKey(), name), new Selection(
                        columns,
                        bool(cols, "sync_new_columns", true, where + ".selected_columns"),
                        optText(n, "filter"),
                        optText(n, "chunk_column"),
                        bool(n, "append_mode", false, where),
                        bool(n, "normalization", true, where),
                        optText(n, "partition_regex")));
            }
        }
        return new Catalog(streams, selected);
    }

    private static Stream readStream(JsonNode s, String where) {
        String name = text(s, "name", where);
        String ns = s.path("namespace").asText("");
        List<Field> fields = new ArrayList<>();
        JsonNode props = s.path("type_schema").path("properties");
        for (Map.Entry<String, JsonNode> e : props.properties()) {
            JsonNode p = e.getValue();
            if (p.path("olake_column").asBoolean(false) || DefaultColumns.isDefault(e.getKey())) {
                continue;
            }
            boolean nullable = false;
            DataType type = DataType.NULL;
            JsonNode types = p.path("type");
            List<JsonNode> list = new ArrayList<>();
            if (types.isArray()) {
                types.forEach(list::add);
            } else if (types.isTextual()) {
                list.add(types);
            }
            for (JsonNode t : list) {
                DataType d;
                try {
                    d = DataType.fromJson(t.asText());
                } catch (ConfigException ex) {
                    throw new ConfigException(where + ": column " + e.getKey() + ": " + ex.getMessage());
                }
                if (d == DataType.NULL) {
                    nullable = true;
                } else {
                    type = type.widen(d);
                }
            }
            if (type == DataType.NULL) {
                type = DataType.STRING;
                nullable = true;
            }
            fields.add(type == DataType.DECIMAL
                    ? Field.decimal(e.getKey(), p.path("precision").asInt(0), p.path("scale").asInt(0), nullable)
                    : Field.of(e.getKey(), type, nullable));
        }
        List<String> pk = new ArrayList<>();
        s.path("source_defined_primary_key").forEach(n -> pk.add(n.asText()));
        Set<String> cursors = new LinkedHashSet<>();
        s.path("available_cursor_fields").forEach(n -> cursors.add(n.asText()));
        Set<SyncMode> modes = EnumSet.noneOf(SyncMode.class);
        s.path("supported_sync_modes").forEach(n -> modes.add(SyncMode.fromJson(n.asText())));
        SyncMode mode = s.hasNonNull("sync_mode") ? SyncMode.fromJson(s.get("sync_mode").asText())
                : SyncMode.FULL_REFRESH;
        Optional<String> cursor = optText(s, "cursor_field");
        try {
            return new Stream(StreamId.of(ns, name), new Schema(fields), pk, cursors, modes, mode, cursor);
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(where + ": " + ex.getMessage());
        }
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.object();
        ObjectNode sel = root.putObject("selected_streams");
        for (Map.Entry<StreamId, Selection> e : selected.entrySet()) {
            ArrayNode list = sel.has(e.getKey().namespace()) ? (ArrayNode) sel.get(e.getKey().namespace())
                    : sel.putArray(e.getKey().namespace());
            Selection s = e.getValue();
            ObjectNode n = list.addObject();
            n.put("stream_name", e.getKey().name());
            s.partitionRegex().ifPresent(v -> n.put("partition_regex", v));
            n.put("normalization", s.normalization());
            n.put("append_mode", s.appendMode());
            s.chunkColumn().ifPresent(v -> n.put("chunk_column", v));
            s.filter().ifPresent(v -> n.put("filter", v));
            ObjectNode cols = n.putObject("selected_columns");
            ArrayNode c = cols.putArray("columns");
            s.columns().forEach(c::add);
            cols.put("sync_new_columns", s.syncNewColumns());
        }
        ArrayNode arr = root.putArray("streams");
        for (Stream s : streams) {
            arr.addObject().set("stream", writeStream(s));
        }
        return root;
    }

    /** One stream in OLake's JSON shape (without the {@code "stream"} wrapper). */
    public static ObjectNode writeStream(Stream s) {
        ObjectNode n = Json.object();
        n.put("name", s.name());
        n.put("namespace", s.namespace());
        ObjectNode props = n.putObject("type_schema").putObject("properties");
        for (Field f : s.schema().fields()) {
            ObjectNode p = props.putObject(f.name());
            ArrayNode t = p.putArray("type");
            t.add(f.type().jsonName());
            if (f.nullable()) {
                t.add("null");
            }
            if (f.type() == DataType.DECIMAL) {
                p.put("precision", f.precision());
                p.put("scale", f.scale());
            }
            p.put("destination_column_name", f.name());
        }
        for (Field f : DefaultColumns.FIELDS) {
            ObjectNode p = props.putObject(f.name());
            ArrayNode t = p.putArray("type");
            t.add(f.type().jsonName());
            if (f.nullable()) {
                t.add("null");
            }
            p.put("olake_column", true);
        }
        ArrayNode modes = n.putArray("supported_sync_modes");
        s.supportedSyncModes().stream().sorted().forEach(m -> modes.add(m.jsonName()));
        ArrayNode pk = n.putArray("source_defined_primary_key");
        s.primaryKey().forEach(pk::add);
        ArrayNode cur = n.putArray("available_cursor_fields");
        s.cursorFields().stream().sorted().forEach(cur::add);
        s.cursorField().ifPresent(c -> n.put("cursor_field", c));
        n.put("sync_mode", s.syncMode().jsonName());
        return n;
    }

    private static final Set<String> ROOT_KEYS = Set.of("streams", "selected_streams");
    private static final Set<String> SELECTION_KEYS = Set.of("stream_name", "partition_regex", "normalization",
            "append_mode", "chunk_column", "filter", "selected_columns");
    private static final Set<String> COLUMNS_KEYS = Set.of("columns", "sync_new_columns");

    /** The user-edited parts of the catalog reject unknown keys (a misspelt key is not silently ignored). */
    private static void knownKeys(JsonNode n, String where, Set<String> known) {
        n.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                throw new ConfigException(where + ": unknown key '" + k + "'; known keys: "
                        + known.stream().sorted().toList());
            }
        });
    }

    private static boolean bool(JsonNode n, String key, boolean absent, String where) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw new ConfigException(where + ": key '" + key + "' expects true or false, got " + v.getNodeType());
        }
        return v.booleanValue();
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new ConfigException(where + ": key '" + key + "' is required (a string)");
        }
        return v.asText();
    }

    private static Optional<String> optText(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() || v.asText().isEmpty() ? Optional.empty() : Optional.of(v.asText());
    }
}
