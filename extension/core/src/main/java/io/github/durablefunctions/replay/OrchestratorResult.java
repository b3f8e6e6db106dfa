package io.github.durablefunctions.replay;

import java.util.List;

/**
 * The outcome of one execution of an orchestrator over its history.
 *
 * @param actions      the new actions in order of their IDs; a {@link OrchestratorAction.CompleteOrchestration}, if
 *                     present, is last
 * @param customStatus the custom status JSON the orchestrator set, or null
 */
public record OrchestratorResult(List<OrchestratorAction> actions, String customStatus) {
    public OrchestratorResult {
        actions = List.copyOf(actions);
    }

    /** The completion action, or null if the orchestration is still waiting. */
    public OrchestratorAction.CompleteOrchestration completion() {
        if (!actions.isEmpty() && actions.get(actions.size() - 1)
                instanceof OrchestratorAction.CompleteOrchestration complete) {
            return complete;
        }
        return null;
    }
}
