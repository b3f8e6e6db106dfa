package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.history.OrchestrationRuntimeState;

import java.util.List;

/**
 * An orchestration work item of this backend: the instance's batch of control-queue messages with their receipts,
 * and what the history read returned (execution ID and sentinel ETag) for the checkpoint.
 */
final class AzureStorageOrchestrationWorkItem extends OrchestrationWorkItem {
    private final List<ReceivedMessage> messages;
    private final String loadedExecutionId;
    private final String etag;

    AzureStorageOrchestrationWorkItem(String instanceId, OrchestrationRuntimeState runtimeState,
                                      List<ReceivedMessage> messages, String loadedExecutionId, String etag) {
        super(instanceId, runtimeState, messages.stream().map(m -> m.data().taskMessage()).toList());
        this.messages = List.copyOf(messages);
        this.loadedExecutionId = loadedExecutionId;
        this.etag = etag;
    }

    /** The received messages of this episode, to delete after the checkpoint. */
    List<ReceivedMessage> messages() {
        return messages;
    }

    /** The execution whose rows the history read found (null if none): a different one is written from row 0. */
    String loadedExecutionId() {
        return loadedExecutionId;
    }

    /** The sentinel row's ETag from the history read, or null if the instance has no sentinel yet. */
    String etag() {
        return etag;
    }
}
