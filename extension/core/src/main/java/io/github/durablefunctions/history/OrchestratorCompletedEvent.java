package io.github.durablefunctions.history;

import java.time.Instant;

/** The end of an episode. */
public record OrchestratorCompletedEvent(int eventId, boolean isPlayed, Instant timestamp) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.OrchestratorCompleted;
    }
}
