package io.github.durablefunctions.backend;

import java.util.List;

/**
 * One page of {@link OrchestrationServiceClient#queryOrchestrationStates}.
 *
 * @param states            the instance states of this page
 * @param continuationToken an opaque token for the next page, or null if this is the last one
 */
public record OrchestrationStateQueryResult(List<OrchestrationState> states, String continuationToken) {
    public OrchestrationStateQueryResult {
        states = List.copyOf(states);
    }
}
