package io.github.durablefunctions;

/**
 * The orchestrator code scheduled something different from what its history records at the same position: the
 * code was changed (or is non-deterministic) while an instance was running. The instance fails with this error;
 * the message names what history holds and what the code asked for.
 */
public class NonDeterministicOrchestratorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NonDeterministicOrchestratorException(String message) {
        super(message);
    }
}
