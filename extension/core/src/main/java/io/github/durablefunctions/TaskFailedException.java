package io.github.durablefunctions;

/**
 * Thrown by {@link Task#await()} when the activity or sub-orchestration behind the task failed. The original
 * exception does not cross the durable boundary; {@link #getErrorDetails()} describes it.
 */
public class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String taskName;
    private final int taskId;
    private final transient FailureDetails details;

    /**
     * @param taskName the activity or orchestrator name
     * @param taskId   the task's ID in the orchestration (its scheduled event ID)
     * @param details  what is known of the failure
     */
    public TaskFailedException(String taskName, int taskId, FailureDetails details) {
        this(String.format("Task '%s' (#%d) failed with an unhandled exception: %s",
                taskName, taskId, details.getErrorMessage()), taskName, taskId, details);
    }

    protected TaskFailedException(String message, String taskName, int taskId, FailureDetails details) {
        super(message);
        this.taskName = taskName;
        this.taskId = taskId;
        this.details = details;
    }

    /** The name of the failed activity or orchestrator. */
    public String getTaskName() {
        return taskName;
    }

    /** The task's ID within the orchestration. */
    public int getTaskId() {
        return taskId;
    }

    /** Type, message and stack trace of the failure. */
    public FailureDetails getErrorDetails() {
        return details;
    }
}
