package io.github.durablefunctions.azurefunctions;

import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.HasImplicitOutput;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the parameter of an entity function (actor-style keyed state).
 *
 * <p>Binding written to {@code function.json}: {@code {"type":"entityTrigger","direction":"in","name":"<name>"}}
 * (api-and-http.md §1.3).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@CustomBinding(direction = "in", name = "", type = "entityTrigger")
@HasImplicitOutput
public @interface EntityTrigger {
    /** The binding's variable name in {@code function.json}; by convention the parameter's name. */
    String name();

    /** The entity's name; empty means the function's name. Entity names are case-insensitive. */
    String entityName() default "";

    /** The binding's data type; leave the default. */
    String dataType() default "string";
}
