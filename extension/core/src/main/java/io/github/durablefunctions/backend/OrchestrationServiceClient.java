package io.github.durablefunctions.backend;

import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.HistoryEvent;

import java.util.List;
import java.util.Set;

/**
 * The client side of a storage backend, shaped like the Durable Task Framework's {@code IOrchestrationServiceClient}:
 * create instances, send them messages, read their state and history.
 */
public interface OrchestrationServiceClient {

    /**
     * Creates an instance: sends its {@code ExecutionStarted} message and records it as Pending.
     *
     * @param executionStartedMessage a message whose event is an {@code ExecutionStartedEvent} with instance and
     *                                execution IDs set
     * @param dedupeStatuses          if an instance with the same ID exists in one of these statuses, nothing is
     *                                created
     * @throws OrchestrationAlreadyExistsException if an instance with the ID exists in one of {@code dedupeStatuses}
     */
    void createOrchestrationInstance(TaskMessage executionStartedMessage,
                                     Set<OrchestrationRuntimeStatus> dedupeStatuses);

    /** Sends a message to an instance (an event, a termination, ...). */
    void sendTaskOrchestrationMessage(TaskMessage message);

    /**
     * Reads an instance's state.
     *
     * @param fetchInputsAndOutputs whether to read input and output payloads (resolving large ones)
     * @return the state, or null if no instance with that ID exists
     */
    OrchestrationState getOrchestrationState(String instanceId, boolean fetchInputsAndOutputs);

    /**
     * Reads the history of an instance's current execution, in order.
     *
     * @return the events; empty if the instance has no history
     */
    List<HistoryEvent> getOrchestrationHistory(String instanceId);
}
