package io.github.durablefunctions.history;

import java.time.Instant;

/** A request to terminate the instance; {@code input} is the reason. */
public record ExecutionTerminatedEvent(int eventId, boolean isPlayed, Instant timestamp, String input)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.ExecutionTerminated;
    }
}
