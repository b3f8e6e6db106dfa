package io.github.durablefunctions.client;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.OrchestrationInstance;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The {@link DurableTaskClient} over a backend's {@link OrchestrationServiceClient}. Waiting methods poll the
 * instance state, starting at 50 ms and backing off to 1 s between reads.
 */
public final class BackendDurableTaskClient extends DurableTaskClient {
    /** Instance IDs with these existing statuses cannot be scheduled again (DF's default, "NonRunningStates"). */
    private static final Set<OrchestrationRuntimeStatus> RUNNING_STATES = EnumSet.of(
            OrchestrationRuntimeStatus.PENDING, OrchestrationRuntimeStatus.RUNNING,
            OrchestrationRuntimeStatus.SUSPENDED);
    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(10);
    private static final int MAX_INSTANCE_ID_LENGTH = 256;

    private final OrchestrationServiceClient backend;
    private final DataConverter dataConverter;

    public BackendDurableTaskClient(OrchestrationServiceClient backend, DataConverter dataConverter) {
        this.backend = backend;
        this.dataConverter = dataConverter;
    }

    @Override
    public String scheduleNewOrchestrationInstance(String orchestratorName, NewOrchestrationInstanceOptions options) {
        if (orchestratorName == null || orchestratorName.isBlank()) {
            throw new IllegalArgumentException("An orchestrator name is required");
        }
        String instanceId = options.getInstanceId() != null ? options.getInstanceId() : newId();
        validateInstanceId(instanceId);
        OrchestrationInstance instance = new OrchestrationInstance(instanceId, newId());
        ExecutionStartedEvent started = new ExecutionStartedEvent(-1, false, Instant.now(), instance, null,
                orchestratorName, options.getVersion(), dataConverter.serialize(options.getInput()),
                options.getTags(), null, null, options.getStartTime(), 0, false);
        backend.createOrchestrationInstance(new TaskMessage(started, instance), RUNNING_STATES);
        return instanceId;
    }

    /**
     * Checks an instance ID against the rules of Durable Functions: 1 to 256 characters, none of
     * {@code / \ # ?} and no control characters, and not starting with {@code @} (reserved for entities).
     *
     * @throws IllegalArgumentException with the rule that was broken
     */
    static void validateInstanceId(String instanceId) {
        if (instanceId.isEmpty() || instanceId.length() > MAX_INSTANCE_ID_LENGTH) {
            throw new IllegalArgumentException("An instance ID must be 1 to " + MAX_INSTANCE_ID_LENGTH
                    + " characters long");
        }
        if (instanceId.charAt(0) == '@') {
            throw new IllegalArgumentException("Instance IDs starting with '@' are reserved for entities: '"
                    + instanceId + "'");
        }
        for (int i = 0; i < instanceId.length(); i++) {
            char c = instanceId.charAt(i);
            if (c == '/' || c == '\\' || c == '#' || c == '?' || Character.isISOControl(c)) {
                throw new IllegalArgumentException("The instance ID '" + instanceId
                        + "' contains a character that is not allowed (/ \\ # ? or a control character)");
            }
        }
    }

    @Override
    public OrchestrationMetadata getInstanceMetadata(String instanceId, boolean getInputsAndOutputs) {
        OrchestrationState state = backend.getOrchestrationState(instanceId, getInputsAndOutputs);
        if (state == null) {
            return null;
        }
        return new OrchestrationMetadata(state.instanceId(), state.executionId(), state.name(),
                state.runtimeStatus(), state.createdTime(), state.lastUpdatedTime(), state.completedTime(),
                getInputsAndOutputs ? state.input() : null, getInputsAndOutputs ? state.output() : null,
                state.customStatus(), state.failureDetails(), state.tags(), getInputsAndOutputs, dataConverter);
    }

    @Override
    public OrchestrationMetadata waitForInstanceStart(String instanceId, Duration timeout,
                                                      boolean getInputsAndOutputs) throws TimeoutException {
        return waitFor(instanceId, timeout, getInputsAndOutputs,
                m -> m.getRuntimeStatus() != OrchestrationRuntimeStatus.PENDING, "to start");
    }

    @Override
    public OrchestrationMetadata waitForInstanceCompletion(String instanceId, Duration timeout,
                                                           boolean getInputsAndOutputs) throws TimeoutException {
        return waitFor(instanceId, timeout, getInputsAndOutputs, m -> m.getRuntimeStatus().isTerminal(),
                "to complete");
    }

    private OrchestrationMetadata waitFor(String instanceId, Duration timeout, boolean getInputsAndOutputs,
                                          Predicate<OrchestrationMetadata> done, String what)
            throws TimeoutException {
        Duration limit = timeout == null || timeout.isZero() || timeout.isNegative() ? DEFAULT_WAIT : timeout;
        long deadline = System.nanoTime() + limit.toNanos();
        long pauseMillis = 50;
        while (true) {
            OrchestrationMetadata metadata = getInstanceMetadata(instanceId, getInputsAndOutputs);
            if (metadata == null || done.test(metadata)) {
                return metadata;
            }
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                throw new TimeoutException("Instance '" + instanceId + "' did not " + what.substring(3) + " within "
                        + limit + " (status " + metadata.getRuntimeStatus().statusName() + ")");
            }
            try {
                Thread.sleep(Math.min(pauseMillis, remainingMillis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TimeoutException("Interrupted while waiting for instance '" + instanceId + "' " + what);
            }
            pauseMillis = Math.min(1000, pauseMillis * 2);
        }
    }

    // ---- not implemented yet (issue 3, in progress) ----

    private static UnsupportedOperationException notYet() {
        return new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public void raiseEvent(String instanceId, String eventName, Object eventPayload) {
        throw notYet();
    }

    @Override
    public void terminate(String instanceId, Object output) {
        throw notYet();
    }

    @Override
    public void suspendInstance(String instanceId, String reason) {
        throw notYet();
    }

    @Override
    public void resumeInstance(String instanceId, String reason) {
        throw notYet();
    }

    @Override
    public String restartInstance(String instanceId, boolean restartWithNewInstanceId) {
        throw notYet();
    }

    @Override
    public void rewindInstance(String instanceId, String reason) {
        throw notYet();
    }

    @Override
    public io.github.durablefunctions.OrchestrationStatusQueryResult queryInstances(
            io.github.durablefunctions.OrchestrationStatusQuery query) {
        throw notYet();
    }

    @Override
    public java.util.List<io.github.durablefunctions.history.HistoryEvent> getOrchestrationHistory(String instanceId) {
        return backend.getOrchestrationHistory(instanceId);
    }

    @Override
    public io.github.durablefunctions.PurgeResult purgeInstance(String instanceId) {
        throw notYet();
    }

    @Override
    public io.github.durablefunctions.PurgeResult purgeInstances(
            io.github.durablefunctions.PurgeInstanceCriteria criteria) {
        throw notYet();
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
