package io.github.durablefunctions.backend;

/**
 * A locked request to run one activity: a {@code TaskScheduled} event for an orchestration instance
 * ({@code DurableTask.Core.TaskActivityWorkItem}). Backends subclass it to carry message receipts.
 */
public abstract class ActivityWorkItem {
    private final String id;
    private final TaskMessage taskMessage;

    /**
     * @param id          a backend-unique ID of this delivery (e.g. the queue message ID), for logs
     * @param taskMessage the message whose event is a {@code TaskScheduledEvent}
     */
    protected ActivityWorkItem(String id, TaskMessage taskMessage) {
        this.id = id;
        this.taskMessage = taskMessage;
    }

    public String getId() {
        return id;
    }

    public TaskMessage getTaskMessage() {
        return taskMessage;
    }
}
