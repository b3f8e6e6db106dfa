package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCompletedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.replay.OrchestrationExecutor;
import io.github.durablefunctions.replay.OrchestratorAction;
import io.github.durablefunctions.replay.OrchestratorResult;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Records a real history for tests: runs an orchestrator episode by episode with core's {@link OrchestrationExecutor}
 * and writes each episode as the worker does (OrchestratorStarted, the delivered events, the events of the actions,
 * OrchestratorCompleted), with a virtual clock that advances one second per episode. Activities and
 * sub-orchestrations are answered by functions of the test; timers fire at their time; external events are raised by
 * the test.
 */
final class HistoryRecorder {
    static final Instant START = Instant.parse("2024-05-01T12:00:00Z");

    private final String name;
    private final OrchestrationExecutor executor;
    private final List<HistoryEvent> history = new ArrayList<>();
    private final Map<Integer, TaskScheduledEvent> openActivities = new LinkedHashMap<>();
    private final Map<Integer, SubOrchestrationInstanceCreatedEvent> openSubOrchestrations = new LinkedHashMap<>();
    private final Map<Integer, TimerCreatedEvent> openTimers = new LinkedHashMap<>();
    private Instant now = START;
    private boolean ended;

    HistoryRecorder(String name, OrchestratorFunction<?> orchestrator) {
        this.name = name;
        this.executor = new OrchestrationExecutor(new JacksonDataConverter(),
                n -> n.equalsIgnoreCase(name) ? orchestrator : null);
    }

    /** Runs the first episode: the instance starts with the input JSON. */
    HistoryRecorder start(String instanceId, String inputJson) {
        episode(List.of(new ExecutionStartedEvent(-1, false, now,
                new OrchestrationInstance(instanceId, "0123456789abcdef0123456789abcdef"), null, name, null,
                inputJson, null, null, null, null, null, false)));
        return this;
    }

    /** Completes every open activity (result JSON of the function of the activity's name and input), in one episode. */
    HistoryRecorder completeActivities(Function<TaskScheduledEvent, String> results) {
        List<HistoryEvent> delivered = new ArrayList<>();
        for (TaskScheduledEvent task : openActivities.values()) {
            delivered.add(new TaskCompletedEvent(-1, false, now, task.eventId(), results.apply(task)));
        }
        openActivities.clear();
        return episode(delivered);
    }

    /** Fails every open activity with the given exception type and message, in one episode. */
    HistoryRecorder failActivities(String errorType, String message) {
        List<HistoryEvent> delivered = new ArrayList<>();
        for (TaskScheduledEvent task : openActivities.values()) {
            delivered.add(new TaskFailedEvent(-1, false, now, task.eventId(), message, null,
                    new FailureDetails(errorType, message)));
        }
        openActivities.clear();
        return episode(delivered);
    }

    /** Completes every open sub-orchestration with the given result JSON, in one episode. */
    HistoryRecorder completeSubOrchestrations(String resultJson) {
        List<HistoryEvent> delivered = new ArrayList<>();
        for (SubOrchestrationInstanceCreatedEvent sub : openSubOrchestrations.values()) {
            delivered.add(new SubOrchestrationInstanceCompletedEvent(-1, false, now, sub.eventId(), resultJson));
        }
        openSubOrchestrations.clear();
        return episode(delivered);
    }

    /** Fires every open timer (the clock moves to the latest), in one episode. */
    HistoryRecorder fireTimers() {
        List<HistoryEvent> delivered = new ArrayList<>();
        for (TimerCreatedEvent timer : openTimers.values()) {
            if (timer.fireAt().isAfter(now)) {
                now = timer.fireAt();
            }
            delivered.add(new TimerFiredEvent(-1, false, now, timer.eventId(), timer.fireAt()));
        }
        openTimers.clear();
        return episode(delivered);
    }

    /** Raises an external event, in one episode. */
    HistoryRecorder raiseEvent(String eventName, String dataJson) {
        return episode(List.of(new EventRaisedEvent(-1, false, now, eventName, dataJson, null)));
    }

    /** The history so far. */
    List<HistoryEvent> history() {
        return List.copyOf(history);
    }

    /** The history so far as a recorded history. */
    RecordedHistory recorded() {
        return RecordedHistory.of(history);
    }

    boolean ended() {
        return ended;
    }

    private HistoryRecorder episode(List<HistoryEvent> delivered) {
        if (ended) {
            throw new IllegalStateException("The execution has ended");
        }
        now = now.plus(Duration.ofSeconds(1));
        List<HistoryEvent> fresh = new ArrayList<>();
        fresh.add(new OrchestratorStartedEvent(-1, false, now));
        fresh.addAll(delivered);
        OrchestratorResult result = executor.execute(List.copyOf(history), fresh);
        for (OrchestratorAction action : result.actions()) {
            if (action instanceof OrchestratorAction.ScheduleTask task) {
                TaskScheduledEvent e = new TaskScheduledEvent(task.id(), false, now, task.name(), task.version(),
                        task.input(), null, null);
                fresh.add(e);
                openActivities.put(task.id(), e);
            } else if (action instanceof OrchestratorAction.CreateTimer timer) {
                TimerCreatedEvent e = new TimerCreatedEvent(timer.id(), false, now, timer.fireAt());
                fresh.add(e);
                openTimers.put(timer.id(), e);
            } else if (action instanceof OrchestratorAction.CreateSubOrchestration sub) {
                SubOrchestrationInstanceCreatedEvent e = new SubOrchestrationInstanceCreatedEvent(sub.id(), false,
                        now, sub.name(), sub.version(), sub.instanceId(), sub.input(), null, null);
                fresh.add(e);
                openSubOrchestrations.put(sub.id(), e);
            } else if (action instanceof OrchestratorAction.SendEvent send) {
                fresh.add(new EventSentEvent(send.id(), false, now, send.instanceId(), send.name(), send.data()));
            } else if (action instanceof OrchestratorAction.CompleteOrchestration complete) {
                if (complete.status() == OrchestrationRuntimeStatus.CONTINUED_AS_NEW) {
                    fresh.add(new ContinueAsNewEvent(complete.id(), false, now, complete.status(), complete.result(),
                            null));
                } else {
                    fresh.add(new ExecutionCompletedEvent(complete.id(), false, now, complete.status(),
                            complete.result(), complete.failureDetails()));
                }
                ended = true;
            }
        }
        fresh.add(new OrchestratorCompletedEvent(-1, false, now));
        history.addAll(fresh);
        return this;
    }
}
