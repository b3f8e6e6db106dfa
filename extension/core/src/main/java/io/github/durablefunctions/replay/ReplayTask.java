package io.github.durablefunctions.replay;

import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskCanceledException;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A {@link Task} of the replay runtime. Its future is completed synchronously, on the executor's thread, when the
 * history event with its result is replayed; there is no other thread involved.
 *
 * <p>Each task also knows the ordinal (position in processing order) of the history event that completed it, so that
 * {@code anyOf} picks the task that finished first in history. Tasks derived with {@link #thenApply}/{@link
 * #thenAccept} share the ordinal of the task they derive from.
 */
final class ReplayTask<V> extends Task<V> {
    private final ReplayContext context;
    private final CompletableFuture<V> future;
    private final LongSupplier completedAt;

    /**
     * @param completedAt the history ordinal of the event that completed the task; read only once the task is done
     */
    ReplayTask(ReplayContext context, CompletableFuture<V> future, LongSupplier completedAt) {
        this.context = context;
        this.future = future;
        this.completedAt = completedAt;
    }

    ReplayContext context() {
        return context;
    }

    CompletableFuture<V> future() {
        return future;
    }

    /** The history ordinal at which this task completed; meaningful only when {@link #isDone()}. */
    long completedAt() {
        return completedAt.getAsLong();
    }

    @Override
    public boolean isDone() {
        return future.isDone();
    }

    @Override
    public boolean isCancelled() {
        if (!future.isCompletedExceptionally()) {
            return false;
        }
        try {
            future.join();
            return false;
        } catch (CancellationException e) {
            return true;
        } catch (CompletionException e) {
            return ReplayContext.unwrap(e) instanceof TaskCanceledException;
        }
    }

    @Override
    public V await() {
        context.awaitCompletion(this);
        try {
            return future.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = ReplayContext.cause(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error; // e.g. a control-flow signal raised inside a thenApply function
            }
            throw new CompletionException(cause);
        }
    }

    @Override
    public <U> Task<U> thenApply(Function<V, U> fn) {
        return new ReplayTask<>(context, future.thenApply(fn), completedAt);
    }

    @Override
    public Task<Void> thenAccept(Consumer<V> fn) {
        return new ReplayTask<>(context, future.thenAccept(fn), completedAt);
    }
}
