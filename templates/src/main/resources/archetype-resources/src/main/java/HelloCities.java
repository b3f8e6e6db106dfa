package ${package};

import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.util.ArrayList;
import java.util.List;

/**
 * Function chaining: calls the {@code SayHello} activity for three cities, one after the other, and returns the
 * greetings. Each {@code await()} is a checkpoint: if the app stops between two activities, the orchestration resumes
 * where it was.
 *
 * <p>Orchestrator code is replayed from the top whenever new work arrives, so it must be deterministic: no I/O, no
 * {@code System.currentTimeMillis()} or random numbers (use {@code ctx.getCurrentInstant()}); do that work in
 * activities.
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
}
