package io.github.durablefunctions.replay;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.NonDeterministicOrchestratorException;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.history.HistoryEvent;

import java.util.List;
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
 */
public final class OrchestrationExecutor {
    private final DataConverter dataConverter;
    private final Function<String, OrchestratorFunction<?>> orchestrators;

    /**
     * @param dataConverter converts inputs, outputs and results
     * @param orchestrators looks an orchestrator up by name; returns null for an unknown name
     */
    public OrchestrationExecutor(DataConverter dataConverter, Function<String, OrchestratorFunction<?>> orchestrators) {
        this.dataConverter = dataConverter;
        this.orchestrators = orchestrators;
    }

    /**
     * Runs the orchestrator named in the history's {@code ExecutionStarted} event.
     *
     * @param pastEvents events already committed (replayed with {@code getIsReplaying() == true})
     * @param newEvents  events of this episode, starting with its {@code OrchestratorStarted}
     * @return the new actions; empty if the history has no {@code ExecutionStarted} event
     */
    public OrchestratorResult execute(List<HistoryEvent> pastEvents, List<HistoryEvent> newEvents) {
        ReplayContext ctx = new ReplayContext(dataConverter, pastEvents, newEvents);
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
