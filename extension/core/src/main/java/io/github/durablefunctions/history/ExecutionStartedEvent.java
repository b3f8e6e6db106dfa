package io.github.durablefunctions.history;

import java.time.Instant;
import java.util.Map;

/** The start of an execution: its orchestrator name, input, instance and (for sub-orchestrations) parent. */
public record ExecutionStartedEvent(int eventId, boolean isPlayed, Instant timestamp,
                                    OrchestrationInstance orchestrationInstance, ParentInstance parentInstance,
                                    String name, String version, String input, Map<String, String> tags,
                                    String correlation, DistributedTraceContext parentTraceContext,
                                    Instant scheduledStartTime, Integer generation, boolean generateNewTrace)
        implements HistoryEvent {
    @Override
    public EventType eventType() {
        return EventType.ExecutionStarted;
    }
}
