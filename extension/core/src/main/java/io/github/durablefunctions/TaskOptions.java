package io.github.durablefunctions;

import java.util.Objects;

/**
 * Options for scheduling an activity or sub-orchestration: how to retry it when it fails. Either a declarative
 * {@link RetryPolicy} or a {@link RetryHandler} that decides in code. The waits between attempts are durable timers.
 */
public final class TaskOptions {
    private final RetryPolicy retryPolicy;
    private final RetryHandler retryHandler;

    /** Retries by a declarative policy. */
    public TaskOptions(RetryPolicy retryPolicy) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.retryHandler = null;
    }

    /** Retries as long as the handler says so (without waiting in between unless it creates timers itself). */
    public TaskOptions(RetryHandler retryHandler) {
        this.retryPolicy = null;
        this.retryHandler = Objects.requireNonNull(retryHandler, "retryHandler");
    }

    /** The retry policy, or null when a handler was given. */
    public RetryPolicy getRetryPolicy() {
        return retryPolicy;
    }

    /** The retry handler, or null when a policy was given. */
    public RetryHandler getRetryHandler() {
        return retryHandler;
    }
}
