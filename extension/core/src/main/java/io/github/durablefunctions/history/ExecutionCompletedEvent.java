package io.github.durablefunctions.history;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;

import java.time.Instant;

/** The end of an execution: Completed with a result, or Failed with failure details (or Terminated). */
public record ExecutionCompletedEvent(int eventId, boolean isPlayed, Instant timestamp,
                                      OrchestrationRuntimeStatus orchestrationStatus, String result,
                                      FailureDetails failureDetails) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.ExecutionCompleted;
    }
}
