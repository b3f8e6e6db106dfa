package io.github.durablefunctions.host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to run the host (the command line, or a test).
 *
 * @param appDir            the staging folder {@code target/azure-functions/<appName>/}
 * @param bindAddress       the HTTP listen address; default {@code 127.0.0.1} (loopback only)
 * @param port              the HTTP port; default 7071; 0 for any free port
 * @param storage           a storage connection string that overrides the app's {@code AzureWebJobsStorage}; null
 *                          to use the app setting
 * @param azuriteDir        where Azurite is installed and keeps its data when the host starts it
 * @param environment       environment variables (override {@code local.settings.json} values)
 * @param workingDir        the current directory (one place {@code local.settings.json} is looked for)
 * @param gracePeriod       how long shutdown waits for running orchestrations and activities
 * @param parentClassLoader the parent of the app's class loader (normally the host's own)
 * @param maxRequestBodySize the largest request body, in bytes, that HTTP functions and the durable task API
 *                          accept; larger ones get 413 (default 100 MiB, the Functions host's limit)
 * @param workerId          this process's ID in the task hub's Partitions table ({@code CurrentOwner},
 *                          storage-layout.md §5.1); null for the default {@code <hostname>-<pid>}. Processes that
 *                          share a task hub must have different IDs.
 */
public record HostOptions(Path appDir, String bindAddress, int port, String storage, Path azuriteDir,
                          Map<String, String> environment, Path workingDir, Duration gracePeriod,
                          ClassLoader parentClassLoader, long maxRequestBodySize, String workerId) {

    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 7071;
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(10);
    /** The request body limit of the Functions host (100 MiB), which this host keeps by default. */
    public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 100L * 1024 * 1024;

    public HostOptions {
        Objects.requireNonNull(appDir, "appDir");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(azuriteDir, "azuriteDir");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(workingDir, "workingDir");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(parentClassLoader, "parentClassLoader");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("The port must be 0 to 65535, was " + port);
        }
        if (workerId != null && workerId.isBlank()) {
            throw new IllegalArgumentException("The worker ID must not be blank");
        }
        if (maxRequestBodySize < 1) {
            throw new IllegalArgumentException("The request body size limit must be at least 1 byte, was "
                    + maxRequestBodySize);
        }
    }

    /**
     * The defaults for an app folder: loopback, port 7071, the app's storage setting, Azurite in
     * {@code ./.azurite}, the process environment, the current directory, a 10-second grace period, the host's
     * class loader, and request bodies up to 100 MiB.
     */
    public static HostOptions defaults(Path appDir) {
        Path cwd = Path.of("").toAbsolutePath();
        return new HostOptions(appDir, DEFAULT_BIND_ADDRESS, DEFAULT_PORT, null, cwd.resolve(".azurite"),
                System.getenv(), cwd, DEFAULT_GRACE_PERIOD, HostOptions.class.getClassLoader(),
                DEFAULT_MAX_REQUEST_BODY_SIZE, null);
    }

    public HostOptions withBindAddress(String value) {
        return new HostOptions(appDir, value, port, storage, azuriteDir, environment, workingDir, gracePeriod,
                parentClassLoader, maxRequestBodySize, workerId);
    }

    public HostOptions withPort(int value) {
        return new HostOptions(appDir, bindAddress, value, storage, azuriteDir, environment, workingDir, gracePeriod,
                parentClassLoader, maxRequestBodySize, workerId);
    }

    public HostOptions withStorage(String value) {
        return new HostOptions(appDir, bindAddress, port, value, azuriteDir, environment, workingDir, gracePeriod,
                parentClassLoader, maxRequestBodySize, workerId);
    }

    public HostOptions withAzuriteDir(Path value) {
        return new HostOptions(appDir, bindAddress, port, storage, value, environment, workingDir, gracePeriod,
                parentClassLoader, maxRequestBodySize, workerId);
    }

    public HostOptions withEnvironment(Map<String, String> value) {
        return new HostOptions(appDir, bindAddress, port, storage, azuriteDir, value, workingDir, gracePeriod,
                parentClassLoader, maxRequestBodySize, workerId);
    }

    public HostOptions withGracePeriod(Duration value) {
        return new HostOptions(appDir, bindAddress, port, storage, azuriteDir, environment, workingDir, value,
                parentClassLoader, maxRequestBodySize, workerId);
    }

    public HostOptions withParentClassLoader(ClassLoader value) {
        return new HostOptions(appDir, bindAddress, port, storage, azuriteDir, environment, workingDir, gracePeriod,
                value, maxRequestBodySize, workerId);
    }

    public HostOptions withMaxRequestBodySize(long value) {
        return new HostOptions(appDir, bindAddress, port, storage, azuriteDir, environment, workingDir, gracePeriod,
                parentClassLoader, value, workerId);
    }

    public HostOptions withWorkerId(String value) {
        return new HostOptions(appDir, bindAddress, port, storage, azuriteDir, environment, workingDir, gracePeriod,
                parentClassLoader, maxRequestBodySize, value);
    }
}
