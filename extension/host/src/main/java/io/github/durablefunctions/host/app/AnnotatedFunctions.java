package io.github.durablefunctions.host.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.github.durablefunctions.azurefunctions.ActivityTrigger;
import io.github.durablefunctions.azurefunctions.DurableClientInput;
import io.github.durablefunctions.azurefunctions.EntityTrigger;
import io.github.durablefunctions.azurefunctions.OrchestrationTrigger;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The durable functions of compiled classes, read from their annotations the way azure-functions-maven-plugin reads
 * them when it writes {@code function.json} (api-and-http.md §1.3): every public method with {@code @FunctionName}
 * whose parameters carry {@code @OrchestrationTrigger}, {@code @ActivityTrigger} or {@code @EntityTrigger} becomes a
 * {@link FunctionDefinition} with the binding JSON the plugin would write ({@code type}, {@code direction: "in"},
 * {@code name}, and the non-empty annotation attributes {@code orchestration}, {@code activity}, {@code entityName},
 * {@code dataType}); a {@code @DurableClientInput} parameter adds its {@code durableClient} binding. Other functions
 * (HTTP, timers, ...) are left out: this is how tests run an app's durable functions without packaging it.
 */
public final class AnnotatedFunctions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AnnotatedFunctions() {
    }

    /**
     * A function app of the durable functions of {@code classes}, sorted by function name, loaded by the classes' own
     * class loader (through an empty {@link URLClassLoader} child, which closing the app closes).
     *
     * @throws IllegalArgumentException if no class is given, or two functions have the same name (ignoring case)
     */
    public static FunctionApp app(Class<?>... classes) {
        if (classes.length == 0) {
            throw new IllegalArgumentException("Give at least one class with @FunctionName methods");
        }
        List<FunctionDefinition> functions = new ArrayList<>();
        for (Class<?> type : classes) {
            functions.addAll(definitions(type));
        }
        functions.sort(Comparator.comparing(f -> f.name().toLowerCase(java.util.Locale.ROOT)));
        for (int i = 1; i < functions.size(); i++) {
            if (functions.get(i).name().equalsIgnoreCase(functions.get(i - 1).name())) {
                throw new IllegalArgumentException("Two functions are named '" + functions.get(i).name() + "': "
                        + functions.get(i - 1).entryPoint() + " and " + functions.get(i).entryPoint());
            }
        }
        URLClassLoader loader = new URLClassLoader(new URL[0], classes[0].getClassLoader());
        return new FunctionApp(Path.of("."), functions, List.of(), loader);
    }

    /** The durable functions one class defines (possibly none). */
    static List<FunctionDefinition> definitions(Class<?> type) {
        List<FunctionDefinition> result = new ArrayList<>();
        for (Method method : type.getMethods()) {
            FunctionName functionName = method.getAnnotation(FunctionName.class);
            if (functionName == null || !Modifier.isPublic(method.getModifiers())) {
                continue;
            }
            List<BindingDefinition> bindings = new ArrayList<>();
            boolean durableTrigger = false;
            for (Parameter p : method.getParameters()) {
                for (Annotation a : p.getAnnotations()) {
                    BindingDefinition binding = binding(a);
                    if (binding != null) {
                        bindings.add(binding);
                        durableTrigger |= binding.isTrigger();
                    }
                }
            }
            if (durableTrigger) {
                String entryPoint = type.getName() + "." + method.getName();
                result.add(new FunctionDefinition(functionName.value(), Path.of("."), entryPoint, bindings, method));
            }
        }
        return result;
    }

    private static BindingDefinition binding(Annotation a) {
        ObjectNode json = JSON.createObjectNode();
        if (a instanceof OrchestrationTrigger t) {
            put(json, "type", BindingDefinition.ORCHESTRATION_TRIGGER, t.name());
            putIfSet(json, "orchestration", t.orchestration());
            putIfSet(json, "dataType", t.dataType());
        } else if (a instanceof ActivityTrigger t) {
            put(json, "type", BindingDefinition.ACTIVITY_TRIGGER, t.name());
            putIfSet(json, "activity", t.activity());
            putIfSet(json, "dataType", t.dataType());
        } else if (a instanceof EntityTrigger t) {
            put(json, "type", BindingDefinition.ENTITY_TRIGGER, t.name());
            putIfSet(json, "entityName", t.entityName());
            putIfSet(json, "dataType", t.dataType());
        } else if (a instanceof DurableClientInput c) {
            put(json, "type", BindingDefinition.DURABLE_CLIENT, c.name());
            putIfSet(json, "taskHub", c.taskHub());
            putIfSet(json, "connectionName", c.connectionName());
        } else {
            return null;
        }
        return new BindingDefinition(json.get("type").asText(), "in", json.get("name").asText(), json);
    }

    private static void put(ObjectNode json, String typeKey, String type, String name) {
        json.put(typeKey, type);
        json.put("direction", "in");
        json.put("name", name);
    }

    private static void putIfSet(ObjectNode json, String key, String value) {
        if (value != null && !value.isEmpty()) {
            json.put(key, value);
        }
    }
}
