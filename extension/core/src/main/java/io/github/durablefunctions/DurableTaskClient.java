package io.github.durablefunctions;

import io.github.durablefunctions.history.HistoryEvent;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Starts and manages orchestration instances of one task hub. Method names follow the Durable Task Java API
 * ({@code com.microsoft.durabletask.DurableTaskClient}).
 */
public abstract class DurableTaskClient implements AutoCloseable {

    /**
     * Schedules a new instance of an orchestrator without input.
     *
     * @return the new instance's ID
     */
    public String scheduleNewOrchestrationInstance(String orchestratorName) {
        return scheduleNewOrchestrationInstance(orchestratorName, new NewOrchestrationInstanceOptions());
    }

    /**
     * Schedules a new instance of an orchestrator with the given input (serialized to JSON).
     *
     * @return the new instance's ID
     */
    public String scheduleNewOrchestrationInstance(String orchestratorName, Object input) {
        return scheduleNewOrchestrationInstance(orchestratorName, new NewOrchestrationInstanceOptions().setInput(input));
    }

    /**
     * Schedules a new instance of an orchestrator with the given input and instance ID.
     *
     * @return {@code instanceId}
     * @throws OrchestrationAlreadyExistsException if an instance with that ID is Pending, Running or Suspended
     */
    public String scheduleNewOrchestrationInstance(String orchestratorName, Object input, String instanceId) {
        return scheduleNewOrchestrationInstance(orchestratorName,
                new NewOrchestrationInstanceOptions().setInput(input).setInstanceId(instanceId));
    }

    /**
     * Schedules a new orchestration instance. The instance is Pending until a worker picks it up.
     *
     * @return the instance's ID (the one in the options, or a new random one)
     * @throws IllegalArgumentException if the name or the instance ID is empty or invalid
     * @throws OrchestrationAlreadyExistsException if an instance with that ID is Pending, Running or Suspended
     */
    public abstract String scheduleNewOrchestrationInstance(String orchestratorName,
                                                            NewOrchestrationInstanceOptions options);

    /**
     * Reads the state of an instance.
     *
     * @param getInputsAndOutputs whether to read the input and output payloads too
     * @return the metadata, or null if no instance with that ID exists
     */
    public abstract OrchestrationMetadata getInstanceMetadata(String instanceId, boolean getInputsAndOutputs);

    /**
     * Waits until the instance has started (is no longer Pending).
     *
     * @param timeout how long to wait; null, zero or negative means 10 minutes
     * @return the metadata at that time, or null if the instance does not exist
     * @throws TimeoutException if the instance is still Pending when the timeout elapses
     */
    public abstract OrchestrationMetadata waitForInstanceStart(String instanceId, Duration timeout,
                                                               boolean getInputsAndOutputs) throws TimeoutException;

    /**
     * Waits until the instance reaches a terminal status (Completed, Failed, Canceled or Terminated).
     *
     * @param timeout how long to wait; null, zero or negative means 10 minutes
     * @return the metadata at that time, or null if the instance does not exist
     * @throws TimeoutException if the instance is not finished when the timeout elapses
     */
    public abstract OrchestrationMetadata waitForInstanceCompletion(String instanceId, Duration timeout,
                                                                    boolean getInputsAndOutputs)
            throws TimeoutException;

    // ---- events and lifecycle ----

    /** {@link #raiseEvent(String, String, Object)} without a payload. */
    public void raiseEvent(String instanceId, String eventName) {
        raiseEvent(instanceId, eventName, null);
    }

    /**
     * Sends an external event to an instance (an {@code EventRaised} message to its control queue,
     * storage-layout.md §6.3). The instance receives it with
     * {@link TaskOrchestrationContext#waitForExternalEvent}; events for an instance that is not running are discarded
     * by the worker, not stored.
     *
     * @param eventPayload the payload, serialized to JSON by the client's data converter; may be null
     * @throws IllegalArgumentException if the instance ID or event name is empty
     */
    public abstract void raiseEvent(String instanceId, String eventName, Object eventPayload);

