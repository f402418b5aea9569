package io.tributary.writer.iceberg;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DefaultColumns;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.MetadataState;
import io.tributary.writer.WriterOptions;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Iceberg tables, written in the same JVM through Iceberg's Java API (OLake talks to a separate Java
 * process over gRPC for this). One table per stream ({@code namespace.name}), format v2, identifier field
 * {@code _olake_id}. Backfill appends; incremental and CDC write equality deletes on {@code _olake_id} plus the new
 * rows (and position deletes for a key written twice by one writer thread), so a reader sees exactly the latest
 * row per key and no deleted row. Each writer thread commits once, atomically, with its metadata state in the
 * snapshot summary ({@code tributary.thread-id}, {@code tributary.state}); {@link #committedState} finds it again
 * after a restart, which makes backfill chunks and CDC batches exactly-once.
 */
public final class IcebergDestination implements Destination {
    private static final Logger LOG = LoggerFactory.getLogger(IcebergDestination.class);
    static final String THREAD_ID = "tributary.thread-id";
    static final String STATE = "tributary.state";

    private final IcebergConfig config;
    private final Catalog catalog;
    private final Map<StreamId, Object> locks = new ConcurrentHashMap<>();
    /** Per table: thread ID → latest committed state, loaded from the snapshot history once. */
    private final Map<StreamId, Map<String, MetadataState>> commits = new ConcurrentHashMap<>();

    public IcebergDestination(IcebergConfig config) {
        this.config = config;
        Map<String, String> props = new HashMap<>(config.properties());
        if (!config.catalogType().equals("custom")) {
            props.put(CatalogUtil.ICEBERG_CATALOG_TYPE, config.catalogType());
        }
        if (config.warehouse() != null) {
            props.put(CatalogProperties.WAREHOUSE_LOCATION, config.warehouse());
        }
        try {
            Configuration conf = new Configuration();
            // local warehouses: no chmod process and no .crc file per file (see NioLocalFileSystem)
            conf.set("fs.file.impl", NioLocalFileSystem.class.getName());
            this.catalog = CatalogUtil.buildIcebergCatalog(config.catalogName(), props, conf);
        } catch (RuntimeException e) {
            throw new ConfigException("iceberg writer: cannot load the " + config.catalogType() + " catalog: "
                    + e.getMessage(), e);
        }
    }

    public Catalog catalog() {
        return catalog;
    }

    /** The table identifier of a stream. */
    public TableIdentifier identifier(StreamId stream) {
        String ns = config.namespace().orElse(stream.namespace().isEmpty() ? "default" : stream.namespace());
        return TableIdentifier.of(Namespace.of(ns), stream.name());
    }

    @Override
    public void check() {
        try {
            if (catalog instanceof SupportsNamespaces n) {
                n.listNamespaces();
            }
        } catch (RuntimeException e) {
            throw new ConfigException("iceberg writer: the catalog is not reachable: " + e.getMessage(), e);
        }
    }

    Object lock(StreamId stream) {
        return locks.computeIfAbsent(stream, s -> new Object());
    }

    /** Loads the stream's table, creating it (and its namespace) from the stream schema when missing. */
    Table table(ConfiguredStream stream) {
        TableIdentifier id = identifier(stream.id());
        synchronized (lock(stream.id())) {
            if (catalog.tableExists(id)) {
                return catalog.loadTable(id);
            }
            if (catalog instanceof SupportsNamespaces n && !n.namespaceExists(id.namespace())) {
                try {
                    n.createNamespace(id.namespace());
                } catch (AlreadyExistsException ignored) {
                    // created concurrently
                }
            }
            Schema schema = IcebergSchemas.tableSchema(stream.schema());
            Map<String, String> props = new HashMap<>(Map.of(
                    TableProperties.FORMAT_VERSION, "2",
                    TableProperties.COMMIT_NUM_RETRIES, "50",
                    TableProperties.COMMIT_MIN_RETRY_WAIT_MS, "20",
                    // zstd at level 1: about twice as fast to write as Iceberg's default level 3, a few percent
                    // larger; compaction can recompress (set write.parquet.compression-level on the table to change)
                    TableProperties.PARQUET_COMPRESSION, "zstd",
                    TableProperties.PARQUET_COMPRESSION_LEVEL, "1",
                    // every writer thread buffers up to one row group: 32 MB (Iceberg's default is 128 MB) keeps
                    // a backfill with several threads in a small heap (less in a heap under 512 MiB: WriterMemory)
                    TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Long.toString(32L * 1024 * 1024)));
            // unique per row: a dictionary never pays off, and building one to throw it away costs the writer time
            props.put(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + DefaultColumns.OLAKE_ID, "false");
            if (stream.primaryKey().size() == 1) {
                props.put(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + stream.primaryKey().get(0), "false");
            }
            try {
                Table t = catalog.buildTable(id, schema).withProperties(props).create();
                LOG.info("created Iceberg table {} with {} columns", id, schema.columns().size());
                return t;
            } catch (AlreadyExistsException e) {
                return catalog.loadTable(id);
            }
        }
    }

    /** Adds new columns and widens types so the table holds rows of {@code source}; returns the fresh table. */
    Table evolve(ConfiguredStream stream, Table table, io.tributary.types.Schema source) {
        synchronized (lock(stream.id())) {
            table.refresh();
            Schema current = table.schema();
            UpdateSchema update = null;
            for (Field f : source.fields()) {
                Type want = IcebergSchemas.type(f);
                Types.NestedField have = current.findField(f.name());
                if (have == null) {
                    update = update == null ? table.updateSchema() : update;
                    update.addColumn(f.name(), want);
                } else if (IcebergSchemas.canPromote(have.type(), want)) {
                    update = update == null ? table.updateSchema() : update;
                    update.updateColumn(f.name(), want.asPrimitiveType());
                }
            }
            if (update != null) {
                update.commit();
                table.refresh();
                LOG.info("evolved Iceberg table {} to {}", identifier(stream.id()), table.schema());
            }
            return table;
        }
    }

    @Override
    public Optional<MetadataState> committedState(StreamId stream, String threadId) {
        return Optional.ofNullable(commits(stream).get(threadId));
    }

    private Map<String, MetadataState> commits(StreamId stream) {
        return commits.computeIfAbsent(stream, s -> {
            Map<String, MetadataState> out = new ConcurrentHashMap<>();
            TableIdentifier id = identifier(s);
            if (!catalog.tableExists(id)) {
                return out;
            }
            for (Snapshot snap : catalog.loadTable(id).snapshots()) { // oldest first: later ones win
                String thread = snap.summary().get(THREAD_ID);
                String state = snap.summary().get(STATE);
                if (thread != null && state != null) {
                    out.put(thread, new MetadataState(thread, (ObjectNode) Json.parse(state)));
                }
            }
            return out;
        });
    }

    void recordCommit(StreamId stream, MetadataState state) {
        commits(stream).put(state.threadId(), state);
    }

    @Override
    public DestinationWriter open(ConfiguredStream stream, WriterOptions options) {
        commits(stream.id());
        return new IcebergWriter(this, stream, options, config.targetFileSizeBytes());
    }

    @Override
    public void dropStreams(Collection<StreamId> streams) {
        for (StreamId s : streams) {
            synchronized (lock(s)) {
                catalog.dropTable(identifier(s), true);
                commits.remove(s);
            }
        }
    }

    @Override
    public void close() {
        if (catalog instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the catalog: {}", e.getMessage());
            }
        }
    }
}
