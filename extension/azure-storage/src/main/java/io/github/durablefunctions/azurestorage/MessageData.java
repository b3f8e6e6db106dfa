package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.OrchestrationInstance;

import java.util.UUID;

/**
 * The envelope of every queue message, {@code DurableTask.AzureStorage.MessageData} (storage-layout.md §6.2).
 *
 * @param activityId               a new GUID per outbound message (tracing, large-blob names)
 * @param taskMessage              the message; null only in a large-message wrapper
 * @param compressedBlobName       the blob holding the real (gzipped) message, in a large-message wrapper (§7.1);
 *                                 otherwise null
 * @param sequenceNumber           a per-process counter, incremented per send; sorting tie-breaker
 * @param episode                  the number of {@code OrchestratorStarted} events in the sender's history; null for
 *                                 client sends (then omitted from the JSON)
 * @param sender                   the sending instance; {@code {"",""}} for clients; null is omitted from the JSON
 * @param serializableTraceContext legacy Application Insights correlation, usually null
 */
record MessageData(UUID activityId, TaskMessage taskMessage, String compressedBlobName, long sequenceNumber,
                   Integer episode, OrchestrationInstance sender, String serializableTraceContext) {

    /** The target instance ID, or null for a large-message wrapper. */
    String instanceId() {
        return taskMessage == null ? null : taskMessage.instanceId();
    }
}
