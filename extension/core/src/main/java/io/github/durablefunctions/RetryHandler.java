package io.github.durablefunctions;

/**
 * Decides in code whether a failed activity or sub-orchestration is tried again. Runs inside the orchestrator, so it
 * must be deterministic; it may create durable timers through {@link RetryContext#getOrchestrationContext()} and
 * await them to wait between attempts.
 */
@FunctionalInterface
public interface RetryHandler {
    /**
     * @param context the failed attempt
     * @return true to try again, false to fail the task with the last failure
     */
    boolean handle(RetryContext context);
}
