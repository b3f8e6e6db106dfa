package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Builds history fixtures the way the worker writes them: one block of events per episode. */
final class HistoryBuilder {
    static final String INSTANCE_ID = "fixture-instance";
    private final List<HistoryEvent> events = new ArrayList<>();
    private Instant clock = Instant.parse("2026-11-21T10:00:00Z");

    HistoryBuilder tick(long seconds) {
        clock = clock.plusSeconds(seconds);
        return this;
    }

    Instant now() {
        return clock;
    }

    HistoryBuilder orchestratorStarted() {
        events.add(new OrchestratorStartedEvent(-1, false, clock));
        return this;
    }

    HistoryBuilder orchestratorCompleted() {
        events.add(new OrchestratorCompletedEvent(-1, false, clock));
        return this;
    }

    HistoryBuilder executionStarted(String name, String inputJson) {
        events.add(new ExecutionStartedEvent(-1, false, clock, new OrchestrationInstance(INSTANCE_ID, "exec1"), null,
                name, null, inputJson, null, null, null, null, 0, false));
        return this;
    }

    HistoryBuilder taskScheduled(int id, String name, String inputJson) {
        events.add(new TaskScheduledEvent(id, false, clock, name, null, inputJson, null, null));
        return this;
    }

    HistoryBuilder taskCompleted(int id, String resultJson) {
        events.add(new TaskCompletedEvent(-1, false, clock, id, resultJson));
        return this;
    }

    HistoryBuilder taskFailed(int id, FailureDetails details) {
        events.add(new TaskFailedEvent(-1, false, clock, id, details.getErrorMessage(), null, details));
        return this;
    }

    /** The events so far, and a fresh builder state for the next list (same clock). */
    List<HistoryEvent> take() {
        List<HistoryEvent> taken = List.copyOf(events);
        events.clear();
        return taken;
    }
}
