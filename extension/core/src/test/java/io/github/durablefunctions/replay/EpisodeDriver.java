package io.github.durablefunctions.replay;

import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Drives the executor episode by episode the way the worker does: each episode runs the orchestrator over the
 * committed history plus the episode's new events (an {@code OrchestratorStarted} followed by the given messages),
 * then commits the new events, one scheduled event per returned action, and an {@code OrchestratorCompleted}. Every
 * episode therefore replays all earlier ones, so an executor that decides differently on replay fails the
 * orchestration as non-deterministic.
 */
final class EpisodeDriver {
    static final String NAME = "Test";
    static final JacksonDataConverter JSON = new JacksonDataConverter();

    private final OrchestrationExecutor executor;
    private final HistoryBuilder builder = new HistoryBuilder();
    private final List<HistoryEvent> past = new ArrayList<>();
    private final List<OrchestratorAction> allActions = new ArrayList<>();

    EpisodeDriver(OrchestratorFunction<?> orchestrator) {
        this(orchestrator, OrchestrationExecutor.DEFAULT_MAX_TIMER_INTERVAL,
                OrchestrationExecutor.DEFAULT_TIMER_PIECE_LENGTH);
    }

    EpisodeDriver(OrchestratorFunction<?> orchestrator, Duration maxTimerInterval, Duration timerPieceLength) {
        this.executor = new OrchestrationExecutor(JSON, name -> NAME.equals(name) ? orchestrator : null,
                maxTimerInterval, timerPieceLength);
    }

    /** The first episode: {@code ExecutionStarted} with the given input. */
    OrchestratorResult start(String inputJson) {
        return episode(h -> h.executionStarted(NAME, inputJson));
    }

    /** One episode with the messages {@code messages} adds to the builder (after {@code OrchestratorStarted}). */
    OrchestratorResult episode(Consumer<HistoryBuilder> messages) {
        builder.orchestratorStarted();
        messages.accept(builder);
        List<HistoryEvent> news = builder.take();
        OrchestratorResult result = executor.execute(List.copyOf(past), news);
        past.addAll(news);
        Instant now = builder.now();
        for (OrchestratorAction action : result.actions()) {
            past.add(toEvent(action, now));
        }
        past.add(new OrchestratorCompletedEvent(-1, false, now));
        allActions.addAll(result.actions());
        return result;
    }

    /** Runs the executor once more over the whole committed history plus {@code newEvents}, without committing. */
    OrchestratorResult replay(List<HistoryEvent> newEvents) {
        return executor.execute(List.copyOf(past), newEvents);
    }

    EpisodeDriver tick(long seconds) {
        builder.tick(seconds);
        return this;
    }

    EpisodeDriver tick(Duration duration) {
        builder.tick(duration);
        return this;
    }

    EpisodeDriver at(Instant instant) {
        builder.at(instant);
        return this;
    }

    Instant now() {
        return builder.now();
    }

    /** The committed history. */
    List<HistoryEvent> history() {
        return List.copyOf(past);
    }

    /** Every action of every episode so far, in order. */
    List<OrchestratorAction> allActions() {
        return List.copyOf(allActions);
    }

    /** The history event the worker writes for an action (storage-layout.md §6.3). */
    static HistoryEvent toEvent(OrchestratorAction action, Instant now) {
        if (action instanceof OrchestratorAction.ScheduleTask task) {
            return new TaskScheduledEvent(task.id(), false, now, task.name(), task.version(), task.input(), null,
                    null);
        } else if (action instanceof OrchestratorAction.CreateTimer timer) {
            return new TimerCreatedEvent(timer.id(), false, now, timer.fireAt());
        } else if (action instanceof OrchestratorAction.CreateSubOrchestration sub) {
            return new SubOrchestrationInstanceCreatedEvent(sub.id(), false, now, sub.name(), sub.version(),
                    sub.instanceId(), sub.input(), null, null);
        } else if (action instanceof OrchestratorAction.SendEvent send) {
            return new EventSentEvent(send.id(), false, now, send.instanceId(), send.name(), send.data());
        } else if (action instanceof OrchestratorAction.CompleteOrchestration complete) {
            if (complete.status() == OrchestrationRuntimeStatus.CONTINUED_AS_NEW) {
                return new ContinueAsNewEvent(complete.id(), false, now, complete.status(), complete.result(),
                        complete.failureDetails());
            }
            return new ExecutionCompletedEvent(complete.id(), false, now, complete.status(), complete.result(),
                    complete.failureDetails());
        }
        throw new IllegalArgumentException("Unknown action " + action);
    }
}
