package io.tributary.writer.iceberg;

import io.tributary.types.ConfiguredStream;
import io.tributary.types.DefaultColumns;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.OpType;
import io.tributary.types.RetriableException;
import io.tributary.writer.DestinationWriter;
import io.tributary.writer.MetadataState;
import io.tributary.writer.Record;
import io.tributary.writer.ValueGuard;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer thread's Iceberg writes: data files (rolled at the target size), and in upsert mode an equality
 * delete file on {@code _olake_id} and a position delete file for keys this thread wrote more than once; all
 * committed in one snapshot with the metadata state, or deleted on abort. As a {@link StagedWriter} it hands its
 * files over at each flush instead, for an external committer.
 */
final class IcebergWriter implements DestinationWriter, StagedWriter {
    private static final Logger LOG = LoggerFactory.getLogger(IcebergWriter.class);

    private static final long ROLL_CHECK_EVERY = 1_000;

    private final IcebergDestination destination;
    private final ConfiguredStream stream;
    private final WriterOptions options;
    private final long targetFileSize;
    private final boolean upsert;
    private final ValueGuard guard;
    private Table table;
    private Schema schema;
    private io.tributary.types.Schema sourceSchema;
    private GenericFileWriterFactory factory;
    private OutputFileFactory files;
    private DataWriter<Record> data;
    /** The current data file's row writer: rebound when records arrive with another source schema. */
    private RecordValueWriter rowWriter;
    private String dataPath;
    private long dataRows;
    private EqualityDeleteWriter<org.apache.iceberg.data.Record> eqDeletes;
    private PositionDeleteWriter<org.apache.iceberg.data.Record> posDeletes;
    private Schema deleteSchema;
    private GenericRecord deleteTemplate;
    /** Keys this thread handled: where its live row is ({@code path}, {@code pos}), or null once deleted. */
    private final Map<String, long[]> keys = new HashMap<>();
    private final List<String> paths = new ArrayList<>();
    private final List<DataFile> dataFiles = new ArrayList<>();
    private final List<DeleteFile> deleteFiles = new ArrayList<>();

    IcebergWriter(IcebergDestination destination, ConfiguredStream stream, WriterOptions options,
            long targetFileSize) {
        this.destination = destination;
        this.stream = stream;
        this.options = options;
        this.targetFileSize = targetFileSize;
        this.upsert = options.mode() == WriteMode.UPSERT;
        this.guard = new ValueGuard(stream.id(), options.valueErrors());
        this.table = destination.table(stream);
    }

    private void prepare(io.tributary.types.Schema source) throws IOException {
        if (source == sourceSchema) {
            return;
        }
        Table evolved = destination.evolve(stream, table, source);
        boolean schemaChanged = schema == null || evolved.schema().schemaId() != schema.schemaId();
        table = evolved;
        if (schemaChanged) {
            closeData();
            schema = table.schema();
            deleteSchema = schema.select(DefaultColumns.OLAKE_ID);
            deleteTemplate = GenericRecord.create(deleteSchema);
            int idField = schema.findField(DefaultColumns.OLAKE_ID).fieldId();
            factory = new GenericFileWriterFactory.Builder(table)
                    .dataFileFormat(FileFormat.PARQUET)
                    .dataSchema(schema)
                    .deleteFileFormat(FileFormat.PARQUET)
                    .equalityFieldIds(new int[] {idField})
                    .equalityDeleteRowSchema(deleteSchema)
                    .build();
            if (files == null) {
                files = OutputFileFactory.builderFor(table, 1, System.nanoTime())
                        .format(FileFormat.PARQUET).operationId(java.util.UUID.randomUUID().toString()).build();
            }
        }
        sourceSchema = source;
        guard.bind(RecordValueWriter.checks(schema, source));
        if (rowWriter != null) {
            rowWriter.bind(source);
        }
    }

