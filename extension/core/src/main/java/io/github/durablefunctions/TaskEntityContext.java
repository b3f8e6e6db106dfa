package io.github.durablefunctions;

/**
 * What an entity operation can do besides changing state: signal entities and start orchestrations. Both are sent
 * only if the operation succeeds.
 */
public interface TaskEntityContext {
    /** The ID of the entity running the operation. */
    EntityInstanceId getId();

    /** {@link #signalEntity(EntityInstanceId, String, Object, SignalEntityOptions)} without input or options. */
    default void signalEntity(EntityInstanceId entityId, String operationName) {
        signalEntity(entityId, operationName, null, null);
    }

    /** {@link #signalEntity(EntityInstanceId, String, Object, SignalEntityOptions)} without options. */
    default void signalEntity(EntityInstanceId entityId, String operationName, Object input) {
        signalEntity(entityId, operationName, input, null);
    }

    /**
     * Sends a one-way operation to an entity (this one included). Signals from one entity to another are delivered
     * in the order they are sent.
     *
     * @param input   the operation input, serialized to JSON; may be null
     * @param options a scheduled time, or null to deliver now
     * @throws IllegalArgumentException if the operation name is null
     */
    void signalEntity(EntityInstanceId entityId, String operationName, Object input, SignalEntityOptions options);

    /** {@link #startNewOrchestration(String, Object, String)} with a new random instance ID. */
    default String startNewOrchestration(String name, Object input) {
        return startNewOrchestration(name, input, null);
    }

    /**
     * Starts an orchestration (an {@code ExecutionStarted} message to its control queue).
     *
     * @param input      the orchestration input, serialized to JSON; may be null
     * @param instanceId the instance ID, or null for a new random one
     * @return the instance ID
     * @throws IllegalArgumentException if the name is empty or the instance ID invalid
     */
    String startNewOrchestration(String name, Object input, String instanceId);
}
