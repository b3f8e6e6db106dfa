package io.github.durablefunctions.host.invoke;

import io.github.durablefunctions.TaskEntity;
import io.github.durablefunctions.TaskEntityFactory;
import io.github.durablefunctions.TaskEntityOperation;

/**
 * Runs an {@code @EntityTrigger} method as a {@link TaskEntity}: the trigger parameter receives the
 * {@link TaskEntityOperation}, the return value is the operation's result (null for {@code void}). A class-style
 * entity is written as such a method returning {@code new MyEntity().run(operation)}.
 *
 * <p>It is its own {@link TaskEntityFactory}: it keeps no state between operations (the function's class gets a new
 * instance per invocation, as for every function), so the worker may use it for every operation. The user's
 * exceptions propagate as themselves; the entity executor fails the operation with them and rolls it back.
 */
public final class EntityFunctionAdapter implements TaskEntity, TaskEntityFactory {
    private final FunctionInvoker invoker;

    /** @param invoker the invoker of an entity function */
    public EntityFunctionAdapter(FunctionInvoker invoker) {
        this.invoker = invoker;
    }

    @Override
    public Object run(TaskEntityOperation operation) throws Exception {
        return invoker.invoke(Invocation.entity(invoker.function().name(), operation));
    }

    /** This adapter: it holds no per-operation state. */
    @Override
    public TaskEntity create() {
        return this;
    }
}
