package io.github.durablefunctions.history;

import java.time.Instant;

/** An external event arrived. */
public record EventRaisedEvent(int eventId, boolean isPlayed, Instant timestamp, String name, String input,
                               DistributedTraceContext parentTraceContext) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.EventRaised;
    }
}
