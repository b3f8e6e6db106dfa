package io.github.durablefunctions.backend;

/**
 * A checkpoint could not be committed because another worker committed the same instance first (in Azure Storage,
 * the history sentinel's ETag did not match: HTTP 409 or 412). Nothing was written; the worker abandons the work
 * item and the messages are processed again by whoever owns the instance.
 */
public class SessionAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SessionAbortedException(String message, Throwable cause) {
        super(message, cause);
    }
}
