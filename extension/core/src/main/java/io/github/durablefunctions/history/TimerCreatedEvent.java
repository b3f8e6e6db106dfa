package io.github.durablefunctions.history;

import java.time.Instant;

/** A durable timer was created; {@code eventId} is its timer ID. */
public record TimerCreatedEvent(int eventId, boolean isPlayed, Instant timestamp, Instant fireAt)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.TimerCreated;
    }
}
