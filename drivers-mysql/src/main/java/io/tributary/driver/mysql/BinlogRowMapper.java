package io.tributary.driver.mysql;

import io.tributary.core.CdcChange;
import io.tributary.core.ChangeSink;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.types.StreamId;
import io.tributary.types.ValueException;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the binlog's row images onto the CDC streams' schemas, by column position: each table's columns are described
 * at its first row event and again after a DDL statement of its database or when a row shows another column count (a
 * column added widens the stream's schema). Rows of tables not synced are skipped. Used by the stream's thread only.
 */
final class BinlogRowMapper {
    /**
     * The schema position of each binlog column ({@code -1}: not in the schema), for {@code columns} and
     * {@code schema} (compared by identity: both are replaced, never changed, when the table changes).
     */
    private record ColumnPositions(List<MySqlTypes.Column> columns, Schema schema, int[] at) {
        static ColumnPositions of(List<MySqlTypes.Column> columns, Schema schema) {
            int[] at = new int[columns.size()];
            for (int i = 0; i < at.length; i++) {
                at[i] = schema.indexOf(columns.get(i).field().name());
            }
            return new ColumnPositions(columns, schema, at);
        }
    }

    private final MySqlDriver driver;
    private final Map<StreamId, ConfiguredStream> streams = new HashMap<>();
    private final Map<StreamId, Schema> schemas = new HashMap<>();
    private final Map<StreamId, List<MySqlTypes.Column>> columns = new HashMap<>();
    /** Per table: where each binlog column goes in the schema, for the columns and schema it was computed from. */
    private final Map<StreamId, ColumnPositions> positions = new HashMap<>();

    BinlogRowMapper(MySqlDriver driver, List<ConfiguredStream> list) {
        this.driver = driver;
        list.forEach(s -> {
            streams.put(s.id(), s);
            schemas.put(s.id(), s.schema());
        });
    }

    /** Emits one row change, or adds it to {@code held} (an XA transaction's changes); 1 when emitted. */
    int emit(ChangeSink<?> fn, StreamId id, OpType op, Serializable[] row, Instant at, List<CdcChange> held) {
        if (id == null || !streams.containsKey(id)) {
            return 0;
        }
        List<MySqlTypes.Column> cols = columns.computeIfAbsent(id, driver::describe);
        if (cols.size() != row.length) {
            cols = driver.describe(id);
            columns.put(id, cols);
        }
        Schema schema = schemas.get(id);
        if (schema.size() != cols.size()) {
            schema = schema.merge(new Schema(cols.stream().map(MySqlTypes.Column::field).toList()));
            schemas.put(id, schema);
        }
        ColumnPositions cp = positions.get(id);
        if (cp == null || cp.columns() != cols || cp.schema() != schema) {
            cp = ColumnPositions.of(cols, schema);
            positions.put(id, cp);
        }
        int[] pos = cp.at();
        Object[] values = new Object[schema.size()];
        for (int i = 0; i < pos.length && i < row.length; i++) {
            if (pos[i] >= 0) {
                try {
                    values[pos[i]] = MySqlTypes.fromBinlog(row[i], cols.get(i));
                } catch (ValueException e) {
                    throw e.in(id.toString(), key(streams.get(id), cols, row));
                }
            }
        }
        CdcChange change = new CdcChange(id, op, at, schema, values);
        if (held != null) {
            held.add(change);
            return 0;
        }
        fn.accept(change);
        return 1;
    }

    /** The row's key as {@code _olake_id} shows a one-column key ({@code a|b} for a composite one), for messages. */
    private static String key(ConfiguredStream stream, List<MySqlTypes.Column> cols, Serializable[] row) {
        List<String> parts = new ArrayList<>();
        for (String k : stream.primaryKey()) {
            for (int i = 0; i < cols.size() && i < row.length; i++) {
                if (cols.get(i).field().name().equals(k)) {
                    Object v;
                    try {
                        v = MySqlTypes.fromBinlog(row[i], cols.get(i));
                    } catch (RuntimeException e) {
                        v = row[i];
                    }
                    parts.add(v instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(v));
                }
            }
        }
        return parts.isEmpty() ? null : String.join("|", parts);
    }

    void schemaChanged(String database) {
        for (StreamId id : streams.keySet()) {
            if (id.namespace().equals(database)) {
                columns.remove(id); // described again at the next row event
            }
        }
    }
}
