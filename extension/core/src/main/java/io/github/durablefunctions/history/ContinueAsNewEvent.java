package io.github.durablefunctions.history;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;

import java.time.Instant;

/** The execution continued as new; {@code result} is the new input. */
public record ContinueAsNewEvent(int eventId, boolean isPlayed, Instant timestamp,
                                 OrchestrationRuntimeStatus orchestrationStatus, String result,
                                 FailureDetails failureDetails) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.ContinueAsNew;
    }
}
