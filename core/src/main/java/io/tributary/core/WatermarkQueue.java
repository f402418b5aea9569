package io.tributary.core;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * For drivers whose watermarks are log positions read on the side (a binlog position, an oplog timestamp) rather
 * than records written into the log: chunk readers {@link #add} a watermark at the log's current end, and the change
 * stream hands each one to {@link ChangeSink#watermark} once it has read past that position, in position order
 * (registration order among equal positions). Thread-safe.
 *
 * @param <P> a log position
 */
public final class WatermarkQueue<P extends Comparable<? super P>> {
    /**
     * A registered watermark.
     *
     * @param at the log position it was registered at
     * @param tag whatever else the driver needs to decide it is due (e.g. the stream's poll count at registration)
     * @param seq registration order
     * @param text what {@link ChangeSink#watermark} receives
     */
    public record Mark<P>(P at, long tag, long seq, String text) {
    }

    private final PriorityBlockingQueue<Mark<P>> marks = new PriorityBlockingQueue<>(11,
            Comparator.<Mark<P>, P>comparing(Mark::at).thenComparingLong(Mark::seq));
    private final AtomicLong seq = new AtomicLong();
    /** By {@link Mark#seq}: the marks whose registrar waits for their delivery. */
    private final Map<Long, CompletableFuture<Void>> awaited = new ConcurrentHashMap<>();

    public void add(P at, String text) {
        add(at, 0, text);
    }

    public void add(P at, long tag, String text) {
        marks.add(new Mark<>(requireNonNull(at, "at is null"), tag, seq.incrementAndGet(),
                requireNonNull(text, "text is null")));
    }

    /**
     * Like {@link #add(Comparable, String)}, and returns a future completed once the change stream handed the
     * watermark over ({@link ChangeSink#watermark} returned): everything the stream delivered before it is known then.
     */
    public CompletableFuture<Void> addAwaited(P at, String text) {
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        long s = seq.incrementAndGet();
        awaited.put(s, delivered);
        marks.add(new Mark<>(requireNonNull(at, "at is null"), 0, s, requireNonNull(text, "text is null")));
        return delivered;
    }

    /**
     * Hands over every watermark at or before {@code read} (the stream has read the log up to it) to {@code to} (a
     * {@link ChangeSink#watermark}); true if any.
     */
    public boolean deliverUpTo(P read, Consumer<String> to) {
        return deliverWhile(m -> m.at().compareTo(read) <= 0, to);
    }

    /** Hands over watermarks, lowest position first, while the lowest is {@code due}, to {@code fn}; true if any. */
    public boolean deliverWhile(Predicate<Mark<P>> due, Consumer<String> fn) {
        boolean any = false;
        Mark<P> m;
        while ((m = marks.peek()) != null && due.test(m)) {
            // only the change stream's thread removes, but a chunk reader may have added a mark of a lower position
            // since the peek: that one is the head now, and goes back if it is not due
            Mark<P> head = marks.poll();
            if (head != m && !due.test(head)) {
                marks.add(head);
                continue;
            }
            m = head;
            fn.accept(m.text());
            CompletableFuture<Void> delivered = awaited.remove(m.seq());
            if (delivered != null) {
                delivered.complete(null);
            }
            any = true;
        }
        return any;
    }

    public boolean isEmpty() {
        return marks.isEmpty();
    }
}
