package io.github.durablefunctions;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * What is known of a failure of an activity, orchestration or entity operation. The original exception is not
 * re-thrown across the durable boundary; these details travel instead, and are stored in history as the
 * {@code FailureDetails} JSON column (storage-layout.md §3.3).
 */
public final class FailureDetails {
    private static final int MAX_INNER_DEPTH = 10;

    private final String errorType;
    private final String errorMessage;
    private final String stackTrace;
    private final FailureDetails innerFailure;
    private final boolean nonRetriable;
    private final Map<String, Object> properties;

    /**
     * @param errorType    the fully qualified exception class name, e.g. {@code java.lang.IllegalStateException}
     * @param errorMessage the exception's message; null becomes {@code ""}
     * @param stackTrace   the printed stack trace, or null
     * @param innerFailure details of the cause, or null
     * @param nonRetriable true if retry policies must not retry this failure
     * @param properties   extra properties, or null
     */
    public FailureDetails(String errorType, String errorMessage, String stackTrace, FailureDetails innerFailure,
                          boolean nonRetriable, Map<String, Object> properties) {
        this.errorType = Objects.requireNonNull(errorType, "errorType");
        this.errorMessage = errorMessage == null ? "" : errorMessage;
        this.stackTrace = stackTrace;
        this.innerFailure = innerFailure;
        this.nonRetriable = nonRetriable;
        this.properties = properties == null ? null : Collections.unmodifiableMap(properties);
    }

    /** Details with only a type and a message. */
    public FailureDetails(String errorType, String errorMessage) {
        this(errorType, errorMessage, null, null, false, null);
    }

    /** Details of an exception and its cause chain (up to 10 levels deep). */
    public static FailureDetails fromException(Throwable e) {
        return fromException(e, 0);
    }

    private static FailureDetails fromException(Throwable e, int depth) {
        FailureDetails inner = null;
        if (e.getCause() != null && e.getCause() != e && depth < MAX_INNER_DEPTH) {
            inner = fromException(e.getCause(), depth + 1);
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return new FailureDetails(e.getClass().getName(), e.getMessage(), trace.toString(), inner, false, null);
    }

    /** The fully qualified name of the exception class. Never null. */
    public String getErrorType() {
        return errorType;
    }

    /** The exception message. Never null (empty when the exception had none). */
    public String getErrorMessage() {
        return errorMessage;
    }

    /** The printed stack trace, or null. */
    public String getStackTrace() {
        return stackTrace;
    }

    /** Details of the cause, or null. */
    public FailureDetails getInnerFailure() {
        return innerFailure;
    }

    /** True if retry policies must not retry this failure. */
    public boolean isNonRetriable() {
        return nonRetriable;
    }

    /** Extra properties, or null. */
    public Map<String, Object> getProperties() {
        return properties;
    }

    /**
     * True if the failure was caused by an exception of the given class or a subclass, judged by loading
     * {@link #getErrorType()} with this class's loader. False if that class cannot be loaded.
     */
    public boolean isCausedBy(Class<? extends Throwable> exceptionClass) {
        try {
            Class<?> type = Class.forName(errorType, false, exceptionClass.getClassLoader());
            return exceptionClass.isAssignableFrom(type);
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return errorType + ": " + errorMessage;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof FailureDetails other)) return false;
        return nonRetriable == other.nonRetriable && errorType.equals(other.errorType)
                && errorMessage.equals(other.errorMessage) && Objects.equals(stackTrace, other.stackTrace)
                && Objects.equals(innerFailure, other.innerFailure) && Objects.equals(properties, other.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(errorType, errorMessage, stackTrace, innerFailure, nonRetriable, properties);
    }
}
