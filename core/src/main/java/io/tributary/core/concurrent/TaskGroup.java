package io.tributary.core.concurrent;

import static java.util.Objects.requireNonNull;

import io.tributary.types.CancelledException;
import io.tributary.types.TributaryException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A group of tasks with first-error cancellation (OLake's {@code CxGroup}, Go's errgroup): the first task that
 * fails cancels (interrupts) every other task of the group, and {@link #await()} throws that first failure.
 * With a {@link Semaphore}, at most that many tasks of every group sharing it run at once, and
 * {@link #submit} blocks the caller while none is free (back-pressure on the producer of tasks).
 */
public final class TaskGroup implements AutoCloseable {
    private final String name;
    private final ExecutorService executor;
    private final Semaphore permits;
    private final List<Future<?>> futures = new ArrayList<>();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();

    /**
     * @param name for messages
     * @param executor runs the tasks; must have a thread for every permit (a cached pool)
     * @param permits shared limit of concurrently running tasks, or {@code null} for none
     */
    public TaskGroup(String name, ExecutorService executor, Semaphore permits) {
        this.name = requireNonNull(name, "name is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.permits = permits;
    }

    /** Starts a task; blocks while no permit is free. Throws the group's first error if it already failed. */
    public void submit(String taskName, Runnable task) {
        throwIfFailed();
        if (permits != null) {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                cancel();
                throw CancelledException.interrupted(name, e);
            }
        }
        if (firstError.get() != null) {
            if (permits != null) {
                permits.release();
            }
            throwIfFailed();
        }
        Future<?> f;
        try {
            f = executor.submit(() -> {
                String old = Thread.currentThread().getName();
                Thread.currentThread().setName(old + " " + taskName);
                try {
                    task.run();
                } catch (Throwable t) {
                    if (firstError.compareAndSet(null, t)) {
                        cancel();
                    }
                    throw t;
                } finally {
                    Thread.currentThread().setName(old);
                    if (permits != null) {
                        permits.release();
                    }
                }
            });
        } catch (RuntimeException e) {
            if (permits != null) {
                permits.release();
            }
            throw e;
        }
        synchronized (futures) {
            futures.add(f);
        }
    }

    /** Waits for every task; throws the first failure (unchecked as it was thrown). */
    public void await() {
        int i = 0;
        while (true) {
            Future<?> f;
            synchronized (futures) {
                if (i >= futures.size()) {
                    break;
                }
                f = futures.get(i++);
            }
            try {
                f.get();
            } catch (InterruptedException e) {
                cancel();
                throw CancelledException.interrupted(name, e);
            } catch (ExecutionException | CancellationException e) {
                // recorded in firstError by the task itself, or cancelled because of it
            }
        }
        throwIfFailed();
    }

    /** Interrupts every running task and drops queued ones. */
    public void cancel() {
        synchronized (futures) {
            for (Future<?> f : futures) {
                f.cancel(true);
            }
        }
    }

    private void throwIfFailed() {
        Throwable t = firstError.get();
        if (t == null) {
            return;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new TributaryException(name + " failed: " + t, t);
    }

    /** Cancels what still runs and waits for it to stop, so no task outlives the group. */
    @Override
    public void close() {
        cancel();
        List<Future<?>> copy;
        synchronized (futures) {
            copy = List.copyOf(futures);
        }
        for (Future<?> f : copy) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | CancellationException ignored) {
                // already reported
            }
        }
    }
}
