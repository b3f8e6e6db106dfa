package io.github.durablefunctions.history;

import java.time.Instant;

/** A snapshot of orchestration state as JSON; not written by this provider. */
public record HistoryStateEvent(int eventId, boolean isPlayed, Instant timestamp, String state)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.HistoryState;
    }
}
