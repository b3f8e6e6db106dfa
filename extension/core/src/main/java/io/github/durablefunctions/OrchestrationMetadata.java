package io.github.durablefunctions;

import java.time.Instant;
import java.util.Map;

/**
 * The state of one orchestration instance as a client reads it (from the Instances table in Azure Storage).
 * Payloads are kept as JSON text; the {@code read...As} methods deserialize them with the client's data converter.
 */
public final class OrchestrationMetadata {
    private final String instanceId;
    private final String executionId;
    private final String name;
    private final OrchestrationRuntimeStatus runtimeStatus;
    private final Instant createdAt;
    private final Instant lastUpdatedAt;
    private final Instant completedAt;
    private final String serializedInput;
    private final String serializedOutput;
    private final String serializedCustomStatus;
    private final FailureDetails failureDetails;
    private final Map<String, String> tags;
    private final boolean inputsAndOutputsFetched;
    private final DataConverter dataConverter;

    /** Built by clients; times are UTC instants, payloads JSON text or null. */
    public OrchestrationMetadata(String instanceId, String executionId, String name,
                                 OrchestrationRuntimeStatus runtimeStatus, Instant createdAt, Instant lastUpdatedAt,
                                 Instant completedAt, String serializedInput, String serializedOutput,
                                 String serializedCustomStatus, FailureDetails failureDetails,
                                 Map<String, String> tags, boolean inputsAndOutputsFetched,
                                 DataConverter dataConverter) {
        this.instanceId = instanceId;
        this.executionId = executionId;
        this.name = name;
        this.runtimeStatus = runtimeStatus;
        this.createdAt = createdAt;
        this.lastUpdatedAt = lastUpdatedAt;
        this.completedAt = completedAt;
        this.serializedInput = serializedInput;
        this.serializedOutput = serializedOutput;
        this.serializedCustomStatus = serializedCustomStatus;
        this.failureDetails = failureDetails;
        this.tags = tags == null ? Map.of() : Map.copyOf(tags);
        this.inputsAndOutputsFetched = inputsAndOutputsFetched;
        this.dataConverter = dataConverter;
    }

    public String getInstanceId() {
        return instanceId;
    }

    /** The ID of the current execution (generation) of the instance. */
    public String getExecutionId() {
        return executionId;
    }

    /** The orchestrator name. */
    public String getName() {
        return name;
    }

    public OrchestrationRuntimeStatus getRuntimeStatus() {
        return runtimeStatus;
    }

    /** When the instance was created (UTC). */
    public Instant getCreatedAt() {
        return createdAt;
    }

    /** When the instance's state last changed (UTC). */
    public Instant getLastUpdatedAt() {
        return lastUpdatedAt;
    }

    /** When the instance reached a terminal status (UTC), or null. */
    public Instant getCompletedAt() {
        return completedAt;
    }

    /** The input as JSON text, or null (also null when inputs and outputs were not fetched). */
    public String getSerializedInput() {
        return serializedInput;
    }

    /** The output as JSON text, or null (also null when inputs and outputs were not fetched). */
    public String getSerializedOutput() {
        return serializedOutput;
    }

    /** The custom status as JSON text, or null. */
    public String getSerializedCustomStatus() {
        return serializedCustomStatus;
    }

    /** Why the instance failed, or null if it has not failed. */
    public FailureDetails getFailureDetails() {
        return failureDetails;
    }

    /** The instance's tags; empty when none. */
    public Map<String, String> getTags() {
        return tags;
    }

    /** Always true: clients return null, not an empty metadata object, for unknown instances. */
    public boolean isInstanceFound() {
        return true;
    }

    /** True while Running (not Pending or Suspended). */
    public boolean isRunning() {
        return runtimeStatus == OrchestrationRuntimeStatus.RUNNING;
    }

    /** True if Completed, Failed or Terminated (as the Durable Task Java API; Canceled is not included). */
    public boolean isCompleted() {
        return runtimeStatus == OrchestrationRuntimeStatus.COMPLETED
                || runtimeStatus == OrchestrationRuntimeStatus.FAILED
                || runtimeStatus == OrchestrationRuntimeStatus.TERMINATED;
    }

    /** True if inputs and outputs were requested when this metadata was read. */
    public boolean isInputsAndOutputsFetched() {
        return inputsAndOutputsFetched;
    }

    /**
     * The input deserialized into {@code type}.
     *
     * @throws IllegalStateException if inputs and outputs were not fetched
     */
    public <T> T readInputAs(Class<T> type) {
        requireFetched("input");
        return dataConverter.deserialize(serializedInput, type);
    }

    /**
     * The output deserialized into {@code type}.
     *
     * @throws IllegalStateException if inputs and outputs were not fetched
     */
    public <T> T readOutputAs(Class<T> type) {
        requireFetched("output");
        return dataConverter.deserialize(serializedOutput, type);
    }

    /** The custom status deserialized into {@code type}, or null if none was set. */
    public <T> T readCustomStatusAs(Class<T> type) {
        return dataConverter.deserialize(serializedCustomStatus, type);
    }

    private void requireFetched(String what) {
        if (!inputsAndOutputsFetched) {
            throw new IllegalStateException("The " + what + " of instance '" + instanceId
                    + "' was not fetched: read the metadata with getInputsAndOutputs = true.");
        }
    }

    @Override
    public String toString() {
        return "OrchestrationMetadata{instanceId='" + instanceId + "', name='" + name + "', status="
                + runtimeStatus + ", createdAt=" + createdAt + ", lastUpdatedAt=" + lastUpdatedAt + '}';
    }
}
