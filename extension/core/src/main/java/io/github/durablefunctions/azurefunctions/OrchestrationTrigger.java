package io.github.durablefunctions.azurefunctions;

import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.HasImplicitOutput;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the {@link io.github.durablefunctions.TaskOrchestrationContext} parameter of an orchestrator function.
 *
 * <p>{@code azure-functions-maven-plugin} writes the binding
 * {@code {"type":"orchestrationTrigger","direction":"in","name":"<name>"}} into the function's
 * {@code function.json}, the same binding as the official Durable Functions extension (api-and-http.md §1.3).
 * The function's return value is the orchestration's output, serialized as JSON.
 *
 * <pre>{@code
 * @FunctionName("HelloCities")
 * public List<String> helloCities(@OrchestrationTrigger(name = "ctx") TaskOrchestrationContext ctx) { ... }
 * }</pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@CustomBinding(direction = "in", name = "", type = "orchestrationTrigger")
@HasImplicitOutput
public @interface OrchestrationTrigger {
    /** The binding's variable name in {@code function.json}; by convention the parameter's name. */
    String name();

    /** The orchestrator's name as callers schedule it; empty means the function's name. */
    String orchestration() default "";

    /** The binding's data type; leave the default. */
    String dataType() default "string";
}
