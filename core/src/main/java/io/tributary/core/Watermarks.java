package io.tributary.core;

import io.tributary.types.RetriableException;
import io.tributary.types.StreamId;
import io.tributary.writer.Record;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chunk windows of one run's watermark backfill ({@link CdcBackfill#WATERMARK}), shared by the chunk readers
 * (which register a window, write its low watermark, read the chunk into it, write its high watermark and wait)
 * and the change streams (which open a window at its low watermark, note every key the log changes while it is
 * open, emit the rows not noted at its high watermark and complete it after the next checkpoint).
 *
 * <p>A window's rows are written by its reader and read by the change stream only after {@link Window#filled}
 * (volatile) was set, which the reader does before it writes the high watermark. {@link Window#touched} belongs to
 * the change stream's thread.
 */
final class Watermarks {
    static final String LOW = "tributary-lw:";
    static final String HIGH = "tributary-hw:";

    enum Phase {
        /** Registered; its low watermark not seen by the change stream yet. */
        REGISTERED,
        /** Between its low and high watermark in the log. */
        OPEN,
        /** Its rows were pushed to the change stream's writer; waiting for the commit. */
        EMITTED
    }

    static final class Window {
        final String id = UUID.randomUUID().toString();
        final int identifier;
        final StreamId stream;
        final Chunk chunk;
        final Map<String, Record> rows = new LinkedHashMap<>();
        final Set<String> touched = new HashSet<>();
        final CompletableFuture<Long> committed = new CompletableFuture<>();
        volatile Phase phase = Phase.REGISTERED;
        volatile boolean filled;
        long emitted;

        Window(int identifier, StreamId stream, Chunk chunk) {
            this.identifier = identifier;
            this.stream = stream;
            this.chunk = chunk;
        }

        @Override
        public String toString() {
            return "window " + id.substring(0, 8) + " of stream " + stream + " chunk " + chunk;
        }
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> backfilling = new ConcurrentHashMap<>();

    /** A stream of change stream {@code identifier} starts its backfill: that stream must keep going. */
    void backfillStarted(int identifier) {
        backfilling.computeIfAbsent(identifier, k -> new AtomicInteger()).incrementAndGet();
    }

    void backfillEnded(int identifier) {
        backfilling.get(identifier).decrementAndGet();
    }

    /** Whether change stream {@code identifier} must go on: a backfill of one of its streams is not over. */
    boolean keepStreaming(int identifier) {
        AtomicInteger n = backfilling.get(identifier);
        return n != null && n.get() > 0;
    }

    Window register(int identifier, StreamId stream, Chunk chunk) {
        Window w = new Window(identifier, stream, chunk);
        windows.put(w.id, w);
        return w;
    }

    void remove(Window w) {
        windows.remove(w.id);
    }

    /** The window a watermark text names, if it belongs to this run and this change stream. */
    Optional<Window> find(int identifier, String id) {
        Window w = windows.get(id);
        return w != null && w.identifier == identifier ? Optional.of(w) : Optional.empty();
    }

    /** The windows of change stream {@code identifier} between their low and high watermark. */
    List<Window> openWindows(int identifier) {
        List<Window> out = new ArrayList<>();
        for (Window w : windows.values()) {
            if (w.identifier == identifier && w.phase == Phase.OPEN) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * Change stream {@code identifier} stopped without committing: every window it had opened or emitted fails (its
     * reader reads the chunk again in a new window); windows it had not reached yet stay for the next attempt.
     */
    void streamFailed(int identifier, Throwable cause) {
        List<Window> failed = new ArrayList<>();
        for (Window w : windows.values()) {
            if (w.identifier == identifier && w.phase != Phase.REGISTERED) {
                failed.add(w);
            }
        }
        for (Window w : failed) {
            windows.remove(w.id);
            w.committed.completeExceptionally(new RetriableException("change stream " + identifier
                    + " stopped before " + w + " was committed; reading the chunk again", cause));
        }
    }
}
