package io.github.durablefunctions.history;

import java.time.Instant;

/** The start of an episode; its timestamp is the orchestration's current time during that episode. */
public record OrchestratorStartedEvent(int eventId, boolean isPlayed, Instant timestamp) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.OrchestratorStarted;
    }
}
