package io.github.durablefunctions;

/**
 * Thrown when scheduling an instance whose ID is already used by an instance that is Pending, Running or Suspended.
 * Completed, failed and terminated instances may be replaced by scheduling the same ID again.
 */
public class OrchestrationAlreadyExistsException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String instanceId;

    public OrchestrationAlreadyExistsException(String instanceId, OrchestrationRuntimeStatus existingStatus) {
        super("An orchestration instance with ID '" + instanceId + "' already exists with status "
                + existingStatus.statusName() + ".");
        this.instanceId = instanceId;
    }

    /** The instance ID that is taken. */
    public String getInstanceId() {
        return instanceId;
    }
}
