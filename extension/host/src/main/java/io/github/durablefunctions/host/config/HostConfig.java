package io.github.durablefunctions.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.host.HostStartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything the host reads from a function app's configuration: the staging folder's {@code host.json}, the app
 * settings ({@code local.settings.json} {@code Values} overridden by environment variables, see
 * {@link AppSettings}), and the command line's storage override.
 *
 * <p>{@code host.json} settings read (names are matched ignoring case, as the Functions host does):
 * <ul>
 *   <li>{@code extensions.durableTask.hubName} (supports {@code %AppSetting%}),
 *       {@code maxConcurrentActivityFunctions}, {@code maxConcurrentOrchestratorFunctions},
 *       {@code maxEntityOperationBatchSize}, {@code entityMessageReorderWindowInMinutes};</li>
 *   <li>{@code extensions.durableTask.storageProvider.}{@code partitionCount}, {@code controlQueueBatchSize},
 *       {@code controlQueueBufferThreshold}, {@code controlQueueVisibilityTimeout},
 *       {@code workItemQueueVisibilityTimeout}, {@code maxQueuePollingInterval} (durations as {@code hh:mm:ss}),
 *       {@code maxDequeueCount}, {@code connectionName} / {@code connectionStringName};</li>
 *   <li>{@code extensions.http.routePrefix} (default {@code api}; empty for none).</li>
 * </ul>
 * Other settings are ignored. See {@link DurableTaskOptions} for defaults and ranges.
 *
 * <p>The storage connection is {@code --storage} if given, else the app setting {@code AzureWebJobsStorage} (or the
 * one {@code storageProvider.connectionName} names); if that is not set either, development storage
 * ({@code UseDevelopmentStorage=true}, Azurite) with a warning.
 *
 * @param appDir                  the staging folder (absolute, normalized)
 * @param settings                the app settings
 * @param durableTask             the durable task settings
 * @param routePrefix             the HTTP route prefix without slashes; empty for none
 * @param storageConnectionString the storage connection string the host uses
 * @param storageConnectionSource where that string came from, for the startup summary (never the secret itself)
 */
