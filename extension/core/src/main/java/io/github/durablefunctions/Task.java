package io.github.durablefunctions;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A durable task: the result of scheduling an activity, timer, sub-orchestration or external event from an
 * orchestrator function.
 *
 * <p>{@link #await()} looks synchronous but is durable: if the result is in the orchestration's history it is
 * returned at once (during replay); if not, the orchestrator function stops at this point and is replayed from the
 * top when the result arrives. Code after {@code await()} therefore runs only once the result exists.
 *
 * @param <V> the type of the task's result
 */
public abstract class Task<V> {
    /** Only the runtime creates tasks. */
    protected Task() {
    }

    /** True once the task has a result or a failure. Never blocks. */
    public abstract boolean isDone();

    /** True if the task was cancelled (for example an external event whose wait timed out). */
    public abstract boolean isCancelled();

    /**
     * Returns the task's result, replaying or suspending the orchestration until it is available.
     *
     * @return the result, deserialized into the type the task was created with (null for {@code Void})
     * @throws TaskFailedException if the activity or sub-orchestration failed; its failure details say why
     * @throws CompositeTaskFailedException if this task combines others ({@code allOf}) and any of them failed
     */
    public abstract V await();

    /**
     * A task whose result is {@code fn} applied to this task's result. If this task fails, so does the new one.
     * {@code fn} runs inside the orchestrator, during replay as well, so it must be deterministic.
     */
    public abstract <U> Task<U> thenApply(Function<V, U> fn);

    /** A task that completes after {@code fn} has consumed this task's result. */
    public abstract Task<Void> thenAccept(Consumer<V> fn);
}
