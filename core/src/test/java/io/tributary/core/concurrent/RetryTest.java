package io.tributary.core.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.types.NonRetriableException;
import io.tributary.types.RetriableException;
import java.io.UncheckedIOException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
    private final Retry retry = new Retry(2, Duration.ZERO, Duration.ZERO);

    @Test
    void aTransientFailureIsRetriedUntilTheBudgetIsSpent() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("chunk 1", () -> {
            attempts.incrementAndGet();
            throw new UncheckedIOException(new IOException("reset"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(attempts).hasValue(3);
    }

    @Test
    void aProgrammingErrorIsNotRetriedAndCalledOne() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("chunk 1", () -> {
            attempts.incrementAndGet();
            throw new NullPointerException("x");
        })).isInstanceOf(NonRetriableException.class).hasMessageContaining("unexpected error");
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aRetriableWrapperOfAStopIsNotRetriedAndNamesTheStop() {
        // a chunk whose change stream stopped on a destination failure: the chunk's failure is retriable on its own,
        // but the stop inside it must surface with its message, once, not as "a bug"
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.run("stream s chunk 1", () -> {
            attempts.incrementAndGet();
            throw new RetriableException("change stream 0 stopped",
                    new NonRetriableException("destination failure injected at commit 6"));
        })).isInstanceOf(NonRetriableException.class)
                .hasMessageContaining("stream s chunk 1 failed: destination failure injected at commit 6")
                .hasMessageNotContaining("a bug");
        assertThat(attempts).hasValue(1);
    }
}
