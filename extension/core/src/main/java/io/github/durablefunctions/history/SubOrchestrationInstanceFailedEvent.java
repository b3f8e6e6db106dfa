package io.github.durablefunctions.history;

import io.github.durablefunctions.FailureDetails;

import java.time.Instant;

/** A sub-orchestration failed. */
public record SubOrchestrationInstanceFailedEvent(int eventId, boolean isPlayed, Instant timestamp,
                                                  int taskScheduledId, String reason, String details,
                                                  FailureDetails failureDetails) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.SubOrchestrationInstanceFailed;
    }
}
