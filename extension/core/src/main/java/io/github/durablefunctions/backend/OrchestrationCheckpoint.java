package io.github.durablefunctions.backend;

import io.github.durablefunctions.history.OrchestrationRuntimeState;

import java.util.List;

/**
 * What one episode produced, for the backend to persist in checkpoint order (storage-layout.md §8.3): first the
 * outbound messages, then the new history events (under the history's concurrency token), then the instance state,
 * and last the deletion of the work item's inbound messages.
 *
 * @param newRuntimeState       the execution's history after the episode; its new events are the ones to append.
 *                              After a continue-as-new it is a fresh execution whose events are all new.
 * @param activityMessages      {@code TaskScheduled} messages for the activity (work-item) queue
 * @param orchestratorMessages  messages for other instances' control queues (events, sub-orchestration starts and
 *                              completions)
 * @param timerMessages         {@code TimerFired} messages for this instance, to deliver at their {@code fireAt}
 */
public record OrchestrationCheckpoint(OrchestrationRuntimeState newRuntimeState,
                                      List<TaskMessage> activityMessages,
                                      List<TaskMessage> orchestratorMessages,
                                      List<TaskMessage> timerMessages) {
    public OrchestrationCheckpoint {
        activityMessages = List.copyOf(activityMessages);
        orchestratorMessages = List.copyOf(orchestratorMessages);
        timerMessages = List.copyOf(timerMessages);
    }
}
