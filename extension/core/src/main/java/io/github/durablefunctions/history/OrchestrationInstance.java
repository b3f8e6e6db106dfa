package io.github.durablefunctions.history;

/**
 * An orchestration instance and one of its executions ({@code DurableTask.Core.OrchestrationInstance}).
 *
 * @param instanceId  the instance ID
 * @param executionId the execution (generation) ID, 32 hex digits; null in messages addressed to whatever execution
 *                    is current (client events, terminate)
 */
public record OrchestrationInstance(String instanceId, String executionId) {
}
