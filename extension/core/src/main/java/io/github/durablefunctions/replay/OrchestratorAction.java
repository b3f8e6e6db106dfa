package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;

/**
 * Something an orchestrator asked for in an episode, not yet in its history. The worker turns each action into a
 * history event (with the action's {@link #id()} as event ID) and, where needed, an outbound message.
 */
public sealed interface OrchestratorAction {
    /** The action's sequence ID within the execution: the event ID of the history event it becomes. */
    int id();

    /** Schedule an activity: becomes {@code TaskScheduled} plus a work-item message. */
    record ScheduleTask(int id, String name, String version, String input) implements OrchestratorAction {
    }

    /**
     * End the execution: becomes {@code ExecutionCompleted}.
     *
     * @param status         Completed or Failed
     * @param result         the output JSON (Completed), or null
     * @param failureDetails why it failed (Failed), or null
     */
    record CompleteOrchestration(int id, OrchestrationRuntimeStatus status, String result,
                                 FailureDetails failureDetails) implements OrchestratorAction {
    }
}
