package io.github.durablefunctions.replay;

/**
 * Control flow of the replay runtime: unwinds the orchestrator function when the execution ends early, on
 * {@code complete(output)} or when history says the instance was terminated. Extends {@link Error} so that
 * {@code catch (Exception e)} in user code does not swallow it; the context also remembers why it stopped, so catching
 * it does not change the outcome either.
 */
final class ExecutionStopSignal extends Error {
    private static final long serialVersionUID = 1L;

    ExecutionStopSignal(String message) {
        super(message, null, false, false);
    }
}
