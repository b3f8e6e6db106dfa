package io.github.durablefunctions;

import java.time.Duration;

/**
 * A declarative retry policy for activities and sub-orchestrations, as in Durable Functions. After failed attempt
 * {@code n} (from 1) the orchestration waits {@code firstRetryInterval * backoffCoefficient^(n-1)}, capped at
 * {@code maxRetryInterval} when that is set, on a durable timer, then tries again, until {@code maxNumberOfAttempts}
 * attempts have been made or, when {@code retryTimeout} is set, the next attempt would start after that long since the
 * first one. A failure whose {@link FailureDetails#isNonRetriable()} is true is not retried.
 *
 * <p>Each attempt is scheduled separately (its own task ID in history). The decision to retry is taken when the failed
 * attempt's result is replayed, in history order, so it is the same however the task is awaited: directly, in
 * {@code allOf} or in {@code anyOf}. When no retry is left, the task fails with the last attempt's
 * {@link TaskFailedException}.
 */
public final class RetryPolicy {
    private int maxNumberOfAttempts;
    private Duration firstRetryInterval;
    private double backoffCoefficient = 1.0;
    private Duration maxRetryInterval = Duration.ZERO;
    private Duration retryTimeout = Duration.ZERO;

    /**
     * @param maxNumberOfAttempts how many attempts in total, including the first; must be &gt; 0
     * @param firstRetryInterval  the wait before the second attempt; must be &gt; 0
     * @throws IllegalArgumentException if a value is out of range
     */
    public RetryPolicy(int maxNumberOfAttempts, Duration firstRetryInterval) {
        setMaxNumberOfAttempts(maxNumberOfAttempts);
        setFirstRetryInterval(firstRetryInterval);
    }

    /** @throws IllegalArgumentException unless {@code maxNumberOfAttempts > 0} */
    public RetryPolicy setMaxNumberOfAttempts(int maxNumberOfAttempts) {
        if (maxNumberOfAttempts <= 0) {
            throw new IllegalArgumentException("maxNumberOfAttempts must be greater than zero, was "
                    + maxNumberOfAttempts);
        }
        this.maxNumberOfAttempts = maxNumberOfAttempts;
        return this;
    }

    /** @throws IllegalArgumentException unless the interval is positive */
    public RetryPolicy setFirstRetryInterval(Duration firstRetryInterval) {
        if (firstRetryInterval == null || firstRetryInterval.isZero() || firstRetryInterval.isNegative()) {
            throw new IllegalArgumentException("firstRetryInterval must be greater than zero, was "
                    + firstRetryInterval);
        }
        this.firstRetryInterval = firstRetryInterval;
        return this;
    }

    /** @throws IllegalArgumentException unless {@code backoffCoefficient >= 1.0} */
    public RetryPolicy setBackoffCoefficient(double backoffCoefficient) {
        if (!(backoffCoefficient >= 1.0)) {
            throw new IllegalArgumentException("backoffCoefficient must be at least 1.0, was " + backoffCoefficient);
        }
        this.backoffCoefficient = backoffCoefficient;
        return this;
    }

    /**
     * The longest wait between attempts; {@link Duration#ZERO} (the default) means no cap.
     *
     * @throws IllegalArgumentException if non-zero and shorter than the first retry interval
     */
    public RetryPolicy setMaxRetryInterval(Duration maxRetryInterval) {
        this.maxRetryInterval = checkZeroOrAtLeastFirst(maxRetryInterval, "maxRetryInterval");
        return this;
    }

    /**
     * How long after the first attempt retries may still start; {@link Duration#ZERO} (the default) means no limit.
     *
     * @throws IllegalArgumentException if non-zero and shorter than the first retry interval
     */
    public RetryPolicy setRetryTimeout(Duration retryTimeout) {
        this.retryTimeout = checkZeroOrAtLeastFirst(retryTimeout, "retryTimeout");
        return this;
    }

    private Duration checkZeroOrAtLeastFirst(Duration value, String name) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, was " + value);
        }
        if (!value.isZero() && value.compareTo(firstRetryInterval) < 0) {
            throw new IllegalArgumentException(name + " (" + value + ") must not be shorter than firstRetryInterval ("
                    + firstRetryInterval + ")");
        }
        return value;
    }

    public int getMaxNumberOfAttempts() {
        return maxNumberOfAttempts;
    }

    public Duration getFirstRetryInterval() {
        return firstRetryInterval;
    }

    public double getBackoffCoefficient() {
        return backoffCoefficient;
    }

    /** The cap on the wait between attempts; zero means none. */
    public Duration getMaxRetryInterval() {
        return maxRetryInterval;
    }

    /** The limit on the total retry time; zero means none. */
    public Duration getRetryTimeout() {
        return retryTimeout;
    }
}
