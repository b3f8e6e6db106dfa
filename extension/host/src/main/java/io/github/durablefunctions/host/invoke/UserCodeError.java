package io.github.durablefunctions.host.invoke;

/**
 * Carries an {@link Error} thrown by an orchestrator or activity function (e.g. an {@code AssertionError} or a
 * {@code NoClassDefFoundError} of a missing dependency) as an exception, so the durable runtime records it as the
 * function's failure instead of losing the work item: the worker loops handle exceptions, not errors. The message
 * is the error's {@code toString()}; the error is the cause.
 */
public final class UserCodeError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param error the error the function threw */
    public UserCodeError(Error error) {
        super(error.toString(), error);
    }
}
