package io.github.durablefunctions.history;

import java.time.Instant;

/** The instance was rewound. */
public record ExecutionRewoundEvent(int eventId, boolean isPlayed, Instant timestamp, String reason,
                                    String parentExecutionId, String instanceId,
                                    DistributedTraceContext parentTraceContext) implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.ExecutionRewound;
    }
}
