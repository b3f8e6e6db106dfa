package io.github.durablefunctions;

import java.util.List;

/** Thrown by {@code await()} on an {@code allOf} task when one or more inner tasks failed; holds every failure. */
public class CompositeTaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Exception> exceptions;

    public CompositeTaskFailedException(String message, List<Exception> exceptions) {
        super(message, exceptions.isEmpty() ? null : exceptions.get(0));
        this.exceptions = List.copyOf(exceptions);
    }

    /** The failures of the inner tasks, in the order of the task list. */
    public List<Exception> getExceptions() {
        return exceptions;
    }
}
