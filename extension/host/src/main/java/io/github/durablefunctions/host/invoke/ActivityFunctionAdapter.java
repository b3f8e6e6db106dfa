package io.github.durablefunctions.host.invoke;

import io.github.durablefunctions.TaskActivity;
import io.github.durablefunctions.TaskActivityContext;

/**
 * Runs an {@code @ActivityTrigger} method as a {@link TaskActivity}: the trigger parameter receives the input
 * deserialized into its declared generic type ({@link TaskActivityContext#getInput(java.lang.reflect.Type)}), an
 * {@code ExecutionContext} parameter an execution context; the return value is the activity's result. Errors of the
 * user's code (other than {@link VirtualMachineError}) become {@link UserCodeError}s so that they fail the activity.
 */
public final class ActivityFunctionAdapter implements TaskActivity {
    private final FunctionInvoker invoker;

    /** @param invoker the invoker of an activity function */
    public ActivityFunctionAdapter(FunctionInvoker invoker) {
        this.invoker = invoker;
    }

    @Override
    public Object run(TaskActivityContext ctx) throws Exception {
        try {
            return invoker.invoke(Invocation.activity(invoker.function().name(), ctx));
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Error e) {
            throw new UserCodeError(e);
        }
    }
}
