package io.github.durablefunctions.host.invoke;

import com.microsoft.azure.functions.ExecutionContext;

import java.util.logging.Logger;

/**
 * The {@link ExecutionContext} of one invocation. {@link #getLogger()} is the {@code java.util.logging} logger
 * {@code Function.<FunctionName>}; the host routes {@code java.util.logging} to SLF4J/logback (jul-to-slf4j), so
 * function logs appear in the host's log with the function's name.
 *
 * @param functionName the function name
 * @param invocationId a new random UUID per invocation
 */
public record ExecutionContextImpl(String functionName, String invocationId) implements ExecutionContext {

    /** The prefix of function logger names. */
    public static final String LOGGER_PREFIX = "Function.";

    @Override
    public Logger getLogger() {
        return Logger.getLogger(LOGGER_PREFIX + functionName);
    }

    @Override
    public String getInvocationId() {
        return invocationId;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }
}
