package io.github.durablefunctions.host.invoke;

import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.interruption.OrchestratorBlockedException;

/**
 * Runs an {@code @OrchestrationTrigger} method as an {@link OrchestratorFunction}: the trigger parameter receives
 * the {@link TaskOrchestrationContext}, the return value is the orchestration's output. The replay runtime's
 * {@link OrchestratorBlockedException} and the user's exceptions and errors propagate as themselves; the replay
 * executor fails the orchestration with what the user's code threw.
 */
public final class OrchestratorFunctionAdapter implements OrchestratorFunction<Object> {
    private final FunctionInvoker invoker;

    /** @param invoker the invoker of an orchestrator function */
    public OrchestratorFunctionAdapter(FunctionInvoker invoker) {
        this.invoker = invoker;
    }

    @Override
    public Object apply(TaskOrchestrationContext ctx) throws Exception {
        return invoker.invoke(Invocation.orchestration(invoker.function().name(), ctx));
    }
}
