package io.github.durablefunctions;

/**
 * Thrown by {@link Task#await()} of {@link TaskOrchestrationContext#callEntity} when the entity operation failed.
 * The entity's exception does not cross the durable boundary; {@link #getFailureDetails()} describes it.
 */
public class EntityOperationFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient EntityInstanceId entityId;
    private final String operationName;
    private final transient FailureDetails failureDetails;

    /**
     * @param entityId       the entity that was called
     * @param operationName  the operation
     * @param failureDetails what the entity reported
     */
    public EntityOperationFailedException(EntityInstanceId entityId, String operationName,
                                          FailureDetails failureDetails) {
        super(String.format("Operation '%s' of entity '%s' failed: %s", operationName, entityId,
                failureDetails.getErrorMessage()));
        this.entityId = entityId;
        this.operationName = operationName;
        this.failureDetails = failureDetails;
    }

    /** The entity that was called. */
    public EntityInstanceId getEntityId() {
        return entityId;
    }

    /** The operation that failed. */
    public String getOperationName() {
        return operationName;
    }

    /** Type, message and stack trace of the entity's failure. */
    public FailureDetails getFailureDetails() {
        return failureDetails;
    }
}