    /**
     * Terminates a running, pending or suspended instance: it ends with status Terminated and {@code output} as its
     * output (the termination reason). Asynchronous: the instance's worker applies it; a finished instance ignores it.
     *
     * @param output the output to record (typically a reason string), serialized to JSON; may be null
     */
    public abstract void terminate(String instanceId, Object output);

    /** {@link #suspendInstance(String, String)} without a reason. */
    public void suspendInstance(String instanceId) {
        suspendInstance(instanceId, null);
    }

    /**
     * Suspends a running instance: it stops processing (events that arrive meanwhile are kept and handled after
     * resume) and its status becomes Suspended. Asynchronous, like {@link #terminate}.
     *
     * @param reason why; recorded in history and in the instance's output column (as the extension does); may be null
     */
    public abstract void suspendInstance(String instanceId, String reason);

    /** {@link #resumeInstance(String, String)} without a reason. */
    public void resumeInstance(String instanceId) {
        resumeInstance(instanceId, null);
    }

    /**
     * Resumes a suspended instance; the events it received while suspended are processed in order. Asynchronous.
     *
     * @param reason why; may be null
     */
    public abstract void resumeInstance(String instanceId, String reason);

    /**
     * Starts an instance again from the beginning with the same orchestrator name and input.
     *
     * @param restartWithNewInstanceId true for a new random instance ID; false to reuse the ID (the old instance must
     *                                 be finished)
     * @return the ID of the restarted instance
     * @throws IllegalArgumentException if no instance with that ID exists
     * @throws OrchestrationAlreadyExistsException if reusing the ID of an instance that is still Pending, Running or
     *                                             Suspended
     */
    public abstract String restartInstance(String instanceId, boolean restartWithNewInstanceId);

    /** {@link #rewindInstance(String, String)} without a reason. */
    public void rewindInstance(String instanceId) {
        rewindInstance(instanceId, null);
    }

    /**
     * Rewinds a failed instance: its failed activities and sub-orchestrations (recursively) are run again and the
     * orchestration continues from there, keeping every result that succeeded. History rows of the failures are
     * turned into {@code GenericEvent} rows ("Rewound: ..."), storage-layout.md §3.3.
     *
     * @param reason why; may be null
     * @throws IllegalArgumentException if no instance with that ID exists
     * @throws IllegalStateException if the instance is not Failed
     */
    public abstract void rewindInstance(String instanceId, String reason);

    // ---- queries and purge ----

    /**
     * One page of instances matching the query, read from the instance store (Instances table).
     *
     * @return the page; its continuation token is null when there are no more pages
     * @throws IllegalArgumentException if the continuation token is not one this backend issued
     */
    public abstract OrchestrationStatusQueryResult queryInstances(OrchestrationStatusQuery query);

    /**
     * The history of an instance's current execution, in order (what the status endpoint shows with
     * {@code showHistory=true}).
     *
     * @return the events; empty if the instance does not exist or has no history yet
     */
    public abstract List<HistoryEvent> getOrchestrationHistory(String instanceId);

    /**
     * Deletes an instance's history, its instance-store row and its large-payload blobs, whatever its status.
     *
     * @return 1 if it existed, 0 if not
     */
    public abstract PurgeResult purgeInstance(String instanceId);

    /**
     * Deletes every finished instance (Completed, Failed, Terminated or Canceled; the criteria's status list is
     * reduced to those) created within the time range, as {@link #purgeInstance} does.
     *
     * @return how many instances were deleted
     * @throws IllegalArgumentException if {@code createdTimeFrom} is missing
     */
    public abstract PurgeResult purgeInstances(PurgeInstanceCriteria criteria);

    // ---- entities ----

    /** The client for durable entities of the same task hub. */
    public abstract DurableEntityClient getEntities();

    /** Releases what the client holds; the default does nothing. */
    @Override
    public void close() {
    }
}