public record HostConfig(Path appDir, AppSettings settings, DurableTaskOptions durableTask, String routePrefix,
                         String storageConnectionString, String storageConnectionSource) {

    /** The file the Functions host reads at the root of the app. */
    public static final String HOST_JSON = "host.json";
    /** The connection string of development storage (Azurite on its default ports). */
    public static final String DEVELOPMENT_STORAGE = "UseDevelopmentStorage=true";
    /** The HTTP route prefix when {@code extensions.http.routePrefix} is not set. */
    public static final String DEFAULT_ROUTE_PREFIX = "api";

    private static final Logger log = LoggerFactory.getLogger(HostConfig.class);
    private static final Pattern HUB_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9]{2,44}");
    private static final String DURABLE = "extensions.durableTask.";
    private static final String PROVIDER = DURABLE + "storageProvider.";

    /**
     * Loads and validates the configuration of the app in {@code appDir}.
     *
     * @param appDir          the staging folder {@code target/azure-functions/<appName>/}
     * @param storageOverride a storage connection string from the command line, or null to use the app setting
     * @param environment     the environment variables (override {@code local.settings.json} values)
     * @param workingDir      the current directory (one of the places {@code local.settings.json} is looked for)
     * @throws HostStartupException with a message naming the file and setting, if the folder has no
     *                              {@code host.json}, a file is not valid JSON, a setting is out of range or not of
     *                              the right type, the hub name is invalid, or the storage connection is not a
     *                              connection string
     */
    public static HostConfig load(Path appDir, String storageOverride, Map<String, String> environment,
                                  Path workingDir) throws HostStartupException {
        Path dir = appDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new HostStartupException("The app folder " + dir + " does not exist. Pass the staging folder that"
                    + " 'mvn package' writes with azure-functions-maven-plugin: target/azure-functions/<appName>/");
        }
        Path hostJsonFile = dir.resolve(HOST_JSON);
        if (!Files.isRegularFile(hostJsonFile)) {
            throw new HostStartupException(dir + " has no " + HOST_JSON + ", so it is not a function app staging"
                    + " folder. Pass target/azure-functions/<appName>/ as written by 'mvn package'");
        }
        JsonNode hostJson = JsonFiles.readObject(hostJsonFile);
        JsonNode version = JsonFiles.field(hostJson, "version");
        if (version == null || !"2.0".equals(version.asText())) {
            log.warn("{}: \"version\" should be \"2.0\" (was {}); reading it as a version 2.0 host.json", hostJsonFile,
                    version);
        }
        AppSettings settings = AppSettings.load(dir, workingDir, environment);
        Reader reader = new Reader(hostJsonFile, settings);
        DurableTaskOptions durableTask = reader.durableTask(hostJson, environment);
        String routePrefix = reader.routePrefix(hostJson);

        String connectionString;
        String source;
        if (storageOverride != null) {
            connectionString = storageOverride.trim();
            source = "--storage";
        } else {
            String name = durableTask.connectionName();
            connectionString = settings.get(name).map(String::trim).orElse("");
            source = name + " (" + settings.describeSource(name) + ")";
        }
        if (connectionString.isEmpty()) {
            // Core Tools refuses to start here; this host is for local development, so it uses Azurite.
            log.warn("{} is not set (in the \"Values\" of {} or the environment) and --storage was not given;"
                    + " using development storage (Azurite)", durableTask.connectionName(),
                    AppSettings.LOCAL_SETTINGS_FILE);
            connectionString = DEVELOPMENT_STORAGE;
            source = durableTask.connectionName() + " not set: default";
        }
        if (!connectionString.contains("=")) {
            throw new HostStartupException("The storage connection from " + source + " is not a connection string"
                    + " (expected Key=Value pairs such as \"UseDevelopmentStorage=true\" or"
                    + " \"DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...\")");
        }
        return new HostConfig(dir, settings, durableTask, routePrefix, connectionString, source);
    }

    /** True if the connection string is {@code UseDevelopmentStorage=true} (Azurite on its default ports). */
    public boolean usesDevelopmentStorage() {
        return isDevelopmentStorage(storageConnectionString);
    }

    /** True if {@code connectionString} is {@code UseDevelopmentStorage=true}, ignoring case and spaces. */
    public static boolean isDevelopmentStorage(String connectionString) {
        if (connectionString == null) {
            return false;
        }
        for (String part : connectionString.split(";")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("UseDevelopmentStorage")
                    && kv[1].trim().equalsIgnoreCase("true")) {
                return true;
            }
        }
        return false;
    }

    /** Reads typed values from host.json with messages naming file and setting path. */
    private record Reader(Path file, AppSettings settings) {

        DurableTaskOptions durableTask(JsonNode hostJson, Map<String, String> environment)
                throws HostStartupException {
            JsonNode durable = JsonFiles.field(JsonFiles.field(hostJson, "extensions"), "durableTask");
            JsonNode provider = JsonFiles.field(durable, "storageProvider");

            String type = string(provider, "type", PROVIDER + "type");
            if (type != null && !type.equalsIgnoreCase("azureStorage")) {
                throw new HostStartupException(file + ": " + PROVIDER + "type is '" + type
                        + "'; this host supports only Azure Storage (remove the setting or set it to \"azureStorage\")");
            }
            String hubName = settings.resolve(string(durable, "hubName", DURABLE + "hubName"),
                    file + " " + DURABLE + "hubName");
            if (hubName == null || hubName.isBlank()) {
                String siteName = environment.get("WEBSITE_SITE_NAME");
                hubName = siteName == null || siteName.isBlank() ? DurableTaskOptions.DEFAULT_HUB_NAME
                        : siteName.replaceAll("[^A-Za-z0-9]", "");
            }
            if (!HUB_NAME.matcher(hubName).matches()) {
                throw new HostStartupException("The task hub name '" + hubName + "' (" + file + " " + DURABLE
                        + "hubName) is invalid: it must start with a letter, contain only letters and digits, and"
                        + " be 3 to 45 characters long");
            }
            String connectionName = string(provider, "connectionName", PROVIDER + "connectionName");
            if (connectionName == null) {
                connectionName = string(provider, "connectionStringName", PROVIDER + "connectionStringName");
            }
            connectionName = settings.resolve(connectionName, file + " " + PROVIDER + "connectionName");
            if (connectionName == null || connectionName.isBlank()) {
                connectionName = DurableTaskOptions.DEFAULT_CONNECTION_NAME;
            }
            return new DurableTaskOptions(hubName, connectionName,
                    integer(provider, "partitionCount", PROVIDER, 1, 16, DurableTaskOptions.DEFAULT_PARTITION_COUNT),
                    integer(provider, "controlQueueBatchSize", PROVIDER, 1, 32,
                            DurableTaskOptions.DEFAULT_CONTROL_QUEUE_BATCH_SIZE),
                    integer(provider, "controlQueueBufferThreshold", PROVIDER, 1, 1000,
                            DurableTaskOptions.DEFAULT_CONTROL_QUEUE_BUFFER_THRESHOLD),
                    duration(provider, "controlQueueVisibilityTimeout", DurableTaskOptions.DEFAULT_VISIBILITY_TIMEOUT),
                    duration(provider, "workItemQueueVisibilityTimeout",
                            DurableTaskOptions.DEFAULT_VISIBILITY_TIMEOUT),
                    duration(provider, "maxQueuePollingInterval",
                            DurableTaskOptions.DEFAULT_MAX_QUEUE_POLLING_INTERVAL),
                    integer(provider, "maxDequeueCount", PROVIDER, 2, 1000,
                            DurableTaskOptions.DEFAULT_MAX_DEQUEUE_COUNT),
                    integer(durable, "maxConcurrentActivityFunctions", DURABLE, 1, Integer.MAX_VALUE,
                            DurableTaskOptions.defaultConcurrency()),
                    integer(durable, "maxConcurrentOrchestratorFunctions", DURABLE, 1, Integer.MAX_VALUE,
                            DurableTaskOptions.defaultConcurrency()),
                    integer(durable, "maxEntityOperationBatchSize", DURABLE, 1, Integer.MAX_VALUE,
                            DurableTaskOptions.DEFAULT_MAX_ENTITY_OPERATION_BATCH_SIZE),
                    Duration.ofMinutes(integer(durable, "entityMessageReorderWindowInMinutes", DURABLE, 0,
                            Integer.MAX_VALUE, DurableTaskOptions.DEFAULT_ENTITY_MESSAGE_REORDER_WINDOW_MINUTES)));
        }

        String routePrefix(JsonNode hostJson) throws HostStartupException {
            String path = "extensions.http.routePrefix";
            String prefix = string(JsonFiles.field(JsonFiles.field(hostJson, "extensions"), "http"), "routePrefix",
                    path);
            if (prefix == null) {
                return DEFAULT_ROUTE_PREFIX;
            }
            prefix = prefix.trim().replaceAll("^/+|/+$", "");
            if (prefix.contains("{") || prefix.contains("}") || prefix.contains("?") || prefix.contains("#")) {
                throw new HostStartupException(file + ": " + path + " '" + prefix
                        + "' must be a plain path (no braces, '?' or '#')");
            }
            return prefix;
        }

        private String string(JsonNode parent, String name, String path) throws HostStartupException {
            JsonNode node = JsonFiles.field(parent, name);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isTextual()) {
                throw new HostStartupException(file + ": " + path + " must be a string, was " + node);
            }
            return node.asText();
        }

        private int integer(JsonNode parent, String name, String prefix, int min, int max, int defaultValue)
                throws HostStartupException {
            JsonNode node = JsonFiles.field(parent, name);
            if (node == null || node.isNull()) {
                return defaultValue;
            }
            String range = max == Integer.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
            long value;
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                value = node.asLong();
            } else if (node.isTextual() && node.asText().trim().matches("-?\\d{1,18}")) {
                value = Long.parseLong(node.asText().trim());
            } else {
                throw new HostStartupException(file + ": " + prefix + name + " must be an integer " + range
                        + ", was " + node);
            }
            if (value < min || value > max) {
                throw new HostStartupException(file + ": " + prefix + name + " must be an integer " + range
                        + ", was " + value);
            }
            return (int) value;
        }

        private Duration duration(JsonNode parent, String name, Duration defaultValue) throws HostStartupException {
            String text = string(parent, name, PROVIDER + name);
            if (text == null) {
                return defaultValue;
            }
            Duration value;
            try {
                value = TimeSpans.parse(text);
            } catch (IllegalArgumentException e) {
                throw new HostStartupException(file + ": " + PROVIDER + name + " " + e.getMessage()
                        + " (e.g. \"00:05:00\" for five minutes)");
            }
            if (value.isZero()) {
                throw new HostStartupException(file + ": " + PROVIDER + name + " must be longer than zero");
            }
            return value;
        }
    }
}
