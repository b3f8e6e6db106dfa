package io.github.durablefunctions.samples;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.util.ArrayList;
import java.util.List;

/**
 * Function chaining: an orchestrator calls the {@code SayHello} activity for three cities, one after the other, and
 * returns the three greetings. Each {@code await()} is a checkpoint: if the host stops between two activities, the
 * orchestration resumes where it was.
 *
 * <pre>
 * curl -i -X POST http://127.0.0.1:7071/api/orchestrators/HelloCities
 * curl -s '&lt;statusQueryGetUri from the response&gt;'
 * # {"name":"HelloCities","runtimeStatus":"Completed","output":["Hello Tokyo!","Hello Seattle!","Hello London!"],...}
 * </pre>
 */
public class HelloCities {

    @FunctionName("HelloCities")
    public List<String> helloCities(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        List<String> greetings = new ArrayList<>();
        greetings.add(ctx.callActivity("SayHello", "Tokyo", String.class).await());
        greetings.add(ctx.callActivity("SayHello", "Seattle", String.class).await());
        greetings.add(ctx.callActivity("SayHello", "London", String.class).await());
        return greetings;
    }

    @FunctionName("SayHello")
    public String sayHello(@ActivityTrigger(name = "name") String name, final ExecutionContext context) {
        context.getLogger().info("Saying hello to " + name);
        return "Hello " + name + "!";
    }
}
