package io.github.durablefunctions;

/**
 * An entity's behaviour: runs one operation. Implement it directly to switch on
 * {@link TaskEntityOperation#getName()} (function style), or extend {@link AbstractTaskEntity} to have public methods
 * as operations (class style).
 *
 * <p>Operations on one entity run one at a time. If {@link #run} throws, the operation's state change and the
 * signals and orchestration starts it asked for are rolled back; a caller gets an
 * {@link EntityOperationFailedException}, and the entity goes on with its next operation.
 */
@FunctionalInterface
public interface TaskEntity {
    /**
     * Runs one operation.
     *
     * @return the operation's result (serialized to JSON for a caller), or null
     * @throws Exception anything; the operation fails and is rolled back
     */
    Object run(TaskEntityOperation operation) throws Exception;
}
