package io.github.durablefunctions.history;

import java.time.Instant;

/** The orchestration sent an event to another instance. */
public record EventSentEvent(int eventId, boolean isPlayed, Instant timestamp, String instanceId, String name,
                             String input) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.EventSent;
    }
}
