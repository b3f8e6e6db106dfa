package io.github.durablefunctions.backend;

import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.history.HistoryEvent;

import java.time.Instant;
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

    /**
     * One page of instance states matching the query (storage-layout.md §4 "Queries"). Entities (IDs starting with
     * {@code @}) are never returned.
     *
     * @return the page; its continuation token is null on the last page
     * @throws IllegalArgumentException if the query's continuation token was not issued by this backend
     */
    OrchestrationStateQueryResult queryOrchestrationStates(OrchestrationStatusQuery query);

    /**
     * Deletes an instance's history rows, its instance row and its large-message blobs (storage-layout.md §7.2
     * "Purge"), whatever its status.
     *
     * @return 1 if the instance existed, 0 if not
     */
    int purgeInstanceState(String instanceId);

    /**
     * Purges (as {@link #purgeInstanceState}) every instance created in {@code [createdTimeFrom, createdTimeTo]} whose
     * status is in {@code statuses} (already reduced to terminal statuses by the caller).
     *
     * @return how many instances were purged
     */
    int purgeInstanceStates(Instant createdTimeFrom, Instant createdTimeTo, Set<OrchestrationRuntimeStatus> statuses);

    /**
     * Rewinds a failed instance (the legacy Azure Storage rewind, storage-layout.md §3.3 and §6.3). In its current
     * execution, {@code TaskFailed} rows and the {@code TaskScheduled} rows they answer,
     * {@code SubOrchestrationInstanceFailed} rows and the failed {@code ExecutionCompleted} become {@code GenericEvent}
     * rows whose {@code Reason} and {@code Data} are {@code "Rewound: <old EventType>"}; the
     * {@code SubOrchestrationInstanceCreated} of a failed child keeps its type (marked in {@code Reason}) and the child
     * is rewound the same way, recursively. The instance row goes to Pending and a {@code GenericEvent} message wakes
     * each rewound instance that has no rewound child, so it replays and schedules the rewound work again.
     *
     * @throws IllegalArgumentException if the instance does not exist
     * @throws IllegalStateException if the instance is not Failed
     */
    void rewindTaskOrchestration(String instanceId, String reason);

    /**
     * One page of entity instance states (IDs starting with {@code @}, storage-layout.md §9 "Entity queries"), in
     * instance ID order. Their {@code input} is the scheduler state (when fetched), their {@code customStatus} the
     * entity status.
     *
     * @return the page; its continuation token is null on the last page
     * @throws IllegalArgumentException if the continuation token was not issued by this backend
     */
    OrchestrationStateQueryResult queryEntityStates(EntityStateQuery query);
}
