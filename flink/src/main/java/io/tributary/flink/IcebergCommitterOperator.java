package io.tributary.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.tributary.types.Json;
import io.tributary.types.StreamId;
import io.tributary.writer.iceberg.IcebergDestination;
import io.tributary.writer.iceberg.StagedFiles;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the writers' files once their checkpoint completed: one Iceberg snapshot per stream per checkpoint, in
 * checkpoint order (so a change's equality delete always has a later sequence number than the rows it replaces),
 * its summary naming the job and checkpoint. Files of checkpoints not yet committed are in this operator's state; on
 * a restore they are committed unless the table already has a snapshot of that job at that checkpoint or later (a
 * commit that happened before the failure is not repeated). Runs with parallelism 1.
 */
final class IcebergCommitterOperator extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<WriteResult, Void>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(IcebergCommitterOperator.class);
    private static final int STATE_VERSION = 1;

    private final String destinationConfig;
    private transient IcebergDestination destination;
    private transient String jobId;
    /** Files not yet committed: job id → checkpoint → files. */
    private transient Map<String, TreeMap<Long, List<StagedFiles>>> pending;
    private transient Map<String, Map<StreamId, Long>> committed;
    private transient ListState<byte[]> state;

    /** Checkpointed form of the pending files. */
    private record Pending(String jobId, long checkpointId, List<StagedFiles> files) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    IcebergCommitterOperator(JsonNode destinationConfig) {
        this.destinationConfig = Json.write(destinationConfig);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        destination = IcebergSinks.destination(Json.parse(destinationConfig));
        jobId = getContainingTask().getEnvironment().getJobID().toString();
        pending = new LinkedHashMap<>();
        committed = new HashMap<>();
        state = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("tributary-iceberg-pending", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        if (context.isRestored()) {
            for (byte[] b : state.get()) {
                for (Pending p : decode(b)) {
                    add(p.jobId(), p.checkpointId(), p.files());
                }
            }
            LOG.info("restored {} uncommitted checkpoint(s); committing what the tables do not hold yet", count());
            commitUpTo(Long.MAX_VALUE, false); // those of the restored job: their checkpoints completed
        }
    }

    private int count() {
        return pending.values().stream().mapToInt(Map::size).sum();
    }

    private void add(String job, long checkpointId, List<StagedFiles> files) {
        pending.computeIfAbsent(job, k -> new TreeMap<>()).computeIfAbsent(checkpointId, k -> new ArrayList<>())
                .addAll(files);
    }

    @Override
    public void processElement(StreamRecord<WriteResult> element) {
        WriteResult r = element.getValue();
        add(jobId, r.checkpointId(), r.files());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<Pending> out = new ArrayList<>();
        pending.forEach((job, byCheckpoint) -> byCheckpoint.forEach((cp, files) -> out.add(new Pending(job, cp,
                files))));
        state.update(List.of(encode(out)));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        commitUpTo(checkpointId, true);
    }

    @Override
    public void endInput() {
        commitUpTo(Long.MAX_VALUE, true);
    }

    /** Commits pending checkpoints up to {@code checkpointId} (of this job only when {@code currentJobOnly}). */
    private void commitUpTo(long checkpointId, boolean currentJobOnly) {
        for (Map.Entry<String, TreeMap<Long, List<StagedFiles>>> job : pending.entrySet()) {
            if (currentJobOnly && !job.getKey().equals(jobId)) {
                continue;
            }
            Map<Long, List<StagedFiles>> due = job.getValue().headMap(checkpointId, true);
            for (Map.Entry<Long, List<StagedFiles>> e : due.entrySet()) {
                commit(job.getKey(), e.getKey(), e.getValue());
            }
            due.clear();
        }
        pending.values().removeIf(Map::isEmpty);
    }

    private void commit(String job, long checkpointId, List<StagedFiles> files) {
        Map<StreamId, List<StagedFiles>> byStream = new LinkedHashMap<>();
        for (StagedFiles f : files) {
            byStream.computeIfAbsent(f.stream(), k -> new ArrayList<>()).add(f);
        }
        for (Map.Entry<StreamId, List<StagedFiles>> e : byStream.entrySet()) {
            long done = committedCheckpoint(job, e.getKey());
            if (checkpointId <= done) {
                LOG.info("stream {}: checkpoint {} of job {} is already in the table; not committed again",
                        e.getKey(), checkpointId, job);
                continue;
            }
            Map<String, String> summary = Map.of(IcebergSinks.JOB_ID, job, IcebergSinks.CHECKPOINT_ID,
                    Long.toString(checkpointId));
            if (destination.commitStaged(e.getKey(), e.getValue(), summary)) {
                committed.computeIfAbsent(job, k -> new HashMap<>()).put(e.getKey(), checkpointId);
                long rows = e.getValue().stream().mapToLong(StagedFiles::rows).sum();
                LOG.info("stream {}: committed checkpoint {} ({} rows)", e.getKey(), checkpointId, rows);
            }
        }
    }

    /** The newest checkpoint of {@code job} the stream's table holds (-1: none). */
    private long committedCheckpoint(String job, StreamId stream) {
        Map<StreamId, Long> known = committed.computeIfAbsent(job, k -> new HashMap<>());
        Long c = known.get(stream);
        if (c == null) {
            Optional<Map<String, String>> s = destination.findSummary(stream, IcebergSinks.JOB_ID, job);
            c = s.map(m -> Long.parseLong(m.get(IcebergSinks.CHECKPOINT_ID))).orElse(-1L);
            known.put(stream, c);
        }
        return c;
    }

    private static byte[] encode(List<Pending> list) throws IOException {
        byte[] body = JavaSerialization.toBytes(new ArrayList<>(list));
        byte[] out = new byte[body.length + 1];
        out[0] = STATE_VERSION;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Pending> decode(byte[] bytes) throws IOException {
        if (bytes[0] != STATE_VERSION) {
            throw new IOException("committer state of version " + bytes[0] + "; this reads " + STATE_VERSION);
        }
        return (List<Pending>) JavaSerialization.fromBytes(java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
    }

    @Override
    public void close() throws Exception {
        try {
            if (destination != null) {
                destination.close();
            }
        } finally {
            super.close();
        }
    }
}
