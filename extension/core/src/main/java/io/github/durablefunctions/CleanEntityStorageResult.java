package io.github.durablefunctions;

/**
 * What {@link DurableEntityClient#cleanEntityStorage} did.
 *
 * @param continuationToken     where to go on from, or null when every entity was visited
 * @param emptyEntitiesRemoved  how many empty entity rows were removed
 * @param orphanedLocksReleased how many orphaned locks were released
 */
public record CleanEntityStorageResult(String continuationToken, int emptyEntitiesRemoved,
                                       int orphanedLocksReleased) {
}
