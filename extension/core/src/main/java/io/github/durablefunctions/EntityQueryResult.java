package io.github.durablefunctions;

import java.util.List;

/**
 * One page of {@link DurableEntityClient#queryEntities}.
 *
 * @param entities          the entities of this page
 * @param continuationToken the token for the next page, or null if this is the last one
 */
public record EntityQueryResult(List<EntityMetadata> entities, String continuationToken) {
    public EntityQueryResult {
        entities = List.copyOf(entities);
    }

    /** The entities of this page (the Durable Task Java name). */
    public List<EntityMetadata> getEntities() {
        return entities;
    }

    /** The next page's token, or null (the Durable Task Java name). */
    public String getContinuationToken() {
        return continuationToken;
    }
}
