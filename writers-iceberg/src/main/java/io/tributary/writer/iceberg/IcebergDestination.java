package io.tributary.writer.iceberg;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DefaultColumns;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.Secret;
import io.tributary.types.StreamId;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.DistinctTargets;
import io.tributary.writer.MetadataState;
import io.tributary.writer.WriterOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.IcebergBuild;
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
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
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
    /** Table property naming the stream ({@code namespace.name}) whose rows the table holds. */
    public static final String SOURCE_STREAM = "tributary.source-stream";
    /** Stands for the source namespace in the config's {@code namespace}. */
    static final String SOURCE_NAMESPACE = "{namespace}";
    static final String THREAD_ID = "tributary.thread-id";
    static final String STATE = "tributary.state";

    private final IcebergConfig config;
    private final Catalog catalog;
    private final Map<String, String> catalogProperties;
    private final Configuration hadoopConf;
    private final Map<StreamId, Object> locks = new ConcurrentHashMap<>();
    /** Per table: thread ID → latest committed state, loaded from the snapshot history once. */
    private final Map<StreamId, Map<String, MetadataState>> commits = new ConcurrentHashMap<>();

    public IcebergDestination(IcebergConfig config) {
        this.config = config;
        Map<String, String> props = catalogProperties(config);
        this.catalogProperties = props;
        Configuration conf = new Configuration();
        // local warehouses: no chmod process and no .crc file per file (see NioLocalFileSystem)
        conf.set("fs.file.impl", NioLocalFileSystem.class.getName());
        this.hadoopConf = conf;
        try {
            this.catalog = CatalogUtil.buildIcebergCatalog(config.catalogName(), props, conf);
        } catch (NoClassDefFoundError e) {
            throw new ConfigException("iceberg writer: the " + config.catalogType() + " catalog needs classes that "
                    + "are not on the classpath (" + e.getMessage() + "); " + missingJars(config.catalogType()), e);
        } catch (RuntimeException e) {
            String hint = e.getMessage() != null && e.getMessage().contains("Cannot find constructor")
                    ? " " + missingJars(config.catalogType()) : "";
            throw new ConfigException("iceberg writer: cannot load the " + config.catalogType() + " catalog: "
                    + Secret.redact(e.getMessage(), props) + hint, e);
        }
    }

    /**
     * The properties the catalog is built with: the config's {@code properties}, the catalog type and warehouse,
     * the object-store keys as Iceberg's {@code s3.*} / {@code client.region} / {@code adls.*} properties, and a FileIO that can
     * reach the warehouse: unless {@code io-impl} is given, a catalog other than {@code hadoop} whose warehouse is
     * not a local folder (or that has object-store keys) gets {@code ResolvingFileIO}, which picks
     * {@code S3FileIO} for {@code s3://}, {@code s3a://} and {@code s3n://}, {@code GCSFileIO} for {@code gs://},
     * {@code ADLSFileIO} for {@code abfs(s)://} and Hadoop's for local paths. (Iceberg's JDBC catalog would otherwise
     * use Hadoop's file systems, which need S3A for {@code s3://}; the Glue catalog defaults to {@code S3FileIO}.)
     */
    static Map<String, String> catalogProperties(IcebergConfig config) {
        Map<String, String> props = new HashMap<>(config.s3().icebergProperties());
        props.putAll(config.azure().catalogProperties());
        props.putAll(config.properties()); // an explicit property wins over the convenience keys
        if (!config.catalogType().equals("custom")) {
            props.put(CatalogUtil.ICEBERG_CATALOG_TYPE, config.catalogType());
        }
        if (config.warehouse() != null) {
            props.put(CatalogProperties.WAREHOUSE_LOCATION, config.warehouse());
        }
        boolean objectStore = !IcebergConfig.isLocal(config.warehouse()) || !config.s3().isEmpty()
                || !config.azure().isEmpty();
        if (!config.catalogType().equals("hadoop") && objectStore
                && !props.containsKey(CatalogProperties.FILE_IO_IMPL)) {
            props.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.io.ResolvingFileIO");
        }
        config.warehouseScheme().ifPresent(scheme -> requireFileIo(scheme, props));
        return props;
    }

    /** A warehouse whose FileIO is not in this distribution fails at config time, naming the jars to add. */
    private static void requireFileIo(String scheme, Map<String, String> props) {
        String impl = props.get(CatalogProperties.FILE_IO_IMPL);
        String needed;
        String jars;
        switch (scheme) {
            case "gs" -> {
                needed = "org.apache.iceberg.gcp.gcs.GCSFileIO";
                jars = "org.apache.iceberg:iceberg-gcp and org.apache.iceberg:iceberg-gcp-bundle";
            }
            case "abfs", "abfss", "wasb", "wasbs" -> {
                needed = "org.apache.iceberg.azure.adlsv2.ADLSFileIO";
                jars = "org.apache.iceberg:iceberg-azure and org.apache.iceberg:iceberg-azure-bundle";
            }
            default -> {
                return;
            }
        }
        if (impl != null && !impl.equals("org.apache.iceberg.io.ResolvingFileIO") && !impl.equals(needed)) {
            return; // the user chose a FileIO of their own
        }
        try {
            Class.forName(needed, false, IcebergDestination.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException("iceberg writer: a " + scheme + ":// warehouse needs " + needed
                    + ", which this distribution does not include; put " + jars + " (" + IcebergBuild.version()
                    + ") on the classpath");
        }
    }

    private static String missingJars(String catalogType) {
        return switch (catalogType) {
            case "nessie" -> "the nessie catalog needs org.apache.iceberg:iceberg-nessie (" + IcebergBuild.version()
                    + ") and its dependencies on the classpath; this distribution does not include them";
            case "hive" -> "the hive catalog needs org.apache.iceberg:iceberg-hive-metastore (" + IcebergBuild.version()
                    + ") and a Hive metastore client on the classpath; this distribution does not include them";
            case "glue" -> "the glue catalog needs org.apache.iceberg:iceberg-aws and iceberg-aws-bundle ("
                    + IcebergBuild.version() + ") on the classpath";
            default -> "put the jar of the catalog implementation on the classpath";
        };
    }

    public Catalog catalog() {
        return catalog;
    }

    /**
     * The table identifier of a stream: {@code <namespace>.<name>}, the namespace being the source's (schema or
     * database; {@code default} when it has none) unless the config's {@code namespace} overrides it; a
     * {@code {namespace}} in that override stands for the source's namespace ({@code "lake_{namespace}"}).
     */
    public TableIdentifier identifier(StreamId stream) {
        String source = stream.namespace().isEmpty() ? "default" : stream.namespace();
        String ns = config.namespace().map(n -> n.replace(SOURCE_NAMESPACE, source)).orElse(source);
        return TableIdentifier.of(Namespace.of(ns), stream.name());
    }

    /**
     * Two streams never share a table: not two streams of this sync (the same table name in two source schemas
     * with a fixed {@code namespace}), and not a table that another stream created before (its
     * {@value #SOURCE_STREAM} property).
     */
    @Override
    public void preflight(Collection<ConfiguredStream> streams) {
        DistinctTargets.require(streams, this::identifier, "Iceberg table",
                "Keep the source namespaces apart with \"namespace\": \"<prefix>_" + SOURCE_NAMESPACE
                        + "\" in the destination config (or leave \"namespace\" out).");
        for (ConfiguredStream s : streams) {
            TableIdentifier id = identifier(s.id());
            if (catalog.tableExists(id)) {
                checkOwner(catalog.loadTable(id), s.id(), id);
            }
        }
    }

    private static void checkOwner(Table table, StreamId stream, TableIdentifier id) {
        String owner = table.properties().get(SOURCE_STREAM);
        if (owner != null && !owner.equals(stream.id())) {
            throw new ConfigException("iceberg writer: table " + id + " holds the rows of stream " + owner
                    + ", not of stream " + stream.id() + "; writing both into it would mix them. Keep the source "
                    + "namespaces apart with \"namespace\": \"<prefix>_" + SOURCE_NAMESPACE
                    + "\" (or leave \"namespace\" out), or drop the table.");
        }
    }

    @Override
    public void check() {
        try {
            if (catalog instanceof SupportsNamespaces n) {
                n.listNamespaces();
            }
        } catch (RuntimeException e) {
            throw new ConfigException("iceberg writer: the catalog is not reachable: "
                    + Secret.redact(e.getMessage(), catalogProperties), e);
        }
        if (!IcebergConfig.isLocal(config.warehouse())) {
            checkWarehouse();
        }
    }

    /** Writes and deletes a small file in an object-store warehouse: wrong keys, endpoint or bucket fail here. */
    private void checkWarehouse() {
        String ioImpl = catalogProperties.getOrDefault(CatalogProperties.FILE_IO_IMPL,
                "org.apache.iceberg.io.ResolvingFileIO");
        String probe = config.warehouse().replaceAll("/+$", "") + "/.tributary-check-" + UUID.randomUUID();
        try (FileIO io = CatalogUtil.loadFileIO(ioImpl, catalogProperties, hadoopConf)) {
            OutputFile out = io.newOutputFile(probe);
            try (PositionOutputStream s = out.create()) {
                s.write("tributary check\n".getBytes(StandardCharsets.US_ASCII));
            }
            io.deleteFile(probe);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("iceberg writer: cannot write to the warehouse " + config.warehouse() + ": "
                    + Secret.redact(String.valueOf(e.getMessage()), catalogProperties), e);
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
                Table t = catalog.loadTable(id);
                checkOwner(t, stream.id(), id);
                return t;
            }
            if (catalog instanceof SupportsNamespaces n && !n.namespaceExists(id.namespace())) {
                try {
                    n.createNamespace(id.namespace());
                } catch (AlreadyExistsException ignored) {
                    // created concurrently
                }
            }
            Schema schema = IcebergSchemas.tableSchema(stream.schema(), !stream.primaryKey().isEmpty());
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
            props.put(SOURCE_STREAM, stream.id().id());
            if (stream.primaryKey().size() == 1) {
                props.put(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + stream.primaryKey().get(0), "false");
            }
            try {
                Table t = catalog.buildTable(id, schema).withProperties(props).create();
                LOG.info("created Iceberg table {} with {} columns", id, schema.columns().size());
                return t;
            } catch (AlreadyExistsException e) {
                Table t = catalog.loadTable(id);
                checkOwner(t, stream.id(), id);
                return t;
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
