package io.github.durablefunctions.host.invoke;

import io.github.durablefunctions.TaskActivity;
import io.github.durablefunctions.TaskActivityContext;

/**
 * Runs an {@code @ActivityTrigger} method as a {@link TaskActivity}: the trigger parameter receives the input
 * deserialized into its declared generic type ({@link TaskActivityContext#getInput(java.lang.reflect.Type)}), an
 * {@code ExecutionContext} parameter an execution context; the return value is the activity's result. What the
 * user's code throws (exceptions and errors) reaches the worker as itself, which fails the activity with it.
 */
public final class ActivityFunctionAdapter implements TaskActivity {
    private final FunctionInvoker invoker;

    /** @param invoker the invoker of an activity function */
    public ActivityFunctionAdapter(FunctionInvoker invoker) {
        this.invoker = invoker;
    }

    @Override
    public Object run(TaskActivityContext ctx) throws Exception {
        return invoker.invoke(Invocation.activity(invoker.function().name(), ctx));
    }
}
