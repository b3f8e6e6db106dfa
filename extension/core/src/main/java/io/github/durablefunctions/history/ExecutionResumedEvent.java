package io.github.durablefunctions.history;

import java.time.Instant;

/** The instance was resumed. */
public record ExecutionResumedEvent(int eventId, boolean isPlayed, Instant timestamp, String reason)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.ExecutionResumed;
    }
}
