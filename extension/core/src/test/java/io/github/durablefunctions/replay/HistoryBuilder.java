package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCompletedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;

import java.time.Duration;
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

    HistoryBuilder tick(Duration duration) {
        clock = clock.plus(duration);
        return this;
    }

    /** Moves the clock to {@code instant} (for example a timer's fire time). */
    HistoryBuilder at(Instant instant) {
        clock = instant;
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

    HistoryBuilder timerCreated(int id, Instant fireAt) {
        events.add(new TimerCreatedEvent(id, false, clock, fireAt));
        return this;
    }

    HistoryBuilder timerFired(int id, Instant fireAt) {
        events.add(new TimerFiredEvent(-1, false, clock, id, fireAt));
        return this;
    }

    HistoryBuilder eventRaised(String name, String inputJson) {
        events.add(new EventRaisedEvent(-1, false, clock, name, inputJson, null));
        return this;
    }

    HistoryBuilder eventSent(int id, String instanceId, String name, String inputJson) {
        events.add(new EventSentEvent(id, false, clock, instanceId, name, inputJson));
        return this;
    }

    HistoryBuilder subOrchestrationCreated(int id, String name, String instanceId, String inputJson) {
        events.add(new SubOrchestrationInstanceCreatedEvent(id, false, clock, name, null, instanceId, inputJson, null,
                null));
        return this;
    }

    HistoryBuilder subOrchestrationCompleted(int id, String resultJson) {
        events.add(new SubOrchestrationInstanceCompletedEvent(-1, false, clock, id, resultJson));
        return this;
    }

    HistoryBuilder subOrchestrationFailed(int id, FailureDetails details) {
        events.add(new SubOrchestrationInstanceFailedEvent(-1, false, clock, id, details.getErrorMessage(), null,
                details));
        return this;
    }

    HistoryBuilder suspended(String reason) {
        events.add(new ExecutionSuspendedEvent(-1, false, clock, reason));
        return this;
    }

    HistoryBuilder resumed(String reason) {
        events.add(new ExecutionResumedEvent(-1, false, clock, reason));
        return this;
    }

    HistoryBuilder terminated(String reasonJson) {
        events.add(new ExecutionTerminatedEvent(-1, false, clock, reasonJson));
        return this;
    }

    HistoryBuilder generic(int id, String data) {
        events.add(new GenericEvent(id, false, clock, data));
        return this;
    }

    HistoryBuilder add(HistoryEvent event) {
        events.add(event);
        return this;
    }

    /** The events so far, and a fresh builder state for the next list (same clock). */
    List<HistoryEvent> take() {
        List<HistoryEvent> taken = List.copyOf(events);
        events.clear();
        return taken;
    }
}
