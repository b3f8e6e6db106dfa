package io.github.durablefunctions.history;

import java.time.Instant;

/** A sub-orchestration completed with a JSON result. */
public record SubOrchestrationInstanceCompletedEvent(int eventId, boolean isPlayed, Instant timestamp,
                                                     int taskScheduledId, String result) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.SubOrchestrationInstanceCompleted;
    }
}
