package io.github.durablefunctions.azurefunctions;

import com.microsoft.azure.functions.annotation.CustomBinding;
import com.microsoft.azure.functions.annotation.HasImplicitOutput;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the input parameter of an activity function. The parameter receives the input the orchestration passed
 * to {@code callActivity}, deserialized from JSON into the parameter's declared (possibly generic) type by the same
 * Jackson data converter that serialized it. The function's return value, serialized as JSON, is the activity's
 * result.
 *
 * <p>Binding written to {@code function.json}: {@code {"type":"activityTrigger","direction":"in","name":"<name>"}}
 * (api-and-http.md §1.3).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@CustomBinding(direction = "in", name = "", type = "activityTrigger")
@HasImplicitOutput
public @interface ActivityTrigger {
    /** The binding's variable name in {@code function.json}; by convention the parameter's name. */
    String name();

    /** The activity's name as orchestrations call it; empty means the function's name. */
    String activity() default "";

    /** The binding's data type; leave the default. */
    String dataType() default "";
}
