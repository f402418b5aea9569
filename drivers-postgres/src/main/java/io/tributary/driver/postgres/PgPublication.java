package io.tributary.driver.postgres;

import io.tributary.types.ConfigException;
import io.tributary.types.StreamId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What CDC needs on the server, checked and (with {@code create_if_missing}) created: {@code wal_level=logical}, a
 * role that may replicate, the publication carrying the CDC streams' tables, and the pgoutput replication slot.
 */
final class PgPublication {
    private static final Logger LOG = LoggerFactory.getLogger(PgPublication.class);

    private PgPublication() {
    }

    static void checkSetup(Connection c, PostgresConfig config) throws SQLException {
        PostgresConfig.UpdateMethod um = config.updateMethod().orElseThrow();
        try (Statement st = c.createStatement()) {
            String wal = scalar(st, "SHOW wal_level");
            if (!"logical".equals(wal)) {
                throw new ConfigException("CDC needs wal_level=logical but " + config.host() + ":" + config.port()
                        + " has wal_level=" + wal + ": run ALTER SYSTEM SET wal_level = logical; and restart PostgreSQL");
            }
            String canReplicate = scalar(st, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles "
                    + "WHERE rolname = current_user");
            if (!"true".equals(canReplicate)) {
                throw new ConfigException("user '" + config.username() + "' may not replicate: run ALTER ROLE "
                        + PostgresDriver.quote(config.username()) + " WITH REPLICATION;");
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, um.publication());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    if (!um.createIfMissing()) {
                        throw new ConfigException("publication '" + um.publication() + "' does not exist: run CREATE "
                                + "PUBLICATION " + PostgresDriver.quote(um.publication())
                                + " FOR TABLE <the tables to capture>; or set update_method.create_if_missing");
                    }
                    // created when a CDC sync starts (provision), not by a check or a discover
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, database = current_database() "
                + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, um.replicationSlot());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    if (um.createIfMissing() && um.consistentSnapshot()) {
                        return; // created with an exported snapshot when CDC starts (recordStartPosition)
                    }
                    if (!um.createIfMissing()) {
                        throw new ConfigException("replication slot '" + um.replicationSlot() + "' does not exist: "
                                + "run SELECT pg_create_logical_replication_slot('" + um.replicationSlot()
                                + "', 'pgoutput'); or set update_method.create_if_missing");
                    }
                    // created when a CDC sync starts (provision): a discover or a failed preflight keeps no WAL
                } else if (!"pgoutput".equals(rs.getString(1))) {
                    throw new ConfigException("replication slot '" + um.replicationSlot() + "' uses plugin "
                            + rs.getString(1) + "; Tributary needs a pgoutput slot");
                } else if (!rs.getBoolean(2)) {
                    throw new ConfigException("replication slot '" + um.replicationSlot()
                            + "' belongs to another database than '" + config.database() + "'");
                }
            }
        }
    }

    /**
     * Makes sure the publication carries a CDC stream's table (or, for a partitioned table, its partitions): with
     * {@code create_if_missing} the table is added to it, otherwise a missing table is a config error naming the
     * statement to run. Without this, changes to the table would never arrive.
     */
    static void checkPublished(Connection c, PostgresConfig config, StreamId id, long oid) throws SQLException {
        published(c, config, id, oid, false);
    }

    private static void published(Connection c, PostgresConfig config, StreamId id, long oid, boolean publish)
            throws SQLException {
        PostgresConfig.UpdateMethod um = config.updateMethod().orElseThrow();
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_publication_tables pt "
                + "WHERE pt.pubname = ? AND format('%I.%I', pt.schemaname, pt.tablename)::regclass::oid IN "
                + "(SELECT relid FROM pg_partition_tree(?::oid) UNION SELECT ?::oid)), "
                + "EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ? AND puballtables)")) {
            ps.setString(1, um.publication());
            ps.setLong(2, oid);
            ps.setLong(3, oid);
            ps.setString(4, um.publication());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1) || rs.getBoolean(2)) {
                    return;
                }
            }
        }
        String add = "ALTER PUBLICATION " + PostgresDriver.quote(um.publication()) + " ADD TABLE "
                + PostgresDriver.quote(id.namespace()) + "." + PostgresDriver.quote(id.name());
        if (!um.createIfMissing()) {
            throw new ConfigException("stream " + id + " is not in publication '" + um.publication()
                    + "', so its changes would never arrive: run " + add + "; (or set update_method.create_if_missing)");
        }
        if (!publish) {
            return; // added by provision when the CDC sync starts
        }
        try (Statement st = c.createStatement()) {
            st.execute(add);
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new ConfigException("stream " + id + " is not in publication '" + um.publication() + "' and user '"
                        + config.username() + "' may not add it (only the table's owner may): run " + add
                        + "; as the owner", e);
            }
            throw e;
        }
        LOG.info("stream {}: added to publication {}", id, um.publication());
    }

    /**
     * With {@code create_if_missing}, when a CDC sync starts (after every stream passed its preflight): creates the
     * publication, adds the CDC streams' tables to it, then creates the slot (in this order, so the slot decodes
     * their changes from its first position), each only where missing. A {@code consistent_snapshot} slot is created
     * later, with its exported snapshot ({@link PostgresCdc#startPosition}). Nothing is created by a check or a discover.
     */
    static void provision(Connection c, PostgresConfig config, Map<StreamId, Long> tables) throws SQLException {
        PostgresConfig.UpdateMethod um = config.updateMethod().orElseThrow();
        if (!um.createIfMissing()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, um.publication());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // Not FOR ALL TABLES: that would make UPDATE and DELETE fail on every table of the database
                    // without a replica identity, and needs a superuser
                    try (Statement st = c.createStatement()) {
                        boolean viaRoot = Integer.parseInt(scalar(st, "SHOW server_version_num")) >= 130000;
                        st.execute("CREATE PUBLICATION " + PostgresDriver.quote(um.publication())
                                + (viaRoot ? " WITH (publish_via_partition_root = true)" : ""));
                    }
                    LOG.info("created publication {}", um.publication());
                }
            }
        }
        for (Map.Entry<StreamId, Long> t : tables.entrySet()) {
            published(c, config, t.getKey(), t.getValue(), true);
        }
        if (um.consistentSnapshot()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, um.replicationSlot());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement create = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
            create.setString(1, um.replicationSlot());
            create.execute();
        }
        LOG.info("created replication slot {}", um.replicationSlot());
    }

    static String scalar(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
