package io.github.durablefunctions.testing.harness;

import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.time.Duration;

/** A tiny annotated function class for the harness's own tests: a greeting after a day's durable wait. */
public class GreetingFunctions {
    @FunctionName("GreetTomorrow")
    public String greetTomorrow(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        ctx.createTimer(Duration.ofDays(1)).await();
        return ctx.callActivity("Greet", ctx.getInput(String.class), String.class).await() + " at "
                + ctx.getCurrentInstant();
    }

    @FunctionName("Greet")
    public String greet(@ActivityTrigger(name = "name") String name) {
        return "Hello " + name;
    }
}
