package io.github.durablefunctions.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Clock} in UTC whose time moves only when told to: it starts at a given instant and stays there until
 * {@link #set(Instant)} or {@link #advance(Duration)} moves it forward. Give it to the worker
 * ({@code DurableTaskWorker.builder().clock(clock)}), to the clients and to an {@link InMemoryOrchestrationService},
 * and orchestrations see it as their current time ({@code getCurrentInstant()} is the {@code OrchestratorStarted}
 * timestamp of each episode, which the worker takes from its clock), timers fire when it reaches them, and a 72-hour
 * wait takes no real time.
 *
 * <p>Moving this clock directly jumps over everything in between: the service then releases every delayed message
 * that became due at once, at the new time. To step through due times one by one, letting the worker run after each,
 * use {@link InMemoryOrchestrationService#advance(Duration, Duration)} or
 * {@link InMemoryOrchestrationService#runUntil}.
 *
 * <p>Thread-safe. Time never goes backwards.
 */
public final class VirtualClock extends Clock {
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile Instant now;

    /**
     * @param start the initial time
     * @throws NullPointerException if {@code start} is null
     */
    public VirtualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /** The current virtual time. */
    @Override
    public Instant instant() {
        return now;
    }

    /** Always {@link ZoneOffset#UTC}. */
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /**
     * A clock in {@code zone} that reads this clock's (virtual) instant; this clock itself stays in UTC.
     */
    @Override
    public Clock withZone(ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        if (zone.equals(ZoneOffset.UTC)) {
            return this;
        }
        VirtualClock source = this;
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return zone;
            }

            @Override
            public Clock withZone(ZoneId other) {
                return source.withZone(other);
            }

            @Override
            public Instant instant() {
                return source.instant();
            }
        };
    }

    /**
     * Moves the clock to {@code time}; setting the current time again does nothing.
     *
     * @throws IllegalArgumentException if {@code time} is before the current time (time never goes backwards)
     * @throws NullPointerException     if {@code time} is null
     */
    public void set(Instant time) {
        Objects.requireNonNull(time, "time");
        synchronized (this) {
            if (time.isBefore(now)) {
                throw new IllegalArgumentException("A virtual clock never goes backwards: it is at " + now
                        + ", cannot be set to " + time);
            }
            if (time.equals(now)) {
                return;
            }
            now = time;
        }
        notifyListeners();
    }

    /**
     * Moves the clock forward by {@code amount}.
     *
     * @throws IllegalArgumentException if {@code amount} is negative
     */
    public void advance(Duration amount) {
        Objects.requireNonNull(amount, "amount");
        if (amount.isNegative()) {
            throw new IllegalArgumentException("A virtual clock never goes backwards: cannot advance by " + amount);
        }
        if (amount.isZero()) {
            return;
        }
        synchronized (this) {
            now = now.plus(amount);
        }
        notifyListeners();
    }

    private void notifyListeners() {
        // Outside this clock's monitor: a listener takes its own locks.
        for (Runnable listener : listeners) {
            listener.run();
        }
    }

    /** Runs {@code listener} after each move of the clock (on the thread that moved it). */
    void addListener(Runnable listener) {
        listeners.add(listener);
    }

    void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    @Override
    public String toString() {
        return "VirtualClock[" + now + "]";
    }
}
