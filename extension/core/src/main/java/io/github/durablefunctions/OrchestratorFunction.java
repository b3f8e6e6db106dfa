package io.github.durablefunctions;

/**
 * An orchestrator's code: takes the context, returns the orchestration's output (serialized to JSON; null for none).
 * Hosts adapt {@code @OrchestrationTrigger} methods to this interface; tests and embedders may use lambdas.
 *
 * @param <R> the output type
 */
@FunctionalInterface
public interface OrchestratorFunction<R> {
    /**
     * Runs (or replays) the orchestration.
     *
     * @return the output of the orchestration
     * @throws Exception any failure; it fails the orchestration with {@link FailureDetails} of the exception
     */
    R apply(TaskOrchestrationContext ctx) throws Exception;
}
