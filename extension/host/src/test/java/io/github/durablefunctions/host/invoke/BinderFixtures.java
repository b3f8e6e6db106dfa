package io.github.durablefunctions.host.invoke;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.annotation.QueueOutput;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.azurefunctions.DurableClientInput;
import io.github.durablefunctions.azurefunctions.EntityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;
import io.github.durablefunctions.interruption.OrchestratorBlockedException;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Function methods for the binder and invoker tests; each returns what it received. */
public class BinderFixtures {
    public record Person(String name, int age) {
    }

    public Object[] http(@HttpTrigger(name = "req") HttpRequestMessage<Optional<String>> req,
                         @BindingName("id") int id, @BindingName("name") String name, ExecutionContext context) {
        return new Object[] {req, id, name, context};
    }

    public HttpRequestMessage<String> httpString(@HttpTrigger(name = "req") HttpRequestMessage<String> req) {
        return req;
    }

    public HttpRequestMessage<byte[]> httpBytes(@HttpTrigger(name = "req") HttpRequestMessage<byte[]> req) {
        return req;
    }

    public HttpRequestMessage<Optional<Person>> httpPojo(
            @HttpTrigger(name = "req") HttpRequestMessage<Optional<Person>> req) {
        return req;
    }

    public Person httpBodyDirect(@HttpTrigger(name = "req") Person person) {
        return person;
    }

    public DurableClientContext client(@HttpTrigger(name = "req") HttpRequestMessage<String> req,
                                       @DurableClientInput(name = "durableContext") DurableClientContext client) {
        return client;
    }

    public int sum(@ActivityTrigger(name = "numbers") List<Integer> numbers) {
        return numbers.stream().mapToInt(Integer::intValue).sum();
    }

    public static long twice(@ActivityTrigger(name = "n") long n) {
        return 2 * n;
    }

    public Map<String, Object> orchestrator(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx,
                                            ExecutionContext context) {
        return Map.of("ctx", ctx, "function", context.getFunctionName());
    }

    public String queue(@HttpTrigger(name = "req") HttpRequestMessage<String> req,
                        @QueueOutput(name = "msg", queueName = "q", connection = "c") OutputBinding<String> msg) {
        return "never";
    }

    public String unannotated(@HttpTrigger(name = "req") HttpRequestMessage<String> req, String extra) {
        return "never";
    }

    public String checked(@ActivityTrigger(name = "x") String x) throws IOException {
        throw new IOException("disk full: " + x);
    }

    public String error(@ActivityTrigger(name = "x") String x) {
        throw new AssertionError("broken: " + x);
    }

    public String blocked(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        throw new OrchestratorBlockedException("waiting");
    }

    public Map<String, Object> entity(@EntityTrigger(name = "req") TaskEntityOperation operation,
                                      ExecutionContext context) {
        return Map.of("operation", operation, "function", context.getFunctionName());
    }

    public void voidEntity(@EntityTrigger(name = "req", entityName = "Other") TaskEntityOperation operation) {
        operation.getState().setState("ran " + operation.getName());
    }

    public String stringEntity(@EntityTrigger(name = "req") String request) {
        return request;
    }

    public Object failingEntity(@EntityTrigger(name = "req") TaskEntityOperation operation) {
        throw new IllegalStateException("cannot " + operation.getName());
    }
}
