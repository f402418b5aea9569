package io.tributary.writer;

import static java.util.Objects.requireNonNull;

import io.tributary.types.OpType;
import io.tributary.types.Schema;
import java.time.Instant;
import java.util.Arrays;

/**
 * One row on its way to a destination: values positionally against a shared {@link Schema} instance, plus
 * the default columns ({@code _olake_id}, {@code _olake_timestamp}, {@code _op_type}, {@code _cdc_timestamp}).
 *
 * <p>The values array is owned by the record once constructed; nobody mutates it afterwards.
 * See {@link io.tributary.types.DataType} for the Java type of each value.
 */
public final class Record {
    private final Schema schema;
    private final Object[] values;
    private final String olakeId;
    private final OpType op;
    private final Instant olakeTimestamp;
    private final Instant cdcTimestamp;

    public Record(Schema schema, Object[] values, String olakeId, OpType op, Instant olakeTimestamp,
            Instant cdcTimestamp) {
        this.schema = requireNonNull(schema, "schema is null");
        this.values = requireNonNull(values, "values is null");
        this.olakeId = requireNonNull(olakeId, "olakeId is null");
        this.op = requireNonNull(op, "op is null");
        this.olakeTimestamp = requireNonNull(olakeTimestamp, "olakeTimestamp is null");
        this.cdcTimestamp = cdcTimestamp;
        if (values.length != schema.size()) {
            throw new IllegalArgumentException("record has " + values.length + " values for a schema of "
                    + schema.size() + " columns " + schema.names());
        }
    }

    public Schema schema() {
        return schema;
    }

    /** The value at a schema position; {@code null} is SQL NULL. */
    public Object value(int position) {
        return values[position];
    }

    /** The value of a column by name; {@code null} when NULL or when the schema has no such column. */
    public Object value(String column) {
        int i = schema.indexOf(column);
        return i < 0 ? null : values[i];
    }

    /** The backing array; callers must not modify it. */
    public Object[] values() {
        return values;
    }

    public String olakeId() {
        return olakeId;
    }

    public OpType op() {
        return op;
    }

    public Instant olakeTimestamp() {
        return olakeTimestamp;
    }

    /** Commit time in the source for CDC records; {@code null} for backfill and incremental. */
    public Instant cdcTimestamp() {
        return cdcTimestamp;
    }

    @Override
    public String toString() {
        return "Record[" + op.code() + " " + olakeId + " " + Arrays.toString(values) + "]";
    }
}
