package io.github.durablefunctions.history;

import java.time.Instant;

/** A durable timer fired. */
public record TimerFiredEvent(int eventId, boolean isPlayed, Instant timestamp, int timerId, Instant fireAt)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.TimerFired;
    }
}
