package io.github.durablefunctions.interruption;

/**
 * Control flow of the replay runtime, not an error: thrown from {@code Task.await()} when the awaited result is not
 * in history yet, to stop the orchestrator function until it is. It extends {@link Error} so that the usual
 * {@code catch (Exception e)} in orchestrator code does not swallow it. Never catch it; if user code does, the
 * runtime notices and still treats the orchestration as waiting.
 */
public final class OrchestratorBlockedException extends Error {
    private static final long serialVersionUID = 1L;

    public OrchestratorBlockedException(String message) {
        super(message, null, false, false);
    }
}
