package io.tributary.core;

import io.tributary.core.concurrent.TaskGroup;
import io.tributary.core.state.State;
import io.tributary.types.ConfiguredStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Full refresh: a stream whose last full refresh finished is cleared (state and destination) and backfilled again;
 * one whose backfill was interrupted resumes it.
 */
final class FullRefreshRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);

    private final SyncContext ctx;
    private final BackfillRunner backfill;

    FullRefreshRunner(SyncContext ctx, BackfillRunner backfill) {
        this.ctx = ctx;
        this.backfill = backfill;
    }

    void run(Run run, List<ConfiguredStream> streams) {
        State state = ctx.state;
        TaskGroup g = run.group("full refresh", false);
        try {
            for (ConfiguredStream s : streams) {
                g.submit("full refresh " + s.id(), () -> {
                    boolean resuming = state.chunks(s.id()).map(c -> !c.isEmpty()).orElse(false)
                            && !state.backfillCompleted(s.id());
                    if (!resuming) {
                        LOG.info("stream {}: full refresh starts over: clearing its state and destination", s.id());
                        state.clear(List.of(s.id()));
                        run.pool.destination().dropStreams(List.of(s.id()));
                    }
                    state.setSyncMode(s.id(), s.syncMode());
                    backfill.backfill(run, s, CursorValues.NONE);
                });
            }
            g.await();
        } finally {
            g.close();
        }
    }
}
