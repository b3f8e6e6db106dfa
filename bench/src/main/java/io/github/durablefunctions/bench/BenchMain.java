package io.github.durablefunctions.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.azurestorage.azurite.Azurite;
import io.github.durablefunctions.azurestorage.azurite.AzuriteOptions;
import io.github.durablefunctions.bench.scenarios.Scenario;
import io.github.durablefunctions.bench.scenarios.ScenarioContext;
import io.github.durablefunctions.bench.scenarios.Scenarios;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark command of issue #8. Starts one Azurite (in memory, free ports), measures its raw transaction rate
 * ({@link StorageLimit}), runs each scenario in a fresh JVM ({@link ScenarioRunner}, same class path, {@code -Xmx1g},
 * Memory {@code -Xmx256m}) on a fresh task hub, then writes {@code <out>/<yyyyMMdd-HHmmss>-<scale>.json} and
 * {@code <out>/latest-<scale>.md} and prints the Markdown. Exit code 1 if a scenario failed (wrong output, timeout,
 * crash); a missed target does not change the exit code.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs the Durable Functions benchmarks against a fresh in-memory Azurite.")
public final class BenchMain implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--scenarios", defaultValue = "all",
            description = "Comma-separated scenarios, or all (default). Known: HelloCities5, Sequential, FanOutFanIn,"
                    + " ExternalEvents, Entity, Latency, Idle, Memory.")
    String scenarios;

    @Option(names = "--scale", defaultValue = "full", description = "full (the issue's numbers) or smoke (tiny).")
    String scaleName;

    @Option(names = "--out", description = "Results folder (default <repo>/bench/results).")
    Path out;

    @Option(names = "--azurite-dir", description = "Where Azurite is installed (default <repo>/.azurite, or "
            + "-Dazurite.installDir); installed there by npm ci if missing.")
    Path azuriteDir;

    @Option(names = "--work-dir", description = "Scenario logs and result files (default <repo>/bench/target/bench).")
    Path workDir;

    @Option(names = "--client-mode", defaultValue = "SHARED",
            description = "SHARED (default: the client uses the worker's backend service, as the host does) or "
                    + "SEPARATE (its own service instance, as a client in another process).")
    ClientMode clientMode;

    @Option(names = "--skip-limit", description = "Do not measure the raw Azurite rate (no efficiency).")
    boolean skipLimit;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** Where Azurite keeps its data during a run. */
    enum Persistence {
        DISK("data on disk"), MEMORY("in memory");

        final String description;

        Persistence(String description) {
            this.description = description;
        }
    }

    @Option(names = "--azurite-persistence", defaultValue = "DISK",
            description = "DISK (default: a fresh data folder under the work folder) or MEMORY (--inMemoryPersistence; "
                    + "its queue garbage collection stalls Azurite for tens of seconds once a minute under load, "
                    + "see bench/README.md).")
    Persistence persistence;

    /** Starts a fresh Azurite on free ports, in memory or with its own data folder under {@code work}. */
    private Azurite startAzurite(Path installDir, Path work, String label) throws IOException {
        if (persistence == Persistence.MEMORY) {
            return Azurite.start(AzuriteOptions.inMemoryOnFreePorts(installDir));
        }
        Path data = work.resolve("azurite-" + label);
        Files.createDirectories(data);
        return Azurite.start(new AzuriteOptions(installDir, data, "127.0.0.1", 0, 0, 0, false));
    }

    @Option(names = "--render", description = "Only rewrite latest-<scale>.md (in --out) from this results JSON, "
            + "evaluating the targets again; runs nothing.")
    Path render;

    /** Rewrites the Markdown of an earlier run from its JSON, with the targets evaluated again. */
    private int render(Path jsonFile, Path results) throws IOException {
        ResultsWriter writer = new ResultsWriter();
        BenchReport read = writer.readJson(jsonFile);
        List<ScenarioResult> evaluated = new ArrayList<>();
        for (ScenarioResult r : read.results()) {
            evaluated.add(Targets.evaluated(r, r.efficiency()));
        }
        BenchReport report = new BenchReport(read.startedAt(), read.scale(), read.clientMode(), read.starterThreads(),
                read.machine(), read.limit(), evaluated, read.failedScenarios());
        Path md = writer.writeMarkdown(writer.markdown(report), results, read.scale());
        writer.writeJson(report, jsonFile);
        log("Rewrote " + md + " and " + jsonFile + " from " + jsonFile);
        return 0;
    }

    @Override
    public Integer call() throws Exception {
        Scale scale = Scale.named(scaleName);
        List<Scenario> chosen = Scenarios.parse(scenarios);
        Path root = repoRoot();
        Path results = (out != null ? out : root.resolve("bench/results")).toAbsolutePath();
        if (render != null) {
            return render(render, results);
        }
        Path azurite = azuriteDir != null ? azuriteDir : defaultAzuriteDir(root);
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).withNano(0);
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path work = (workDir != null ? workDir : root.resolve("bench/target/bench")).resolve(stamp + "-" + scale.name());
        Files.createDirectories(work);
        String startedAt = now.format(DateTimeFormatter.ISO_INSTANT);

        // A fresh Azurite for the limit and for each scenario, so that no scenario inherits another's data. On disk
        // by default: in memory, Azurite's queue garbage collection (every 60 s) takes time quadratic in the number
        // of messages deleted since the last one (26 s for 4,844, 63 s for 7,203 here), stalling every request.
        log("Azurite " + Azurite.AZURITE_VERSION + " (" + persistence.description + ", free ports, a fresh one for "
                + "the limit and for each scenario) from " + azurite);
        List<ScenarioResult> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        StorageLimit.Result limit = null;
        if (!skipLimit) {
            try (Azurite storage = startAzurite(azurite, work, "limit")) {
                log("Measuring the raw Azurite transaction rate (" + StorageLimit.defaultThreads() + " threads, "
                        + scale.limitDuration().toSeconds() + " s)");
                limit = StorageLimit.measure(storage.connectionString(), StorageLimit.defaultThreads(),
                        scale.limitDuration());
                log(String.format(java.util.Locale.ROOT, "Limit: %.0f transactions/s", limit.transactionsPerSecond()));
            }
        }
        int n = 0;
        for (Scenario scenario : chosen) {
            n++;
            String hub = "Bench" + scenario.name() + n;
            log("Running " + scenario.name() + " (" + scale.name() + ", -Xmx" + scenario.maxHeap() + ", hub "
                    + hub + ")");
            ScenarioResult result;
            try (Azurite storage = startAzurite(azurite, work, scenario.name())) {
                result = runChild(scenario, scale, storage.connectionString(), hub, work);
                if (!storage.isAlive()) {
                    throw new IOException("Azurite died during " + scenario.name() + ":\n" + storage.recentOutput());
                }
            }
            result = Targets.evaluated(result, Targets.efficiency(result, limit));
            done.add(result);
            if (!result.ok()) {
                failed.add(scenario.name());
                log(scenario.name() + " FAILED: " + result.error());
            } else {
                log(scenario.name() + " done: " + summary(result));
            }
        }

        BenchReport report = new BenchReport(startedAt, scale.name(), clientMode, ScenarioContext.STARTER_THREADS,
                MachineInfo.current(Azurite.AZURITE_VERSION + " (" + persistence.description + ")", startedAt), limit, done, failed);
        ResultsWriter writer = new ResultsWriter();
        String markdown = writer.markdown(report);
        Path jsonFile = writer.writeJson(report, results, stamp);
        Path mdFile = writer.writeMarkdown(markdown, results, scale.name());
        System.out.println();
        System.out.println(markdown);
        log("Wrote " + jsonFile + " and " + mdFile + "; scenario logs in " + work);
        if (!failed.isEmpty()) {
            log("FAILED scenarios: " + failed);
            return 1;
        }
        return 0;
    }

    /** Runs one scenario in a fresh JVM and reads its result; a crash or timeout gives a failed result. */
    private ScenarioResult runChild(Scenario scenario, Scale scale, String connection, String hub, Path work)
            throws IOException, InterruptedException {
        Path resultFile = work.resolve(scenario.name() + ".json");
        Path logFile = work.resolve(scenario.name() + ".log");
        Files.deleteIfExists(resultFile);
        long limitSeconds = scale.scenarioTimeout().toSeconds();
        List<String> command = List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + scenario.maxHeap(),
                "-cp", System.getProperty("java.class.path"),
                ScenarioRunner.class.getName(),
                "--scenario", scenario.name(), "--scale", scale.name(), "--connection-string", connection,
                "--task-hub", hub, "--client-mode", clientMode.name(),
                // the child gives up a little before the parent kills it, so it can still report why
                "--time-limit-seconds", Long.toString(Math.max(30, limitSeconds - 60)),
                "--result-file", resultFile.toString());
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        Thread killer = new Thread(() -> destroy(child));
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            if (!child.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                destroy(child);
                return ScenarioResult.failed(scenario.name(), hub, "no result within " + limitSeconds
                        + " s (killed); see " + logFile);
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(killer);
        }
        if (!Files.isRegularFile(resultFile)) {
            return ScenarioResult.failed(scenario.name(), hub, "its JVM exited with code " + child.exitValue()
                    + " without a result; see " + logFile);
        }
        return new ObjectMapper().readValue(resultFile.toFile(), ScenarioResult.class);
    }

    private static void destroy(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String summary(ScenarioResult r) {
        StringBuilder s = new StringBuilder();
        if (r.wallTimeMs() != null) {
            s.append(String.format(java.util.Locale.ROOT, "%.2f s", r.wallTimeMs() / 1000));
        }
        if (r.eventsPerSecond() != null) {
            s.append(String.format(java.util.Locale.ROOT, ", %.0f events/s", r.eventsPerSecond()));
        }
        if (r.latencyP50Ms() != null) {
            s.append(String.format(java.util.Locale.ROOT, ", p50 %.0f ms", r.latencyP50Ms()));
        }
        if (r.idleTransactionsPerMinute() != null) {
            s.append(String.format(java.util.Locale.ROOT, ", %.0f transactions/min", r.idleTransactionsPerMinute()));
        }
        s.append(", ").append(r.transactions()).append(" transactions");
        return s.toString();
    }

    private static void log(String line) {
        System.out.println("[bench] " + line);
    }

    private static Path defaultAzuriteDir(Path root) {
        String configured = System.getProperty("azurite.installDir");
        return configured != null && !configured.isBlank() ? Paths.get(configured) : root.resolve(".azurite");
    }

    /**
     * The repository root: the nearest folder at or above the working directory with {@code .git} or the top
     * {@code pom.xml} (artifactId durable-functions-parent, no parent), as the tests' AzuriteExtension finds it.
     *
     * @throws IllegalStateException if there is none
     */
    static Path repoRoot() {
        Path start = Paths.get("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(".git")) || isParentPom(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No repository root (a folder with .git or the durable-functions-parent "
                + "pom.xml) above " + start + "; pass --out and --azurite-dir");
    }

    private static boolean isParentPom(Path pom) {
        try {
            if (!Files.isRegularFile(pom)) {
                return false;
            }
            String text = Files.readString(pom);
            return text.contains("<artifactId>durable-functions-parent</artifactId>") && !text.contains("<parent>");
        } catch (IOException e) {
            return false;
        }
    }
}
