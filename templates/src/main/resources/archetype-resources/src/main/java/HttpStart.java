package ${package};

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.azurefunctions.DurableClientInput;

import java.util.Optional;

/**
 * HTTP starter: starts any orchestrator of this app by name and answers {@code 202 Accepted} with the instance's
 * management URLs ({@code statusQueryGetUri}, {@code sendEventPostUri}, {@code terminatePostUri}, ...).
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/HelloCities
 * curl -s '&lt;statusQueryGetUri from the response&gt;'
 * </pre>
 *
 * <p>The request body, if any, must be JSON; it becomes the orchestration's input.
 */
public class HttpStart {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FunctionName("HttpStart")
    public HttpResponseMessage httpStart(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "orchestrators/{functionName}",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("functionName") String functionName,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext,
            final ExecutionContext context) {
        JsonNode input = null;
        String body = req.getBody().orElse("");
        if (!body.isBlank()) {
            try {
                input = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                return req.createResponseBuilder(HttpStatus.BAD_REQUEST)
                        .header("Content-Type", "text/plain")
                        .body("The request body must be JSON (it becomes the orchestration's input): "
                                + e.getOriginalMessage())
                        .build();
            }
        }
        String instanceId = durableContext.getClient().scheduleNewOrchestrationInstance(functionName, input);
        context.getLogger().info("Started orchestration '" + functionName + "' with instance ID " + instanceId);
        return durableContext.createCheckStatusResponse(req, instanceId);
    }
}
