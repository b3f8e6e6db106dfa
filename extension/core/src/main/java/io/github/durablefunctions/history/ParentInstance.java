package io.github.durablefunctions.history;

/**
 * The parent of a sub-orchestration ({@code DurableTask.Core.ParentInstance}).
 *
 * @param name                  the parent's orchestrator name
 * @param version               the parent's version, or null
 * @param orchestrationInstance the parent instance and execution
 * @param taskScheduleId        the ID of the {@code SubOrchestrationInstanceCreated} event in the parent
 */
public record ParentInstance(String name, String version, OrchestrationInstance orchestrationInstance,
                             int taskScheduleId) {
}