    @Override
    public void write(List<Record> batch) {
        try {
            for (Record row : batch) {
                prepare(row.schema());
                Record r = row;
                if (!upsert || r.op() != OpType.DELETE) { // a row is written: check it before anything of it is
                    r = guard.check(row);
                    if (r == null) {
                        continue; // value_errors: skip (an update left out keeps the row's previous version)
                    }
                }
                String key = r.olakeId();
                if (upsert) {
                    long[] prev = keys.get(key);
                    if (prev == null && !keys.containsKey(key)) {
                        deletes().write(keyRecord(key)); // rows of earlier commits
                    } else if (prev != null) {
                        positionDeletes().write(PositionDelete.<org.apache.iceberg.data.Record>create()
                                .set(paths.get((int) prev[0]), prev[1]));
                    }
                    if (r.op() == OpType.DELETE) {
                        keys.put(key, null);
                        continue;
                    }
                }
                dataWriter().write(r);
                if (upsert) {
                    keys.put(key, new long[] {paths.size() - 1, dataRows});
                }
                dataRows++;
                if (dataRows % ROLL_CHECK_EVERY == 0 && data.length() >= targetFileSize) {
                    closeData();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof NonRetriableException nr) {
                throw nr;
            }
            throw new RetriableException("iceberg writer: stream " + stream.id() + " thread " + options.threadId()
                    + ": " + e.getMessage(), e);
        }
    }

    private org.apache.iceberg.data.Record keyRecord(String key) {
        GenericRecord g = deleteTemplate.copy(); // a copy skips create's per-call name-map lookup
        g.set(0, key);
        return g;
    }

    private DataWriter<Record> dataWriter() throws IOException {
        if (data == null) {
            EncryptedOutputFile f = files.newOutputFile();
            dataPath = f.encryptingOutputFile().location();
            paths.add(dataPath);
            dataRows = 0;
            Schema fileSchema = schema;
            io.tributary.types.Schema rows = sourceSchema;
            // the table's row group size, but no more than this heap affords per writer thread
            long rowGroup = Math.min(io.tributary.writer.WriterMemory.rowGroupBytes(), Long.parseLong(
                    table.properties().getOrDefault(TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES,
                            TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES_DEFAULT + "")));
            data = Parquet.writeData(f)
                    .forTable(table)
                    .set(TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Long.toString(rowGroup))
                    .schema(fileSchema)
                    .withSpec(PartitionSpec.unpartitioned())
                    .createWriterFunc(type -> rowWriter = RecordValueWriter.create(fileSchema, rows, type))
                    .overwrite()
                    .build();
        }
        return data;
    }

    private EqualityDeleteWriter<org.apache.iceberg.data.Record> deletes() {
        if (eqDeletes == null) {
            eqDeletes = factory.newEqualityDeleteWriter(files.newOutputFile(), PartitionSpec.unpartitioned(), null);
        }
        return eqDeletes;
    }

    private PositionDeleteWriter<org.apache.iceberg.data.Record> positionDeletes() {
        if (posDeletes == null) {
            posDeletes = factory.newPositionDeleteWriter(files.newOutputFile(), PartitionSpec.unpartitioned(), null);
        }
        return posDeletes;
    }

    private void closeData() throws IOException {
        if (data != null) {
            data.close();
            if (data.toDataFile().recordCount() > 0) {
                dataFiles.add(data.toDataFile());
            }
            data = null;
            rowWriter = null;
        }
    }

    private void closeAll() throws IOException {
        closeData();
        if (eqDeletes != null) {
            eqDeletes.close();
            deleteFiles.add(eqDeletes.toDeleteFile());
            eqDeletes = null;
        }
        if (posDeletes != null) {
            posDeletes.close();
            deleteFiles.add(posDeletes.toDeleteFile());
            posDeletes = null;
        }
    }

    @Override
    public StagedFiles flush() {
        try {
            closeAll();
        } catch (IOException | RuntimeException e) {
            throw new RetriableException("iceberg writer: closing the files of stream " + stream.id() + " thread "
                    + options.threadId() + " failed: " + e.getMessage(), e);
        }
        long rows = 0;
        for (DataFile f : dataFiles) {
            rows += f.recordCount();
        }
        StagedFiles out = new StagedFiles(stream.id().namespace(), stream.id().name(), dataFiles, deleteFiles, rows);
        dataFiles.clear(); // the caller owns them now: abort no longer deletes them
        deleteFiles.clear();
        keys.clear(); // later rows go to a later snapshot: a key seen again needs an equality delete
        paths.clear();
        return out;
    }

    @Override
    public void commit(MetadataState state) {
        try {
            long start = System.nanoTime();
            closeAll();
            LOG.debug("stream {} thread {}: files closed in {} ms", stream.id(), options.threadId(),
                    (System.nanoTime() - start) / 1_000_000);
            destination.commitFiles(table, stream.id(), dataFiles, deleteFiles, Map.of(
                    IcebergDestination.THREAD_ID, state.threadId(),
                    IcebergDestination.STATE, Json.write(state.payload())));
            destination.recordCommit(stream.id(), state);
        } catch (IOException | RuntimeException e) {
            abort();
            throw new RetriableException("iceberg writer: commit of stream " + stream.id() + " thread "
                    + options.threadId() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long valueErrors() {
        return guard.count();
    }

    @Override
    public void abort() {
        try {
            closeAll();
        } catch (IOException | RuntimeException ignored) {
            // the files are discarded anyway
        }
        for (DataFile f : dataFiles) {
            delete(f.location());
        }
        for (DeleteFile f : deleteFiles) {
            delete(f.location());
        }
        dataFiles.clear();
        deleteFiles.clear();
    }

    @Override
    public void close() {
        abort();
    }

    private void delete(String location) {
        try {
            table.io().deleteFile(location);
        } catch (RuntimeException ignored) {
            // best effort: an orphan file is invisible to readers
        }
    }
}
