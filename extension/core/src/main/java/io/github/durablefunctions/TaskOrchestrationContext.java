package io.github.durablefunctions;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

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
    <V> Task<V> callActivity(String name, Object input, Class<V> returnType);

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
}
