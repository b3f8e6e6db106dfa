package io.github.durablefunctions;

import java.util.List;

/**
 * One page of {@link DurableTaskClient#queryInstances}.
 *
 * @param orchestrationState the instances of this page
 * @param continuationToken  the token for the next page (pass it to
 *                           {@link OrchestrationStatusQuery#setContinuationToken}), or null if this is the last page
 */
public record OrchestrationStatusQueryResult(List<OrchestrationMetadata> orchestrationState,
                                             String continuationToken) {
    public OrchestrationStatusQueryResult {
        orchestrationState = List.copyOf(orchestrationState);
    }

    public List<OrchestrationMetadata> getOrchestrationState() {
        return orchestrationState;
    }

    public String getContinuationToken() {
        return continuationToken;
    }
}
