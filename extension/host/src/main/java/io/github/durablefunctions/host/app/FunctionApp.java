package io.github.durablefunctions.host.app;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A loaded function app: its functions and the class loader over its jars. Close it to release the jars.
 *
 * @param appDir      the staging folder
 * @param functions   the enabled functions, sorted by name
 * @param disabled    the names of functions disabled by {@code "disabled": true} or
 *                    {@code AzureWebJobs.<name>.Disabled}
 * @param classLoader the loader over the app jar and {@code lib/*.jar}
 */
public record FunctionApp(Path appDir, List<FunctionDefinition> functions, List<String> disabled,
                          URLClassLoader classLoader) implements AutoCloseable {

    public FunctionApp {
        functions = List.copyOf(functions);
        disabled = List.copyOf(disabled);
    }

    /** The function with that name (ignoring case, as function names are). */
    public Optional<FunctionDefinition> function(String name) {
        return functions.stream().filter(f -> f.name().equalsIgnoreCase(name)).findFirst();
    }

    /** Closes the class loader (the app's classes cannot load more classes afterwards). */
    @Override
    public void close() {
        try {
            classLoader.close();
        } catch (IOException e) {
            // Nothing to do: the jars are closed as far as possible.
        }
    }
}
