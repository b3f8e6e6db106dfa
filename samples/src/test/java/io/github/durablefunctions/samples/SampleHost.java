package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * The samples app running in the local host, as a separate JVM: {@code java -cp <host classpath>
 * io.github.durablefunctions.host.Main --app <staging copy> --port <free port> --storage <Azurite>}. Each instance
 * works on a copy of the staging folder written by {@code mvn package} whose host.json names its own task hub, so
 * test classes never share state. Output goes to {@code target/e2e-logs/}.
 */
final class SampleHost implements AutoCloseable {
    /**
     * Storage-provider settings for fault tests: 5 s message locks, so that what a killed or stalled host had received
     * becomes visible to the others quickly.
     */
    static final Map<String, String> SHORT_LOCKS = Map.of(
            "controlQueueVisibilityTimeout", "00:00:05",
            "workItemQueueVisibilityTimeout", "00:00:05");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path app;
    private final String storage;
    private final int port;
    private final String name;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> extraArgs = new ArrayList<>();
    private Process process;
    private Path log;

    /**
     * Prepares a copy of the staging folder for {@code hubName}.
     *
     * @param durableTaskOverrides extra {@code extensions.durableTask.storageProvider} settings, e.g. shorter
     *                             visibility timeouts for crash tests
     */
    SampleHost(String hubName, String storageConnectionString, Map<String, String> durableTaskOverrides)
            throws IOException {
        this.name = hubName;
        this.storage = storageConnectionString;
        this.port = freePort();
        Path staging = Paths.get(System.getProperty("samples.stagingDirectory",
                "target/azure-functions/durable-functions-samples"));
        if (!Files.isDirectory(staging)) {
            throw new IllegalStateException("No staging folder at " + staging.toAbsolutePath()
                    + ": run the tests with 'mvn verify' so that the package phase writes it first");
        }
        this.app = Files.createTempDirectory("samples-" + hubName + "-").resolve("app");
        copyTree(staging, app);
        ObjectNode hostJson = (ObjectNode) JSON.readTree(app.resolve("host.json").toFile());
        ObjectNode durableTask = hostJson.with("extensions").with("durableTask");
        durableTask.put("hubName", hubName);
        ObjectNode storageProvider = durableTask.with("storageProvider");
        durableTaskOverrides.forEach(storageProvider::put);
        JSON.writerWithDefaultPrettyPrinter().writeValue(app.resolve("host.json").toFile(), hostJson);
    }

    /**
     * Sets an {@code extensions.durableTask} setting of the app's host.json (e.g.
     * {@code maxConcurrentActivityFunctions}) for every later {@link #start()}.
     */
    SampleHost withDurableTaskSetting(String name, int value) throws IOException {
        ObjectNode hostJson = (ObjectNode) JSON.readTree(app.resolve("host.json").toFile());
        hostJson.with("extensions").with("durableTask").put(name, value);
        JSON.writerWithDefaultPrettyPrinter().writeValue(app.resolve("host.json").toFile(), hostJson);
        return this;
    }

    /**
     * Sets an {@code extensions.durableTask.storageProvider} setting of the app's host.json that takes a number (e.g.
     * {@code maxDequeueCount}) for every later {@link #start()}.
     */
    SampleHost withStorageProviderSetting(String name, int value) throws IOException {
        ObjectNode hostJson = (ObjectNode) JSON.readTree(app.resolve("host.json").toFile());
        hostJson.with("extensions").with("durableTask").with("storageProvider").put(name, value);
        JSON.writerWithDefaultPrettyPrinter().writeValue(app.resolve("host.json").toFile(), hostJson);
        return this;
    }

    /** Adds command-line options for every later {@link #start()}, e.g. {@code --worker-id w1}. */
    SampleHost withArgs(String... args) {
        extraArgs.addAll(List.of(args));
        return this;
    }

    /** Starts the host and waits until it answers HTTP. */
    SampleHost start() throws IOException {
        Path classpathFile = Paths.get(System.getProperty("samples.hostClasspathFile", "target/host.classpath"));
        Path logs = Paths.get("target", "e2e-logs");
        Files.createDirectories(logs);
        Path log = logs.resolve(name + "-" + port + "-" + (processes.size() + 1) + ".log");
        this.log = log;
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", "@" + classpathFile.toAbsolutePath(),
                "io.github.durablefunctions.host.Main", "--app", app.toString(), "--port", String.valueOf(port),
                "--storage", storage));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(process);
        HttpClient http = HttpClient.newHttpClient();
        await("host on port " + port + " (log: " + log.toAbsolutePath() + ")")
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("The host exited with code " + process.exitValue()
                                + "; see " + log.toAbsolutePath());
                    }
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                URI.create(baseUrl() + "/runtime/webhooks/durabletask/instances/probe")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        return r.statusCode() == 404;
                    } catch (IOException e) {
                        return false;
                    }
                });
        return this;
    }

    /** The output of the process started last (stdout and stderr). */
    Path log() {
        return log;
    }

    /** The text the process started last has logged so far. */
    String logText() throws IOException {
        return Files.readString(log);
    }

    /**
     * Writes a thread dump of the running process ({@code jcmd <pid> Thread.print}) next to its log, for diagnosing
     * a stuck host; returns the file.
     */
    Path dumpThreads() throws IOException, InterruptedException {
        Path dump = Paths.get(log.toString().replace(".log", "-threads.txt"));
        String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true)
                .redirectOutput(dump.toFile()).start().waitFor(30, TimeUnit.SECONDS);
        return dump;
    }

    /** Whether the process started last is running. */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** {@code http://127.0.0.1:<port>} */
    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Kills the host process with SIGKILL: no shutdown hook runs, nothing is released. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Stops the host gracefully (SIGTERM) and waits for it to exit. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(source -> {
                try {
                    Path target = to.resolve(from.relativize(source).toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
