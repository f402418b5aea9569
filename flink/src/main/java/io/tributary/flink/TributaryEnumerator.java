package io.tributary.flink;

import io.tributary.core.CdcSource;
import io.tributary.core.Chunk;
import io.tributary.core.DriverInterface;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.Json;
import io.tributary.types.NonRetriableException;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans the work with the driver and hands it to readers. At the first start it records where each change stream
 * begins ({@code preCDC}, {@code startPosition}: before the backfill, so no change made during it is missed), then
 * splits every backfilled stream into chunks ({@code getOrSplitChunks}). Readers ask for work; each gets one chunk
 * at a time. The change-stream splits are handed out only after a checkpoint that holds every chunk's rows has
 * completed, so a change never reaches the sink in the same commit as a backfill row it replaces (an Iceberg
 * equality delete does not apply to rows of its own commit). A bounded source (no CDC stream) tells readers there is
 * no more work once every chunk is assigned. Runs on the job manager's coordinator thread.
 */
final class TributaryEnumerator implements SplitEnumerator<TributarySplit, EnumState> {
    private static final Logger LOG = LoggerFactory.getLogger(TributaryEnumerator.class);

    private final SplitEnumeratorContext<TributarySplit> context;
    private final SourceSpec spec;
    private final boolean bounded;
    private boolean planned;
    private int totalChunks;
    private final Deque<TributarySplit> chunks = new ArrayDeque<>();
    private final Set<String> finished = new HashSet<>();
    private final List<TributarySplit> changes = new ArrayList<>();
    private boolean released;
    /** The first checkpoint whose enumerator state saw every chunk finished; -1 while there is none. */
    private long backfillDoneAt = -1;
    private final TreeSet<Integer> waiting = new TreeSet<>();

    TributaryEnumerator(SplitEnumeratorContext<TributarySplit> context, SourceSpec spec, boolean bounded,
            EnumState restored) {
        this.context = context;
        this.spec = spec;
        this.bounded = bounded;
        this.planned = restored.planned();
        this.totalChunks = restored.totalChunks();
        this.chunks.addAll(restored.chunks());
        this.finished.addAll(restored.finished());
        this.changes.addAll(restored.changes());
        this.released = restored.released();
    }

    @Override
    public void start() {
        if (!planned) {
            plan();
        }
    }

    private void plan() {
        List<ConfiguredStream> streams = spec.streams();
        List<ConfiguredStream> cdc = spec.cdcStreams();
        try (DriverInterface driver = spec.driver()) {
            driver.setup();
            if (!cdc.isEmpty()) {
                driver.preCDC(cdc);
                CdcSource<?> source = driver.cdcSource().orElseThrow(() -> new NonRetriableException("driver "
                        + driver.type() + " has no change stream (cdcSource) for the cdc streams " + ids(cdc)));
                for (Map.Entry<Integer, List<ConfiguredStream>> e : driver.changeStreamMode().changeStreams(cdc)
                        .entrySet()) {
                    String position = startPosition(source, e.getKey(), e.getValue());
                    changes.add(TributarySplit.changes(e.getKey(), ids(e.getValue()), position));
                    LOG.info("change stream {} of {} starts at {}", e.getKey(), ids(e.getValue()), position);
                }
            }
            for (ConfiguredStream s : streams) {
                if (s.syncMode() == SyncMode.STRICT_CDC) {
                    continue;
                }
                List<Chunk> planned = new ArrayList<>(driver.getOrSplitChunks(s));
                planned.sort(Chunk.BY_MIN);
                for (int i = 0; i < planned.size(); i++) {
                    chunks.add(TributarySplit.chunk(s.id(), i, Json.write(State.chunkJson(planned.get(i)))));
                }
                LOG.info("stream {}: backfill split into {} chunks", s.id(), planned.size());
            }
        }
        totalChunks = chunks.size();
        planned = true;
    }

    private static <P> String startPosition(CdcSource<P> source, int identifier, List<ConfiguredStream> streams) {
        P start = source.startPosition(identifier, streams);
        return Json.write(source.positionCodec().encodeSaved(start));
    }

    private static List<StreamId> ids(List<ConfiguredStream> streams) {
        return streams.stream().map(ConfiguredStream::id).toList();
    }

    @Override
    public void handleSplitRequest(int subtask, String requesterHostname) {
        waiting.add(subtask);
        assign();
    }

    private boolean backfillFinished() {
        return chunks.isEmpty() && finished.size() >= totalChunks;
    }

    private void assign() {
        for (Integer subtask : new ArrayList<>(waiting)) {
            if (!context.registeredReaders().containsKey(subtask)) {
                waiting.remove(subtask);
                continue;
            }
            TributarySplit next = null;
            if (!chunks.isEmpty()) {
                next = chunks.poll();
            } else if (released && !changes.isEmpty()) {
                next = changes.remove(0);
            }
            if (next != null) {
                context.assignSplit(next, subtask);
                waiting.remove(subtask);
                LOG.debug("assigned {} to reader {}", next, subtask);
            } else if (bounded && chunks.isEmpty()) {
                context.signalNoMoreSplits(subtask);
                waiting.remove(subtask);
            }
        }
    }

    @Override
    public void handleSourceEvent(int subtask, SourceEvent event) {
        if (event instanceof ChunksFinished f) {
            finished.addAll(f.splitIds());
            if (backfillFinished() && !changes.isEmpty() && !released) {
                LOG.info("backfill finished ({} chunks); change streams start after the next completed checkpoint",
                        totalChunks);
            }
        }
    }

    @Override
    public void addSplitsBack(List<TributarySplit> splits, int subtask) {
        for (TributarySplit s : splits) {
            if (s.kind() == TributarySplit.Kind.CHANGES) {
                changes.add(s);
            } else if (s.finished()) {
                finished.add(s.splitId());
            } else {
                chunks.addFirst(s);
            }
        }
        assign();
    }

    @Override
    public void addReader(int subtask) {
        // a reader asks for work itself
    }

    @Override
    public EnumState snapshotState(long checkpointId) {
        if (!released && !changes.isEmpty() && backfillDoneAt < 0 && backfillFinished()) {
            backfillDoneAt = checkpointId;
        }
        return new EnumState(planned, totalChunks, List.copyOf(chunks), finished, changes, released);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        // only a job with change streams releases anything: a bounded job's readers may have finished already, and
        // an event to a finished reader fails the job
        if (!released && !changes.isEmpty() && backfillDoneAt >= 0 && checkpointId >= backfillDoneAt) {
            released = true;
            LOG.info("checkpoint {} holds every backfill row: starting {} change stream(s)", checkpointId,
                    changes.size());
            for (Integer reader : context.registeredReaders().keySet()) {
                context.sendEventToSourceReader(reader, new BackfillReleased());
            }
            assign();
        }
    }

    @Override
    public void close() {
        // the driver used for planning is closed after planning
    }
}
