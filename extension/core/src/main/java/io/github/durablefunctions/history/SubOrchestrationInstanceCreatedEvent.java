package io.github.durablefunctions.history;

import java.time.Instant;
import java.util.Map;

/** A sub-orchestration was scheduled; {@code eventId} is its task ID. */
public record SubOrchestrationInstanceCreatedEvent(int eventId, boolean isPlayed, Instant timestamp, String name,
                                                   String version, String instanceId, String input,
                                                   String clientSpanId, Map<String, String> tags)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.SubOrchestrationInstanceCreated;
    }
}
