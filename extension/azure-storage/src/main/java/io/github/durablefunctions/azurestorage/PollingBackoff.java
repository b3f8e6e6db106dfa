package io.github.durablefunctions.azurestorage;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Randomized exponential back-off for polling an idle queue (storage-layout.md §8.1: from about 50 ms up to
 * {@code maxQueuePollingInterval}): each empty poll doubles the pause, randomized within ±25 %, up to the maximum;
 * a poll that found messages, or a {@link #reset()} from a local send, starts over at the minimum and wakes a
 * waiting poller.
 */
final class PollingBackoff {
    static final long MIN_MILLIS = 50;

    private final long maxMillis;
    private long currentMillis;
    private long nextPollNanos;
    private boolean woken;
    private boolean closed;

    PollingBackoff(Duration max) {
        this.maxMillis = Math.max(MIN_MILLIS, max.toMillis());
    }

    /** Pauses after an empty poll (interruptible; ended early by {@link #reset()} or {@link #wake()}). */
    synchronized void idle() throws InterruptedException {
        grow();
        awaitNextPoll(Long.MAX_VALUE);
    }

    /**
     * Waits until the next poll is due or {@code deadlineNanos} (a {@link System#nanoTime()} value) passes.
     *
     * @return true if a poll is due, false if the deadline came first
     */
    synchronized boolean awaitNextPoll(long deadlineNanos) throws InterruptedException {
        while (!woken && !closed) {
            long now = System.nanoTime();
            long until = Math.min(nextPollNanos, deadlineNanos);
            if (now - until >= 0) {
                break;
            }
            long waitNanos = until - now;
            wait(waitNanos / 1_000_000L, (int) (waitNanos % 1_000_000L));
        }
        return woken || closed || System.nanoTime() - nextPollNanos >= 0;
    }

    /** Records an empty poll without waiting: the next poll is due after the grown pause. */
    synchronized void grow() {
        currentMillis = currentMillis == 0 ? MIN_MILLIS : Math.min(maxMillis, currentMillis * 2);
        long pause = Math.min(maxMillis, Math.max(1, (long) (currentMillis
                * ThreadLocalRandom.current().nextDouble(0.75, 1.25))));
        nextPollNanos = System.nanoTime() + pause * 1_000_000L;
        woken = false;
    }

    /** Messages arrived or were sent locally: poll now, and start the back-off over. */
    synchronized void reset() {
        currentMillis = 0;
        nextPollNanos = System.nanoTime();
        woken = true;
        notifyAll();
    }

    /** Wakes a waiting poller without changing the back-off (used on stop). */
    synchronized void wake() {
        woken = true;
        notifyAll();
    }

    /** Ends every present and future pause at once (used when the poller stops for good). */
    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
