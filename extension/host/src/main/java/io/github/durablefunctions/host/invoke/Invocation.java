package io.github.durablefunctions.host.invoke;

import io.github.durablefunctions.TaskActivityContext;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskOrchestrationContext;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The inputs of one function invocation, from which {@link ParameterBinder} fills the method's parameters. Exactly
 * one of the trigger inputs (HTTP request, orchestration context, activity context, entity operation) is set.
 */
public final class Invocation {
    private final ExecutionContextImpl executionContext;
    private final HttpRequestData request;
    private final Map<String, String> routeValues;
    private final TaskOrchestrationContext orchestrationContext;
    private final TaskActivityContext activityContext;
    private final TaskEntityOperation entityOperation;

    private Invocation(String functionName, HttpRequestData request, Map<String, String> routeValues,
                       TaskOrchestrationContext orchestrationContext, TaskActivityContext activityContext,
                       TaskEntityOperation entityOperation) {
        this.executionContext = new ExecutionContextImpl(functionName, UUID.randomUUID().toString());
        this.request = request;
        TreeMap<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        values.putAll(routeValues);
        this.routeValues = values;
        this.orchestrationContext = orchestrationContext;
        this.activityContext = activityContext;
        this.entityOperation = entityOperation;
    }

    /**
     * An HTTP-triggered invocation.
     *
     * @param routeValues the route template's parameter values (decoded), by parameter name
     */
    public static Invocation http(String functionName, HttpRequestData request, Map<String, String> routeValues) {
        return new Invocation(functionName, request, routeValues, null, null, null);
    }

    /** An orchestrator invocation (one replay). */
    public static Invocation orchestration(String functionName, TaskOrchestrationContext ctx) {
        return new Invocation(functionName, null, Map.of(), ctx, null, null);
    }

    /** An activity invocation. */
    public static Invocation activity(String functionName, TaskActivityContext ctx) {
        return new Invocation(functionName, null, Map.of(), null, ctx, null);
    }

    /** An entity function invocation (one operation). */
    public static Invocation entity(String functionName, TaskEntityOperation operation) {
        return new Invocation(functionName, null, Map.of(), null, null, operation);
    }

    /** The execution context (function name, a new invocation ID, logger). */
    public ExecutionContextImpl executionContext() {
        return executionContext;
    }

    /** The HTTP request, if HTTP-triggered. */
    public Optional<HttpRequestData> request() {
        return Optional.ofNullable(request);
    }

    /**
     * The value an {@code @BindingName} parameter receives: a route value of that name, else a query parameter
     * (names ignoring case).
     *
     * @return the value, or null
     */
    public String bindingData(String name) {
        String value = routeValues.get(name);
        if (value == null && request != null) {
            value = request.query().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        return value;
    }

    /** The orchestration context, if an orchestrator invocation. */
    public Optional<TaskOrchestrationContext> orchestrationContext() {
        return Optional.ofNullable(orchestrationContext);
    }

    /** The activity context, if an activity invocation. */
    public Optional<TaskActivityContext> activityContext() {
        return Optional.ofNullable(activityContext);
    }

    /** The entity operation, if an entity function invocation. */
    public Optional<TaskEntityOperation> entityOperation() {
        return Optional.ofNullable(entityOperation);
    }
}
