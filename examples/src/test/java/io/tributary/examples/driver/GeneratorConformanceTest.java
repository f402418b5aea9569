package io.tributary.examples.driver;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.core.DriverInterface;
import io.tributary.testkit.conformance.ConformanceFixture;
import io.tributary.testkit.conformance.DriverConformanceTest;
import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * The generator driver against the conformance kit, as a third-party driver runs it: the "database" is a set of
 * in-memory tables ({@link Tables}) the fixture writes to and the driver reads through {@link GeneratorRows}.
 * Full refresh only: the generator's incremental reads use {@code id} as the cursor, while the kit's incremental
 * test configures {@code updated_at}; the generator has no change log.
 */
class GeneratorConformanceTest extends DriverConformanceTest {
    @Override
    protected ConformanceFixture createFixture() {
        return new Fixture();
    }

    @Override
    protected Set<Behavior> behaviors() {
        return EnumSet.noneOf(Behavior.class);
    }

    /** Tables with the kit's columns, keyed by {@code id}. */
    static final class Tables implements GeneratorRows {
        private static final Schema SCHEMA = Schema.of(
                Field.of("id", DataType.INT64, false),
                Field.nullable("name", DataType.STRING),
                Field.decimal("amount", 12, 2, true),
                Field.nullable("updated_at", DataType.TIMESTAMP_MICRO));

        final Map<String, NavigableMap<Long, Object[]>> tables = new ConcurrentHashMap<>();

        private NavigableMap<Long, Object[]> table(String stream) {
            NavigableMap<Long, Object[]> t = tables.get(stream);
            if (t == null) {
                throw new IllegalArgumentException("no table " + stream);
            }
            return t;
        }

        @Override
        public Schema schema() {
            return SCHEMA;
        }

        @Override
        public List<String> streams() {
            return tables.keySet().stream().sorted().toList();
        }

        @Override
        public List<Long> splitPoints(String stream, long chunkSize) {
            List<Long> points = new ArrayList<>();
            long i = 0;
            for (Long key : table(stream).keySet()) {
                if (i > 0 && i % chunkSize == 0) {
                    points.add(key);
                }
                i++;
            }
            return points;
        }

        @Override
        public void read(String stream, Long from, Long to, Consumer<Object[]> out) {
            NavigableMap<Long, Object[]> t = table(stream);
            if (from != null) {
                t = t.tailMap(from, true);
            }
            if (to != null) {
                t = t.headMap(to, false);
            }
            t.values().forEach(row -> out.accept(row.clone()));
        }

        @Override
        public Optional<Long> maxKey(String stream) {
            NavigableMap<Long, Object[]> t = table(stream);
            return t.isEmpty() ? Optional.empty() : Optional.of(t.lastKey());
        }
    }

    static final class Fixture implements ConformanceFixture {
        private final Tables tables = new Tables();

        @Override
        public StreamId createTable(String name, Keys keys) {
            if (keys != Keys.PRIMARY_KEY) {
                throw new UnsupportedOperationException("generator streams are keyed by id");
            }
            tables.tables.put(name, new ConcurrentSkipListMap<>());
            return StreamId.of(GeneratorDriver.NAMESPACE, name);
        }

        @Override
        public void insert(StreamId table, Row... rows) {
            for (Row r : rows) {
                if (tables.table(table.name()).putIfAbsent(r.id(), values(r)) != null) {
                    throw new IllegalStateException("duplicate key " + r.id() + " in " + table);
                }
            }
        }

        @Override
        public void update(StreamId table, Row row) {
            if (tables.table(table.name()).replace(row.id(), values(row)) == null) {
                throw new IllegalStateException("no row " + row.id() + " in " + table);
            }
        }

        @Override
        public void delete(StreamId table, long id) {
            tables.table(table.name()).remove(id);
        }

        private static Object[] values(Row r) {
            return new Object[] {r.id(), r.name(), r.amount(), r.updatedAt()};
        }

        @Override
        public DriverInterface newDriver(Capture capture) {
            if (capture != Capture.NONE) {
                throw new UnsupportedOperationException("the generator has no change log");
            }
            return GeneratorDriver.over(new GeneratorConfig(List.of("unused"), 0, 1_000, 4), tables);
        }

        @Override
        public JsonNode configWithWrongPassword(String password) {
            throw new UnsupportedOperationException("the generator has no authentication");
        }

        @Override
        public void close() {
            tables.tables.clear();
        }
    }
}
