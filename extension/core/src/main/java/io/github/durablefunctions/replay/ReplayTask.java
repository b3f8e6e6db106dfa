package io.github.durablefunctions.replay;

import io.github.durablefunctions.Task;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link Task} of the replay runtime. Its future is completed synchronously, on the executor's thread, when the
 * history event with its result is replayed; there is no other thread involved.
 */
final class ReplayTask<V> extends Task<V> {
    private final ReplayContext context;
    private final CompletableFuture<V> future;

    ReplayTask(ReplayContext context, CompletableFuture<V> future) {
        this.context = context;
        this.future = future;
    }

    ReplayContext context() {
        return context;
    }

    CompletableFuture<V> future() {
        return future;
    }

    @Override
    public boolean isDone() {
        return future.isDone();
    }

    @Override
    public boolean isCancelled() {
        return future.isCancelled();
    }

    @Override
    public V await() {
        context.awaitCompletion(this);
        try {
            return future.join();
        } catch (CompletionException | CancellationException e) {
            Exception cause = ReplayContext.unwrap(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new CompletionException(cause);
        }
    }

    @Override
    public <U> Task<U> thenApply(Function<V, U> fn) {
        return new ReplayTask<>(context, future.thenApply(fn));
    }

    @Override
    public Task<Void> thenAccept(Consumer<V> fn) {
        return new ReplayTask<>(context, future.thenAccept(fn));
    }
}
