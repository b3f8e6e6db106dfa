package io.github.durablefunctions;

/**
 * Signals and reads durable entities of one task hub ({@link DurableTaskClient#getEntities()}). Method names follow
 * the Durable Task Java API ({@code com.microsoft.durabletask.DurableEntityClient}).
 */
public abstract class DurableEntityClient {

    /** {@link #signalEntity(EntityInstanceId, String, Object, SignalEntityOptions)} without input or options. */
    public void signalEntity(EntityInstanceId entityId, String operationName) {
        signalEntity(entityId, operationName, null, null);
    }

    /** {@link #signalEntity(EntityInstanceId, String, Object, SignalEntityOptions)} without options. */
    public void signalEntity(EntityInstanceId entityId, String operationName, Object input) {
        signalEntity(entityId, operationName, input, null);
    }

    /**
     * Sends a one-way operation to an entity: an {@code EventRaised} message named {@code op} (or
     * {@code op@<time>} when scheduled) holding a request message without parent (storage-layout.md §9). The entity
     * is created by its first operation. Signals from a client are not ordered among themselves.
     *
     * @param input   the operation input, serialized to JSON; may be null
     * @param options a scheduled time, or null
     * @throws IllegalArgumentException if the entity ID or operation name is null
     */
    public abstract void signalEntity(EntityInstanceId entityId, String operationName, Object input,
                                      SignalEntityOptions options);

    /** {@link #getEntityMetadata(EntityInstanceId, boolean)} with its state. */
    public EntityMetadata getEntityMetadata(EntityInstanceId entityId) {
        return getEntityMetadata(entityId, true);
    }

    /**
     * Reads an entity from the instance store.
     *
     * @param includeState whether to read its state
     * @return the metadata, or null if the entity does not exist (no row, or no state: deleted or never set)
     */
    public abstract EntityMetadata getEntityMetadata(EntityInstanceId entityId, boolean includeState);

    /**
     * One page of entities matching the query (a range scan of the Instances table over IDs starting with
     * {@code @}, storage-layout.md §9).
     *
     * @throws IllegalArgumentException if the continuation token was not issued by this backend
     */
    public abstract EntityQueryResult queryEntities(EntityQuery query);

    /**
     * Removes empty entities and releases orphaned locks (see {@link CleanEntityStorageRequest}). An orphaned lock is
     * released by a {@code release} message with id {@code fix-orphaned-lock} (storage-layout.md §9).
     */
    public abstract CleanEntityStorageResult cleanEntityStorage(CleanEntityStorageRequest request);
}
