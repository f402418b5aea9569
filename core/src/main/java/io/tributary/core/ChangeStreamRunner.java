package io.tributary.core;

import io.tributary.core.concurrent.TaskGroup;
import io.tributary.types.ConfiguredStream;
import io.tributary.types.NonRetriableException;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CDC coordination: {@code preCDC}, the backfills of the CDC streams (before their change stream, or beside it with
 * {@link CdcBackfill#WATERMARK}), and the change streams in the driver's {@link ChangeStreamMode}, each retried as
 * a whole from the saved position.
 */
final class ChangeStreamRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);

    private final SyncContext ctx;
    private final BackfillRunner backfill;
    private final WatermarkBackfill watermark;
    /** The engine's side of the driver's {@link CdcSource}, for the current run. */
    private volatile TypedChangeStream<?> typed;

    ChangeStreamRunner(SyncContext ctx, BackfillRunner backfill) {
        this.ctx = ctx;
        this.backfill = backfill;
        this.watermark = new WatermarkBackfill(ctx, this);
    }

    void run(Run run, List<ConfiguredStream> streams) {
        for (ConfiguredStream s : streams) {
            ctx.state.setSyncMode(s.id(), s.syncMode());
        }
        ctx.driver.preCDC(streams);
        typed = ctx.driver.cdcSource().map(src -> TypedChangeStream.of(src, ctx.state, ctx.driver.changeStreamMode()))
                .orElseThrow(() -> new NonRetriableException("driver " + ctx.driver.type()
                        + " says it supports CDC but has no cdcSource()"));
        typed.recordStartPositions(ctx.driver.changeStreamMode().changeStreams(streams));
        if (ctx.options.cdcBackfill() == CdcBackfill.WATERMARK) {
            watermark.run(run, streams);
            return;
        }
        Set<StreamId> backfilledNow = ConcurrentHashMap.newKeySet();
        ChangeStreamMode mode = ctx.driver.changeStreamMode();
        LOG.info("CDC of {} streams in {} mode", streams.size(), mode);
        TaskGroup g = run.group("cdc", false);
        try {
            if (mode == ChangeStreamMode.CONCURRENT) {
                for (int i = 0; i < streams.size(); i++) {
                    int id = i;
                    ConfiguredStream s = streams.get(i);
                    g.submit("cdc " + s.id(), () -> {
                        backfillForCdc(run, s, backfilledNow);
                        cdc(run, id, List.of(s), backfilledNow, null);
                    });
                }
                g.await();
                return;
            }
            for (ConfiguredStream s : streams) {
                g.submit("backfill " + s.id(), () -> backfillForCdc(run, s, backfilledNow));
            }
            g.await();
        } finally {
            g.close();
        }
        if (mode == ChangeStreamMode.SEQUENTIAL) {
            cdc(run, 0, streams, backfilledNow, null);
            return;
        }
        TaskGroup p = run.group("parallel cdc", false);
        try {
            for (int i = 0; i < streams.size(); i++) {
                int id = i;
                ConfiguredStream s = streams.get(i);
                p.submit("cdc " + s.id(), () -> cdc(run, id, List.of(s), backfilledNow, null));
            }
            p.await();
        } finally {
            p.close();
        }
    }

    private void backfillForCdc(Run run, ConfiguredStream s, Set<StreamId> backfilledNow) {
        if (s.syncMode() == SyncMode.STRICT_CDC || ctx.state.backfillCompleted(s.id())) {
            return;
        }
        backfill.backfill(run, s, CursorValues.NONE);
        backfilledNow.add(s.id());
    }

    /**
     * One change stream, holding one connection (none with a watermark backfill), retried as a whole from the saved
     * position; it is started again while a watermark backfill of its streams goes on or the run is continuous.
     */
    void cdc(Run run, int identifier, List<ConfiguredStream> streams, Set<StreamId> backfilledNow,
            Watermarks marks) {
        TaskGroup one = run.group("cdc " + identifier, marks == null);
        try {
            one.submit("cdc " + identifier, () -> ctx.retry("change_stream").run("change stream " + identifier + " "
                    + streams.stream().map(ConfiguredStream::id).toList(), () -> {
                        do {
                            CdcSession session = new CdcSession(ctx, run, identifier, streams, backfilledNow, marks);
                            ctx.listener().changeStreamStarted(identifier,
                                    streams.stream().map(ConfiguredStream::id).toList());
                            try {
                                typed.stream(identifier, streams, session);
                                session.finish();
                            } catch (RuntimeException | Error e) {
                                session.abort(e);
                                throw e;
                            }
                        } while ((marks != null && marks.keepStreaming(identifier)) || ctx.continuous());
                    }));
            one.await();
        } finally {
            one.close();
        }
    }
}
