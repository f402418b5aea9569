package io.tributary.core;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * For drivers whose watermarks are log positions read on the side (a binlog position, an oplog timestamp) rather
 * than records written into the log: chunk readers {@link #add} a watermark at the log's current end, and the change
 * stream hands each one to {@link CdcMsgFn#watermark} once it has read past that position, in position order
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
     * @param text what {@link CdcMsgFn#watermark} receives
     */
    public record Mark<P>(P at, long tag, long seq, String text) {
    }

    private final PriorityBlockingQueue<Mark<P>> marks = new PriorityBlockingQueue<>(11,
            Comparator.<Mark<P>, P>comparing(Mark::at).thenComparingLong(Mark::seq));
    private final AtomicLong seq = new AtomicLong();

    public void add(P at, String text) {
        add(at, 0, text);
    }

    public void add(P at, long tag, String text) {
        marks.add(new Mark<>(requireNonNull(at, "at is null"), tag, seq.incrementAndGet(),
                requireNonNull(text, "text is null")));
    }

    /** Hands over every watermark at or before {@code read} (the stream has read the log up to it); true if any. */
    public boolean deliverUpTo(P read, CdcMsgFn fn) {
        return deliverWhile(m -> m.at().compareTo(read) <= 0, fn);
    }

    /** Hands over watermarks, lowest position first, while the lowest is {@code due}; true if any. */
    public boolean deliverWhile(Predicate<Mark<P>> due, CdcMsgFn fn) {
        boolean any = false;
        Mark<P> m;
        while ((m = marks.peek()) != null && due.test(m)) {
            // only the change stream's thread removes, so the head it tested is the head it removes
            marks.poll();
            fn.watermark(m.text());
            any = true;
        }
        return any;
    }

    public boolean isEmpty() {
        return marks.isEmpty();
    }
}
