package io.github.durablefunctions.azurestorage;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The polling pauses: a partial batch pauses for the minimum instead of polling again at once, an empty poll backs off,
 * and a nudge that comes while a poll is under way ends the pause after it at once.
 */
class PollingBackoffTest {
    private static final long TEN_MS = Duration.ofMillis(10).toNanos();

    @Test
    void aPartialBatchPausesForTheMinimumUnlessNudged() throws Exception {
        PollingBackoff backoff = new PollingBackoff(Duration.ofSeconds(30));
        long token = backoff.token();
        backoff.drained(token);
        // The minimum pause is 50 ms (randomized down to 37.5 ms): not due within 10 ms.
        assertThat(backoff.awaitNextPoll(System.nanoTime() + TEN_MS)).isFalse();
        long started = System.nanoTime();
        assertThat(backoff.awaitNextPoll(System.nanoTime() + Duration.ofSeconds(1).toNanos())).isTrue();
        assertThat(System.nanoTime() - started).isLessThan(Duration.ofMillis(500).toNanos());

        token = backoff.token();
        backoff.drained(token);
        backoff.reset(); // a local send
        assertThat(backoff.awaitNextPoll(System.nanoTime() + TEN_MS)).isTrue();
    }

    @Test
    void aNudgeDuringAPollIsNotLost() throws Exception {
        PollingBackoff backoff = new PollingBackoff(Duration.ofSeconds(30));
        long token = backoff.token();
        backoff.reset(); // sent while the (empty) poll was under way
        backoff.grow(token);
        assertThat(backoff.awaitNextPoll(System.nanoTime() + TEN_MS)).isTrue();

        token = backoff.token();
        backoff.reset();
        backoff.drained(token);
        assertThat(backoff.awaitNextPoll(System.nanoTime() + TEN_MS)).isTrue();
    }

    @Test
    void emptyPollsBackOffFurtherWhilePartialBatchesStartOver() throws Exception {
        PollingBackoff backoff = new PollingBackoff(Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++) {
            backoff.grow(backoff.token()); // 50, 100, 200, 400, 800 ms
        }
        assertThat(backoff.awaitNextPoll(System.nanoTime() + Duration.ofMillis(300).toNanos())).isFalse();
        backoff.drained(backoff.token());
        assertThat(backoff.awaitNextPoll(System.nanoTime() + Duration.ofMillis(300).toNanos())).isTrue();
    }
}
