package io.tributary.core;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.writer.OlakeId;
import io.tributary.writer.Record;
import java.time.Instant;
import java.util.List;

/**
 * Turns a driver's positional values into {@link Record}s for one stream and one schema instance: computes
 * {@code _olake_id} from the key columns and applies column selection. Built once per (stream, schema), used per row.
 */
final class RecordMaker {
    private final Schema source;
    private final Schema output;
    private final int[] projection;
    private final OlakeId ids;

    RecordMaker(ConfiguredStream stream, Schema schema) {
        this.source = schema;
        List<String> key = stream.primaryKey().stream().filter(k -> schema.indexOf(k) >= 0).toList();
        this.ids = OlakeId.forKey(schema, key.size() == stream.primaryKey().size() ? key : List.of());
        List<String> selected = stream.selectedColumns();
        if (selected.isEmpty() || selected.containsAll(schema.names())) {
            this.output = schema;
            this.projection = null;
        } else {
            // new columns (not in the discovered schema) follow sync_new_columns
            List<String> keep = schema.names().stream()
                    .filter(c -> selected.contains(c)
                            || (stream.syncNewColumns() && stream.schema().indexOf(c) < 0))
                    .toList();
            this.output = schema.project(keep);
            this.projection = keep.stream().mapToInt(schema::indexOf).toArray();
        }
    }

    Schema source() {
        return source;
    }

    Record make(Object[] values, OpType op, Instant now, Instant cdcTimestamp) {
        if (values.length != source.size()) {
            throw new IllegalArgumentException("driver emitted " + values.length + " values for a schema of "
                    + source.size() + " columns " + source.names());
        }
        String id = ids.of(values);
        Object[] out = values;
        if (projection != null) {
            out = new Object[projection.length];
            for (int i = 0; i < projection.length; i++) {
                out[i] = values[projection[i]];
            }
        }
        return new Record(output, out, id, op, now, cdcTimestamp);
    }
}
