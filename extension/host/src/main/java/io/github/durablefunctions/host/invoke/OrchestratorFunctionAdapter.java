package io.github.durablefunctions.host.invoke;

import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.interruption.OrchestratorBlockedException;

/**
 * Runs an {@code @OrchestrationTrigger} method as an {@link OrchestratorFunction}: the trigger parameter receives
 * the {@link TaskOrchestrationContext}, the return value is the orchestration's output. The replay runtime's
 * {@link OrchestratorBlockedException} and the user's exceptions propagate as themselves; other errors of the user's
 * code become {@link UserCodeError}s so that they fail the orchestration.
 */
public final class OrchestratorFunctionAdapter implements OrchestratorFunction<Object> {
    private final FunctionInvoker invoker;

    /** @param invoker the invoker of an orchestrator function */
    public OrchestratorFunctionAdapter(FunctionInvoker invoker) {
        this.invoker = invoker;
    }

    @Override
    public Object apply(TaskOrchestrationContext ctx) throws Exception {
        try {
            return invoker.invoke(Invocation.orchestration(invoker.function().name(), ctx));
        } catch (OrchestratorBlockedException | VirtualMachineError e) {
            throw e;
        } catch (Error e) {
            throw new UserCodeError(e);
        }
    }
}
