package io.github.durablefunctions.replay;

import java.util.concurrent.CompletableFuture;

/**
 * The result of one durable operation (activity, sub-orchestration, timer, external event), filled in on the
 * executor's thread when history delivers it. Remembers the history ordinal at which it was decided, so that
 * {@code anyOf} can tell which of several finished tasks finished first.
 */
final class Outcome<T> {
    private final CompletableFuture<T> future = new CompletableFuture<>();
    private long ordinal = -1;

    CompletableFuture<T> future() {
        return future;
    }

    boolean isDone() {
        return future.isDone();
    }

    /** The ordinal of the history event that decided this outcome; -1 while undecided. */
    long ordinal() {
        return ordinal;
    }

    void complete(T value, long atOrdinal) {
        if (!future.isDone()) {
            ordinal = atOrdinal;
            future.complete(value);
        }
    }

    void fail(Throwable failure, long atOrdinal) {
        if (!future.isDone()) {
            ordinal = atOrdinal;
            future.completeExceptionally(failure);
        }
    }
}
