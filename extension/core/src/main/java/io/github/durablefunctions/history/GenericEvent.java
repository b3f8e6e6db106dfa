package io.github.durablefunctions.history;

import java.time.Instant;

/** A generic event (also what rewind turns failure rows into). */
public record GenericEvent(int eventId, boolean isPlayed, Instant timestamp, String data) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.GenericEvent;
    }
}
