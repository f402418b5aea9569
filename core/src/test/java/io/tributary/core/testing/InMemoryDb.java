package io.tributary.core.testing;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A tiny thread-safe "database" for orchestrator tests: tables keyed by a long {@code id}, and a change log. */
public final class InMemoryDb {
    public static final Schema SCHEMA = Schema.of(
            Field.of("id", DataType.INT64, false),
            Field.nullable("name", DataType.STRING),
            Field.nullable("updated_at", DataType.TIMESTAMP_MICRO),
            Field.nullable("seq", DataType.INT64));

    public record Change(StreamId stream, OpType op, Object[] row, Instant at) {
    }

    private final Map<StreamId, TreeMap<Long, Object[]>> tables = new LinkedHashMap<>();
    private final List<Change> log = new ArrayList<>();

    public synchronized void createTable(StreamId id) {
        tables.putIfAbsent(id, new TreeMap<>());
    }

    /** Adds rows {@code from..to-1} with name {@code n<id>}, updated_at = epoch + id seconds, seq = id. */
    public synchronized void fill(StreamId id, long from, long to) {
        createTable(id);
        for (long i = from; i < to; i++) {
            insert(id, row(i, "n" + i, Instant.ofEpochSecond(i), i));
        }
    }

    public static Object[] row(long id, String name, Instant updatedAt, Long seq) {
        return new Object[] {id, name, updatedAt, seq};
    }

    public synchronized void insert(StreamId id, Object[] row) {
        tables.get(id).put((Long) row[0], row.clone());
        log.add(new Change(id, OpType.CREATE, row.clone(), Instant.now()));
    }

    public synchronized void update(StreamId id, Object[] row) {
        tables.get(id).put((Long) row[0], row.clone());
        log.add(new Change(id, OpType.UPDATE, row.clone(), Instant.now()));
    }

    public synchronized void delete(StreamId id, long key) {
        Object[] old = tables.get(id).remove(key);
        log.add(new Change(id, OpType.DELETE, old, Instant.now()));
    }

    public synchronized List<StreamId> tables() {
        return List.copyOf(tables.keySet());
    }

    /** A copy of a table's rows in key order. */
    public synchronized List<Object[]> rows(StreamId id) {
        return tables.get(id).values().stream().map(Object[]::clone).toList();
    }

    public synchronized List<Object[]> rows(StreamId id, long minInclusive, Long maxExclusive) {
        TreeMap<Long, Object[]> t = tables.get(id);
        return (maxExclusive == null ? t.tailMap(minInclusive, true) : t.subMap(minInclusive, true, maxExclusive, false))
                .values().stream().map(Object[]::clone).toList();
    }

    public synchronized long minKey(StreamId id) {
        return tables.get(id).isEmpty() ? 0 : tables.get(id).firstKey();
    }

    public synchronized long maxKey(StreamId id) {
        return tables.get(id).isEmpty() ? 0 : tables.get(id).lastKey();
    }

    public synchronized int logSize() {
        return log.size();
    }

    public synchronized List<Change> log(int from, int to) {
        return List.copyOf(log.subList(from, to));
    }
}
