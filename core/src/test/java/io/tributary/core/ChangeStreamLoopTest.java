package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.CancelledException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeStreamLoopTest {
    /** One poll's outcome: rows read (or NOTHING), then the poller's state. */
    private record Step(int read, boolean boundary, long position, boolean end) {
    }

    /** Replays steps; once they run out, nothing arrives (at a boundary, at the last position). */
    private static class Scripted implements ChangePoller<Long> {
        final Deque<Step> steps;
        Step now;
        int polls;

        Scripted(Step... steps) {
            this.steps = new ArrayDeque<>(List.of(steps));
            this.now = new Step(NOTHING, true, 0, false);
        }

        @Override
        public int poll(ChangeSink<Long> sink, Duration max) {
            polls++;
            Step s = steps.poll();
            if (s == null) {
                now = new Step(NOTHING, now.boundary(), now.position(), now.end());
                return NOTHING;
            }
            now = s;
            return s.read();
        }

        @Override
        public boolean atBoundary() {
            return now.boundary();
        }

        @Override
        public Long position() {
            return now.position();
        }

        @Override
        public boolean reachedEnd() {
            return now.end();
        }
    }

    private static final class Sink implements ChangeSink<Long> {
        final List<Long> checkpoints = new ArrayList<>();
        boolean wanted;
        int keepStreaming; // how many more times keepStreaming() answers true

        @Override
        public void accept(CdcChange change) {
        }

        @Override
        public void checkpoint(Long position) {
            checkpoints.add(position);
            wanted = false;
        }

        @Override
        public void watermark(String watermark) {
        }

        @Override
        public boolean keepStreaming() {
            return keepStreaming-- > 0;
        }

        @Override
        public boolean checkpointWanted() {
            return wanted;
        }
    }

    @Test
    void boundedRunEndsAtTheFirstBoundaryAtItsEndNotInsideATransaction() {
        Scripted p = new Scripted(new Step(3, false, 0, false), new Step(2, true, 10, false),
                new Step(1, false, 10, true), new Step(1, true, 20, true), new Step(5, true, 30, true));
        Sink sink = new Sink();
        ChangeStreamLoop.run("test stream", p, sink, Duration.ofSeconds(30));
        assertThat(sink.checkpoints).containsExactly(20L);
        assertThat(p.polls).isEqualTo(4);
    }

    @Test
    void checkpointsAtTheBoundaryAfterTheCadenceOrWhenTheEngineWantsOne() {
        int half = ChangeSink.CHECKPOINT_EVERY / 2;
        Sink sink = new Sink();
        Scripted p = new Scripted(new Step(half, false, 0, false), new Step(half, false, 0, false),
                new Step(0, true, 7, false), new Step(1, true, 8, false), new Step(1, true, 9, true)) {
            @Override
            public int poll(ChangeSink<Long> s, Duration max) {
                int read = super.poll(s, max);
                if (now.position() == 8) {
                    sink.wanted = true;
                }
                return read;
            }
        };
        ChangeStreamLoop.run("test stream", p, sink, Duration.ofSeconds(30));
        assertThat(sink.checkpoints).containsExactly(7L, 8L, 9L);
    }

    @Test
    void idleBoundedRunEndsAfterTheInitialWaitAndSavesItsPosition() {
        Sink sink = new Sink();
        long began = System.nanoTime();
        ChangeStreamLoop.run("test stream", new Scripted(), sink, Duration.ofMillis(200));
        assertThat(System.nanoTime() - began).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(sink.checkpoints).containsExactly(0L);
    }

    @Test
    void keepsStreamingPastTheEndWhileTheEngineAsks() {
        Sink sink = new Sink();
        sink.keepStreaming = 3;
        Scripted p = new Scripted(new Step(1, true, 5, true), new Step(1, true, 6, true));
        ChangeStreamLoop.run("test stream", p, sink, Duration.ofSeconds(30));
        // reached the end at 5 while asked to go on: read on to 6, then ended idle at the end once no longer asked
        assertThat(sink.checkpoints).containsExactly(6L);
        assertThat(p.polls).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anEndedStreamStopsAtOnceEvenInsideTheBound() {
        Sink sink = new Sink();
        Scripted p = new Scripted(new Step(1, true, 4, false), new Step(0, true, 5, false)) {
            @Override
            public boolean ended() {
                return now.position() == 5;
            }
        };
        ChangeStreamLoop.run("test stream", p, sink, Duration.ofSeconds(30));
        assertThat(sink.checkpoints).containsExactly(5L);
    }

    @Test
    void anInterruptCancelsTheRunWithoutACheckpoint() {
        Sink sink = new Sink();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> ChangeStreamLoop.run("test stream", new Scripted(), sink, Duration.ofSeconds(30)))
                    .isInstanceOf(CancelledException.class).hasMessageContaining("test stream was cancelled");
        } finally {
            Thread.interrupted();
        }
        assertThat(sink.checkpoints).isEmpty();
    }
}
