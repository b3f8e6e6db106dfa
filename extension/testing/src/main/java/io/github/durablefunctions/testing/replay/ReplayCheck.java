package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.NonDeterministicOrchestratorException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.replay.OrchestrationExecutor;
import io.github.durablefunctions.replay.OrchestratorAction;
import io.github.durablefunctions.replay.OrchestratorResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays recorded histories against the current orchestrator code and tells whether an instance with that history
 * would still replay: the check to run before deploying a change to an orchestrator while instances are in flight.
 *
 * <p>The replay is core's {@link OrchestrationExecutor}, the same pure executor the worker runs, with its own
 * non-determinism detection (each durable call the code makes is matched by position, type and name against the
 * history event at that position; a recorded episode must not gain calls). This class turns its outcome into a
 * {@link ReplayCheckResult}.
 *
 * <p>How the history is fed:
 * <ul>
 *   <li><b>A running instance</b> (no {@code ExecutionCompleted} / {@code ContinueAsNew} in history): every event is
 *   a past event, so the code re-runs exactly as on the instance's next replay. Where history ends the code may go
 *   further (wait for a result not in history yet, or schedule new calls after the last recorded result): that is
 *   not an error; the new calls are reported in {@link ReplayCheckResult#actionsBeyondHistory()}.</li>
 *   <li><b>An ended execution</b> (Completed, Failed, Terminated or ContinuedAsNew): every episode but the last is a
 *   past event; the last episode is fed as the new events the worker would have received for it (its
 *   {@code OrchestratorStarted} and the results, timers and events it delivered, without the actions the old code
 *   took in it). That is what an instance that was still waiting at the previous episode boundary would run into,
 *   so new code that now goes further where the old code completed, or completes differently in that last episode,
 *   passes; any difference in the earlier episodes is reported.</li>
 * </ul>
 * An orchestrator that throws during the replay is {@link ReplayCheckResult.Status#ORCHESTRATOR_FAILED}, unless
 * the history records the execution failing with the same exception type; this takes precedence over the
 * non-determinism its early end causes (history holding calls the code no longer reaches).
 *
 * <p>Activities, entities and sub-orchestrations are not run: their results come from history. Use the same
 * {@link DataConverter} and timer settings as the app (the defaults are the worker's defaults).
 *
 * <p>Thread-safe once built; each {@link #check} is independent.
 */
public final class ReplayCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayCheck.class);
    /** How core's executor names the position in its non-determinism messages. */
    private static final Pattern POSITION = Pattern.compile("at position #(\\d+)");

    private final Map<String, OrchestratorFunction<?>> orchestrators;
    private final DataConverter dataConverter;
    private final Duration maxTimerInterval;
    private final Duration timerPieceLength;
    private final Duration entityMessageReorderWindow;

    private ReplayCheck(Builder builder) {
        this.orchestrators = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        this.orchestrators.putAll(builder.orchestrators);
        this.dataConverter = builder.dataConverter;
        this.maxTimerInterval = builder.maxTimerInterval;
        this.timerPieceLength = builder.timerPieceLength;
        this.entityMessageReorderWindow = builder.entityMessageReorderWindow;
        // Validates the settings now rather than at the first check.
        new OrchestrationExecutor(dataConverter, n -> null, maxTimerInterval, timerPieceLength,
                entityMessageReorderWindow);
    }

    /** A builder with the worker's defaults and no orchestrators. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A check of the given orchestrators (by name, matched ignoring case as the worker does) with the default
     * {@link JacksonDataConverter} and timer settings.
     */
    public static ReplayCheck of(Map<String, ? extends OrchestratorFunction<?>> orchestrators) {
        Builder builder = builder();
        orchestrators.forEach(builder::addOrchestrator);
        return builder.build();
    }

    /** Checks each history; results in the same order. */
    public List<ReplayCheckResult> checkAll(List<RecordedHistory> histories) {
        List<ReplayCheckResult> results = new ArrayList<>(histories.size());
        for (RecordedHistory history : histories) {
            results.add(check(history));
        }
        return results;
    }

    /**
     * Replays one recorded history against the registered orchestrator with the history's name.
     *
     * @return the verdict; never null (problems with the history itself are reported as
     *         {@link ReplayCheckResult.Status#INVALID_HISTORY})
     */
    public ReplayCheckResult check(RecordedHistory history) {
        Objects.requireNonNull(history, "history");
        List<HistoryEvent> events = history.events();
        ExecutionStartedEvent started = history.executionStarted();
        String instanceId = history.instanceId() != null ? history.instanceId()
                : started != null && started.orchestrationInstance() != null
                ? started.orchestrationInstance().instanceId() : null;
        String name = started != null ? started.name() : history.name();
        if (started == null) {
            return new ReplayCheckResult(ReplayCheckResult.Status.INVALID_HISTORY, instanceId, name,
                    "The history has no ExecutionStarted event, so there is nothing to replay.", null, null, null,
                    null, null, List.of());
        }
        if (name == null || !orchestrators.containsKey(name)) {
            return new ReplayCheckResult(ReplayCheckResult.Status.UNKNOWN_ORCHESTRATOR, instanceId, name,
                    "No orchestrator named '" + name + "' is registered with the replay check (registered: "
                            + orchestrators.keySet() + ").", null, null, null, null, null, List.of());
        }

        HistoryEvent recordedEnd = recordedEnd(events);
        List<HistoryEvent> past;
        List<HistoryEvent> fresh;
        int lastEpisode = lastIndexOf(events, OrchestratorStartedEvent.class);
        if (recordedEnd != null && lastEpisode >= 0) {
            past = events.subList(0, lastEpisode);
            fresh = new ArrayList<>();
            for (HistoryEvent event : events.subList(lastEpisode, events.size())) {
                if (!isActionRecord(event)) {
                    fresh.add(event);
                }
            }
        } else {
            past = events;
            fresh = List.of();
        }

        Capturing capturing = new Capturing(orchestrators.get(name));
        OrchestrationExecutor executor = new OrchestrationExecutor(dataConverter,
                n -> n.equalsIgnoreCase(name) ? capturing : orchestrators.get(n), maxTimerInterval,
                timerPieceLength, entityMessageReorderWindow);
        OrchestratorResult result;
        try {
            result = executor.execute(past, fresh);
        } catch (RuntimeException e) {
            // The executor reports failures of the code as a Failed completion; this is a failure around it.
            FailureDetails failure = FailureDetails.fromException(e);
            return new ReplayCheckResult(ReplayCheckResult.Status.ORCHESTRATOR_FAILED, instanceId, name,
                    "The replay failed: " + failure, null, null, null, failure, null, List.of());
        }
        OrchestratorAction.CompleteOrchestration completion = result.completion();
        OrchestrationRuntimeStatus replayedStatus = completion == null ? null : completion.status();
        List<String> beyond = actionsBeyondHistory(result, events);

        ReplayCheckResult verdict;
        if (replayedStatus == OrchestrationRuntimeStatus.FAILED) {
            verdict = failed(history, instanceId, name, completion.failureDetails(), capturing.thrown, recordedEnd,
                    beyond);
        } else {
            StringBuilder message = new StringBuilder("The code replays all " + events.size() + " history events");
            if (replayedStatus == null) {
                message.append(" and is waiting for what history does not hold yet");
            } else {
                message.append(" and ends ").append(replayedStatus.statusName());
            }
            if (!beyond.isEmpty()) {
                message.append("; beyond the end of history it schedules ").append(String.join(", ", beyond));
            }
            message.append('.');
            verdict = new ReplayCheckResult(ReplayCheckResult.Status.OK, instanceId, name, message.toString(), null,
                    null, null, null, replayedStatus, beyond);
        }
        LOG.debug("Replay check of {}: {}: {}", history.label(), verdict.status(), verdict.message());
        return verdict;
    }

    private ReplayCheckResult failed(RecordedHistory history, String instanceId, String name, FailureDetails failure,
                                     Exception thrownByCode, HistoryEvent recordedEnd, List<String> beyond) {
        boolean nonDeterministic = failure != null
                && NonDeterministicOrchestratorException.class.getName().equals(failure.getErrorType());
        if (nonDeterministic && thrownByCode != null) {
            // The code threw first; the history holding calls it no longer reached is a consequence, not the cause.
            FailureDetails thrown = FailureDetails.fromException(thrownByCode);
            return new ReplayCheckResult(ReplayCheckResult.Status.ORCHESTRATOR_FAILED, instanceId, name,
                    "The orchestrator failed during the replay: " + thrown + " (so it did not reach the rest of "
                            + "its history: " + failure.getErrorMessage() + ")", null, null, null, thrown,
                    OrchestrationRuntimeStatus.FAILED, List.of());
        }
        if (nonDeterministic) {
            Integer eventId = null;
            Integer index = null;
            String recorded = null;
            Matcher m = POSITION.matcher(failure.getErrorMessage());
            if (m.find()) {
                eventId = Integer.valueOf(m.group(1));
                index = indexOfActionRecord(history.events(), eventId);
                if (index != null) {
                    recorded = describe(history.events().get(index));
                }
            }
            return new ReplayCheckResult(ReplayCheckResult.Status.NON_DETERMINISTIC, instanceId, name,
                    failure.getErrorMessage(), index, eventId, recorded, failure, OrchestrationRuntimeStatus.FAILED,
                    List.of());
        }
        if (failure != null && recordedEnd instanceof ExecutionCompletedEvent end
                && end.orchestrationStatus() == OrchestrationRuntimeStatus.FAILED && end.failureDetails() != null
                && end.failureDetails().getErrorType().equals(failure.getErrorType())) {
            return new ReplayCheckResult(ReplayCheckResult.Status.OK, instanceId, name,
                    "The code replays all " + history.events().size() + " history events and fails with "
                            + failure.getErrorType() + " as the history records.", null, null, null, null,
                    OrchestrationRuntimeStatus.FAILED, beyond);
        }
        String detail = failure == null ? "(no failure details)" : failure.toString();
        return new ReplayCheckResult(ReplayCheckResult.Status.ORCHESTRATOR_FAILED, instanceId, name,
                "The orchestrator failed during the replay: " + detail, null, null, null, failure,
                OrchestrationRuntimeStatus.FAILED, List.of());
    }

    /** The history's ExecutionCompleted or ContinueAsNew event, or null for a running instance. */
    private static HistoryEvent recordedEnd(List<HistoryEvent> events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            HistoryEvent event = events.get(i);
            if (event instanceof ExecutionCompletedEvent || event instanceof ContinueAsNewEvent) {
                return event;
            }
        }
        return null;
    }

    private static int lastIndexOf(List<HistoryEvent> events, Class<? extends HistoryEvent> type) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Events that record what the code did in an episode (not what was delivered to it). */
    private static boolean isActionRecord(HistoryEvent event) {
        return isScheduled(event) || event instanceof ExecutionCompletedEvent || event instanceof ContinueAsNewEvent
                || event instanceof OrchestratorCompletedEvent;
    }

    /** Events whose event ID is the position of a durable call of the code. */
    private static boolean isScheduled(HistoryEvent event) {
        return event instanceof TaskScheduledEvent || event instanceof TimerCreatedEvent
                || event instanceof SubOrchestrationInstanceCreatedEvent || event instanceof EventSentEvent;
    }

    private static Integer indexOfActionRecord(List<HistoryEvent> events, int eventId) {
        for (int i = 0; i < events.size(); i++) {
            if (isScheduled(events.get(i)) && events.get(i).eventId() == eventId) {
                return i;
            }
        }
        return null;
    }

    /** The new actions at positions history holds nothing for (the completion excluded). */
    private static List<String> actionsBeyondHistory(OrchestratorResult result, List<HistoryEvent> events) {
        Set<Integer> recorded = new HashSet<>();
        for (HistoryEvent event : events) {
            if (isScheduled(event)) {
                recorded.add(event.eventId());
            }
        }
        List<String> beyond = new ArrayList<>();
        for (OrchestratorAction action : result.actions()) {
            if (!(action instanceof OrchestratorAction.CompleteOrchestration) && !recorded.contains(action.id())) {
                beyond.add(describe(action));
            }
        }
        return beyond;
    }

    /** A history event for reports, e.g. {@code TaskScheduled #1 'GetWeather'}. */
    static String describe(HistoryEvent event) {
        String base = event.eventType().name() + " #" + event.eventId();
        if (event instanceof TaskScheduledEvent e) {
            return base + " (activity '" + e.name() + "')";
        } else if (event instanceof SubOrchestrationInstanceCreatedEvent e) {
            return base + " (sub-orchestration '" + e.name() + "')";
        } else if (event instanceof EventSentEvent e) {
            return base + " (event '" + e.name() + "' to '" + e.instanceId() + "')";
        } else if (event instanceof TimerCreatedEvent e) {
            return base + " (timer until " + e.fireAt() + ")";
        }
        return base;
    }

    /** A new action for reports, e.g. {@code activity 'Ship' (#2)}. */
    static String describe(OrchestratorAction action) {
        if (action instanceof OrchestratorAction.ScheduleTask a) {
            return "activity '" + a.name() + "' (#" + a.id() + ")";
        } else if (action instanceof OrchestratorAction.CreateSubOrchestration a) {
            return "sub-orchestration '" + a.name() + "' (#" + a.id() + ")";
        } else if (action instanceof OrchestratorAction.CreateTimer a) {
            return "timer until " + a.fireAt() + " (#" + a.id() + ")";
        } else if (action instanceof OrchestratorAction.SendEvent a) {
            return "event '" + a.name() + "' to '" + a.instanceId() + "' (#" + a.id() + ")";
        }
        return action.getClass().getSimpleName() + " (#" + action.id() + ")";
    }

    /**
     * Runs the orchestrator and remembers the exception its own code threw (not the replay's control-flow signals,
     * which are {@link Error}s, nor a non-determinism the replay detected).
     */
    private static final class Capturing implements OrchestratorFunction<Object> {
        private final OrchestratorFunction<?> delegate;
        Exception thrown;

        Capturing(OrchestratorFunction<?> delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object apply(io.github.durablefunctions.TaskOrchestrationContext ctx) throws Exception {
            try {
                return delegate.apply(ctx);
            } catch (Exception e) {
                if (!causedByNonDeterminism(e)) {
                    thrown = e;
                }
                throw e;
            }
        }

        private static boolean causedByNonDeterminism(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof NonDeterministicOrchestratorException) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Configures a {@link ReplayCheck}: the orchestrators to check and the app's replay settings. */
    public static final class Builder {
        private final Map<String, OrchestratorFunction<?>> orchestrators = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        private DataConverter dataConverter = new JacksonDataConverter();
        private Duration maxTimerInterval = OrchestrationExecutor.DEFAULT_MAX_TIMER_INTERVAL;
        private Duration timerPieceLength = OrchestrationExecutor.DEFAULT_TIMER_PIECE_LENGTH;
        private Duration entityMessageReorderWindow = io.github.durablefunctions.entities.MessageSorter
                .DEFAULT_REORDER_WINDOW;

        private Builder() {
        }

        /**
         * Registers an orchestrator under the name its histories carry (as {@code DurableTaskWorker.Builder
         * .addOrchestrator} does).
         *
         * @throws IllegalArgumentException if the name is blank or already registered (ignoring case)
         */
        public Builder addOrchestrator(String name, OrchestratorFunction<?> orchestrator) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("An orchestrator needs a name");
            }
            Objects.requireNonNull(orchestrator, "orchestrator");
            if (orchestrators.putIfAbsent(name, orchestrator) != null) {
                throw new IllegalArgumentException("An orchestrator named '" + name + "' is already registered");
            }
            return this;
        }

        /** The converter the app uses; default {@link JacksonDataConverter}. */
        public Builder dataConverter(DataConverter dataConverter) {
            this.dataConverter = Objects.requireNonNull(dataConverter, "dataConverter");
            return this;
        }

        /**
         * The app's durable timer limits (see {@link OrchestrationExecutor}); defaults
         * {@link OrchestrationExecutor#DEFAULT_MAX_TIMER_INTERVAL} and
         * {@link OrchestrationExecutor#DEFAULT_TIMER_PIECE_LENGTH}. Histories with long timers replay only with the
         * values they were recorded with.
         */
        public Builder maximumTimerInterval(Duration max, Duration piece) {
            this.maxTimerInterval = Objects.requireNonNull(max, "max");
            this.timerPieceLength = Objects.requireNonNull(piece, "piece");
            return this;
        }

        /** The app's entity message reorder window; default {@code MessageSorter.DEFAULT_REORDER_WINDOW}. */
        public Builder entityMessageReorderWindow(Duration window) {
            this.entityMessageReorderWindow = Objects.requireNonNull(window, "window");
            return this;
        }

        /**
         * @throws IllegalArgumentException if the timer settings are invalid (see {@link OrchestrationExecutor})
         */
        public ReplayCheck build() {
            return new ReplayCheck(this);
        }
    }
}
