package io.tributary.driver.mongodb;

import io.tributary.types.DataType;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.ValueException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * A change stream's schema, evolved by the documents it reads (the orchestrator evolves the destination when a
 * change carries a newer schema; {@code sync_new_columns} decides whether new columns are written):
 * <ul>
 *   <li>a top-level field the schema does not have gets a new nullable column of its value's type (a field that is
 *       only ever NULL gets none until it holds a value);</li>
 *   <li>an int64 in an INT32 column widens the column to INT64 (an evolution every writer can make);</li>
 *   <li>any other value the column's type cannot hold exactly (a string in an int64 column, a double in an integer
 *       column) goes to a sibling column {@code <field>_<type>} of the value's type ({@code l_string},
 *       {@code n_number}, {@code d_decimal}) and the column itself is NULL for that document: a column never changes
 *       to a type its writer cannot evolve to (Iceberg cannot turn a long into a string), so the stream never
 *       stops on it.</li>
 * </ul>
 * A schema instance is replaced only when it changed. Not thread-safe: one per change stream.
 */
final class EvolvingSchema {
    private final String collection;
    private Schema schema;
    /** sibling column → the field whose values of another type it holds. */
    private final Map<String, String> siblingOf = new HashMap<>();
    /** field → (value type → its sibling column). */
    private final Map<String, Map<DataType, String>> siblings = new HashMap<>();

    EvolvingSchema(Schema schema, String collection) {
        this.schema = schema;
        this.collection = collection;
    }

    Schema schema() {
        return schema;
    }

    /** The name of the sibling column of {@code field} for values of {@code type}. */
    static String siblingName(String field, DataType type) {
        return field + "_" + type.jsonName();
    }

    /** The document's values against {@link #schema()}, after evolving it for this document. */
    Object[] row(BsonDocument d) {
        try {
            return values(d);
        } catch (ValueException e) {
            throw e.in(collection, MongoDriver.key(d));
        }
    }

    private Object[] values(BsonDocument d) {
        evolve(d);
        Object[] values = new Object[schema.size()];
        for (int i = 0; i < values.length; i++) {
            Field f = schema.field(i);
            String base = siblingOf.get(f.name());
            if (base != null && !d.containsKey(f.name())) {
                BsonValue v = d.get(base);
                if (v != null && !v.isNull() && !holds(schema.field(base).orElseThrow(), v)
                        && f.name().equals(siblings.get(base).get(MongoTypes.of(v)))) {
                    values[i] = MongoTypes.value(v, f, collection);
                }
                continue;
            }
            BsonValue v = d.get(f.name());
            values[i] = v == null || v.isNull() || !holds(f, v) ? null : MongoTypes.value(v, f, collection);
        }
        return values;
    }

    private static boolean holds(Field f, BsonValue v) {
        return MongoTypes.fits(f.type(), v);
    }

    private void evolve(BsonDocument d) {
        List<Field> fields = null;
        for (Map.Entry<String, BsonValue> e : d.entrySet()) {
            BsonValue v = e.getValue();
            if (v == null || v.isNull()) {
                continue;
            }
            String name = e.getKey();
            List<Field> current = fields != null ? fields : schema.fields();
            int at = indexOf(current, name);
            if (at < 0) {
                fields = copy(fields);
                fields.add(field(name, MongoTypes.of(v)));
                continue;
            }
            Field f = current.get(at);
            if (holds(f, v)) {
                continue;
            }
            DataType t = MongoTypes.of(v);
            if (name.equals("_id")) {
                throw new ValueException(collection, name, null, MongoTypes.json(v), "(BSON "
                        + v.getBsonType().name().toLowerCase(java.util.Locale.ROOT) + ") is an _id of another type "
                        + "than the _id column's " + f.type().jsonName() + "; run discover again and backfill the "
                        + "stream (clear its state) so that _id becomes a string column that tells the types apart");
            }
            if (f.type() == DataType.INT32 && t == DataType.INT64) {
                fields = copy(fields);
                fields.set(at, Field.nullable(name, DataType.INT64));
                continue;
            }
            String sibling = siblings.computeIfAbsent(name, k -> new HashMap<>())
                    .computeIfAbsent(t, k -> siblingName(name, k));
            siblingOf.put(sibling, name);
            int s = indexOf(fields != null ? fields : schema.fields(), sibling);
            if (s < 0) {
                fields = copy(fields);
                fields.add(field(sibling, t));
            } else if ((fields != null ? fields : schema.fields()).get(s).type() == DataType.INT32
                    && t == DataType.INT64) {
                fields = copy(fields);
                fields.set(s, Field.nullable(sibling, DataType.INT64));
            }
        }
        if (fields != null) {
            schema = new Schema(fields);
        }
    }

    private List<Field> copy(List<Field> fields) {
        return fields != null ? fields : new ArrayList<>(schema.fields());
    }

    private static int indexOf(List<Field> fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static Field field(String name, DataType t) {
        return t == DataType.DECIMAL ? Field.decimal(name, 0, 0, true) : Field.nullable(name, t);
    }
}
