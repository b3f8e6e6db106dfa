package io.github.durablefunctions.client;

import io.github.durablefunctions.CleanEntityStorageRequest;
import io.github.durablefunctions.CleanEntityStorageResult;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.EntityQuery;
import io.github.durablefunctions.EntityQueryResult;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.backend.EntityStateQuery;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationStateQueryResult;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.entities.EntityMessageNames;
import io.github.durablefunctions.entities.EntityStatus;
import io.github.durablefunctions.entities.ReleaseMessage;
import io.github.durablefunctions.entities.RequestMessage;
import io.github.durablefunctions.entities.SchedulerState;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A {@link DurableEntityClient} over a backend's client SPI: signals are {@code EventRaised} messages to the entity's
 * instance, metadata and queries read entity instance states and parse their scheduler state (storage-layout.md §9).
 *
 * <p>What is read from an entity's instance state:
 * <ul>
 *   <li>whether it exists: with its input (the {@link SchedulerState}), whether that has a {@code state}; without,
 *       the {@code entityExists} of its custom status ({@link EntityStatus});</li>
 *   <li>its queue size and lock owner: from the scheduler state when read, else from the custom status;</li>
 *   <li>its last modification: the row's {@code LastUpdatedTime}.</li>
 * </ul>
 * Rows whose instance ID is not an entity ID ({@code @name@key}) or whose scheduler state is not valid JSON are
 * left out of queries and clean-up with a warning, and read as "no entity" by {@link #getEntityMetadata}.
 */
public final class BackendDurableEntityClient extends DurableEntityClient {
    private static final Logger log = LoggerFactory.getLogger(BackendDurableEntityClient.class);
    /** Statuses in which an orchestration still holds the locks it took. */
    private static final Set<OrchestrationRuntimeStatus> LOCK_HOLDING_STATES = EnumSet.of(
            OrchestrationRuntimeStatus.RUNNING, OrchestrationRuntimeStatus.PENDING,
            OrchestrationRuntimeStatus.SUSPENDED);
    /** Rows read per page by {@link #cleanEntityStorage}. */
    static final int CLEAN_PAGE_SIZE = EntityQuery.DEFAULT_PAGE_SIZE;

    private final OrchestrationServiceClient backend;
    private final DataConverter dataConverter;
    private final Duration reorderWindow;
    private final Clock clock;

    /**
     * @param reorderWindow the entity message reorder window: empty entities idle for less than this are not removed
     *                      by {@link #cleanEntityStorage}
     */
    public BackendDurableEntityClient(OrchestrationServiceClient backend, DataConverter dataConverter,
                                      Duration reorderWindow) {
        this(backend, dataConverter, reorderWindow, Clock.systemUTC());
    }

    /**
     * @param reorderWindow the entity message reorder window: empty entities idle for less than this are not removed
     *                      by {@link #cleanEntityStorage}
     * @param clock         the source of the current time: signal timestamps (and whether a scheduled signal is in
     *                      the future), and the idle limit of clean-up; {@link Clock#systemUTC()} in production, a
     *                      virtual clock in tests
     * @throws NullPointerException if {@code reorderWindow} or {@code clock} is null
     */
    public BackendDurableEntityClient(OrchestrationServiceClient backend, DataConverter dataConverter,
                                      Duration reorderWindow, Clock clock) {
        this.backend = backend;
        this.dataConverter = dataConverter;
        this.reorderWindow = Objects.requireNonNull(reorderWindow, "reorderWindow");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Sends an {@code EventRaised} (EventId -1) to the entity's current execution ({@code ExecutionId} null): named
     * {@code op}, or {@code op@<time>} when {@code options} schedules it for a future time, with the JSON of a
     * {@link RequestMessage} {@code {"op", "signal": true, "input", "id": <new GUID>, "parent": null,
     * "parentExecution": null, "due" (scheduled only), "requestTime"}} as its input (storage-layout.md §9).
     *
     * @throws IllegalArgumentException if the entity ID or operation name is null
     * @throws DataConverter.DataConverterException if the input cannot be serialized
     */
    @Override
    public void signalEntity(EntityInstanceId entityId, String operationName, Object input,
                             SignalEntityOptions options) {
        if (entityId == null) {
            throw new IllegalArgumentException("An entity ID is required");
        }
        if (operationName == null) {
            throw new IllegalArgumentException("An operation name is required");
        }
        Instant now = clock.instant();
        RequestMessage request = new RequestMessage();
        request.operation = operationName;
        request.signal = true;
        request.input = dataConverter.serialize(input);
        request.id = UUID.randomUUID().toString();
        request.requestTime = now;
        String eventName = EntityMessageNames.REQUEST;
        Instant scheduled = options == null ? null : options.getScheduledTime();
        if (scheduled != null && scheduled.isAfter(now)) {
            eventName = EntityMessageNames.scheduledRequest(scheduled);
            request.scheduledTime = scheduled;
        }
        send(entityId.toString(), eventName, request.toJson(), now);
    }

    /**
     * Reads the entity's instance state: with its input (the scheduler state) if {@code includeState}, else only the
     * row's custom status.
     *
     * @return the metadata, or null if there is no row, or the entity has no state (deleted, never set, or the row's
     *         status or scheduler state cannot be read)
     * @throws IllegalArgumentException if the entity ID is null
     */
    @Override
    public EntityMetadata getEntityMetadata(EntityInstanceId entityId, boolean includeState) {
        if (entityId == null) {
            throw new IllegalArgumentException("An entity ID is required");
        }
        OrchestrationState state = backend.getOrchestrationState(entityId.toString(), includeState);
        if (state == null) {
            return null;
        }
        EntityRow row = EntityRow.read(state, includeState);
        return row == null || !row.exists() ? null : toMetadata(entityId, state, row, includeState);
    }

    /**
     * One page of {@link OrchestrationServiceClient#queryEntityStates}: the prefix normalized (null means every
     * entity, {@code @}; a missing leading {@code @} is added; the name part, up to the second {@code @}, is
     * lower-cased), the input read only when state is asked for, transient entities (no state) left out unless
     * {@code includeTransient}. The page can hold fewer than {@code pageSize} entities and still have a next one.
     *
     * @throws IllegalArgumentException if the query is null or its continuation token was not issued by the backend
     */
    @Override
    public EntityQueryResult queryEntities(EntityQuery query) {
        if (query == null) {
            throw new IllegalArgumentException("An entity query is required");
        }
        boolean includeState = query.isIncludeState();
        OrchestrationStateQueryResult page = backend.queryEntityStates(new EntityStateQuery(
                normalizePrefix(query.getInstanceIdStartsWith()), query.getLastModifiedFrom(),
                query.getLastModifiedTo(), includeState, query.getPageSize(), query.getContinuationToken()));
        List<EntityMetadata> entities = new ArrayList<>(page.states().size());
        for (OrchestrationState state : page.states()) {
            EntityInstanceId id = entityId(state);
            EntityRow row = id == null ? null : EntityRow.read(state, includeState);
            if (row == null || (!row.exists() && !query.isIncludeTransient())) {
                continue;
            }
            entities.add(toMetadata(id, state, row, includeState));
        }
        return new EntityQueryResult(entities, page.continuationToken());
    }

    /**
     * Goes through the entity rows (with their scheduler state), one page of {@value #CLEAN_PAGE_SIZE} rows at a
     * time, from the request's token: all pages if {@code continueUntilComplete}, else one.
     * <ul>
     *   <li>{@code removeEmptyEntities}: purges the rows of entities without state, lock or queued requests whose
     *       {@code LastUpdatedTime} is older than the reorder window (a message sorted against the removed state
     *       could otherwise be mistaken for a duplicate);</li>
     *   <li>{@code releaseOrphanedLocks}: for an entity locked by an orchestration that no longer exists or is not
     *       Running, Pending or Suspended, sends {@code release} with {@code {"parent": <lock owner>, "id":
     *       "fix-orphaned-lock"}}; the entity then runs its queue (storage-layout.md §9).</li>
     * </ul>
     *
     * @return the counts, and the token to go on from (null when every row was visited)
     * @throws IllegalArgumentException if the request is null or its token was not issued by the backend
     */
    @Override
    public CleanEntityStorageResult cleanEntityStorage(CleanEntityStorageRequest request) {
        if (request == null) {
            throw new IllegalArgumentException("A clean-up request is required");
        }
        String token = request.getContinuationToken();
        int removed = 0;
        int released = 0;
        Instant idleBefore = clock.instant().minus(reorderWindow);
        do {
            OrchestrationStateQueryResult page = backend.queryEntityStates(new EntityStateQuery("@", null, null,
                    true, CLEAN_PAGE_SIZE, token));
            for (OrchestrationState state : page.states()) {
                EntityInstanceId id = entityId(state);
                EntityRow row = id == null ? null : EntityRow.read(state, true);
                if (row == null) {
                    continue;
                }
                if (request.isRemoveEmptyEntities() && row.isEmpty() && state.lastUpdatedTime() != null
                        && state.lastUpdatedTime().isBefore(idleBefore)) {
                    int purged = backend.purgeInstanceState(state.instanceId());
                    if (purged > 0) {
                        log.info("Entity clean-up: removed empty entity '{}' (idle since {})", id,
                                state.lastUpdatedTime());
                    }
                    removed += purged;
                }
                if (request.isReleaseOrphanedLocks() && row.lockedBy() != null && isOrphaned(row.lockedBy())) {
                    send(id.toString(), EntityMessageNames.RELEASE,
                            ReleaseMessage.of(row.lockedBy(), ReleaseMessage.FIX_ORPHANED_LOCK).toJson(),
                            clock.instant());
                    log.info("Entity clean-up: released the lock of entity '{}' held by '{}', which no longer runs",
                            id, row.lockedBy());
                    released++;
                }
            }
            token = page.continuationToken();
        } while (token != null && request.isContinueUntilComplete());
        return new CleanEntityStorageResult(token, removed, released);
    }

    /** True if the lock owner is gone or finished, so it will never release its lock. */
    private boolean isOrphaned(String lockOwner) {
        OrchestrationState owner = backend.getOrchestrationState(lockOwner, false);
        return owner == null || !LOCK_HOLDING_STATES.contains(owner.runtimeStatus());
    }

    private void send(String instanceId, String eventName, String inputJson, Instant now) {
        backend.sendTaskOrchestrationMessage(new TaskMessage(
                new EventRaisedEvent(-1, false, now, eventName, inputJson, null),
                new OrchestrationInstance(instanceId, null)));
    }

    private EntityMetadata toMetadata(EntityInstanceId id, OrchestrationState state, EntityRow row,
                                      boolean includeState) {
        return new EntityMetadata(id, state.lastUpdatedTime(), row.queueSize(), row.lockedBy(),
                includeState ? row.state() : null, includeState, dataConverter);
    }

    /**
     * An entity query's instance ID prefix as the backend takes it: {@code @} for null or empty; a leading {@code @}
     * added if missing; the entity name part (up to the second {@code @}, or the whole prefix if it has none)
     * lower-cased with {@link Locale#ROOT}, since entity names are stored lower case; the key part kept as given.
     */
    static String normalizePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "@";
        }
        String p = prefix.charAt(0) == '@' ? prefix : "@" + prefix;
        int second = p.indexOf('@', 1);
        return second < 0 ? p.toLowerCase(Locale.ROOT)
                : p.substring(0, second).toLowerCase(Locale.ROOT) + p.substring(second);
    }

    /** The entity ID of a row, or null (logged) if its instance ID is not one. */
    private static EntityInstanceId entityId(OrchestrationState state) {
        try {
            return EntityInstanceId.fromString(state.instanceId());
        } catch (IllegalArgumentException e) {
            log.warn("Instance '{}' is in the entity range of the instance store but is not an entity: {}",
                    state.instanceId(), e.getMessage());
            return null;
        }
    }

    /**
     * What an entity row says.
     *
     * @param exists    the entity has state
     * @param state     the state JSON (only when the scheduler state was read)
     * @param queueSize requests waiting
     * @param lockedBy  the lock owner, or null
     */
    private record EntityRow(boolean exists, String state, int queueSize, String lockedBy) {

        boolean isEmpty() {
            return !exists && lockedBy == null && queueSize == 0;
        }

        /**
         * Reads a row: from its scheduler state ({@code input}) if it was fetched, else from its custom status.
         *
         * @return the row, or null (logged) if the scheduler state is not valid
         */
        static EntityRow read(OrchestrationState state, boolean inputFetched) {
            if (inputFetched) {
                SchedulerState scheduler;
                try {
                    scheduler = SchedulerState.fromJson(state.input());
                } catch (IllegalArgumentException e) {
                    log.warn("Entity '{}' has a scheduler state that cannot be read; leaving it out: {}",
                            state.instanceId(), e.getMessage());
                    return null;
                }
                return new EntityRow(scheduler.entityState != null, scheduler.entityState,
                        scheduler.queue == null ? 0 : scheduler.queue.size(), scheduler.lockedBy);
            }
            EntityStatus status = EntityStatus.fromJson(state.customStatus());
            return status == null ? new EntityRow(false, null, 0, null)
                    : new EntityRow(status.entityExists, null, status.queueSize, status.lockedBy);
        }
    }
}
