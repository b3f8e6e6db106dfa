package io.github.durablefunctions;

import java.time.Duration;
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

    /** Releases what the client holds; the default does nothing. */
    @Override
    public void close() {
    }
}
