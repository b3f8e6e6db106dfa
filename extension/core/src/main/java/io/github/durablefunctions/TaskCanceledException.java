package io.github.durablefunctions;

/**
 * Thrown by {@link Task#await()} for a task that was cancelled: an external-event wait whose timeout fired first
 * ({@link TaskOrchestrationContext#waitForExternalEvent(String, java.time.Duration, Class)}).
 */
public final class TaskCanceledException extends TaskFailedException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message  what was cancelled and why
     * @param taskName the event name (or task name)
     * @param taskId   the task's ID in the orchestration
     */
    public TaskCanceledException(String message, String taskName, int taskId) {
        super(message, taskName, taskId, new FailureDetails(TaskCanceledException.class.getName(), message, null, null,
                true, null));
    }
}
