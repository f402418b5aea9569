package io.tributary.core;

import io.tributary.core.concurrent.TaskGroup;
import io.tributary.writer.WriterPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/** What one {@code read} owns: its executor, the connection limit, the writer pool. */
final class Run implements AutoCloseable {
    final WriterPool pool;
    final ExecutorService executor;
    final Semaphore connections;

    Run(SyncContext ctx, WriterPool pool) {
        this.pool = pool;
        this.executor = Executors.newCachedThreadPool(ctx.options.threadFactory());
        this.connections = new Semaphore(Math.max(1, ctx.driver.maxConnections()));
    }

    /** A task group; {@code usesConnection} = each task holds one of the driver's connections. */
    TaskGroup group(String name, boolean usesConnection) {
        return new TaskGroup(name, executor, usesConnection ? connections : null);
    }

    @Override
    public void close() {
        SyncContext.shutdown(executor);
    }
}
