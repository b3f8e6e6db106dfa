package io.github.durablefunctions.history;

import io.github.durablefunctions.FailureDetails;

import java.time.Instant;

/** An activity failed. */
public record TaskFailedEvent(int eventId, boolean isPlayed, Instant timestamp, int taskScheduledId, String reason,
                              String details, FailureDetails failureDetails) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.TaskFailed;
    }
}
