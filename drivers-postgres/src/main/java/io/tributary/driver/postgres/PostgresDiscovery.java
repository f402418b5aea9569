package io.tributary.driver.postgres;

import io.tributary.driver.jdbc.CursorColumns;
import io.tributary.types.ConfigException;
import io.tributary.types.Field;
import io.tributary.types.Schema;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Lists tables and describes them from the system catalogs (pg_class, pg_attribute, pg_index). */
final class PostgresDiscovery {
    /** What the driver knows of a table beyond its {@link Stream}. */
    record TableInfo(Stream stream, long oid, boolean partitioned, boolean replicaIdentityFull,
            List<PostgresTypes.PgType> columnTypes) {
    }

    private PostgresDiscovery() {
    }

    static List<StreamId> tables(Connection c, List<String> schemas) throws SQLException {
        List<String> missing = new ArrayList<>(schemas);
        List<String> existing = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' "
                        + "ORDER BY 1");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                existing.add(rs.getString(1));
            }
        }
        missing.removeAll(existing);
        if (!missing.isEmpty()) {
            throw new ConfigException("schema " + String.join(", ", missing) + " named in 'schemas' does not exist in "
                    + "database '" + c.getCatalog() + "'; its schemas: " + existing);
        }
        List<StreamId> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY (?)
                  AND has_table_privilege(c.oid, 'SELECT')
                ORDER BY 1, 2""")) {
            Array arr = c.createArrayOf("text", schemas.toArray());
            ps.setArray(1, arr);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(StreamId.of(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    static TableInfo describe(Connection c, PostgresTypes types, StreamId id, boolean cdcConfigured)
            throws SQLException {
        long oid;
        boolean partitioned;
        boolean full;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT c.oid, c.relkind, c.relreplident, has_table_privilege(c.oid, 'SELECT'), current_user
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ? AND c.relname = ?""")) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ConfigException("stream " + id + " does not exist (no such table)");
                }
                if (!rs.getBoolean(4)) {
                    throw new ConfigException("stream " + id + ": user '" + rs.getString(5) + "' may not read the "
                            + "table: run GRANT SELECT ON " + PostgresDriver.qualified(id) + " TO "
                            + PostgresDriver.quote(rs.getString(5)) + ";");
                }
                oid = rs.getLong(1);
                partitioned = "p".equals(rs.getString(2));
                full = "f".equals(rs.getString(3));
            }
        }
        List<Field> fields = new ArrayList<>();
        List<PostgresTypes.PgType> pgTypes = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT attname, atttypid, atttypmod, attnotnull FROM pg_attribute
                WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped ORDER BY attnum""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fields.add(types.field(rs.getString(1), rs.getInt(2), rs.getInt(3), !rs.getBoolean(4)));
                    pgTypes.add(types.resolve(rs.getInt(2)));
                }
            }
        }
        List<String> pk = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname FROM pg_index i
                JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, pos) ON true
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.pos""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pk.add(rs.getString(1));
                }
            }
        }
        Set<String> cursors = CursorColumns.of(fields);
        Set<SyncMode> modes = EnumSet.of(SyncMode.FULL_REFRESH);
        if (!cursors.isEmpty()) {
            modes.add(SyncMode.INCREMENTAL);
        }
        if (cdcConfigured && (!pk.isEmpty() || full)) {
            modes.add(SyncMode.CDC);
            modes.add(SyncMode.STRICT_CDC);
        }
        Stream s = Stream.of(id, new Schema(fields), pk, cursors, modes);
        return new TableInfo(s, oid, partitioned, full, List.copyOf(pgTypes));
    }
}
