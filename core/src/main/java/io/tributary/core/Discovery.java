package io.tributary.core;

import io.tributary.core.concurrent.Retry;
import io.tributary.core.concurrent.TaskGroup;
import io.tributary.types.Stream;
import io.tributary.types.StreamId;
import io.tributary.types.SyncMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Discovery: every stream's schema, with the default sync mode and cursor picked ({@link AbstractDriver#discover}). */
final class Discovery {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractDriver.class);

    private final SyncContext ctx;

    Discovery(SyncContext ctx) {
        this.ctx = ctx;
    }

    List<Stream> discover(int maxThreads) {
        DriverInterface driver = ctx.driver;
        List<StreamId> names = driver.getStreamNames();
        Map<StreamId, Stream> found = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newCachedThreadPool(ctx.options.threadFactory());
        try (TaskGroup g = new TaskGroup("discover", pool, new Semaphore(Math.max(1, maxThreads)))) {
            Retry retry = ctx.retry("discover");
            for (StreamId id : names) {
                g.submit("discover " + id, () -> retry.run("discover " + id,
                        () -> found.put(id, defaults(driver.produceSchema(id)))));
            }
            g.await();
        } finally {
            SyncContext.shutdown(pool);
        }
        List<Stream> out = new ArrayList<>(found.values());
        out.sort(Comparator.comparing(Stream::id));
        LOG.info("discovered {} streams", out.size());
        return out;
    }

    private Stream defaults(Stream s) {
        Set<SyncMode> modes = EnumSet.noneOf(SyncMode.class);
        modes.addAll(s.supportedSyncModes());
        if (!ctx.driver.cdcSupported()) {
            modes.remove(SyncMode.CDC);
            modes.remove(SyncMode.STRICT_CDC);
        }
        if (modes.isEmpty()) {
            modes.add(SyncMode.FULL_REFRESH);
        }
        SyncMode mode;
        if (modes.contains(SyncMode.CDC)) {
            mode = SyncMode.CDC;
        } else if (modes.contains(SyncMode.INCREMENTAL) && !s.cursorFields().isEmpty()) {
            mode = SyncMode.INCREMENTAL;
        } else if (modes.contains(SyncMode.STRICT_CDC)) {
            mode = SyncMode.STRICT_CDC;
        } else {
            mode = SyncMode.FULL_REFRESH;
        }
        Optional<String> cursor = s.cursorField();
        if (cursor.isEmpty() && !s.cursorFields().isEmpty()) {
            String pk0 = s.primaryKey().isEmpty() ? null : s.primaryKey().get(0);
            cursor = Optional.of(pk0 != null && s.cursorFields().contains(pk0) ? pk0
                    : s.cursorFields().stream().sorted().findFirst().orElseThrow());
        }
        return s.withSupportedSyncModes(modes).withSyncMode(mode).withCursorField(cursor);
    }
}
