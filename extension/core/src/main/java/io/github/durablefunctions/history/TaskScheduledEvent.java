package io.github.durablefunctions.history;

import java.time.Instant;
import java.util.Map;

/** An activity was scheduled; {@code eventId} is its task ID. */
public record TaskScheduledEvent(int eventId, boolean isPlayed, Instant timestamp, String name, String version,
                                 String input, DistributedTraceContext parentTraceContext, Map<String, String> tags)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.TaskScheduled;
    }
}
