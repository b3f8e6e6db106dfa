package io.github.durablefunctions.client;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.OrchestrationStatusQueryResult;
import io.github.durablefunctions.PurgeInstanceCriteria;
import io.github.durablefunctions.PurgeResult;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationStateQueryResult;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    /** The only statuses {@link #purgeInstances} deletes. */
    private static final Set<OrchestrationRuntimeStatus> PURGEABLE_STATES = EnumSet.of(
            OrchestrationRuntimeStatus.COMPLETED, OrchestrationRuntimeStatus.FAILED,
            OrchestrationRuntimeStatus.TERMINATED, OrchestrationRuntimeStatus.CANCELED);
    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(10);
    private static final int MAX_INSTANCE_ID_LENGTH = 256;

    private final OrchestrationServiceClient backend;
    private final DataConverter dataConverter;
    private final BackendDurableEntityClient entities;
    private final Clock clock;

    /** A client whose entity clean-up uses the default entity message reorder window (30 minutes). */
    public BackendDurableTaskClient(OrchestrationServiceClient backend, DataConverter dataConverter) {
        this(backend, dataConverter, MessageSorter.DEFAULT_REORDER_WINDOW);
    }

    /**
     * @param entityReorderWindow the entity message reorder window ({@code entityMessageReorderWindowInMinutes}),
     *                            used by entity clean-up
     */
    public BackendDurableTaskClient(OrchestrationServiceClient backend, DataConverter dataConverter,
                                    Duration entityReorderWindow) {
        this(backend, dataConverter, entityReorderWindow, Clock.systemUTC());
    }

    /**
     * @param entityReorderWindow the entity message reorder window ({@code entityMessageReorderWindowInMinutes}),
     *                            used by entity clean-up
     * @param clock               the source of the current time for the timestamps of the events this client sends
     *                            (and of its entity client's signals), and the default end of purge time ranges;
     *                            {@link Clock#systemUTC()} in production, a virtual clock in tests
     * @throws NullPointerException if {@code clock} is null
     */
    public BackendDurableTaskClient(OrchestrationServiceClient backend, DataConverter dataConverter,
                                    Duration entityReorderWindow, Clock clock) {
        this.backend = backend;
        this.dataConverter = dataConverter;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.entities = new BackendDurableEntityClient(backend, dataConverter, entityReorderWindow, clock);
    }

    @Override
    public DurableEntityClient getEntities() {
        return entities;
    }

    @Override
    public String scheduleNewOrchestrationInstance(String orchestratorName, NewOrchestrationInstanceOptions options) {
        if (orchestratorName == null || orchestratorName.isBlank()) {
            throw new IllegalArgumentException("An orchestrator name is required");
        }
        String instanceId = options.getInstanceId() != null ? options.getInstanceId() : newId();
        schedule(instanceId, orchestratorName, options.getVersion(), dataConverter.serialize(options.getInput()),
                options.getTags(), options.getStartTime());
        return instanceId;
    }

    /**
     * Creates an instance with a new execution ID: an {@code ExecutionStarted} message (EventId -1) to its control
     * queue, delayed until {@code startTime} if that is in the future, and a Pending instance row.
     *
     * @param inputJson the input as JSON text, or null
     * @param startTime the scheduled start (UTC), or null to start now
     * @throws IllegalArgumentException            if the instance ID breaks {@link #validateInstanceId} rules
     * @throws OrchestrationAlreadyExistsException if the ID is used by a Pending, Running or Suspended instance
     */
    private void schedule(String instanceId, String name, String version, String inputJson, Map<String, String> tags,
                          Instant startTime) {
        validateInstanceId(instanceId);
        OrchestrationInstance instance = new OrchestrationInstance(instanceId, newId());
        ExecutionStartedEvent started = new ExecutionStartedEvent(-1, false, clock.instant(), instance, null,
                name, version, inputJson, tags, null, null, startTime, 0, false);
        backend.createOrchestrationInstance(new TaskMessage(started, instance), RUNNING_STATES);
    }

    /**
     * Checks an instance ID against the rules of Durable Functions: 1 to 256 characters, and not starting with
     * {@code @} (reserved for entities). Any other character is accepted, including {@code / \ # ?} and control
     * characters: the storage escapes them in table keys (storage-layout.md §3.1).
     *
     * @throws IllegalArgumentException with the rule that was broken (also for null)
     */
    static void validateInstanceId(String instanceId) {
        if (instanceId == null || instanceId.isEmpty() || instanceId.length() > MAX_INSTANCE_ID_LENGTH) {
            throw new IllegalArgumentException("An instance ID must be 1 to " + MAX_INSTANCE_ID_LENGTH
                    + " characters long");
        }
        if (instanceId.charAt(0) == '@') {
            throw new IllegalArgumentException("Instance IDs starting with '@' are reserved for entities: '"
                    + instanceId + "'");
        }
    }

    @Override
    public OrchestrationMetadata getInstanceMetadata(String instanceId, boolean getInputsAndOutputs) {
        OrchestrationState state = backend.getOrchestrationState(instanceId, getInputsAndOutputs);
        return state == null ? null : toMetadata(state, getInputsAndOutputs);
    }

    private OrchestrationMetadata toMetadata(OrchestrationState state, boolean inputsAndOutputs) {
        return new OrchestrationMetadata(state.instanceId(), state.executionId(), state.name(),
                state.runtimeStatus(), state.createdTime(), state.lastUpdatedTime(), state.completedTime(),
                inputsAndOutputs ? state.input() : null, inputsAndOutputs ? state.output() : null,
                state.customStatus(), state.failureDetails(), state.tags(), inputsAndOutputs, dataConverter);
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

    // ---- events and lifecycle ----

    /**
     * Sends an {@code EventRaised} message (EventId -1) to the instance's control queue, addressed to whatever
     * execution is current ({@code ExecutionId} null; storage-layout.md §6.3 "Raise event (client)"). The status is not
     * checked: the worker discards events for instances that are not running.
     *
     * @throws IllegalArgumentException if the instance ID or event name is null or empty
     */
    @Override
    public void raiseEvent(String instanceId, String eventName, Object eventPayload) {
        requireInstanceId(instanceId);
        if (eventName == null || eventName.isEmpty()) {
            throw new IllegalArgumentException("An event name is required");
        }
        send(instanceId, new EventRaisedEvent(-1, false, clock.instant(), eventName,
                dataConverter.serialize(eventPayload), null));
    }

    /**
     * Sends an {@code ExecutionTerminated} message (EventId -1, {@code Input} = the serialized output) to the
     * instance's control queue (storage-layout.md §6.3 "Terminate").
     *
     * @throws IllegalArgumentException if the instance ID is null or empty
     */
    @Override
    public void terminate(String instanceId, Object output) {
        requireInstanceId(instanceId);
        send(instanceId, new ExecutionTerminatedEvent(-1, false, clock.instant(), dataConverter.serialize(output)));
    }

    /**
     * Sends an {@code ExecutionSuspended} message (EventId -1, {@code Reason}) to the instance's control queue
     * (storage-layout.md §6.3 "Suspend / Resume").
     *
     * @throws IllegalArgumentException if the instance ID is null or empty
     */
    @Override
    public void suspendInstance(String instanceId, String reason) {
        requireInstanceId(instanceId);
        send(instanceId, new ExecutionSuspendedEvent(-1, false, clock.instant(), reason));
    }

    /**
     * Sends an {@code ExecutionResumed} message (EventId -1, {@code Reason}) to the instance's control queue
     * (storage-layout.md §6.3 "Suspend / Resume").
     *
     * @throws IllegalArgumentException if the instance ID is null or empty
     */
    @Override
    public void resumeInstance(String instanceId, String reason) {
        requireInstanceId(instanceId);
        send(instanceId, new ExecutionResumedEvent(-1, false, clock.instant(), reason));
    }

    private void send(String instanceId, HistoryEvent event) {
        backend.sendTaskOrchestrationMessage(new TaskMessage(event, new OrchestrationInstance(instanceId, null)));
    }

    /**
     * Reads the instance (with its input) and schedules its orchestrator name, version, input (the stored JSON, as
     * is) and tags again, starting now: under the same ID (a new execution and generation; refused while the old one
     * is Pending, Running or Suspended) or under a new random ID.
     *
     * @throws IllegalArgumentException            if the instance ID is empty or no such instance exists
     * @throws OrchestrationAlreadyExistsException if reusing the ID of an instance that is not finished
     */
    @Override
    public String restartInstance(String instanceId, boolean restartWithNewInstanceId) {
        requireInstanceId(instanceId);
        OrchestrationState state = backend.getOrchestrationState(instanceId, true);
        if (state == null) {
            throw new IllegalArgumentException("An orchestration instance with ID '" + instanceId
                    + "' was not found.");
        }
        String newInstanceId = restartWithNewInstanceId ? newId() : instanceId;
        schedule(newInstanceId, state.name(), state.version(), state.input(), state.tags(), null);
        return newInstanceId;
    }

    /**
     * Has the backend rewind the instance; the backend checks that it exists and is Failed
     * ({@link OrchestrationServiceClient#rewindTaskOrchestration}).
     *
     * @throws IllegalArgumentException if the instance ID is empty or no such instance exists
     * @throws IllegalStateException    if the instance is not Failed
     */
    @Override
    public void rewindInstance(String instanceId, String reason) {
        requireInstanceId(instanceId);
        backend.rewindTaskOrchestration(instanceId, reason);
    }

    // ---- queries and purge ----

    /**
     * One page of instances from the backend, as metadata (inputs and outputs only when the query fetches them).
     * A null query means the default query (every instance, first page of 100).
     *
     * @throws IllegalArgumentException if the continuation token is not one the backend issued
     */
    @Override
    public OrchestrationStatusQueryResult queryInstances(OrchestrationStatusQuery query) {
        OrchestrationStatusQuery q = query == null ? new OrchestrationStatusQuery() : query;
        OrchestrationStateQueryResult page = backend.queryOrchestrationStates(q);
        List<OrchestrationMetadata> instances = new ArrayList<>(page.states().size());
        for (OrchestrationState state : page.states()) {
            instances.add(toMetadata(state, q.isFetchInputsAndOutputs()));
        }
        return new OrchestrationStatusQueryResult(instances, page.continuationToken());
    }

    @Override
    public List<HistoryEvent> getOrchestrationHistory(String instanceId) {
        requireInstanceId(instanceId);
        return backend.getOrchestrationHistory(instanceId);
    }

    /**
     * Deletes the instance's history, instance row and large-payload blobs, whatever its status.
     *
     * @return a count of 1 if it existed, 0 if not
     * @throws IllegalArgumentException if the instance ID is null or empty
     */
    @Override
    public PurgeResult purgeInstance(String instanceId) {
        requireInstanceId(instanceId);
        return new PurgeResult(backend.purgeInstanceState(instanceId));
    }

    /**
     * Purges the finished instances created in {@code [createdTimeFrom, createdTimeTo]} ({@code createdTimeTo} null
     * means now). The status list is reduced to Completed, Failed, Terminated and Canceled; an empty list means those
     * four, and a list naming none of them purges nothing.
     *
     * @throws IllegalArgumentException if the criteria or {@code createdTimeFrom} is missing
     */
    @Override
    public PurgeResult purgeInstances(PurgeInstanceCriteria criteria) {
        if (criteria == null || criteria.getCreatedTimeFrom() == null) {
            throw new IllegalArgumentException("Please provide value for 'createdTimeFrom' parameter.");
        }
        Instant to = criteria.getCreatedTimeTo() != null ? criteria.getCreatedTimeTo() : clock.instant();
        Set<OrchestrationRuntimeStatus> statuses = EnumSet.copyOf(PURGEABLE_STATES);
        if (!criteria.getRuntimeStatusList().isEmpty()) {
            statuses.retainAll(criteria.getRuntimeStatusList());
        }
        if (statuses.isEmpty()) {
            return new PurgeResult(0);
        }
        return new PurgeResult(backend.purgeInstanceStates(criteria.getCreatedTimeFrom(), to, statuses));
    }

    private static void requireInstanceId(String instanceId) {
        if (instanceId == null || instanceId.isEmpty()) {
            throw new IllegalArgumentException("An instance ID is required");
        }
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
