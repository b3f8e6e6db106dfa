package io.github.durablefunctions.host.app;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One function of the app: its {@code <FunctionName>/function.json} and the Java method it names.
 *
 * @param name       the function name (the name of its folder, as the Functions host uses it)
 * @param scriptFile the jar {@code scriptFile} points to (absolute)
 * @param entryPoint the {@code entryPoint}, {@code <class name>.<method name>}
 * @param bindings   the bindings, in file order
 * @param method     the public method the entry point resolves to
 */
public record FunctionDefinition(String name, Path scriptFile, String entryPoint, List<BindingDefinition> bindings,
                                 Method method) {

    public FunctionDefinition {
        bindings = List.copyOf(bindings);
    }

    /** The function's trigger binding (the one whose type ends with {@code Trigger}), if it has one. */
    public Optional<BindingDefinition> trigger() {
        return bindings.stream().filter(BindingDefinition::isTrigger).findFirst();
    }

    /** The trigger's binding type, or {@code "(no trigger)"}. */
    public String triggerType() {
        return trigger().map(BindingDefinition::type).orElse("(no trigger)");
    }

    /** The first binding of the given type (ignoring case), if any. */
    public Optional<BindingDefinition> binding(String type) {
        return bindings.stream().filter(b -> b.is(type)).findFirst();
    }

    /** The binding with the given variable name (ignoring case), if any. */
    public Optional<BindingDefinition> bindingNamed(String bindingName) {
        return bindings.stream().filter(b -> b.name().equalsIgnoreCase(bindingName)).findFirst();
    }
}
