package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;

import java.util.List;
import java.util.Objects;

/**
 * The history of one execution of an orchestration instance, as recorded: what a {@link HistoryFile} holds and what
 * {@link ReplayCheck} replays.
 *
 * @param instanceId  the instance ID, or null if unknown
 * @param executionId the execution ID, or null if unknown
 * @param name        the orchestrator name, or null if unknown (the replay takes the name from the history's
 *                    {@code ExecutionStarted} event)
 * @param events      the history events of the execution, in history order (copied; never null)
 */
public record RecordedHistory(String instanceId, String executionId, String name, List<HistoryEvent> events) {
    public RecordedHistory {
        events = List.copyOf(Objects.requireNonNull(events, "events"));
    }

    /**
     * A recorded history whose instance ID, execution ID and orchestrator name are taken from its
     * {@code ExecutionStarted} event (null where the history has none).
     */
    public static RecordedHistory of(List<HistoryEvent> events) {
        ExecutionStartedEvent started = executionStarted(events);
        if (started == null) {
            return new RecordedHistory(null, null, null, events);
        }
        return new RecordedHistory(
                started.orchestrationInstance() == null ? null : started.orchestrationInstance().instanceId(),
                started.orchestrationInstance() == null ? null : started.orchestrationInstance().executionId(),
                started.name(), events);
    }

    /** The first {@code ExecutionStarted} event of the history, or null. */
    public ExecutionStartedEvent executionStarted() {
        return executionStarted(events);
    }

    private static ExecutionStartedEvent executionStarted(List<HistoryEvent> events) {
        for (HistoryEvent event : events) {
            if (event instanceof ExecutionStartedEvent started) {
                return started;
            }
        }
        return null;
    }

    /** A short label for reports: {@code name (instance 'id')}, with what is known. */
    public String label() {
        String orchestrator = name;
        if (orchestrator == null && executionStarted() != null) {
            orchestrator = executionStarted().name();
        }
        String id = instanceId;
        if (id == null && executionStarted() != null && executionStarted().orchestrationInstance() != null) {
            id = executionStarted().orchestrationInstance().instanceId();
        }
        return (orchestrator == null ? "(unknown orchestrator)" : "'" + orchestrator + "'")
                + (id == null ? "" : " (instance '" + id + "')");
    }
}
