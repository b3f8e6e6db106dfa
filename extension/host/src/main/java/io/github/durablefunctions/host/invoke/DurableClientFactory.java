package io.github.durablefunctions.host.invoke;

import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.azurefunctions.DurableClientContext;
import io.github.durablefunctions.host.HostStartupException;
import io.github.durablefunctions.host.app.BindingDefinition;
import io.github.durablefunctions.host.config.AppSettings;

import java.util.function.Supplier;

/**
 * Makes the {@link DurableClientContext} that {@code @DurableClientInput} parameters receive: the app's one client
 * (shared, thread-safe), the task hub name, the connection name that management URLs carry (the binding's
 * {@code connectionName}, default {@code Storage}), and no extra query parameters (this host has no keys).
 */
public final class DurableClientFactory {
    /** The connection name in management URLs when the binding names none (as Durable Functions writes it). */
    public static final String DEFAULT_CONNECTION_NAME = "Storage";

    private final DurableTaskClient client;
    private final String taskHubName;
    private final AppSettings settings;

    /**
     * @param client      the client of the app's task hub
     * @param taskHubName the app's task hub name
     * @param settings    app settings, to resolve {@code %Setting%} in binding attributes
     */
    public DurableClientFactory(DurableTaskClient client, String taskHubName, AppSettings settings) {
        this.client = client;
        this.taskHubName = taskHubName;
        this.settings = settings;
    }

    /**
     * The supplier for one {@code durableClient} binding.
     *
     * @throws UnsupportedFunctionException if the binding names another task hub than the app's (this host serves
     *                                      one hub), or refers to an app setting that is not set
     */
    public Supplier<DurableClientContext> forBinding(String functionName, BindingDefinition binding)
            throws UnsupportedFunctionException {
        String hub;
        String connectionName;
        try {
            hub = settings.resolve(binding.attribute("taskHub"), "Function '" + functionName + "' binding '"
                    + binding.name() + "' taskHub");
            connectionName = settings.resolve(binding.attribute("connectionName"), "Function '" + functionName
                    + "' binding '" + binding.name() + "' connectionName");
        } catch (HostStartupException e) {
            throw new UnsupportedFunctionException(e.getMessage());
        }
        if (hub != null && !hub.equalsIgnoreCase(taskHubName)) {
            throw new UnsupportedFunctionException("Function '" + functionName + "': its durable client binding '"
                    + binding.name() + "' names task hub '" + hub + "', but this host serves only the app's task hub '"
                    + taskHubName + "'");
        }
        String urlConnectionName = connectionName == null ? DEFAULT_CONNECTION_NAME : connectionName;
        return () -> new DurableClientContext(client, taskHubName, urlConnectionName, "");
    }
}
