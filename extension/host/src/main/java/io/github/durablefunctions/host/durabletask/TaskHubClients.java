package io.github.durablefunctions.host.durabletask;

import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.host.config.AppSettings;
import io.github.durablefunctions.host.invoke.DurableClientFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * The clients the durable task API uses for its {@code taskHub} and {@code connection} query parameters
 * (api-and-http.md §3.1): the app's own client for the app's hub and connection, and for any other pair a client
 * made on first use and kept until {@link #close()}.
 *
 * <p>A connection is the <em>name</em> of an app setting, resolved as the Functions host resolves connection names:
 * {@code AzureWebJobs<name>} first, then {@code <name>}. So {@code Storage} (what management URLs carry) and
 * {@code AzureWebJobsStorage} both mean the app's storage connection, which is the one the host runs with (also when
 * {@code --storage} overrides the app setting). Another hub on the same or another connection gets a client of its
 * own, with the app's storage settings (partition count etc.); its task hub is created when an instance is first
 * started in it.
 */
public final class TaskHubClients implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskHubClients.class);
    private static final Pattern HUB_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{2,44}");
    private static final String WEB_JOBS_PREFIX = "AzureWebJobs";

    /**
     * The client for one request, and the values its management URLs carry.
     *
     * @param client         the client of the hub
     * @param taskHub        the hub name for URLs (as the request gave it, else the app's)
     * @param connectionName the connection name for URLs (as the request gave it, else {@code Storage})
     */
    public record Target(DurableTaskClient client, String taskHub, String connectionName) {
    }

    /**
     * A client made for another hub, with what to close when the host stops.
     *
     * @param client   the client
     * @param resource what it runs on (e.g. its storage service)
     */
    public record Opened(DurableTaskClient client, AutoCloseable resource) {
    }

    private record Key(String connectionString, String hub) {
    }

    private final DurableTaskClient appClient;
    private final String appHub;
    private final String appConnectionSetting;
    private final String appConnectionString;
    private final AppSettings settings;
    private final BiFunction<String, String, Opened> newClient;
    private final Map<Key, Opened> others = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param appClient            the client of the app's hub
     * @param appHub               the app's hub name
     * @param appConnectionSetting the app setting of the app's storage connection (e.g. {@code AzureWebJobsStorage})
     * @param appConnectionString  the connection string the host runs with
     * @param settings             the app settings, to resolve other connection names
     * @param newClient            makes a client for (connection string, hub name); closed with its resource by
     *                             {@link #close()}
     */
    public TaskHubClients(DurableTaskClient appClient, String appHub, String appConnectionSetting,
                          String appConnectionString, AppSettings settings,
                          BiFunction<String, String, Opened> newClient) {
        this.appClient = appClient;
        this.appHub = appHub;
        this.appConnectionSetting = appConnectionSetting;
        this.appConnectionString = appConnectionString;
        this.settings = settings;
        this.newClient = newClient;
    }

    /**
     * The client for a request's {@code taskHub} and {@code connection} values.
     *
     * @param taskHub    the hub name, or null/blank for the app's
     * @param connection the connection name, or null/blank for the app's
     * @throws IllegalArgumentException if the hub name is not a valid task hub name, or the connection names no app
     *                                  setting, or the setting is not a connection string
     */
    public Target resolve(String taskHub, String connection) {
        String hub = taskHub == null || taskHub.isBlank() ? appHub : taskHub.trim();
        String connectionName = connection == null || connection.isBlank()
                ? DurableClientFactory.DEFAULT_CONNECTION_NAME : connection.trim();
        String connectionString = connectionString(connectionName);
        if (hub.equalsIgnoreCase(appHub) && connectionString.equals(appConnectionString)) {
            return new Target(appClient, hub, connectionName);
        }
        if (!HUB_NAME.matcher(hub).matches()) {
            throw new IllegalArgumentException("The taskHub '" + hub + "' is not a valid task hub name: 3 to 45"
                    + " letters and digits, starting with a letter");
        }
        if (closed) {
            throw new IllegalStateException("The host is stopping");
        }
        Opened opened = others.computeIfAbsent(new Key(connectionString, hub.toLowerCase(Locale.ROOT)),
                k -> {
                    log.info("Durable task API: using task hub '{}' (connection '{}')", hub, connectionName);
                    return newClient.apply(connectionString, hub);
                });
        return new Target(opened.client(), hub, connectionName);
    }

    /** True if the target is the app's own task hub on the app's own storage (the hub its functions run on). */
    public boolean isAppHub(Target target) {
        return target.client() == appClient;
    }

    private String connectionString(String connectionName) {
        if (connectionName.equalsIgnoreCase(appConnectionSetting)
                || (WEB_JOBS_PREFIX + connectionName).equalsIgnoreCase(appConnectionSetting)) {
            return appConnectionString;
        }
        Optional<String> value = settings.get(WEB_JOBS_PREFIX + connectionName).or(() -> settings.get(connectionName));
        String setting = settings.get(WEB_JOBS_PREFIX + connectionName).isPresent() ? WEB_JOBS_PREFIX + connectionName
                : connectionName;
        if (value.isEmpty() || value.get().isBlank()) {
            throw new IllegalArgumentException("The connection '" + connectionName + "' is not an app setting: set '"
                    + connectionName + "' (or '" + WEB_JOBS_PREFIX + connectionName + "') to a storage connection"
                    + " string in local.settings.json \"Values\" or in the environment");
        }
        if (!value.get().contains("=")) {
            throw new IllegalArgumentException("The app setting '" + setting + "' of connection '" + connectionName
                    + "' is not a storage connection string (expected Key=Value pairs)");
        }
        return value.get().trim();
    }

    /** Closes the clients made for other hubs. */
    @Override
    public void close() {
        closed = true;
        List<Opened> clients = new ArrayList<>(others.values());
        others.clear();
        for (Opened opened : clients) {
            try {
                opened.client().close();
                opened.resource().close();
            } catch (Exception e) {
                log.warn("Closing a task hub client failed: {}", e.toString());
            }
        }
    }
}
