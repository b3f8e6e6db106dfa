package io.github.durablefunctions;

/** Creates the {@link TaskEntity} that runs an operation: the worker calls it once per operation. */
@FunctionalInterface
public interface TaskEntityFactory {
    TaskEntity create();
}
