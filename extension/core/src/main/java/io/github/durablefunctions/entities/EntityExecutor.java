package io.github.durablefunctions.entities;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.TaskEntity;
import io.github.durablefunctions.TaskEntityFactory;
import io.github.durablefunctions.history.EventRaisedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs one batch of an entity's messages, like DTFx's {@code TaskEntityDispatcher} (storage-layout.md §9). Pure: no
 * I/O, no clock of its own, no threads; the caller passes the time and the entity's {@link TaskEntityFactory}, and
 * persists what it returns. The given {@link SchedulerState} is not modified.
 *
 * <p><b>Receiving</b>, in delivery order:
 * <ul>
 *   <li>{@code op} / {@code op@<time>}: a {@link RequestMessage} (invalid JSON is logged and dropped). A scheduled
 *       request (a {@code due} time, or a time in the event name) due more than {@link #SCHEDULE_TOLERANCE} after
 *       {@code now} is sent again to the entity itself under the same name (the backend delays it) instead of
 *       running; other scheduled requests are delivered at once, without the sorter (no ordering for scheduled
 *       signals). Other requests go through the scheduler state's {@link MessageSorter#receiveInOrder}. Delivered
 *       requests from the current lock holder go to the front of the queue (before the requests of others, which
 *       wait for the release); any other is appended to the queue.</li>
 *   <li>{@code release}: a {@link ReleaseMessage}; clears {@code lockedBy} if its {@code parent} is the lock
 *       holder.</li>
 *   <li>{@code continue}: only wakes the entity (it clears {@code suspended}, which this executor never sets).</li>
 * </ul>
 *
 * <p><b>The batch</b>: requests are taken from the head of the queue while the entity is not locked or the head is
 * from the lock holder, up to {@code maxBatchSize} operations. A lock request taken from the queue ends the
 * dequeuing; it is granted after the operations before it have run: {@code lockedBy} = its parent,
 * {@code pos} is incremented and the request forwarded ({@code op}, not labelled: {@code pos > 0} bypasses the
 * sorters) to {@code lockset[pos]}, or, from the last entity of the lock set, {@link ResponseMessage} with result
 * {@value EntityMessageNames#LOCK_ACQUISITION_COMPLETED} is sent to {@code {parent, parentExecution}}, named by the
 * request ID. If the batch is full while the queue still holds a request that could run, {@code continue} is sent to
 * itself.
 *
 * <p><b>Operations</b> run one at a time on the state JSON. A failing operation ({@link TaskEntity#run} throws, or
 * its result cannot be serialized) leaves the state as it was before it, and its signals and orchestration starts are
 * not sent; the batch goes on. A call (not a signal) is answered with {@link ResponseMessage#success} (the result
 * JSON) or {@link ResponseMessage#failure}, as an {@code EventRaised} named by the request ID to
 * {@code {parent, parentExecution}}. Signals are not answered. Without an entity function (a null factory) every
 * operation fails with a message naming the entity, and the state is untouched; lock requests are still granted.
 *
 * <p><b>Signals</b> from an operation are sent when it succeeds (so a failed operation leaves no gap in the sorter's
 * sequence): a {@link RequestMessage} with {@code signal}, {@code parent} = this entity, labelled by the scheduler
 * state's sorter at {@code now} ({@code op}); a scheduled one is named {@code op@<time>}, has {@code due} and is not
 * labelled. Its {@code parentExecution} is null, as DTFx sends it: an entity starts a new execution after every
 * batch, but its sorter carries over, and a receiver's sorter treats a new sender execution as a new sequence (it
 * would stop ordering and de-duplicating between the batches).
 * Orchestration starts become {@link OrchestrationStart}s (the worker sends the {@code ExecutionStarted}).
 */
public final class EntityExecutor {
    private static final Logger log = LoggerFactory.getLogger(EntityExecutor.class);

    /** A scheduled request arriving at most this much before its time runs at once (DTFx: 100 ms). */
    public static final Duration SCHEDULE_TOLERANCE = Duration.ofMillis(100);

    private final DataConverter dataConverter;
    private final Duration reorderWindow;
    private final int maxBatchSize;

    /**
     * @param dataConverter converts operation inputs, results and entity state
     * @param reorderWindow the message sorter window (storage-layout.md §10 {@code EntityMessageReorderWindowInMinutes},
     *                      default {@link MessageSorter#DEFAULT_REORDER_WINDOW}); zero turns ordering off
     * @param maxBatchSize  the most operations in one batch (lock holder requests are never held back)
     * @throws IllegalArgumentException if the window is negative or the batch size below 1
     */
    public EntityExecutor(DataConverter dataConverter, Duration reorderWindow, int maxBatchSize) {
        this.dataConverter = Objects.requireNonNull(dataConverter, "dataConverter");
        this.reorderWindow = Objects.requireNonNull(reorderWindow, "reorderWindow");
        if (reorderWindow.isNegative()) {
            throw new IllegalArgumentException("The reorder window must not be negative: " + reorderWindow);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("The batch size must be at least 1, was " + maxBatchSize);
        }
        this.maxBatchSize = maxBatchSize;
    }

    /** A message the batch sends. */
    public sealed interface Outbound permits EventMessage, OrchestrationStart {
    }

    /**
     * An {@code EventRaised} event for an instance's control queue.
     *
     * @param targetInstanceId  the target: an entity ID, or (for responses) an orchestration instance ID
     * @param targetExecutionId the target execution (responses), or null for whatever execution is current
     * @param eventName         {@code op}, {@code op@<time>}, {@code continue}, or a request ID (responses)
     * @param input             the JSON of a {@link RequestMessage} or {@link ResponseMessage}, or null
     */
    public record EventMessage(String targetInstanceId, String targetExecutionId, String eventName, String input)
            implements Outbound {
    }

    /**
     * An orchestration started by an operation (the worker sends its {@code ExecutionStarted}, fire-and-forget).
     *
     * @param name       the orchestrator name
     * @param instanceId the instance ID (the given one or a random 32-hex one)
     * @param input      the input JSON, or null
     */
    public record OrchestrationStart(String name, String instanceId, String input) implements Outbound {
    }

    /**
     * How one operation ended, for logging.
     *
     * @param operation        the operation name
     * @param requestId        the request ID
     * @param parentInstanceId the caller, or null for a client signal
     * @param signal           true for a signal (no response was sent)
     * @param failure          the failure, or null if the operation succeeded
     */
    public record OperationOutcome(String operation, String requestId, String parentInstanceId, boolean signal,
                                   FailureDetails failure) {
        public boolean succeeded() {
            return failure == null;
        }
    }

    /**
     * What a batch produced.
     *
     * @param state      the new scheduler state (to store as the {@code ExecutionStarted} input, or null when
     *                   {@link SchedulerState#isEmpty()})
     * @param outbound   the messages to send, in order
     * @param operations the outcome of each operation run, in order
     */
    public record Result(SchedulerState state, List<Outbound> outbound, List<OperationOutcome> operations) {
        public Result {
            outbound = List.copyOf(outbound);
            operations = List.copyOf(operations);
        }
    }

    /**
     * Runs one batch.
     *
     * @param entityId the entity
     * @param current  the scheduler state from the current history, or null for a new entity
     * @param messages the new {@code EventRaised} messages, in delivery order
     * @param factory  the entity function, or null if none of that name is registered
     * @param now      the current time (UTC)
     */
    public Result execute(EntityInstanceId entityId, SchedulerState current, List<EventRaisedEvent> messages,
                          TaskEntityFactory factory, Instant now) {
        Batch batch = new Batch(entityId, current, factory, now);
        for (EventRaisedEvent message : messages) {
            batch.receive(message);
        }
        batch.run();
        return new Result(batch.state, batch.outbound, batch.outcomes);
    }

    /** The working state of one {@link #execute} call. */
    private final class Batch {
        final EntityInstanceId entityId;
        final String self;
        final SchedulerState state;
        final TaskEntityFactory factory;
        final Instant now;
        final List<RequestMessage> lockHolderRequests = new ArrayList<>();
        final List<Outbound> outbound = new ArrayList<>();
        final List<OperationOutcome> outcomes = new ArrayList<>();

        Batch(EntityInstanceId entityId, SchedulerState current, TaskEntityFactory factory, Instant now) {
            this.entityId = entityId;
            this.self = entityId.toString();
            this.state = current == null ? new SchedulerState() : SchedulerState.fromJson(current.toJson());
            this.factory = factory;
            this.now = now;
        }

        void receive(EventRaisedEvent message) {
            String name = message.name();
            if (EntityMessageNames.isRequest(name)) {
                receiveRequest(name, message.input());
            } else if (EntityMessageNames.RELEASE.equals(name)) {
                ReleaseMessage release;
                try {
                    release = ReleaseMessage.fromJson(message.input());
                } catch (RuntimeException e) {
                    log.warn("Entity '{}': dropping a release message that is not valid JSON ({}): {}", self,
                            e.getMessage(), message.input());
                    return;
                }
                if (state.lockedBy != null && state.lockedBy.equals(release.parentInstanceId)) {
                    log.debug("Entity '{}': lock of '{}' released ({})", self, state.lockedBy, release.id);
                    state.lockedBy = null;
                } else {
                    log.debug("Entity '{}': ignoring a release from '{}'; the lock holder is '{}'", self,
                            release.parentInstanceId, state.lockedBy);
                }
            } else if (EntityMessageNames.CONTINUE.equals(name)) {
                state.suspended = false;
            } else {
                log.warn("Entity '{}': dropping an event named '{}'; entities receive only 'op', 'op@<time>', "
                        + "'release' and 'continue'", self, name);
            }
        }

        private void receiveRequest(String name, String input) {
            RequestMessage request;
            try {
                request = RequestMessage.fromJson(input);
            } catch (RuntimeException e) {
                log.warn("Entity '{}': dropping a request ('{}') that is not valid JSON ({}): {}", self, name,
                        e.getMessage(), input);
                return;
            }
            Instant due = request.scheduledTime != null ? request.scheduledTime
                    : EntityMessageNames.scheduledTimeOf(name);
            List<RequestMessage> deliver;
            if (due != null || !EntityMessageNames.REQUEST.equals(name)) {
                if (due != null && Duration.between(now, due).compareTo(SCHEDULE_TOLERANCE) > 0) {
                    String resendName = EntityMessageNames.REQUEST.equals(name)
                            ? EntityMessageNames.scheduledRequest(due) : name;
                    log.debug("Entity '{}': request {} ('{}') arrived before its time {}; sending it again", self,
                            request.id, request.operation, due);
                    outbound.add(new EventMessage(self, null, resendName, input));
                    return;
                }
                deliver = List.of(request);
            } else {
                deliver = state.sorter.receiveInOrder(request, reorderWindow);
                if (deliver.isEmpty()) {
                    log.debug("Entity '{}': request {} from '{}' held back (out of order) or dropped (duplicate)",
                            self, request.id, request.parentInstanceId);
                }
            }
            for (RequestMessage r : deliver) {
                if (state.lockedBy != null && state.lockedBy.equals(r.parentInstanceId)) {
                    lockHolderRequests.add(r);
                } else {
                    state.enqueue(r);
                }
            }
        }

        void run() {
            if (!lockHolderRequests.isEmpty()) {
                List<RequestMessage> queue = new ArrayList<>(lockHolderRequests);
                if (state.queue != null) {
                    queue.addAll(state.queue);
                }
                state.queue = queue;
            }
            List<RequestMessage> batch = new ArrayList<>();
            RequestMessage lockRequest = null;
            boolean full = false;
            while (mayDequeue()) {
                if (batch.size() >= maxBatchSize) {
                    full = true;
                    break;
                }
                RequestMessage next = state.queue.remove(0);
                if (next.isLockRequest()) {
                    if (next.parentInstanceId == null || next.lockSet.isEmpty()) {
                        log.warn("Entity '{}': dropping lock request {} without a parent or a lock set", self,
                                next.id);
                        continue;
                    }
                    lockRequest = next; // granted after the operations before it
                    break;
                }
                batch.add(next);
            }
            for (RequestMessage request : batch) {
                runOperation(request);
            }
            if (lockRequest != null) {
                grantLock(lockRequest);
            }
            if (state.queue != null && state.queue.isEmpty()) {
                state.queue = null;
            }
            if (full) {
                log.debug("Entity '{}': batch of {} full, {} request(s) queued; continuing in the next batch", self,
                        batch.size(), state.queue.size());
                outbound.add(new EventMessage(self, null, EntityMessageNames.CONTINUE, null));
            }
        }

        /** True if the queue's head may run now: the entity is not locked, or the head is the lock holder's. */
        private boolean mayDequeue() {
            return state.queue != null && !state.queue.isEmpty()
                    && (state.lockedBy == null || state.lockedBy.equals(state.queue.get(0).parentInstanceId));
        }

        private void grantLock(RequestMessage request) {
            state.lockedBy = request.parentInstanceId;
            request.position++;
            if (request.position < request.lockSet.size()) {
                String next;
                try {
                    next = request.lockSet.get(request.position).toEntityId().toString();
                } catch (RuntimeException e) {
                    log.warn("Entity '{}': lock request {} of '{}' names an invalid entity at position {} ({}); "
                            + "the lock is held until released", self, request.id, request.parentInstanceId,
                            request.position, e.getMessage());
                    return;
                }
                log.debug("Entity '{}': locked by '{}'; forwarding lock request {} to '{}'", self,
                        request.parentInstanceId, request.id, next);
                outbound.add(new EventMessage(next, null, EntityMessageNames.REQUEST, request.toJson()));
            } else {
                log.debug("Entity '{}': locked by '{}'; lock request {} complete", self, request.parentInstanceId,
                        request.id);
                outbound.add(new EventMessage(request.parentInstanceId, request.parentExecutionId, request.id,
                        ResponseMessage.success(EntityMessageNames.LOCK_ACQUISITION_COMPLETED).toJson()));
            }
        }

        private void runOperation(RequestMessage request) {
            FailureDetails failure = null;
            String resultJson = null;
            if (request.operation == null) {
                failure = new FailureDetails(IllegalArgumentException.class.getName(), "Request " + request.id
                        + " to entity '" + self + "' has neither an operation name nor a lock set");
            } else if (factory == null) {
                failure = new FailureDetails(IllegalStateException.class.getName(), "No entity function named '"
                        + entityId.getName() + "' is registered with this worker; operation '" + request.operation
                        + "' on entity '" + self + "' was not run");
            } else {
                EntityOperationRun run = new EntityOperationRun(request.operation, request.input, state.entityState,
                        entityId, now, dataConverter);
                try {
                    TaskEntity entity = factory.create();
                    if (entity == null) {
                        throw new IllegalStateException("The entity factory of '" + entityId.getName()
                                + "' returned null");
                    }
                    Object result = entity.run(run);
                    resultJson = dataConverter.serialize(result);
                } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                    failure = FailureDetails.fromException(e);
                }
                if (failure == null) {
                    commit(run);
                }
            }
            outcomes.add(new OperationOutcome(request.operation, request.id, request.parentInstanceId,
                    request.signal, failure));
            if (request.signal) {
                return;
            }
            if (request.parentInstanceId == null) {
                log.warn("Entity '{}': call {} ('{}') has no parent to answer", self, request.id, request.operation);
                return;
            }
            ResponseMessage response = failure == null ? ResponseMessage.success(resultJson)
                    : ResponseMessage.failure(failure);
            outbound.add(new EventMessage(request.parentInstanceId, request.parentExecutionId, request.id,
                    response.toJson()));
        }

        /** Takes a successful operation's state and sends its signals and starts. */
        private void commit(EntityOperationRun run) {
            state.entityState = run.stateJson();
            for (Object action : run.actions) {
                if (action instanceof EntityOperationRun.PendingSignal signal) {
                    RequestMessage request = signal.request();
                    String target = signal.target().toString();
                    String name;
                    if (request.scheduledTime != null) {
                        name = EntityMessageNames.scheduledRequest(request.scheduledTime);
                    } else {
                        state.sorter.labelOutgoingMessage(request, target, now, reorderWindow);
                        name = EntityMessageNames.REQUEST;
                    }
                    outbound.add(new EventMessage(target, null, name, request.toJson()));
                } else if (action instanceof EntityOperationRun.PendingStart start) {
                    outbound.add(new OrchestrationStart(start.name(), start.instanceId(), start.input()));
                }
            }
        }
    }
}
