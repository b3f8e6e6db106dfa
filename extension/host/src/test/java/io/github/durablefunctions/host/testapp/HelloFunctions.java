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
import io.github.durablefunctions.AbstractTaskEntity;
import io.github.durablefunctions.CleanEntityStorageRequest;
import io.github.durablefunctions.CleanEntityStorageResult;
import io.github.durablefunctions.EntityCriticalSection;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityOperationFailedException;
import io.github.durablefunctions.TaskEntityOperation;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test function app of the host's tests: an HTTP starter, orchestrators, activities, entities (function style,
 * class style, and a {@code void} one with its own entity name), and a few plain HTTP functions. {@link io.github.durablefunctions.host.testing.TestApp} writes the staging folder
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

    /** Returns its input unchanged (a JSON string); with a large input, both go through blobs. */
    @FunctionName("EchoOrchestration")
    public String echo(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        return ctx.getInput(String.class);
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

    /**
     * A function-style counter entity: {@code add} (input: an integer, default 1), {@code get}, {@code reset},
     * {@code delete}, and {@code fail}, which adds its input and then throws (so the addition must be rolled back).
     * Its operations are logged through the execution context.
     */
    @FunctionName("Counter")
    public Object counter(@EntityTrigger(name = "req") TaskEntityOperation req, ExecutionContext context) {
        int value = req.getState().getState(Integer.class, 0);
        context.getLogger().info("Counter " + req.getContext().getId() + ": " + req.getName());
        switch (req.getName().toLowerCase(Locale.ROOT)) {
            case "add" -> {
                Integer amount = req.getInput(Integer.class);
                req.getState().setState(value + (amount == null ? 1 : amount));
            }
            case "get" -> {
                return value;
            }
            case "reset" -> req.getState().setState(0);
            case "delete" -> req.getState().deleteState();
            case "fail" -> {
                req.getState().setState(value + req.getInput(Integer.class));
                throw new IllegalStateException("counter failed on purpose at " + value);
            }
            default -> throw new UnsupportedOperationException("Counter has no operation '" + req.getName() + "'");
        }
        return null;
    }

    /** A class-style entity, run from an entity function. */
    @FunctionName("Account")
    public Object account(@EntityTrigger(name = "req") TaskEntityOperation req) throws Exception {
        return new Account().run(req);
    }

    /**
     * Counts its operations, whatever they are, and keeps the last one's name and input (as JSON); registered as
     * entity "Tally" and returns nothing.
     */
    @FunctionName("TallyFunction")
    public void tally(@EntityTrigger(name = "req", entityName = "Tally") TaskEntityOperation req) {
        TallyState old = req.getState().getState(TallyState.class, new TallyState(0, null, null));
        req.getState().setState(new TallyState(old.count() + 1, req.getName(), req.getInput(JsonNode.class)));
    }

    /**
     * Calls the counter named by the input: add 5, get, a failing operation (caught), get again. Returns
     * {@code "<value> | <failure type>: <failure message> | <value after the failure>"}.
     */
    @FunctionName("CounterCaller")
    public String counterCaller(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        EntityInstanceId counter = new EntityInstanceId("Counter", ctx.getInput(String.class));
        ctx.callEntity(counter, "add", 5).await();
        int value = ctx.callEntity(counter, "get", Integer.class).await();
        String failure;
        try {
            ctx.callEntity(counter, "fail", 100).await();
            failure = "no failure";
        } catch (EntityOperationFailedException e) {
            failure = e.getFailureDetails().getErrorType() + ": " + e.getFailureDetails().getErrorMessage();
        }
        int after = ctx.callEntity(counter, "get", Integer.class).await();
        return value + " | " + failure + " | " + after;
    }

    /**
     * Locks the counter named by the input, sets the custom status {@code "locked"}, and waits for the event
     * {@code "Release"} before releasing it.
     */
    @FunctionName("LockAndWait")
    public String lockAndWait(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) {
        try (EntityCriticalSection lock = ctx.lockEntities(new EntityInstanceId("Counter",
                ctx.getInput(String.class))).await()) {
            ctx.setCustomStatus("locked");
            ctx.waitForExternalEvent("Release").await();
        }
        return "released";
    }

    /** Cleans the entity storage of the app's task hub (all of it, both kinds of clean-up); returns the result. */
    @FunctionName("CleanEntityStorage")
    public CleanEntityStorageResult cleanEntityStorage(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, route = "entity-storage/clean",
                    authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @DurableClientInput(name = "durableContext") DurableClientContext durableContext) {
        return durableContext.getEntities().cleanEntityStorage(new CleanEntityStorageRequest());
    }

    /** A request body type. */
    public record Person(String name) {
    }

    /** The state of the Tally entity. */
    public record TallyState(int count, String lastOperation, JsonNode lastInput) {
    }

    /** The state of an {@link Account}. */
    public static class AccountState {
        public int balance;
        public List<String> log = new ArrayList<>();
    }

    /**
     * A class-style entity: {@code deposit(int)}, {@code withdraw(int)} (fails without changing anything when the
     * balance is too low), {@code balance()}; {@code delete} is implicit.
     */
    public static class Account extends AbstractTaskEntity<AccountState> {
        @Override
        protected Class<AccountState> getStateType() {
            return AccountState.class;
        }

        public void deposit(int amount) {
            state.balance += amount;
            state.log.add("+" + amount);
        }

        public int withdraw(int amount) {
            state.log.add("-" + amount);
            if (amount > state.balance) {
                throw new IllegalArgumentException("insufficient funds: " + state.balance + " < " + amount);
            }
            state.balance -= amount;
            return state.balance;
        }

        public int balance() {
            return state.balance;
        }
    }
}
