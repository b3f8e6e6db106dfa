package ${package};

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;

/** An activity: ordinary code (I/O allowed) that an orchestrator calls; its result is checkpointed. */
public class SayHello {

    @FunctionName("SayHello")
    public String sayHello(@ActivityTrigger(name = "name") String name, final ExecutionContext context) {
        context.getLogger().info("Saying hello to " + name);
        return "Hello " + name + "!";
    }
}
