package io.github.durablefunctions.interruption;

/**
 * Control flow of the replay runtime, not an error: thrown by
 * {@link io.github.durablefunctions.TaskOrchestrationContext#continueAsNew(Object, boolean)} to end the orchestrator
 * function at once, so no {@code return} is needed after the call. It extends {@link Error} so that the usual
 * {@code catch (Exception e)} in orchestrator code does not swallow it. Never catch it; if user code does, the
 * runtime still ends the execution and starts the new one as requested by the first call.
 */
public final class ContinueAsNewInterruption extends Error {
    private static final long serialVersionUID = 1L;

    public ContinueAsNewInterruption(String message) {
        super(message, null, false, false);
    }
}
