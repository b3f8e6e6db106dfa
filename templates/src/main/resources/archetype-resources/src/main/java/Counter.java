package ${package};

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.azurefunctions.DurableClientInput;
import io.github.durablefunctions.azurefunctions.EntityTrigger;

import java.util.Locale;
import java.util.Optional;

/**
 * A durable entity: a counter per key. Operations on one counter run one at a time, so concurrent {@code add}s are
 * never lost. Operations: {@code add} (input: an integer, default 1), {@code reset}, {@code get}, {@code delete}.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/counters/apples/add -H 'Content-Type: application/json' -d '5'
 * curl -i http://127.0.0.1:7071/api/counters/apples
 * </pre>
 */
public class Counter {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FunctionName("Counter")
    public Object counter(@EntityTrigger(name = "operation") TaskEntityOperation operation) {
        int value = operation.getState().getState(Integer.class, 0);
        switch (operation.getName().toLowerCase(Locale.ROOT)) {
            case "add" -> {
                Integer amount = operation.getInput(Integer.class);
                operation.getState().setState(value + (amount == null ? 1 : amount));
            }
            case "reset" -> operation.getState().setState(0);
            case "get" -> {
                return value;
            }
            case "delete" -> operation.getState().deleteState();
            default -> throw new UnsupportedOperationException("The counter has no operation '"
                    + operation.getName() + "' (add, reset, get, delete)");
        }
        return null;
    }

    /** Signals {@code op} to the counter {@code key}; the optional JSON body is the input. Answers 202. */
    @FunctionName("CounterSignal")
    public HttpResponseMessage signal(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "counters/{key}/{op}",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("key") String key, @BindingName("op") String op,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext) {
        JsonNode input = null;
        String body = req.getBody().orElse("");
        if (!body.isBlank()) {
            try {
                input = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                return req.createResponseBuilder(HttpStatus.BAD_REQUEST).header("Content-Type", "text/plain")
                        .body("The body must be JSON (the operation's input): " + e.getOriginalMessage()).build();
            }
        }
        durableContext.signalEntity(new EntityInstanceId("Counter", key), op, input);
        return req.createResponseBuilder(HttpStatus.ACCEPTED).build();
    }

    /** The counter's value: 200 with the number, or 404 if the counter does not exist. */
    @FunctionName("CounterGet")
    public HttpResponseMessage get(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "counters/{key}",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("key") String key,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext) {
        EntityMetadata counter = durableContext.getEntityMetadata(new EntityInstanceId("Counter", key), true);
        if (counter == null) {
            return req.createResponseBuilder(HttpStatus.NOT_FOUND).header("Content-Type", "text/plain")
                    .body("No counter '" + key + "'").build();
        }
        return req.createResponseBuilder(HttpStatus.OK).header("Content-Type", "application/json")
                .body(counter.getSerializedState()).build();
    }
}
