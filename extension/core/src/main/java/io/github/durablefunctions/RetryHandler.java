package io.github.durablefunctions;

/**
 * Decides in code whether a failed activity or sub-orchestration is tried again. Called once per failed attempt, when
 * that failure is replayed from history (whichever task the orchestrator is awaiting at the time). Runs inside the
 * orchestrator, so it must be deterministic; it may create durable timers through
 * {@link RetryContext#getOrchestrationContext()} and await them to wait between attempts. Without such a timer the next
 * attempt is scheduled at once. If the handler throws, the task fails with that exception.
 */
@FunctionalInterface
public interface RetryHandler {
    /**
     * @param context the failed attempt
     * @return true to try again, false to fail the task with the last failure
     */
    boolean handle(RetryContext context);
}
