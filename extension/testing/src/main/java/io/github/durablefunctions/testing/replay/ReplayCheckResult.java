package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;

import java.util.List;

/**
 * What {@link ReplayCheck} found when it replayed one recorded history against the current orchestrator code.
 *
 * @param status               the verdict
 * @param instanceId           the instance ID of the history, or null if unknown
 * @param orchestratorName     the orchestrator the history belongs to (from its {@code ExecutionStarted}), or null
 * @param message              a one-paragraph explanation; for {@link Status#NON_DETERMINISTIC} the executor's own
 *                             message, naming what history holds and what the code now schedules at that position
 * @param historyIndex         for {@link Status#NON_DETERMINISTIC}: the 0-based index, in the history's event list,
 *                             of the first history event the code no longer agrees with; null when not known (for
 *                             example when the code schedules something at a position where history holds
 *                             nothing)
 * @param eventId              for {@link Status#NON_DETERMINISTIC}: the action position (event ID, the sequence
 *                             number of the code's durable calls, from 0) that differs; null when not known
 * @param recordedEvent        a description of the history event at {@code historyIndex}, e.g.
 *                             {@code TaskScheduled #1 'GetWeather'}; null when {@code historyIndex} is null
 * @param failure              for {@link Status#ORCHESTRATOR_FAILED} and {@link Status#NON_DETERMINISTIC}: the
 *                             failure details the replay ended with; otherwise null
 * @param replayedStatus       how the code ended on this replay: Completed, Failed, ContinuedAsNew or Terminated;
 *                             null if it is waiting for something not in history (a running instance)
 * @param actionsBeyondHistory what the code scheduled that the history does not hold yet (it goes further than the
 *                             recorded history, which is allowed), e.g. {@code activity 'Ship' (#2)}; empty if
 *                             none
 */
public record ReplayCheckResult(Status status, String instanceId, String orchestratorName, String message,
                                Integer historyIndex, Integer eventId, String recordedEvent, FailureDetails failure,
                                OrchestrationRuntimeStatus replayedStatus, List<String> actionsBeyondHistory) {

    /** The verdict of a replay check. */
    public enum Status {
        /** The code replays the history: every durable call it makes matches the history up to its end. */
        OK,
        /**
         * The code schedules something different from what history holds at some position (another activity,
         * sub-orchestration, timer or event; another order; a call history does not hold within a recorded
         * episode; or fewer calls than history holds). An instance with this history would fail on its next replay.
         */
        NON_DETERMINISTIC,
        /**
         * The orchestrator code threw during the replay (and the history does not record the same failure). Reported
         * rather than the non-determinism that follows from it when history holds calls after that point.
         */
        ORCHESTRATOR_FAILED,
        /** No orchestrator with the history's name is registered with the check. */
        UNKNOWN_ORCHESTRATOR,
        /** The history cannot be replayed: it has no {@code ExecutionStarted} event. */
        INVALID_HISTORY
    }

    public ReplayCheckResult {
        actionsBeyondHistory = actionsBeyondHistory == null ? List.of() : List.copyOf(actionsBeyondHistory);
    }

    /** True if the status is {@link Status#OK}. */
    public boolean isOk() {
        return status == Status.OK;
    }

    /** A human-readable summary in one or two lines, for reports and the command line. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(status).append(": orchestration ")
                .append(orchestratorName == null ? "(unknown)" : "'" + orchestratorName + "'");
        if (instanceId != null) {
            s.append(" (instance '").append(instanceId).append("')");
        }
        if (historyIndex != null) {
            s.append(", first differing step: history event [").append(historyIndex).append("] ")
                    .append(recordedEvent);
        } else if (eventId != null) {
            s.append(", first differing step: position #").append(eventId);
        }
        s.append(System.lineSeparator()).append("  ").append(message);
        return s.toString();
    }
}
