package io.github.durablefunctions;

import java.time.Duration;

/**
 * What a {@link RetryHandler} knows about the attempt that just failed.
 *
 * @param orchestrationContext the orchestration's context (for timers, time, logging)
 * @param lastAttemptNumber    the number of the failed attempt, from 1; counts attempts of this task only, however it
 *                             is awaited (directly, in {@code allOf} or in {@code anyOf})
 * @param lastFailure          the failed attempt's failure details
 * @param totalRetryTime       replay-safe time from the first attempt's scheduling to now
 *                             ({@link TaskOrchestrationContext#getCurrentInstant()})
 */
public record RetryContext(TaskOrchestrationContext orchestrationContext, int lastAttemptNumber,
                           FailureDetails lastFailure, Duration totalRetryTime) {

    public TaskOrchestrationContext getOrchestrationContext() {
        return orchestrationContext;
    }

    public int getLastAttemptNumber() {
        return lastAttemptNumber;
    }

    public FailureDetails getLastFailure() {
        return lastFailure;
    }

    public Duration getTotalRetryTime() {
        return totalRetryTime;
    }
}
