package io.github.durablefunctions.history;

import java.time.Instant;

/** An activity completed with a JSON result. */
public record TaskCompletedEvent(int eventId, boolean isPlayed, Instant timestamp, int taskScheduledId, String result)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.TaskCompleted;
    }
}
