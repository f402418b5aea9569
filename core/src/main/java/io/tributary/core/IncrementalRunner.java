package io.tributary.core;

import io.tributary.core.concurrent.TaskGroup;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.OpType;
import io.tributary.types.Schema;
import io.tributary.writer.MetadataState;
import io.tributary.writer.WriterOptions;
import io.tributary.writer.WriterThread;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incremental sync: a first backfill up to the cursor's maximum, then passes from the saved cursor, each committed
 * under a thread ID naming its start cursor so that a pass committed by a run that died before saving state is
 * adopted.
 */
final class IncrementalRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);

    private final SyncContext ctx;
    private final BackfillRunner backfill;

    IncrementalRunner(SyncContext ctx, BackfillRunner backfill) {
        this.ctx = ctx;
        this.backfill = backfill;
    }

    void run(Run run, List<ConfiguredStream> streams) {
        State state = ctx.state;
        TaskGroup g = run.group("incremental", false);
        try {
            for (ConfiguredStream s : streams) {
                g.submit("incremental " + s.id(), () -> {
                    state.setSyncMode(s.id(), s.syncMode());
                    if (!state.backfillCompleted(s.id())) {
                        if (state.chunks(s.id()).isEmpty()) {
                            CursorValues max = ctx.incremental().fetchMaxCursorValues(s);
                            LOG.info("stream {}: max cursor before backfill {}", s.id(), max);
                            Cursors.save(state, s, max);
                        }
                        backfill.backfill(run, s, Cursors.saved(state, s));
                    }
                    TaskGroup one = run.group("incremental " + s.id(), true);
                    try {
                        one.submit("incremental " + s.id(), () -> ctx.retry("incremental").run(
                                "incremental pass of stream " + s.id(), () -> pass(run, s)));
                        one.await();
                    } finally {
                        one.close();
                    }
                });
            }
            g.await();
        } finally {
            g.close();
        }
    }

    private void pass(Run run, ConfiguredStream s) {
        State state = ctx.state;
        for (int attempt = 0; attempt < 2; attempt++) {
            CursorValues from = Cursors.saved(state, s);
            String threadId = ThreadIds.incremental(s.id(), from);
            try (WriterThread w = run.pool.newWriter(s, new WriterOptions(threadId, SyncContext.mode(s, false)))) {
                Optional<MetadataState> prev = w.previousState();
                if (prev.isPresent() && attempt == 0) {
                    // a pass from this cursor was committed by a run that died before saving state: adopt the
                    // cursor it reached, then read on from there (rows at the cursor are re-read and upserted)
                    CursorValues adopted = Cursors.fromPayload(s, prev.get().payload());
                    if (!adopted.equals(from)) {
                        LOG.info("stream {}: incremental pass from {} was already committed; adopting cursor {}",
                                s.id(), from, adopted);
                        Cursors.save(state, s, adopted);
                        continue;
                    }
                }
                CursorTracker tracker = new CursorTracker(s, from);
                Map<Schema, RecordMaker> makers = new IdentityHashMap<>();
                Instant now = Instant.now();
                ctx.incremental().streamIncrementalChanges(s, from, values -> {
                    SyncContext.checkCancelled();
                    tracker.observe(values);
                    w.push(SyncContext.maker(makers, s, s.schema()).make(values, OpType.UPDATE, now, null));
                });
                CursorValues reached = tracker.max();
                w.close(new MetadataState(threadId, Cursors.payload(s, reached)));
                Cursors.save(state, s, reached);
                LOG.info("stream {}: incremental pass committed {} rows, cursor now {}", s.id(), w.pushed(), reached);
                ctx.listener().incrementalCommitted(s.id(), w.pushed());
                return;
            }
        }
    }

    /** Tracks the largest cursor values of the rows an incremental pass emitted. */
    private static final class CursorTracker {
        private final int primary;
        private final int secondary;
        private Object maxPrimary;
        private Object maxSecondary;

        CursorTracker(ConfiguredStream s, CursorValues from) {
            this.primary = s.primaryCursor().map(c -> s.schema().indexOf(c)).orElse(-1);
            this.secondary = s.secondaryCursor().map(c -> s.schema().indexOf(c)).orElse(-1);
            this.maxPrimary = from.primary();
            this.maxSecondary = from.secondary();
        }

        void observe(Object[] values) {
            if (primary >= 0) {
                maxPrimary = max(maxPrimary, values[primary]);
            }
            if (secondary >= 0) {
                maxSecondary = max(maxSecondary, values[secondary]);
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object max(Object a, Object b) {
            if (b == null) {
                return a;
            }
            if (a == null) {
                return b;
            }
            return ((Comparable) a).compareTo(b) >= 0 ? a : b;
        }

        CursorValues max() {
            return new CursorValues(maxPrimary, maxSecondary);
        }
    }
}
