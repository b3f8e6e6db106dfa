package io.github.durablefunctions.backend;

import java.time.Instant;

/**
 * A page request of {@link OrchestrationServiceClient#queryEntityStates}: entity instances (IDs starting with
 * {@code @}) whose ID starts with {@code instanceIdPrefix} and whose last update is within the bounds.
 *
 * @param instanceIdPrefix  the ID prefix, starting with {@code @} (e.g. {@code @} for all, {@code @counter@})
 * @param lastModifiedFrom  lower bound of {@code LastUpdatedTime}, inclusive, or null
 * @param lastModifiedTo    upper bound of {@code LastUpdatedTime}, inclusive, or null
 * @param fetchInput        whether to read the {@code Input} column (the scheduler state)
 * @param pageSize          rows per page, at least 1
 * @param continuationToken the previous page's token, or null for the first page
 */
public record EntityStateQuery(String instanceIdPrefix, Instant lastModifiedFrom, Instant lastModifiedTo,
                               boolean fetchInput, int pageSize, String continuationToken) {
    public EntityStateQuery {
        if (instanceIdPrefix == null || !instanceIdPrefix.startsWith("@")) {
            throw new IllegalArgumentException("An entity instance ID prefix starts with '@', was '"
                    + instanceIdPrefix + "'");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("The page size must be at least 1, was " + pageSize);
        }
    }
}
