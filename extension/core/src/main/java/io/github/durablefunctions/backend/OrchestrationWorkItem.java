package io.github.durablefunctions.backend;

import io.github.durablefunctions.history.OrchestrationRuntimeState;

import java.util.List;

/**
 * A locked batch of messages for one orchestration instance, with the instance's history: what one episode
 * processes ({@code DurableTask.Core.TaskOrchestrationWorkItem}). While a work item is locked, no other work item for
 * the same instance is handed out by this process.
 *
 * <p>Backends subclass it to carry their own session state (message receipts, history ETag).
 */
public abstract class OrchestrationWorkItem {
    private final String instanceId;
    private final OrchestrationRuntimeState runtimeState;
    private final List<TaskMessage> newMessages;

    /**
     * @param instanceId   the instance the messages are for
     * @param runtimeState the committed history of the instance's current execution (empty if none)
     * @param newMessages  the messages to process, in delivery order, duplicates included (the worker drops them)
     */
    protected OrchestrationWorkItem(String instanceId, OrchestrationRuntimeState runtimeState,
                                    List<TaskMessage> newMessages) {
        this.instanceId = instanceId;
        this.runtimeState = runtimeState;
        this.newMessages = List.copyOf(newMessages);
    }

    public String getInstanceId() {
        return instanceId;
    }

    /** The committed history of the current execution. */
    public OrchestrationRuntimeState getRuntimeState() {
        return runtimeState;
    }

    /** The messages of this episode. */
    public List<TaskMessage> getNewMessages() {
        return newMessages;
    }
}
