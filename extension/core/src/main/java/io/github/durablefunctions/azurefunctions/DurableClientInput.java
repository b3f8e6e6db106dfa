package io.github.durablefunctions.azurefunctions;

import com.microsoft.azure.functions.annotation.CustomBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link DurableClientContext} parameter: the client that starts and manages orchestration instances.
 *
 * <p>Binding written to {@code function.json}: {@code {"type":"durableClient","direction":"in","name":"<name>"}},
 * plus {@code taskHub} / {@code connectionName} when set (api-and-http.md §1.3).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@CustomBinding(direction = "in", name = "", type = "durableClient")
public @interface DurableClientInput {
    /** The binding's variable name in {@code function.json}; by convention the parameter's name. */
    String name();

    /** The binding's data type; leave the default. */
    String dataType() default "";

    /** The task hub to manage; empty means the app's hub ({@code host.json} {@code extensions.durableTask.hubName}). */
    String taskHub() default "";

    /** Name of the app setting holding the storage connection; empty means {@code AzureWebJobsStorage}. */
    String connectionName() default "";
}
