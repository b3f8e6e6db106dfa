package io.github.durablefunctions.host;

import com.microsoft.azure.functions.HttpMethod;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.host.app.BindingDefinition;
import io.github.durablefunctions.host.app.FunctionApp;
import io.github.durablefunctions.host.app.FunctionDefinition;
import io.github.durablefunctions.host.http.HttpTriggerRouter;
import io.github.durablefunctions.host.http.RouteTemplate;
import io.github.durablefunctions.host.invoke.ActivityFunctionAdapter;
import io.github.durablefunctions.host.invoke.DurableClientFactory;
import io.github.durablefunctions.host.invoke.EntityFunctionAdapter;
import io.github.durablefunctions.host.invoke.FunctionInvoker;
import io.github.durablefunctions.host.invoke.OrchestratorFunctionAdapter;
import io.github.durablefunctions.host.invoke.ParameterBinder;
import io.github.durablefunctions.host.invoke.UnsupportedFunctionException;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sorts an app's functions by trigger and prepares each for its runtime:
 * <ul>
 *   <li>{@code httpTrigger}: a route (the binding's {@code route}, default the function name) and methods (the
 *       binding's {@code methods}, default all);</li>
 *   <li>{@code orchestrationTrigger}: an orchestrator named by the binding's {@code orchestration} attribute, default
 *       the function name;</li>
 *   <li>{@code activityTrigger}: an activity named by the binding's {@code activity} attribute, default the function
 *       name;</li>
 *   <li>{@code entityTrigger}: an entity named by the binding's {@code entityName} attribute, default the function
 *       name, lower-cased (entity names are case-insensitive and stored lower case in instance IDs {@code @name@key},
 *       storage-layout.md §9); its trigger parameter receives the {@code TaskEntityOperation}, its return value is the
 *       operation result. A name containing {@code @} cannot be an entity name: the function is skipped;</li>
 *   <li>anything else (other trigger types, parameters the host cannot bind, invalid routes): skipped with the
 *       reason, logged; the other functions still run.</li>
 * </ul>
 *
 * @param http          the HTTP-triggered functions
 * @param orchestrators the orchestrator functions
 * @param activities    the activity functions
 * @param entities      the entity functions, named by their lower-case entity name
 * @param skipped       the functions the host does not run, with the reason
 */
public record FunctionRegistry(List<HttpFunction> http, List<DurableFunction> orchestrators,
                               List<DurableFunction> activities, List<DurableFunction> entities,
                               List<Skipped> skipped) {

    private static final Logger log = LoggerFactory.getLogger(FunctionRegistry.class);

    /**
     * An HTTP-triggered function.
     *
     * @param route   the route relative to the route prefix
     * @param methods the methods; empty means all
     * @param invoker calls the function
     */
    public record HttpFunction(RouteTemplate route, Set<HttpMethod> methods, FunctionInvoker invoker) {
    }

    /**
     * An orchestrator, activity or entity function.
     *
     * @param name    the name orchestrations use to call it (for entities: the lower-case entity name)
     * @param invoker calls the function
     */
    public record DurableFunction(String name, FunctionInvoker invoker) {
    }

    /**
     * A function the host does not run.
     *
     * @param function the function
     * @param reason   why, for the log and the startup summary
     */
    public record Skipped(FunctionDefinition function, String reason) {
    }

    /**
     * Prepares the functions of an app.
     *
     * @param app           the loaded app
     * @param dataConverter the shared data converter
     * @param clients       makes the durable client contexts of client functions
     * @throws HostStartupException if two orchestrators, two activities or two entities have the same name (ignoring
     *                              case)
     */
    public static FunctionRegistry build(FunctionApp app, DataConverter dataConverter, DurableClientFactory clients)
            throws HostStartupException {
        List<HttpFunction> http = new ArrayList<>();
        List<DurableFunction> orchestrators = new ArrayList<>();
        List<DurableFunction> activities = new ArrayList<>();
        List<DurableFunction> entities = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        TreeMap<String, String> orchestratorNames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        TreeMap<String, String> activityNames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        TreeMap<String, String> entityNames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (FunctionDefinition function : app.functions()) {
            try {
                BindingDefinition trigger = function.trigger().orElseThrow(() -> new UnsupportedFunctionException(
                        "Function '" + function.name() + "' has no trigger binding in function.json"));
                boolean isHttp = trigger.is(BindingDefinition.HTTP_TRIGGER);
                boolean isOrchestrator = trigger.is(BindingDefinition.ORCHESTRATION_TRIGGER);
                boolean isActivity = trigger.is(BindingDefinition.ACTIVITY_TRIGGER);
                boolean isEntity = trigger.is(BindingDefinition.ENTITY_TRIGGER);
                if (!isHttp && !isOrchestrator && !isActivity && !isEntity) {
                    throw new UnsupportedFunctionException("Function '" + function.name() + "': trigger type '"
                            + trigger.type() + "' is not supported by this host (supported: httpTrigger,"
                            + " orchestrationTrigger, activityTrigger, entityTrigger)");
                }
                String entityName = isEntity ? entityName(trigger, function) : null;
                FunctionInvoker invoker = new FunctionInvoker(function,
                        ParameterBinder.create(function, dataConverter, clients), app.classLoader());
                if (isHttp) {
                    http.add(httpFunction(function, trigger, invoker));
                } else if (isOrchestrator) {
                    String name = nameOf(trigger, "orchestration", function);
                    claim(orchestratorNames, name, function, "orchestrator");
                    orchestrators.add(new DurableFunction(name, invoker));
                } else if (isActivity) {
                    String name = nameOf(trigger, "activity", function);
                    claim(activityNames, name, function, "activity");
                    activities.add(new DurableFunction(name, invoker));
                } else {
                    claim(entityNames, entityName, function, "entity");
                    entities.add(new DurableFunction(entityName, invoker));
                }
            } catch (UnsupportedFunctionException e) {
                log.warn("{} (the function is not loaded)", e.getMessage());
                skipped.add(new Skipped(function, e.getMessage()));
            }
        }
        return new FunctionRegistry(List.copyOf(http), List.copyOf(orchestrators), List.copyOf(activities),
                List.copyOf(entities), List.copyOf(skipped));
    }

    /**
     * Adds every orchestrator, activity and entity function to a worker, each through the adapter that binds its
     * parameters ({@link OrchestratorFunctionAdapter}, {@link ActivityFunctionAdapter}, {@link EntityFunctionAdapter}).
     *
     * @return {@code builder}
     */
    public DurableTaskWorker.Builder addDurableFunctionsTo(DurableTaskWorker.Builder builder) {
        orchestrators.forEach(o -> builder.addOrchestrator(o.name(), new OrchestratorFunctionAdapter(o.invoker())));
        activities.forEach(a -> builder.addActivity(a.name(), new ActivityFunctionAdapter(a.invoker())));
        entities.forEach(e -> builder.addEntity(e.name(), new EntityFunctionAdapter(e.invoker())));
        return builder;
    }

    /** The router over the HTTP functions. */
    public HttpTriggerRouter<FunctionInvoker> router() {
        return new HttpTriggerRouter<>(http.stream()
                .map(f -> new HttpTriggerRouter.Route<>(f.route(), f.methods(), f.invoker()))
                .toList());
    }

    private static HttpFunction httpFunction(FunctionDefinition function, BindingDefinition trigger,
                                             FunctionInvoker invoker) throws UnsupportedFunctionException {
        String route = trigger.attribute("route");
        RouteTemplate template;
        try {
            template = RouteTemplate.parse(route == null ? function.name() : route);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedFunctionException("Function '" + function.name() + "': " + e.getMessage());
        }
        Set<HttpMethod> methods = EnumSet.noneOf(HttpMethod.class);
        for (String m : trigger.listAttribute("methods")) {
            try {
                methods.add(HttpMethod.valueOf(m.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new UnsupportedFunctionException("Function '" + function.name() + "': '" + m
                        + "' in \"methods\" is not an HTTP method");
            }
        }
        return new HttpFunction(template, methods, invoker);
    }

    private static String nameOf(BindingDefinition trigger, String attribute, FunctionDefinition function) {
        String name = trigger.attribute(attribute);
        return name == null || name.isBlank() ? function.name() : name.trim();
    }

    /**
     * The entity name of an entity function: {@code entityName} or the function name, lower-cased.
     *
     * @throws UnsupportedFunctionException if it contains {@code @}
     */
    private static String entityName(BindingDefinition trigger, FunctionDefinition function)
            throws UnsupportedFunctionException {
        String name = nameOf(trigger, "entityName", function).toLowerCase(Locale.ROOT);
        if (name.indexOf('@') >= 0) {
            throw new UnsupportedFunctionException("Function '" + function.name() + "': the entity name '" + name
                    + "' contains '@', which entity names cannot (entity instance IDs are @name@key)");
        }
        return name;
    }

    private static void claim(TreeMap<String, String> names, String name, FunctionDefinition function, String kind)
            throws HostStartupException {
        String other = names.putIfAbsent(name, function.name());
        if (other != null) {
            throw new HostStartupException("Functions '" + other + "' and '" + function.name() + "' both define the "
                    + kind + " '" + name + "'; " + kind + " names must be unique (ignoring case)");
        }
    }
}
