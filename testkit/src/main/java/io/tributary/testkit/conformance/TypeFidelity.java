package io.tributary.testkit.conformance;

import io.tributary.core.AbstractDriver;
import io.tributary.core.DriverInterface;
import io.tributary.core.state.InMemoryStateStore;
import io.tributary.core.state.State;
import io.tributary.testkit.conformance.ConformanceFixture.Capture;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeColumn;
import io.tributary.testkit.conformance.ConformanceFixture.EdgeValue;
import io.tributary.testkit.conformance.DestinationReader.DestRow;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import io.tributary.types.ValueErrors;
import io.tributary.types.ValueException;
import io.tributary.writer.WriterPool;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code TYPE_FIDELITY} procedure for one writer. One source row per (column, value) of the fixture's matrix,
 * the other columns NULL, plus a row of NULLs; discovery must report each column's type; a CDC-mode sync backfills
 * them; then the same values are inserted again under new keys ({@link #CDC_OFFSET} + key) and the tag of every
 * first row is updated, and a second sync carries both through CDC. The destination is read back after each sync by
 * {@link DestinationReader}, and every value must equal the fixture's expected value (as the writer holds it, see
 * {@link EdgeValues#inDestination}) on the backfill row, the CDC-inserted row and the CDC-updated row, and the three
 * must be identical to each other.
 */
final class TypeFidelity {
    /** Keys of the rows inserted for CDC: the backfill row's key plus this. */
    static final long CDC_OFFSET = 1_000_000;
    private static final String NULL_ROW = "all-NULL row";

    /** One difference: a row of the failure table. */
    record Mismatch(String column, String label, String path, String writer, String expected, String actual) {
    }

    /** One source row of the matrix: a value in one column, or (value null) the all-NULL row. */
    private record Case(long id, EdgeColumn column, EdgeValue value) {
        String label() {
            return value == null ? NULL_ROW : value.label();
        }
    }

    private final ConformanceFixture fixture;
    private final List<EdgeColumn> columns;

    TypeFidelity(ConformanceFixture fixture, List<EdgeColumn> columns) {
        this.fixture = fixture;
        this.columns = List.copyOf(columns);
    }

    /** Fixture mistakes the kit can see without a database: duplicate names, values of the wrong Java type. */
    List<Mismatch> checkMatrix() {
        List<Mismatch> out = new ArrayList<>();
        Map<String, Boolean> names = new HashMap<>();
        for (EdgeColumn c : columns) {
            if (names.put(c.name(), true) != null || c.name().equals("id") || c.name().equals("tag")) {
                out.add(new Mismatch(c.name(), "-", "matrix", "-", "a unique column name other than id and tag",
                        "a duplicate"));
            }
            if (c.values().isEmpty()) {
                out.add(new Mismatch(c.name(), "-", "matrix", "-", "at least one value", "none"));
            }
            for (EdgeValue v : c.values()) {
                if (v.expected() != null && !modelType(c.expectedType(), v.expected())) {
                    out.add(new Mismatch(c.name(), v.label(), "matrix", "-",
                            "a Java value of " + c.expectedType() + " (see DataType)", EdgeValues.show(v.expected())));
                }
            }
        }
        return out;
    }

    private static boolean modelType(DataType t, Object v) {
        return switch (t) {
            case NULL -> false;
            case BOOLEAN -> v instanceof Boolean;
            case INT32 -> v instanceof Integer;
            case INT64 -> v instanceof Long;
            case FLOAT32 -> v instanceof Float;
            case FLOAT64 -> v instanceof Double;
            case DECIMAL -> v instanceof BigDecimal || EdgeValues.DECIMAL_SPECIALS.contains(v);
            case STRING, JSON_OBJECT, JSON_ARRAY -> v instanceof String;
            case DATE -> v instanceof LocalDate;
            case TIME -> v instanceof LocalTime;
            case TIMESTAMP_MILLI, TIMESTAMP_MICRO, TIMESTAMP_NANO -> v instanceof Instant;
            case BINARY -> v instanceof byte[];
        };
    }

    private static String table(String base) {
        return base + "_" + UUID.randomUUID().toString().substring(0, 6);
    }

    private List<Case> cases() {
        List<Case> out = new ArrayList<>();
        long id = 1;
        for (EdgeColumn c : columns) {
            for (EdgeValue v : c.values()) {
                out.add(new Case(id++, c, v));
            }
        }
        out.add(new Case(id, null, null));
        return out;
    }

    private void insert(StreamId table, List<Case> cases, long offset) {
        for (Case c : cases) {
            fixture.insertEdgeRow(table, offset + c.id(), 1,
                    c.value() == null ? Map.of() : Map.of(c.column().name(), c.value().literal()));
        }
    }

    /** Discovers {@code table}; the type mismatches of {@code checked} go to {@code problems}. */
    private Stream discover(StreamId table, Capture capture, List<EdgeColumn> checked, List<Mismatch> problems) {
        Stream s;
        try (DriverInterface d = fixture.newDriver(capture);
                AbstractDriver a = new AbstractDriver(d, State.inMemory())) {
            a.setup();
            s = a.discover(4).stream().filter(x -> x.id().equals(table)).findFirst()
                    .orElseThrow(() -> new AssertionError("discovery did not return " + table));
        }
        for (EdgeColumn c : checked) {
            Optional<Field> f = s.schema().field(c.name());
            if (f.isEmpty() || f.get().type() != c.expectedType()) {
                problems.add(new Mismatch(c.name(), c.declaration(), "discover", "-", c.expectedType().toString(),
                        f.map(x -> x.type().toString()).orElse("no such column")));
            }
        }
        return s;
    }

    private void sync(InMemoryStateStore store, Capture capture, ConfiguredStream stream, DestinationReader writer,
            WriterPool.Options options) {
        try (DriverInterface d = fixture.newDriver(capture);
                WriterPool pool = WriterPool.open(writer.type(), writer.writerConfig(), options);
                AbstractDriver a = new AbstractDriver(d, State.load(store), AbstractDriver.Options.defaults()
                        .withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50)))) {
            a.setup();
            a.read(pool, List.of(stream));
        }
    }

    /** Whether some value of the matrix is one the writer cannot hold (it then runs with value_errors null). */
    boolean hasUnrepresentable(String writerType, Schema schema) {
        return columns.stream().anyMatch(c -> firstUnrepresentable(writerType, schema, c).isPresent());
    }

    private static Optional<EdgeValue> firstUnrepresentable(String writerType, Schema schema, EdgeColumn c) {
        Field f = schema.field(c.name()).orElseThrow();
        return c.values().stream().filter(v -> !EdgeValues.representable(writerType, f, v.expected())).findFirst();
    }

    /**
     * Creates a table holding the whole matrix and discovers it; returns its schema, or empty with the type
     * mismatches added to {@code problems}.
     */
    Optional<Schema> discoverMatrix(List<Mismatch> problems) {
        StreamId table = fixture.createEdgeTable(table("edge_types"), columns);
        insert(table, cases(), 0);
        int before = problems.size();
        Stream s = discover(table, Capture.NONE, columns, problems);
        return problems.size() == before ? Optional.of(s.schema()) : Optional.empty();
    }

    /**
     * Runs the procedure into one writer and returns every difference. A writer that cannot hold some value runs
     * with {@code value_errors: null} and must write NULL exactly there.
     */
    List<Mismatch> run(DestinationReader writer) {
        List<Mismatch> out = new ArrayList<>();
        String w = writer.type();
        StreamId table = fixture.createEdgeTable(table("edge_" + w), columns);
        List<Case> cases = cases();
        insert(table, cases, 0);
        Stream discovered = discover(table, Capture.CDC, columns, out);
        if (!out.isEmpty()) {
            return out; // the values would be read with the wrong types
        }
        Schema schema = discovered.schema();
        ConfiguredStream stream = ConfiguredStream.of(discovered.withSyncMode(SyncMode.CDC));
        WriterPool.Options options = WriterPool.Options.defaults().withBatchSize(500)
                .withValueErrors(hasUnrepresentable(w, schema) ? ValueErrors.NULL : ValueErrors.FAIL);
        List<String> names = columns.stream().map(EdgeColumn::name).toList();
        InMemoryStateStore store = new InMemoryStateStore();

        // the backfill (then CDC, with nothing to read)
        if (failed(() -> sync(store, Capture.CDC, stream, writer, options), "backfill sync", w, out)) {
            return out;
        }
        Map<Long, DestRow> afterBackfill = latest(writer.read(table, schema, names, fixture.keyColumn()), w, out);

        insert(table, cases, CDC_OFFSET);
        for (Case c : cases) {
            fixture.updateEdgeTag(table, c.id(), 2);
        }
        // CDC: the inserts and the updates
        if (failed(() -> sync(store, Capture.CDC, stream, writer, options), "cdc sync", w, out)) {
            return out;
        }
        Map<Long, DestRow> afterCdc = latest(writer.read(table, schema, names, fixture.keyColumn()), w, out);

        for (Case c : cases) {
            DestRow backfill = row(afterBackfill, c, c.id(), "backfill", "r", 1, w, out);
            DestRow inserted = row(afterCdc, c, CDC_OFFSET + c.id(), "cdc insert", "c", 1, w, out);
            DestRow updated = row(afterCdc, c, c.id(), "cdc update", "u", 2, w, out);
            for (EdgeColumn col : c.value() == null ? columns : List.of(c.column())) {
                Field f = schema.field(col.name()).orElseThrow();
                Object want = c.value() == null ? null : EdgeValues.inDestination(w, f, c.value().expected());
                String label = c.value() == null ? NULL_ROW : c.label();
                compare(col.name(), label, "backfill", w, want, backfill, out);
                compare(col.name(), label, "cdc insert", w, want, inserted, out);
                compare(col.name(), label, "cdc update", w, want, updated, out);
                if (backfill != null && inserted != null && updated != null) {
                    Object b = backfill.values().get(col.name());
                    for (DestRow cdc : List.of(inserted, updated)) {
                        Object v = cdc.values().get(col.name());
                        if (!EdgeValues.same(b, v)) {
                            out.add(new Mismatch(col.name(), label, (cdc == inserted ? "cdc insert" : "cdc update")
                                    + " vs backfill", w, EdgeValues.show(b) + " (backfill)", EdgeValues.show(v)));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Runs a sync; a failure becomes a row of the table (naming the column of a ValueException). */
    private static boolean failed(Runnable sync, String path, String writer, List<Mismatch> out) {
        try {
            sync.run();
            return false;
        } catch (RuntimeException e) {
            Optional<ValueException> ve = valueException(e);
            out.add(new Mismatch(ve.map(ValueException::column).orElse("*"), "-", path, writer, "the sync succeeds",
                    "it failed: " + e));
            return true;
        }
    }

    private static void compare(String column, String label, String path, String writer, Object want, DestRow row,
            List<Mismatch> out) {
        if (row == null) {
            return; // reported as a missing row
        }
        Object got = row.values().get(column);
        if (!EdgeValues.same(want, got)) {
            out.add(new Mismatch(column, label, path, writer, EdgeValues.show(want), EdgeValues.show(got)));
        }
    }

    /**
     * The current row per key: the last row per {@code _olake_id} (jsonl and Parquet are append logs in commit
     * order); Iceberg must hold each {@code _olake_id} once, and one key must not have two {@code _olake_id}s.
     */
    private static Map<Long, DestRow> latest(List<DestRow> rows, String writer, List<Mismatch> out) {
        Map<String, DestRow> byOlakeId = new LinkedHashMap<>();
        for (DestRow r : rows) {
            if (byOlakeId.put(r.olakeId(), r) != null && writer.equals("iceberg")) {
                out.add(new Mismatch("_olake_id", r.olakeId(), "read", writer, "one row per _olake_id",
                        "more than one"));
            }
        }
        Map<Long, DestRow> byKey = new LinkedHashMap<>();
        for (DestRow r : byOlakeId.values()) {
            DestRow other = byKey.put(r.key(), r);
            if (other != null) {
                out.add(new Mismatch("_olake_id", "key " + r.key(), "read", writer, "one _olake_id per key",
                        other.olakeId() + " and " + r.olakeId()));
            }
        }
        return byKey;
    }

    /** The row of key {@code id}, checked for its operation and tag; null (and a mismatch) when missing. */
    private static DestRow row(Map<Long, DestRow> rows, Case c, long id, String path, String op, long tag,
            String writer, List<Mismatch> out) {
        String column = c.value() == null ? "*" : c.column().name();
        DestRow r = rows.get(id);
        if (r == null) {
            out.add(new Mismatch(column, c.label(), path, writer, "row " + id, "no such row"));
            return null;
        }
        if (!op.equals(r.op())) {
            out.add(new Mismatch("_op_type", c.label() + " (row " + id + ")", path, writer, op, String.valueOf(r.op())));
        }
        Long t = tag(r.tag());
        if (t == null || t != tag) {
            out.add(new Mismatch("tag", c.label() + " (row " + id + ")", path, writer, Long.toString(tag),
                    String.valueOf(r.tag())));
        }
        return r;
    }

    private static Long tag(Object raw) {
        if (raw instanceof Number n) {
            return n.longValue();
        }
        try {
            return raw == null ? null : Long.valueOf(raw.toString().replace("JSON number ", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * For each column with a value the writer cannot hold: a one-row table with that value, backfilled into the
     * writer with the default {@code value_errors} (fail), must fail with a {@link ValueException} whose message
     * names the column. Returns the columns where it did not, and how. {@code schema}: {@link #discoverMatrix}.
     */
    List<Mismatch> unrepresentableFails(DestinationReader writer, Schema schema) {
        List<Mismatch> out = new ArrayList<>();
        String w = writer.type();
        for (EdgeColumn c : columns) {
            Optional<EdgeValue> bad = firstUnrepresentable(w, schema, c);
            if (bad.isEmpty()) {
                continue;
            }
            StreamId table = fixture.createEdgeTable(table("edgefail_" + w), List.of(c));
            fixture.insertEdgeRow(table, 1, 1, Map.of(c.name(), bad.get().literal()));
            List<Mismatch> types = new ArrayList<>();
            Stream s = discover(table, Capture.NONE, List.of(c), types);
            out.addAll(types);
            ConfiguredStream cs = ConfiguredStream.of(s.withSyncMode(SyncMode.FULL_REFRESH));
            String expected = "ValueException naming " + c.name();
            try {
                sync(new InMemoryStateStore(), Capture.NONE, cs, writer, WriterPool.Options.defaults());
                out.add(new Mismatch(c.name(), bad.get().label(), "backfill, value_errors fail", w, expected,
                        "the sync succeeded"));
            } catch (RuntimeException e) {
                Optional<ValueException> ve = valueException(e);
                if (ve.isEmpty()) {
                    out.add(new Mismatch(c.name(), bad.get().label(), "backfill, value_errors fail", w, expected,
                            e.getClass().getSimpleName() + ": " + e.getMessage()));
                } else if (ve.get().getMessage() == null || !ve.get().getMessage().contains(c.name())) {
                    out.add(new Mismatch(c.name(), bad.get().label(), "backfill, value_errors fail", w, expected,
                            "ValueException: " + ve.get().getMessage()));
                }
            }
        }
        return out;
    }

    private static Optional<ValueException> valueException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ValueException v) {
                return Optional.of(v);
            }
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof ValueException v) {
                    return Optional.of(v);
                }
            }
        }
        return Optional.empty();
    }

    /** The failure table: one line per mismatch, columns aligned. */
    static String table(String title, List<Mismatch> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"column", "label", "path", "writer", "expected", "actual"});
        for (Mismatch m : rows) {
            cells.add(new String[] {m.column(), m.label(), m.path(), m.writer(), m.expected(), m.actual()});
        }
        int[] width = new int[6];
        for (String[] r : cells) {
            for (int i = 0; i < 6; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder(title).append('\n');
        for (String[] r : cells) {
            for (int i = 0; i < 6; i++) {
                b.append(i == 0 ? "  " : " | ").append(i == 5 ? r[i] : pad(r[i], width[i]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    /** Fails with the table unless {@code rows} is empty. */
    static void assertNone(String title, List<Mismatch> rows) {
        if (!rows.isEmpty()) {
            throw new AssertionError(table(rows.size() + " " + title, rows));
        }
    }

    /** The directory layout of one writer's output: a reader for it. */
    static DestinationReader writer(String type, Path dir) {
        return new DestinationReader(type, dir);
    }
}
