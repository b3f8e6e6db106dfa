package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.HistoryEvent;

import java.time.Instant;
import java.util.List;

/**
 * Something an orchestrator asked for in an episode, not yet in its history. The worker turns each action into a
 * history event (with the action's {@link #id()} as event ID) and, where needed, an outbound message
 * (storage-layout.md §6.3).
 */
public sealed interface OrchestratorAction {
    /** The action's sequence ID within the execution: the event ID of the history event it becomes. */
    int id();

    /** Schedule an activity: becomes {@code TaskScheduled} plus a work-item message. */
    record ScheduleTask(int id, String name, String version, String input) implements OrchestratorAction {
    }

    /**
     * Start a durable timer: becomes {@code TimerCreated(FireAt)} plus a {@code TimerFired(TimerId = id)} message to
     * the instance's own control queue, invisible until {@code fireAt}. The executor has already split long timers,
     * so {@code fireAt} is at most the executor's maximum timer interval (6 days by default) after the episode's
     * current time. It may be at or before that time (a zero or past timer), which fires at once.
     */
    record CreateTimer(int id, Instant fireAt) implements OrchestratorAction {
    }

    /**
     * Start a sub-orchestration: becomes {@code SubOrchestrationInstanceCreated} plus an {@code ExecutionStarted}
     * message (with {@code ParentInstance}, {@code TaskScheduleId = id}) to the child's control queue.
     */
    record CreateSubOrchestration(int id, String name, String version, String instanceId, String input)
            implements OrchestratorAction {
    }

    /**
     * Send an event to another instance: becomes {@code EventSent} plus an {@code EventRaised} message to the
     * target's control queue (its execution ID left null). Entity messages are sent this way too
     * (storage-layout.md §9): to the entity's instance ID {@code @name@key}, named {@code op} (data: a
     * {@link io.github.durablefunctions.entities.RequestMessage}), {@code op@<time>} (a scheduled signal: the
     * message is to stay invisible until that time) or {@code release} (a
     * {@link io.github.durablefunctions.entities.ReleaseMessage}).
     */
    record SendEvent(int id, String instanceId, String name, String data) implements OrchestratorAction {
    }

    /**
     * End the execution: becomes {@code ExecutionCompleted} (or {@code ContinueAsNew} for
     * {@link OrchestrationRuntimeStatus#CONTINUED_AS_NEW}). Actions before it in the same result (for example a
     * {@code sendEvent} just before {@code continueAsNew}) are still carried out. A Failed completion comes with
     * no other actions than the {@code release} messages of entity locks the orchestration held (so that a failure
     * leaves no entity locked); those come before it, as they do before a Completed one. A Terminated completion
     * comes alone.
     *
     * @param status          Completed, Failed, ContinuedAsNew, or Terminated (history held an
     *                        {@code ExecutionTerminated} event)
     * @param result          the output JSON (Completed), the new input JSON (ContinuedAsNew), the termination
     *                        reason JSON (Terminated), or null
     * @param failureDetails  why it failed (Failed), or null
     * @param carryoverEvents for ContinuedAsNew: the {@code EventRaised} events received but not consumed, to add to
     *                        the new execution (empty when not preserved)
     */
    record CompleteOrchestration(int id, OrchestrationRuntimeStatus status, String result,
                                 FailureDetails failureDetails, List<HistoryEvent> carryoverEvents)
            implements OrchestratorAction {
        public CompleteOrchestration {
            carryoverEvents = carryoverEvents == null ? List.of() : List.copyOf(carryoverEvents);
        }

        /** A completion without carry-over events. */
        public CompleteOrchestration(int id, OrchestrationRuntimeStatus status, String result,
                                     FailureDetails failureDetails) {
            this(id, status, result, failureDetails, List.of());
        }
    }
}
