package io.tributary.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.types.ValueErrors;
import io.tributary.writer.Record;
import io.tributary.writer.WriteMode;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.iceberg.IcebergDestination;
import io.tributary.writer.iceberg.StagedFiles;
import io.tributary.writer.iceberg.StagedWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Writes the source's records into Iceberg data and delete files with Tributary's Iceberg writer (one staged writer
 * per stream and write mode: appends for chunk rows, upserts on {@code _olake_id} for changes) and, before each
 * checkpoint barrier, closes them and sends them to the committer. Nothing is committed here: files of a checkpoint
 * that never completes are never part of the table.
 */
final class IcebergWriterOperator extends AbstractStreamOperator<WriteResult>
        implements OneInputStreamOperator<SourceRecord, WriteResult>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final int BATCH = 512;

    private final String destinationConfig;
    private final SourceSpec spec;
    private final ValueErrors valueErrors;
    private transient IcebergDestination destination;
    private transient Map<Key, Batch> writers;
    /** The batch of the previous record. */
    private transient Batch last;

    private record Key(StreamId stream, WriteMode mode) {
    }

    private static final class Batch {
        final StagedWriter writer;
        final StreamId stream;
        final WriteMode mode;
        final List<Record> rows = new ArrayList<>(BATCH);

        Batch(StagedWriter writer, StreamId stream, WriteMode mode) {
            this.writer = writer;
            this.stream = stream;
            this.mode = mode;
        }

        void flushRows() {
            if (!rows.isEmpty()) {
                writer.write(rows);
                rows.clear();
            }
        }
    }

    IcebergWriterOperator(JsonNode destinationConfig, SourceSpec spec, ValueErrors valueErrors) {
        this.destinationConfig = Json.write(destinationConfig);
        this.spec = spec;
        this.valueErrors = valueErrors;
        // chained to the readers (an operator's default is HEAD: a new task, every record serialized between them)
        this.chainingStrategy = ChainingStrategy.ALWAYS;
    }

    @Override
    public void open() throws Exception {
        super.open();
        destination = IcebergSinks.destination(Json.parse(destinationConfig));
        writers = new LinkedHashMap<>();
    }

    @Override
    public void processElement(StreamRecord<SourceRecord> element) {
        SourceRecord r = element.getValue();
        Batch b = last;
        if (b == null || !b.stream.equals(r.stream()) || b.mode != r.mode()) { // records come in runs of one stream
            b = batch(r);
            last = b;
        }
        b.rows.add(r.record());
        if (b.rows.size() >= BATCH) {
            b.flushRows();
        }
    }

    private Batch batch(SourceRecord r) {
        Key key = new Key(r.stream(), r.mode());
        Batch b = writers.get(key);
        if (b == null) {
            String thread = "flink-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + "-"
                    + r.mode().name().toLowerCase(java.util.Locale.ROOT);
            WriterOptions options = new WriterOptions(thread, r.mode(), valueErrors);
            b = new Batch(destination.openStaged(spec.stream(r.stream()), options), r.stream(), r.mode());
            writers.put(key, b);
        }
        return b;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emit(checkpointId);
    }

    @Override
    public void endInput() {
        emit(Long.MAX_VALUE);
    }

    private void emit(long checkpointId) {
        List<StagedFiles> files = new ArrayList<>();
        for (Batch b : writers.values()) {
            b.flushRows();
            StagedFiles f = b.writer.flush();
            if (!f.isEmpty()) {
                files.add(f);
            }
        }
        if (!files.isEmpty()) {
            output.collect(new StreamRecord<>(new WriteResult(checkpointId, files)));
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (writers != null) {
                for (Batch b : writers.values()) {
                    b.writer.close(); // files not handed to the committer are deleted
                }
                writers.clear();
                last = null;
            }
            if (destination != null) {
                destination.close();
            }
        } finally {
            super.close();
        }
    }
}
