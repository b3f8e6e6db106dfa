package io.github.durablefunctions.backend;

import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;

import java.util.Map;

/**
 * A message for an orchestration or an activity: one history event addressed to an instance
 * ({@code DurableTask.Core.TaskMessage}). In Azure Storage it travels inside a {@code MessageData} envelope
 * (storage-layout.md §6.2).
 *
 * @param event                 the event to deliver, e.g. {@code ExecutionStarted}, {@code TaskScheduled},
 *                              {@code TaskCompleted}, {@code TimerFired}
 * @param orchestrationInstance the target (for activities: the orchestration that scheduled it)
 * @param orchestrationTags     tags of the sending orchestration ({@code OrchestrationExecutionContext}), or null
 */
public record TaskMessage(HistoryEvent event, OrchestrationInstance orchestrationInstance,
                          Map<String, String> orchestrationTags) {

    /** A message without orchestration tags. */
    public TaskMessage(HistoryEvent event, OrchestrationInstance orchestrationInstance) {
        this(event, orchestrationInstance, null);
    }

    /** The target instance ID. */
    public String instanceId() {
        return orchestrationInstance.instanceId();
    }
}
