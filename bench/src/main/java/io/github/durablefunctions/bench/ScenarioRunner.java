package io.github.durablefunctions.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.azurestorage.AzureStorageOrchestrationService;
import io.github.durablefunctions.azurestorage.AzureStorageOrchestrationServiceSettings;
import io.github.durablefunctions.bench.scenarios.Measurement;
import io.github.durablefunctions.bench.scenarios.Scenario;
import io.github.durablefunctions.bench.scenarios.ScenarioContext;
import io.github.durablefunctions.bench.scenarios.Scenarios;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs one scenario in this JVM (started by {@link BenchMain}, one fresh JVM per scenario): builds the Azure Storage
 * backend with default settings on the given task hub, starts a {@link DurableTaskWorker} with every
 * {@link BenchFunctions} function, warms up with a few HelloCities3 orchestrations, runs the scenario and writes its
 * {@link ScenarioResult} as JSON to {@code --result-file}. Exit code 0 when the result was written (even for a failed
 * scenario: the result says so), 2 otherwise.
 */
@Command(name = "scenario-runner", mixinStandardHelpOptions = true,
        description = "Runs one benchmark scenario against a running Azurite and writes its result as JSON.")
public final class ScenarioRunner implements Callable<Integer> {
    static final int WARM_UP_ORCHESTRATIONS = 4;

    @Option(names = "--scenario", required = true, description = "The scenario, e.g. HelloCities5.")
    String scenarioName;

    @Option(names = "--scale", defaultValue = "full", description = "full or smoke (default ${DEFAULT-VALUE}).")
    String scaleName;

    @Option(names = "--connection-string", required = true, description = "The storage connection string.")
    String connectionString;

    @Option(names = "--task-hub", required = true, description = "A fresh task hub name.")
    String taskHub;

    @Option(names = "--client-mode", defaultValue = "SHARED",
            description = "SHARED or SEPARATE (default ${DEFAULT-VALUE}).")
    ClientMode clientMode;

    @Option(names = "--time-limit-seconds", defaultValue = "1200",
            description = "How long the scenario may take (default ${DEFAULT-VALUE}).")
    long timeLimitSeconds;

    @Option(names = "--result-file", required = true, description = "Where to write the result JSON.")
    Path resultFile;

    public static void main(String[] args) {
        int code = new CommandLine(new ScenarioRunner()).execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        ProcessMemory memory = new ProcessMemory().start();
        Scenario scenario = Scenarios.named(scenarioName);
        Scale scale = Scale.named(scaleName);
        ScenarioResult result;
        AzureStorageOrchestrationService workerService = service();
        AzureStorageOrchestrationService clientService = clientMode == ClientMode.SHARED ? workerService : service();
        AzureStorageOrchestrationService observerService = service();
        DurableTaskWorker worker = BenchFunctions.register(DurableTaskWorker.builder().service(workerService)).build();
        ExecutorService starters = Executors.newFixedThreadPool(ScenarioContext.STARTER_THREADS + 1, r -> {
            Thread t = new Thread(r, "bench-client");
            t.setDaemon(true);
            return t;
        });
        try {
            worker.start();
            clientService.createTaskHubIfNotExists();
            DurableTaskClient client = new BackendDurableTaskClient(clientService, new JacksonDataConverter());
            DurableTaskClient observer = new BackendDurableTaskClient(observerService, new JacksonDataConverter());
            ScenarioContext context = new ScenarioContext(scale, workerService, clientService, observerService,
                    client, observer, starters, Duration.ofSeconds(timeLimitSeconds));
            context.startAndAwaitAll(BenchFunctions.HELLO_CITIES_3, null, WARM_UP_ORCHESTRATIONS, "warm-",
                    BenchFunctions.expectedGreetings(BenchFunctions.CITIES_3), Duration.ofMillis(20));
            Measurement measured = scenario.run(context);
            memory.stop();
            result = toResult(scenario, measured, memory);
        } catch (Exception | Error e) {
            memory.stop();
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            System.err.println("Scenario " + scenarioName + " failed: " + trace);
            result = ScenarioResult.failed(scenario.name(), taskHub, e.toString());
        } finally {
            starters.shutdownNow();
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.createDirectories(resultFile.toAbsolutePath().getParent());
        json.writeValue(resultFile.toFile(), result);
        try {
            worker.stop(Duration.ofSeconds(5));
            worker.close();
            if (clientService != workerService) {
                clientService.close();
            }
            observerService.close();
        } catch (RuntimeException e) {
            System.err.println("Shutdown: " + e);
        }
        return 0;
    }

    private AzureStorageOrchestrationService service() {
        return new AzureStorageOrchestrationService(
                AzureStorageOrchestrationServiceSettings.builder(connectionString, taskHub).build());
    }

    private ScenarioResult toResult(Scenario scenario, Measurement m, ProcessMemory memory) {
        double seconds = m.wallNanos() / 1e9;
        boolean idle = m.idleWindowNanos() > 0;
        Percentiles latency = new Percentiles(m.latenciesMs());
        long tx = m.transactions().total();
        Double perMinute = idle ? tx * 60e9 / m.idleWindowNanos() : null;
        return new ScenarioResult(scenario.name(), taskHub, true, null, memory.maxHeapBytes(),
                idle ? null : m.orchestrations(), idle ? null : m.activities(), idle ? null : m.events(),
                m.operations(), m.wallNanos() / 1e6,
                rate(m.events(), seconds, idle), rate(m.orchestrations(), seconds, idle),
                rate(m.activities(), seconds, idle), m.operations() == null ? null : m.operations() / seconds,
                latency.percentile(50), latency.percentile(95), latency.percentile(99), latency.max(),
                tx, m.transactions().byKind(),
                m.orchestrations() > 0 && !idle ? (double) tx / m.orchestrations() : null,
                m.events() > 0 ? (double) tx / m.events() : null,
                m.observationTransactions(), perMinute, idle ? m.idleWindowNanos() / 1e9 : null,
                memory.peakHeapBytes(), ProcessMemory.peakRssBytes(), null, List.of(),
                m.notes() + "; client mode " + clientMode);
    }

    private static Double rate(long count, double seconds, boolean idle) {
        return idle || count == 0 ? null : count / seconds;
    }
}
