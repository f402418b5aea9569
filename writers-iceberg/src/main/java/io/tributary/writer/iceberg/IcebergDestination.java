package io.tributary.writer.iceberg;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.types.ConfigException;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.DefaultColumns;
import io.tributary.types.Field;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.RetriableException;
import io.tributary.types.Secret;
import io.tributary.types.StreamId;
import io.tributary.writer.Destination;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.DistinctTargets;
import io.tributary.writer.MetadataState;
import io.tributary.writer.WriterOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.IcebergBuild;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;
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
 *
 * <p>For a committer outside the writer (a Flink sink commits when a checkpoint completes),
 * {@link #openStaged} writes files without committing them, {@link #commitStaged} commits them later in one
 * snapshot with a summary of the caller's, and {@link #findSummary} finds such a snapshot again.
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

    /**
     * Opens a writer that hands its files over at each {@link StagedWriter#flush} instead of committing them, for a
     * committer elsewhere (a Flink sink's committer): the stream's table is created when missing, rows are appended
     * or upserted after {@link WriterOptions#mode()}, values are checked after {@link WriterOptions#valueErrors()},
     * and the table evolves to the records' schema, as with {@link #open}.
     */
    public StagedWriter openStaged(ConfiguredStream stream, WriterOptions options) {
        requireNonNull(stream, "stream is null");
        requireNonNull(options, "options is null");
        return new IcebergWriter(this, stream, options, config.targetFileSizeBytes());
    }

    /**
     * Commits staged files of {@code stream}'s table in one snapshot whose summary carries {@code summary}: an
     * append when none has delete files, otherwise a row delta. The snapshot's sequence number orders it after
     * every earlier commit, so its equality deletes remove rows committed before, never rows of this call: commit
     * each flush of a writer in its own call, in flush order.
     *
     * <p>A failure leaves the files in place (the caller may retry with the same files, after checking with
     * {@link #findSummary} that the commit did not land): {@link RetriableException} when the commit failed or
     * its outcome is unknown, {@link NonRetriableException} when the table no longer exists.
     *
     * @return true when a snapshot was committed; false when all {@code files} are empty (nothing committed)
     * @throws IllegalArgumentException when some files belong to another stream
     */
    public boolean commitStaged(StreamId stream, List<StagedFiles> files, Map<String, String> summary) {
        requireNonNull(stream, "stream is null");
        requireNonNull(files, "files is null");
        requireNonNull(summary, "summary is null");
        List<DataFile> data = new ArrayList<>();
        List<DeleteFile> deletes = new ArrayList<>();
        for (StagedFiles f : files) {
            if (!f.stream().equals(stream)) {
                throw new IllegalArgumentException("staged files of stream " + f.stream() + " given to the commit of "
                        + "stream " + stream);
            }
            data.addAll(f.dataFiles());
            deletes.addAll(f.deleteFiles());
        }
        if (data.isEmpty() && deletes.isEmpty()) {
            return false;
        }
        TableIdentifier id = identifier(stream);
        Table table;
        try {
            table = catalog.loadTable(id);
        } catch (NoSuchTableException e) {
            throw new NonRetriableException("iceberg writer: cannot commit staged files of stream " + stream
                    + ": table " + id + " does not exist", e);
        }
        try {
            commitFiles(table, stream, data, deletes, summary);
        } catch (RuntimeException e) {
            throw new RetriableException("iceberg writer: commit of staged files of stream " + stream + " (" + summary
                    + ") failed: " + e.getMessage(), e);
        }
        return true;
    }

    /**
     * The summary of the newest snapshot in the current ancestry of {@code stream}'s table whose summary holds
     * {@code key=value} (read from the catalog, not cached); empty when there is none or the table does not exist.
     * A Flink committer finds its job's last committed checkpoint this way.
     */
    public Optional<Map<String, String>> findSummary(StreamId stream, String key, String value) {
        requireNonNull(stream, "stream is null");
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        TableIdentifier id = identifier(stream);
        Table table;
        try {
            table = catalog.loadTable(id);
        } catch (NoSuchTableException e) {
            return Optional.empty();
        }
        Snapshot current = table.currentSnapshot();
        if (current == null) {
            return Optional.empty();
        }
        for (Snapshot s : SnapshotUtil.ancestorsOf(current.snapshotId(), table::snapshot)) { // newest first
            if (value.equals(s.summary().get(key))) {
                return Optional.of(Map.copyOf(s.summary()));
            }
        }
        return Optional.empty();
    }

    /**
     * Commits files of one stream's table in one snapshot with {@code summary} in its summary (an append when there
     * are no delete files, otherwise a row delta), one committer per table at a time in this JVM: the embedded
     * writer's commit and {@link #commitStaged}.
     */
    void commitFiles(Table table, StreamId stream, List<DataFile> dataFiles, List<DeleteFile> deleteFiles,
            Map<String, String> summary) {
        long start = System.nanoTime();
        // one committer per table at a time: parallel chunks would otherwise race and retry
        synchronized (lock(stream)) {
            long locked = System.nanoTime();
            table.refresh();
            SnapshotUpdate<?> op;
            if (deleteFiles.isEmpty()) {
                AppendFiles append = table.newAppend();
                dataFiles.forEach(append::appendFile);
                op = append;
            } else {
                RowDelta delta = table.newRowDelta();
                dataFiles.forEach(delta::addRows);
                deleteFiles.forEach(delta::addDeletes);
                op = delta;
            }
            op.scanManifestsWith(CallerRunsExecutor.INSTANCE);
            op.writeManifestsWith(CallerRunsExecutor.INSTANCE, 1);
            summary.forEach(op::set);
            op.commit();
            if (LOG.isDebugEnabled()) {
                LOG.debug("stream {}: committed {} data and {} delete files in {} ms (lock waited {} ms)", stream,
                        dataFiles.size(), deleteFiles.size(), (System.nanoTime() - locked) / 1_000_000,
                        (locked - start) / 1_000_000);
            }
        }
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
