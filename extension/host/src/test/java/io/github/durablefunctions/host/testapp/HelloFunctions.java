package io.github.durablefunctions.host.testapp;

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
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.azurefunctions.DurableClientInput;
import io.github.durablefunctions.azurefunctions.EntityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test function app of the host's tests: an HTTP starter, orchestrators, activities, and a few plain HTTP
 * functions. {@link io.github.durablefunctions.host.testing.TestApp} writes the staging folder
 * (function.json files as azure-functions-maven-plugin 1.37.0 writes them, and a jar of this package).
 */
public class HelloFunctions {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FLAKY_SEEN = ConcurrentHashMap.newKeySet();

    /** Starts the orchestrator named in the route with the JSON body as input. */
    @FunctionName("StartOrchestration")
    public HttpResponseMessage start(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "orchestrators/{functionName}",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("functionName") String functionName,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext,
            ExecutionContext context) throws Exception {
        JsonNode input = req.getBody().isPresent() ? JSON.readTree(req.getBody().get()) : null;
        String instanceId = durableContext.getClient().scheduleNewOrchestrationInstance(functionName, input);
        context.getLogger().info("Started orchestration '" + functionName + "' with ID " + instanceId);
        return durableContext.createCheckStatusResponse(req, instanceId);
    }

    /** Greets each city by an activity, then joins the greetings by another. */
    @FunctionName("HelloCities")
    public String helloCities(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        String[] cities = ctx.getInput(String[].class);
        List<String> greetings = new ArrayList<>();
        for (String city : cities) {
            greetings.add(ctx.callActivity("SayHello", city, String.class).await());
        }
        return ctx.callActivity("JoinGreetings", greetings, String.class).await();
    }

    /** Waits for an activity that sleeps for the input's milliseconds. */
    @FunctionName("SlowOrchestration")
    public String slow(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        return ctx.callActivity("Sleep", ctx.getInput(Long.class), String.class).await();
    }

    /** Calls an activity that throws, without catching it. */
    @FunctionName("FailingOrchestrator")
    public String failing(@OrchestrationTrigger(name = "ctx", orchestration = "FailingOrchestration")
                          TaskOrchestrationContext ctx) {
        return ctx.callActivity("Fail", "boom", String.class).await();
    }

    /** Waits for the external event "Approval" and returns its payload. */
    @FunctionName("WaitForApproval")
    public String waitForApproval(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        String approval = ctx.waitForExternalEvent("Approval", String.class).await();
        return "approved: " + approval;
    }

    /** Waits on a durable timer of the input's seconds. */
    @FunctionName("TimerOrchestration")
    public String timer(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        ctx.createTimer(Duration.ofSeconds(ctx.getInput(Long.class))).await();
        return "timer fired";
    }

    /** Calls an activity whose first call per input fails: fails at first, completes after a rewind. */
    @FunctionName("FailsOnce")
    public String failsOnce(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        return ctx.callActivity("FlakyOnce", ctx.getInstanceId(), String.class).await();
    }

    /** Passes an activity an input that its {@code int} parameter cannot take; returns the failure it sees. */
    @FunctionName("BadActivityInput")
    public String badActivityInput(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        try {
            return "unexpected: " + ctx.callActivity("Square", "not a number", Integer.class).await();
        } catch (TaskFailedException e) {
            return e.getErrorDetails().getErrorType() + " | " + e.getErrorDetails().getErrorMessage();
        }
    }

    @FunctionName("Square")
    public int square(@ActivityTrigger(name = "n") int n) {
        return n * n;
    }

    /** Fails the first time it sees a key, succeeds after. */
    @FunctionName("FlakyOnce")
    public String flakyOnce(@ActivityTrigger(name = "key") String key) {
        if (FLAKY_SEEN.add(key)) {
            throw new IllegalStateException("first call for " + key + " fails");
        }
        return "recovered";
    }

    @FunctionName("SayHello")
    public String sayHello(@ActivityTrigger(name = "name") String name, ExecutionContext context) {
        context.getLogger().info("Saying hello to " + name);
        return "Hello " + name + "!";
    }

    /** Registered as activity "JoinGreetings"; its input has a generic type. */
    @FunctionName("Join")
    public String join(@ActivityTrigger(name = "parts", activity = "JoinGreetings") List<String> parts) {
        return String.join(", ", parts);
    }

    @FunctionName("Sleep")
    public static String sleep(@ActivityTrigger(name = "millis") long millis) throws InterruptedException {
        Thread.sleep(millis);
        return "slept " + millis;
    }

    @FunctionName("Fail")
    public String fail(@ActivityTrigger(name = "message") String message) {
        throw new IllegalStateException("activity failed: " + message);
    }

    /** Route values (one constrained), a query parameter, and the class loader that loaded this class. */
    @FunctionName("GetItem")
    public Map<String, Object> getItem(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, route = "items/{id:int}/{name?}",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("id") int id, @BindingName("name") String name) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", id);
        item.put("name", name);
        item.put("color", req.getQueryParameters().get("color"));
        item.put("loader", getClass().getClassLoader().getName());
        return item;
    }

    /** A JSON body read into a record. */
    @FunctionName("Greet")
    public HttpResponseMessage greet(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS)
            HttpRequestMessage<Optional<Person>> req) {
        return req.getBody()
                .map(p -> req.createResponseBuilder(HttpStatus.OK).header("X-Greeted", p.name())
                        .body("Hello " + p.name()).build())
                .orElseGet(() -> req.createResponseBuilder(HttpStatus.BAD_REQUEST).body("a person please").build());
    }

    @FunctionName("Boom")
    public String boom(@HttpTrigger(name = "req", methods = {HttpMethod.GET},
            authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<String> req) {
        throw new IllegalStateException("kaboom");
    }

    /** Entity functions are not supported by the host yet: it must skip this one and still start. */
    @FunctionName("Counter")
    public String counter(@EntityTrigger(name = "req") String req) {
        return req;
    }

    /** A request body type. */
    public record Person(String name) {
    }
}
