package io.github.durablefunctions;

import org.slf4j.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * What an orchestrator function uses to read its input and schedule durable work. Method names follow the Durable
 * Task Java API ({@code com.microsoft.durabletask.TaskOrchestrationContext}), so orchestrators port by changing
 * imports.
 *
 * <p>Orchestrator code is replayed from the top every time new work arrives, so it must be deterministic: take the
 * time from {@link #getCurrentInstant()}, never from the system clock, and do I/O only in activities.
 */
public interface TaskOrchestrationContext {
    /** The orchestrator's name, as it was scheduled. */
    String getName();

    /** The orchestration instance ID. */
    String getInstanceId();

    /**
     * The orchestration's input, deserialized from its stored JSON.
     *
     * @return the input, or null if the orchestration was started without one
     * @throws DataConverter.DataConverterException if the stored JSON does not fit {@code targetType}
     */
    <V> V getInput(Class<V> targetType);

    /**
     * The replay-safe current time: the time the current episode started, taken from history (the timestamp of the
     * latest {@code OrchestratorStarted} event), so it is the same on every replay.
     */
    Instant getCurrentInstant();

    /** True while the code is re-running over events already in history; false once it reaches new events. */
    boolean getIsReplaying();

    /**
     * Schedules an activity and returns a task for its result.
     *
     * @param name       the activity function's name (case-insensitive)
     * @param input      the activity's input, serialized to JSON; may be null
     * @param returnType the type to deserialize the activity's JSON result into ({@code Void.class} for none)
     * @return a task that completes with the activity's result, or fails with {@link TaskFailedException}
     */
    default <V> Task<V> callActivity(String name, Object input, Class<V> returnType) {
        return callActivity(name, input, null, returnType);
    }

    /**
     * Schedules an activity, with retries if {@code options} say so, and returns a task for its result. The core
     * overload every other {@code callActivity} delegates to.
     *
     * @param name       the activity function's name (case-insensitive)
     * @param input      the activity's input, serialized to JSON; may be null
     * @param options    retry policy or handler; null for a single attempt
     * @param returnType the type to deserialize the activity's JSON result into ({@code Void.class} for none)
     * @return a task that completes with the activity's result, or fails with {@link TaskFailedException} (carrying
     * the last attempt's failure details) once no retry is left
     * @throws IllegalArgumentException if the name is null or blank
     */
    <V> Task<V> callActivity(String name, Object input, TaskOptions options, Class<V> returnType);

    /** Schedules an activity with retry options whose result is not needed. */
    default Task<Void> callActivity(String name, Object input, TaskOptions options) {
        return callActivity(name, input, options, Void.class);
    }

    /** Schedules an activity without input and returns a task for its result. */
    default <V> Task<V> callActivity(String name, Class<V> returnType) {
        return callActivity(name, null, returnType);
    }

    /** Schedules an activity whose result is not needed; the task completes when the activity has run. */
    default Task<Void> callActivity(String name, Object input) {
        return callActivity(name, input, Void.class);
    }

    /** Schedules an activity without input whose result is not needed. */
    default Task<Void> callActivity(String name) {
        return callActivity(name, null, Void.class);
    }

    /**
     * A task that completes when every given task has completed, with their results in list order. If any task
     * fails, {@code await()} throws {@link CompositeTaskFailedException} holding every inner failure, after all
     * tasks have finished.
     */
    <V> Task<List<V>> allOf(List<Task<V>> tasks);

    /** Varargs form of {@link #allOf(List)}. */
    @SuppressWarnings("unchecked")
    default <V> Task<List<V>> allOf(Task<V>... tasks) {
        return allOf(Arrays.asList(tasks));
    }

    /**
     * A task that completes when the first of the given tasks completes (successfully or not), with that task as its
     * result. "First" is by history order: the task whose completion event comes first in history wins, whatever its
     * position in the list, so every replay picks the same winner. If several are already complete when
     * {@code anyOf} is called, the one completed earliest in history wins. A task made with {@link Task#thenApply} or
     * {@link Task#thenAccept} counts as completing when the task it derives from did.
     *
     * @throws IllegalArgumentException if {@code tasks} is empty, or holds a task of another context
     */
    Task<Task<?>> anyOf(List<Task<?>> tasks);

    /** Varargs form of {@link #anyOf(List)}. */
    default Task<Task<?>> anyOf(Task<?>... tasks) {
        return anyOf(Arrays.asList(tasks));
    }

    // ---- durable timers ----

    /**
     * A durable timer that fires after {@code delay}, measured from {@link #getCurrentInstant()}. Timers longer than
     * the storage queue's 7-day visibility limit are chained from pieces of at most 3 days (storage-layout.md §8.6);
     * the task completes when the last piece fires.
     *
     * @param delay how long to wait; zero or negative fires at once (still through history: a timer due at
     *              {@link #getCurrentInstant()})
     * @return a task that completes (with null) when the timer fires
     * @throws IllegalArgumentException if {@code delay} is null
     */
    Task<Void> createTimer(Duration delay);

    /**
     * A durable timer that fires at {@code fireAt} (converted to UTC). Chained like {@link #createTimer(Duration)}; a
     * time in the past fires at once.
     *
     * @return a task that completes (with null) when the timer fires
     * @throws IllegalArgumentException if {@code fireAt} is null
     */
    Task<Void> createTimer(ZonedDateTime fireAt);

    // ---- external events ----

    /**
     * Waits for an event raised to this instance (by a client, {@link #sendEvent} of another orchestration, or the HTTP
     * API). Names match case-insensitively. Events that arrived before anyone waited are buffered and handed out in
     * arrival order, one per wait.
     *
     * <p>If the timeout fires first, the wait is over: an event of that name arriving later is buffered for the next
     * wait, not lost. If the event arrives first, the timer's later firing is ignored.
     *
     * @param name     the event name
     * @param timeout  how long to wait: null, negative or longer than about 100 years (for example
     *                 {@code ChronoUnit.FOREVER}'s duration) means forever; {@link Duration#ZERO} gives an
     *                 already-cancelled task unless an event is buffered; anything else creates a durable timer
     *                 (chained like {@link #createTimer(Duration)} when long)
     * @param dataType the type to deserialize the event's JSON payload into
     * @return a task that completes with the event's payload, or fails with {@link TaskCanceledException} (naming the
     * event and the timeout) when the timeout fires first
     * @throws IllegalArgumentException if the name is null or blank
     */
    <V> Task<V> waitForExternalEvent(String name, Duration timeout, Class<V> dataType);

    /** {@link #waitForExternalEvent(String, Duration, Class)} with no payload type ({@code Void}). */
    default Task<Void> waitForExternalEvent(String name, Duration timeout) {
        return waitForExternalEvent(name, timeout, Void.class);
    }

    /** {@link #waitForExternalEvent(String, Duration, Class)} without a timeout. */
    default <V> Task<V> waitForExternalEvent(String name, Class<V> dataType) {
        return waitForExternalEvent(name, null, dataType);
    }

    /** {@link #waitForExternalEvent(String, Duration, Class)} without a timeout or payload type. */
    default Task<Void> waitForExternalEvent(String name) {
        return waitForExternalEvent(name, null, Void.class);
    }

    /**
     * Sends an event to another orchestration instance (recorded in history as {@code EventSent}; delivered as
     * {@code EventRaised} to the target's control queue). Fire-and-forget: nothing waits for delivery.
     *
     * @param instanceId the target instance ID
     * @param eventName  the event name
     * @param eventData  the payload, serialized to JSON; may be null
     * @throws IllegalArgumentException if the instance ID or event name is null or blank
     */
    void sendEvent(String instanceId, String eventName, Object eventData);

    /** {@link #sendEvent(String, String, Object)} without a payload. */
    default void sendEvent(String instanceId, String eventName) {
        sendEvent(instanceId, eventName, null);
    }

    // ---- sub-orchestrations ----

    /**
     * Starts a sub-orchestration and returns a task for its output.
     *
     * @param name       the orchestrator function's name
     * @param input      its input, serialized to JSON; may be null
     * @param instanceId the child's instance ID; null gives a deterministic one derived from this instance's ID and
     *                   the task's position: {@code <parent ID>:<position as 4 upper-case hex digits>}, for example
     *                   {@code abc:0003} (with retries, each attempt has its own position, hence its own ID)
     * @param options    retry policy or handler (each retry starts the child again); null for a single attempt
     * @param returnType the type to deserialize the child's output into
     * @return a task that completes with the child's output, or fails with {@link TaskFailedException} whose
     * {@link TaskFailedException#getErrorDetails()} are the child's failure details
     * @throws IllegalArgumentException if the name is null or blank, or {@code instanceId} is blank
     * @throws IllegalStateException    inside a critical section ({@link #lockEntities}): an orchestration holding
     *                                  entity locks must not start sub-orchestrations
     */
    <V> Task<V> callSubOrchestrator(String name, Object input, String instanceId, TaskOptions options,
                                    Class<V> returnType);

    /** Sub-orchestration with a chosen instance ID, no retries. */
    default <V> Task<V> callSubOrchestrator(String name, Object input, String instanceId, Class<V> returnType) {
        return callSubOrchestrator(name, input, instanceId, null, returnType);
    }

    /** Sub-orchestration with a generated instance ID. */
    default <V> Task<V> callSubOrchestrator(String name, Object input, Class<V> returnType) {
        return callSubOrchestrator(name, input, null, null, returnType);
    }

    /** Sub-orchestration whose output is not needed. */
    default Task<Void> callSubOrchestrator(String name, Object input) {
        return callSubOrchestrator(name, input, null, null, Void.class);
    }

    /** Sub-orchestration without input whose output is not needed. */
    default Task<Void> callSubOrchestrator(String name) {
        return callSubOrchestrator(name, null, null, null, Void.class);
    }

    // ---- ending, restarting, status ----

    /**
     * Ends this execution and starts a new one of the same instance with {@code input} and an empty history (the
     * eternal-orchestration pattern). Does not return: it throws
     * {@link io.github.durablefunctions.interruption.ContinueAsNewInterruption} (an {@link Error}, so
     * {@code catch (Exception e)} does not swallow it), which the runtime catches, so code after it does not run.
     * Actions taken before the call in the same episode, such as {@link #sendEvent} or an activity that is not
     * awaited, are still carried out.
     *
     * @param input                     the new execution's input
     * @param preserveUnprocessedEvents whether external events received but not consumed by a wait (including ones
     *                                  later in the same episode) are carried over to the new execution, in arrival
     *                                  order (otherwise they are dropped)
     * @throws IllegalStateException inside a critical section ({@link #lockEntities}): release the locks first
     */
    void continueAsNew(Object input, boolean preserveUnprocessedEvents);

    /** {@link #continueAsNew(Object, boolean)} carrying unprocessed events over. */
    default void continueAsNew(Object input) {
        continueAsNew(input, true);
    }

    /**
     * Completes the orchestration now with {@code output}, as if the function had returned it. Does not return (a
     * control-flow signal, like {@link #continueAsNew}).
     */
    void complete(Object output);

    /**
     * Sets the instance's custom status (serialized to JSON), visible to clients and the status endpoint from the
     * next checkpoint on. The status last set wins; since the code is replayed, set it again on every path.
     *
     * @throws DataConverter.DataConverterException if the value cannot be serialized
     */
    void setCustomStatus(Object customStatus);

    /** Clears the custom status (null). */
    void clearCustomStatus();

    /**
     * A deterministic UUID: version 5 (SHA-1, name-based, RFC 4122) in the namespace
     * {@code 9e952958-5e33-4daf-827f-2fa12937b875} of the name {@code <instance ID>-<current instant, ISO-8601>-<n>},
     * where {@code n} counts the calls in this execution from 0, so every replay produces the same sequence.
     */
    UUID newUUID();

    /**
     * A logger that forwards to {@code logger} only when the code is not replaying, so each line is written once
     * per orchestration rather than once per replay. While replaying, its {@code isXxxEnabled()} methods answer false
     * and its fluent {@code atXxx()} builders do nothing.
     *
     * @throws IllegalArgumentException if {@code logger} is null
     */
    Logger createReplaySafeLogger(Logger logger);

    // ---- entities (storage-layout.md §9) ----

    /** {@link #signalEntity(EntityInstanceId, String, Object, SignalEntityOptions)} without input or options. */
    default void signalEntity(EntityInstanceId entityId, String operationName) {
        signalEntity(entityId, operationName, null, null);
    }

    /** {@link #signalEntity(EntityInstanceId, String, Object, SignalEntityOptions)} without options. */
    default void signalEntity(EntityInstanceId entityId, String operationName, Object input) {
        signalEntity(entityId, operationName, input, null);
    }

    /**
     * Sends a one-way operation to an entity: an {@code EventSent} in history and an {@code EventRaised} named
     * {@code op} (or {@code op@<time>} when scheduled) to the entity (storage-layout.md §9). Signals and calls from
     * one orchestration to one entity are processed in the order they are sent.
     *
     * @param input   the operation input, serialized to JSON; may be null
     * @param options a scheduled time, or null to deliver now; a time after {@link #getCurrentInstant()} sends the
     *                request as {@code op@<time>} with {@code due} set, else it is sent as {@code op}
     * @throws IllegalArgumentException if the entity ID is null, or the operation name null or blank
     * @throws IllegalStateException    inside a critical section, for an entity this orchestration has locked
     */
    void signalEntity(EntityInstanceId entityId, String operationName, Object input, SignalEntityOptions options);

    /** {@link #callEntity(EntityInstanceId, String, Object, Class)} without input or result. */
    default Task<Void> callEntity(EntityInstanceId entityId, String operationName) {
        return callEntity(entityId, operationName, null, Void.class);
    }

    /** {@link #callEntity(EntityInstanceId, String, Object, Class)} without a result. */
    default Task<Void> callEntity(EntityInstanceId entityId, String operationName, Object input) {
        return callEntity(entityId, operationName, input, Void.class);
    }

    /** {@link #callEntity(EntityInstanceId, String, Object, Class)} without input. */
    default <V> Task<V> callEntity(EntityInstanceId entityId, String operationName, Class<V> returnType) {
        return callEntity(entityId, operationName, null, returnType);
    }

    /**
     * Calls an entity operation and waits for its result: a request message as in
     * {@link #signalEntity(EntityInstanceId, String, Object, SignalEntityOptions)}, with a response event named by
     * the request ID (a deterministic UUID) coming back.
     *
     * @param input      the operation input, serialized to JSON; may be null
     * @param returnType the class the result is deserialized into
     * @return a task whose {@link Task#await()} returns the result, or throws {@link EntityOperationFailedException}
     *         with the entity's failure details if the operation failed
     * @throws IllegalArgumentException if the entity ID is null, or the operation name null or blank
     * @throws IllegalStateException    inside a critical section, for an entity not locked by it, or one with a call
     *                                  of this orchestration still pending
     */
    <V> Task<V> callEntity(EntityInstanceId entityId, String operationName, Object input, Class<V> returnType);

    /** {@link #lockEntities(List)} for the given entities. */
    default Task<EntityCriticalSection> lockEntities(EntityInstanceId... entityIds) {
        return lockEntities(Arrays.asList(entityIds));
    }

    /**
     * Locks the entities (sorted and without duplicates, so two orchestrations locking overlapping sets never
     * deadlock): one lock request travels along the sorted set, each entity locking itself and passing it on, the
     * last one answering (storage-layout.md §9). Use the result with try-with-resources:
     * {@code try (EntityCriticalSection lock = ctx.lockEntities(a, b).await()) { ... }}.
     *
     * <p>Inside the critical section the orchestration may call each locked entity (one call at a time per entity),
     * may signal entities it has not locked, and must not signal locked entities, call unlocked ones, lock again,
     * start sub-orchestrations or continue as new: those throw {@link IllegalStateException} (which fails the
     * orchestration unless caught). Locks still held when the orchestration completes or fails are released then;
     * a terminated orchestration sends nothing.
     *
     * @return a task completing when every entity is locked
     * @throws IllegalArgumentException if the list is null or empty, or holds null
     * @throws IllegalStateException    inside a critical section already, or while an earlier lock request is still
     *                                  pending
     */
    Task<EntityCriticalSection> lockEntities(List<EntityInstanceId> entityIds);

    /** True between the acquisition of locks by {@link #lockEntities} and their release. */
    boolean isInCriticalSection();

    /** The entities locked by this orchestration, in lock order; empty outside a critical section. */
    List<EntityInstanceId> getLockedEntities();
}
