package io.github.durablefunctions.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.azurestorage.AzureStorageOrchestrationService;
import io.github.durablefunctions.azurestorage.AzureStorageOrchestrationServiceSettings;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.host.app.FunctionApp;
import io.github.durablefunctions.host.app.FunctionAppLoader;
import io.github.durablefunctions.host.config.DurableTaskOptions;
import io.github.durablefunctions.host.config.HostConfig;
import io.github.durablefunctions.host.durabletask.DurableTaskHttpApi;
import io.github.durablefunctions.host.durabletask.TaskHubClients;
import io.github.durablefunctions.host.http.HostHttpServer;
import io.github.durablefunctions.host.http.HttpFunctionHandler;
import io.github.durablefunctions.host.invoke.DurableClientFactory;
import io.github.durablefunctions.host.storage.AzuriteSupervisor;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The local Functions host for one app: its lifecycle.
 *
 * <p>{@link #start()} runs, in order: read the configuration ({@link HostConfig}); load the app
 * ({@link FunctionAppLoader}); make development storage available if the app uses it ({@link AzuriteSupervisor});
 * create the Azure Storage backend and the task hub; prepare the functions ({@link FunctionRegistry}); start the
 * HTTP server (HTTP functions and {@link DurableTaskHttpApi}); start the {@link DurableTaskWorker}. One
 * {@link JacksonDataConverter} serves the worker, the durable clients and HTTP bodies.
 *
 * <p>{@link #close()} (also from a shutdown hook, also while {@code start()} is still running) stops, in reverse
 * order: the HTTP server, the worker (waiting up to the grace period for running functions), the backend, Azurite
 * if the host started it, and the app's class loader. It is idempotent.
 */
public final class DurableHost implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DurableHost.class);

    private final HostOptions options;
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final DataConverter dataConverter = new JacksonDataConverter();
    private final ObjectMapper json = JsonMapper.builder().build();
    private boolean closed;

    private HostConfig config;
    private FunctionApp app;
    private FunctionRegistry registry;
    private AzuriteSupervisor azurite;
    private AzureStorageOrchestrationService service;
    private HostHttpServer server;

    /** A host that is not started yet. */
    public DurableHost(HostOptions options) {
        this.options = options;
    }

    /**
     * Starts the host for {@code options}; see the class comment.
     *
     * @return the started host; close it to stop
     * @throws HostStartupException with a message for the user, if the app, its configuration or storage are not
     *                              usable, or the port is taken; everything started so far is stopped again
     */
    public static DurableHost start(HostOptions options) throws HostStartupException {
        DurableHost host = new DurableHost(options);
        host.start();
        return host;
    }

    /**
     * Starts this host; see the class comment.
     *
     * @throws HostStartupException  as {@link #start(HostOptions)}; also if {@link #close()} was called meanwhile
     * @throws IllegalStateException if called more than once
     */
    public void start() throws HostStartupException {
        if (config != null) {
            throw new IllegalStateException("The host was started already");
        }
        routeJavaUtilLoggingToSlf4j();
        try {
            config = HostConfig.load(options.appDir(), options.storage(), options.environment(), options.workingDir());
            app = own(FunctionAppLoader.load(config.appDir(), options.parentClassLoader(), config.settings()));
            if (config.usesDevelopmentStorage()) {
                azurite = own(AzuriteSupervisor.ensureRunning(options.azuriteDir()));
            }
            DurableTaskOptions durable = config.durableTask();
            service = own(newService(config));
            BackendDurableTaskClient client = new BackendDurableTaskClient(service, dataConverter,
                    durable.entityMessageReorderWindow());
            registry = FunctionRegistry.build(app, dataConverter,
                    new DurableClientFactory(client, durable.hubName(), config.settings()));
            createTaskHub();

            DurableTaskWorker.Builder builder = DurableTaskWorker.builder()
                    .service(service)
                    .dataConverter(dataConverter)
                    .maxConcurrentActivityFunctions(durable.maxConcurrentActivityFunctions())
                    .maxConcurrentOrchestratorFunctions(durable.maxConcurrentOrchestratorFunctions())
                    .maxEntityOperationBatchSize(durable.maxEntityOperationBatchSize())
                    .entityMessageReorderWindow(durable.entityMessageReorderWindow());
            DurableTaskWorker worker = registry.addDurableFunctionsTo(builder).build();
            // Registered before the server so that close() stops the server first, then the worker.
            own((AutoCloseable) () -> {
                worker.stop(options.gracePeriod());
                worker.close();
            });

            TaskHubClients hubs = own(new TaskHubClients(client, durable.hubName(), durable.connectionName(),
                    config.storageConnectionString(), config.settings(), this::openOtherHub));
            DurableTaskHttpApi api = new DurableTaskHttpApi(hubs,
                    registry.orchestrators().stream().map(FunctionRegistry.DurableFunction::name).toList(),
                    registry.entities().stream().map(FunctionRegistry.DurableFunction::name).toList(),
                    dataConverter, json, options.maxRequestBodySize());
            HttpFunctionHandler functions = new HttpFunctionHandler(config.routePrefix(), registry.router(),
                    dataConverter, json, options.maxRequestBodySize());
            server = own(HostHttpServer.start(options.bindAddress(), options.port(), options.maxRequestBodySize(),
                    api::register, functions));
            try {
                worker.start();
            } catch (RuntimeException e) {
                throw new HostStartupException("Cannot start the durable task worker on task hub '"
                        + durable.hubName() + "': " + e.getMessage(), e);
            }
            log.info("Host started on {}: {} HTTP, {} orchestrator, {} activity and {} entity function(s); {} not"
                    + " loaded", baseUrl(), registry.http().size(), registry.orchestrators().size(),
                    registry.activities().size(), registry.entities().size(), registry.skipped().size());
        } catch (HostStartupException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private AzureStorageOrchestrationService newService(HostConfig config) throws HostStartupException {
        try {
            return newService(config.storageConnectionString(), config.durableTask().hubName());
        } catch (IllegalArgumentException e) {
            throw new HostStartupException("The storage settings are not usable (connection from "
                    + config.storageConnectionSource() + "): " + e.getMessage(), e);
        }
    }

    /**
     * A client of another task hub for the durable task API's {@code taskHub} / {@code connection} parameters, with
     * the app's storage settings.
     *
     * @throws IllegalArgumentException if the connection string or hub name is not usable
     */
    private TaskHubClients.Opened openOtherHub(String connectionString, String hubName) {
        AzureStorageOrchestrationService other = newService(connectionString, hubName);
        return new TaskHubClients.Opened(new BackendDurableTaskClient(other, dataConverter,
                config.durableTask().entityMessageReorderWindow()), other);
    }

    private AzureStorageOrchestrationService newService(String connectionString, String hubName) {
        DurableTaskOptions d = config.durableTask();
        AzureStorageOrchestrationServiceSettings.Builder settings = AzureStorageOrchestrationServiceSettings
                .builder(connectionString, hubName);
        if (options.workerId() != null) {
            settings.workerId(options.workerId());
        }
        return new AzureStorageOrchestrationService(settings
                .partitionCount(d.partitionCount())
                .controlQueueBatchSize(d.controlQueueBatchSize())
                .controlQueueBufferThreshold(d.controlQueueBufferThreshold())
                .controlQueueVisibilityTimeout(d.controlQueueVisibilityTimeout())
                .workItemQueueVisibilityTimeout(d.workItemQueueVisibilityTimeout())
                .maxQueuePollingInterval(d.maxQueuePollingInterval())
                .maxDequeueCount(d.maxDequeueCount())
                .build());
    }

    private void createTaskHub() throws HostStartupException {
        try {
            service.createTaskHubIfNotExists();
        } catch (RuntimeException e) {
            throw new HostStartupException("Cannot create or open task hub '" + service.getTaskHubName() + "' at "
                    + service.getStorageEndpoint() + " (connection from " + config.storageConnectionSource() + "): "
                    + e.getMessage(), e);
        }
    }

    /** Registers a started resource for {@link #close()}; if the host was closed meanwhile, closes it at once. */
    private <T extends AutoCloseable> T own(T resource) throws HostStartupException {
        synchronized (resources) {
            if (!closed) {
                resources.push(resource);
                return resource;
            }
        }
        closeQuietly(resource);
        throw new HostStartupException("The host was stopped while starting");
    }

    /** The port the HTTP server listens on. */
    public int port() {
        return server.port();
    }

    /** The root URL of the host, e.g. {@code http://127.0.0.1:7071}. */
    public String baseUrl() {
        String host = options.bindAddress();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "localhost";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port();
    }

    /** The configuration the host runs with. */
    public HostConfig config() {
        return config;
    }

    /** The functions, sorted by trigger, including those skipped. */
    public FunctionRegistry functions() {
        return registry;
    }

    /**
     * What {@code func start} prints: the functions (HTTP ones with methods and URL, others with their trigger),
     * those not loaded and why, the task hub, the storage endpoint and the durable task API's URL.
     */
    public String summary() {
        return StartupSummary.render(this, registry, config, service.getStorageEndpoint(),
                azurite == null ? null : azurite.description());
    }

    /** Stops everything that was started, in reverse order. Idempotent; safe from a shutdown hook. */
    @Override
    public void close() {
        synchronized (resources) {
            if (closed) {
                return;
            }
            closed = true;
        }
        while (true) {
            AutoCloseable resource;
            synchronized (resources) {
                resource = resources.poll();
            }
            if (resource == null) {
                break;
            }
            closeQuietly(resource);
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("Stopping {} failed: {}", resource.getClass().getSimpleName(), e.toString());
        }
    }

    private static void routeJavaUtilLoggingToSlf4j() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
