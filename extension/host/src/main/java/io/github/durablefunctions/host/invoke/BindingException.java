package io.github.durablefunctions.host.invoke;

/**
 * An invocation's input cannot be converted to what a parameter declares: e.g. a request body that is not JSON for
 * the declared POJO type, or a route value that is not a number for an {@code int} parameter. HTTP functions answer
 * it with 400 and the message.
 */
public final class BindingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what could not be converted into what, for the caller */
    public BindingException(String message, Throwable cause) {
        super(message, cause);
    }
}
