package io.github.durablefunctions.replay;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.NonDeterministicOrchestratorException;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.history.HistoryEvent;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Replays an orchestrator over its history and returns what it asks for next. Pure: history events in, actions out;
 * no I/O, no clock, no threads of its own (ARCHITECTURE.md "Boundaries").
 *
 * <p>The orchestrator function runs on the calling thread. Each {@code Task.await()} whose result is in history
 * returns it; the first one whose result is not stops the function (throw-to-yield), and the actions scheduled so
 * far that history does not yet hold are returned. Each action scheduled during replay is checked against the
 * history event at its position by type and name; a mismatch fails the orchestration with a
 * {@link io.github.durablefunctions.NonDeterministicOrchestratorException}.
 *
 * <p>Durable timers further away than {@code maxTimerInterval} are split into a chain of timers of
 * {@code timerPieceLength} each (storage-layout.md §8.6: Azure queue messages stay invisible for at most 7 days), so
 * every {@link OrchestratorAction.CreateTimer} fires at most {@code maxTimerInterval} after the episode's current time.
 *
 * <p>Requests to entities ({@code signalEntity}, {@code callEntity}, {@code lockEntities}) are
 * {@link OrchestratorAction.SendEvent} actions to the entity's instance ID {@code @name@key} whose data is an entity
 * request message, labelled for ordering with the entity message reorder window (storage-layout.md §9).
 */
public final class OrchestrationExecutor {
    /** Timers further away than this are chained (the Durable Functions Azure Storage value: 6 days). */
    public static final Duration DEFAULT_MAX_TIMER_INTERVAL = Duration.ofDays(6);
    /** The length of each piece of a chained timer (the Durable Functions Azure Storage value: 3 days). */
    public static final Duration DEFAULT_TIMER_PIECE_LENGTH = Duration.ofDays(3);

    private final DataConverter dataConverter;
    private final Function<String, OrchestratorFunction<?>> orchestrators;
    private final Duration maxTimerInterval;
    private final Duration timerPieceLength;
    private final Duration entityMessageReorderWindow;

    /**
     * An executor with the default timer limits ({@link #DEFAULT_MAX_TIMER_INTERVAL},
     * {@link #DEFAULT_TIMER_PIECE_LENGTH}).
     *
     * @param dataConverter converts inputs, outputs and results
     * @param orchestrators looks an orchestrator up by name; returns null for an unknown name
     */
    public OrchestrationExecutor(DataConverter dataConverter, Function<String, OrchestratorFunction<?>> orchestrators) {
        this(dataConverter, orchestrators, DEFAULT_MAX_TIMER_INTERVAL, DEFAULT_TIMER_PIECE_LENGTH);
    }

    /**
     * @param dataConverter    converts inputs, outputs and results
     * @param orchestrators    looks an orchestrator up by name; returns null for an unknown name
     * @param maxTimerInterval the longest single durable timer; longer ones are chained
     * @param timerPieceLength the length of each piece of a chained timer
     * @throws IllegalArgumentException unless {@code 0 < timerPieceLength <= maxTimerInterval}
     */
    public OrchestrationExecutor(DataConverter dataConverter, Function<String, OrchestratorFunction<?>> orchestrators,
                                 Duration maxTimerInterval, Duration timerPieceLength) {
        this(dataConverter, orchestrators, maxTimerInterval, timerPieceLength, MessageSorter.DEFAULT_REORDER_WINDOW);
    }

    /**
     * @param dataConverter              converts inputs, outputs and results
     * @param orchestrators              looks an orchestrator up by name; returns null for an unknown name
     * @param maxTimerInterval           the longest single durable timer; longer ones are chained
     * @param timerPieceLength           the length of each piece of a chained timer
     * @param entityMessageReorderWindow the reorder window with which requests to entities are labelled
     *                                   ({@link MessageSorter}; DTFx {@code EntityMessageReorderWindow}, by default
     *                                   {@link MessageSorter#DEFAULT_REORDER_WINDOW}); zero sends them unlabelled
     * @throws IllegalArgumentException unless {@code 0 < timerPieceLength <= maxTimerInterval}, or if the reorder
     *                                  window is negative
     */
    public OrchestrationExecutor(DataConverter dataConverter, Function<String, OrchestratorFunction<?>> orchestrators,
                                 Duration maxTimerInterval, Duration timerPieceLength,
                                 Duration entityMessageReorderWindow) {
        Objects.requireNonNull(maxTimerInterval, "maxTimerInterval");
        Objects.requireNonNull(entityMessageReorderWindow, "entityMessageReorderWindow");
        if (entityMessageReorderWindow.isNegative()) {
            throw new IllegalArgumentException("The entity message reorder window must not be negative: "
                    + entityMessageReorderWindow);
        }
        Objects.requireNonNull(timerPieceLength, "timerPieceLength");
        if (timerPieceLength.isZero() || timerPieceLength.isNegative()
                || timerPieceLength.compareTo(maxTimerInterval) > 0) {
            throw new IllegalArgumentException("The timer piece length (" + timerPieceLength + ") must be positive and "
                    + "at most the maximum timer interval (" + maxTimerInterval + ")");
        }
        this.dataConverter = dataConverter;
        this.orchestrators = orchestrators;
        this.maxTimerInterval = maxTimerInterval;
        this.timerPieceLength = timerPieceLength;
        this.entityMessageReorderWindow = entityMessageReorderWindow;
    }

    /**
     * Runs the orchestrator named in the history's {@code ExecutionStarted} event.
     *
     * @param pastEvents events already committed (replayed with {@code getIsReplaying() == true})
     * @param newEvents  events of this episode, starting with its {@code OrchestratorStarted}
     * @return the new actions and the custom status; no actions if the history has no {@code ExecutionStarted} event
     */
    public OrchestratorResult execute(List<HistoryEvent> pastEvents, List<HistoryEvent> newEvents) {
        ReplayContext ctx = new ReplayContext(dataConverter, maxTimerInterval, timerPieceLength,
                entityMessageReorderWindow, pastEvents, newEvents);
        try {
            if (!ctx.advanceToExecutionStarted()) {
                return ctx.result();
            }
            OrchestratorFunction<?> orchestrator = orchestrators.apply(ctx.getName());
            if (orchestrator == null) {
                ctx.fail(new FailureDetails(IllegalStateException.class.getName(),
                        "No orchestrator function named '" + ctx.getName() + "' is registered in this app.",
                        null, null, true, null));
                return ctx.result();
            }
            ctx.runOrchestrator(orchestrator);
        } catch (NonDeterministicOrchestratorException e) {
            ctx.failNonDeterministic(e);
        }
        return ctx.result();
    }
}
