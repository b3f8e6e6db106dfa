package io.github.durablefunctions.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes a run's {@link BenchReport} as {@code <out>/<yyyyMMdd-HHmmss>-<scale>.json} and its Markdown tables as
 * {@code <out>/latest-<scale>.md}.
 */
public final class ResultsWriter {
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes the JSON file; returns its path. */
    public Path writeJson(BenchReport report, Path out, String stamp) throws IOException {
        Files.createDirectories(out);
        Path file = out.resolve(stamp + "-" + report.scale() + ".json");
        writeJson(report, file);
        return file;
    }

    /** Writes a report to the given JSON file, replacing it. */
    public void writeJson(BenchReport report, Path file) throws IOException {
        json.writeValue(file.toFile(), report);
    }

    /** Reads a report written by {@link #writeJson} (unknown properties are ignored). */
    public BenchReport readJson(Path file) throws IOException {
        return json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(file.toFile(), BenchReport.class);
    }

    /** Writes the Markdown file; returns its path. */
    public Path writeMarkdown(String markdown, Path out, String scale) throws IOException {
        Files.createDirectories(out);
        Path file = out.resolve("latest-" + scale + ".md");
        Files.writeString(file, markdown);
        return file;
    }

    /** The Markdown report: a machine line, the limit, the results table, the targets table, transactions by kind. */
    public String markdown(BenchReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results (").append(report.scale()).append(" scale)\n\n");
        md.append("Machine: ").append(report.machine().describe()).append(".  \n");
        md.append("Client mode: ").append(report.clientMode()).append(", ").append(report.starterThreads())
                .append(" client threads; each scenario in a fresh JVM and task hub (default settings: 4 partitions, "
                        + "maxQueuePollingInterval 30 s).  \n");
        StorageLimit.Result limit = report.limit();
        if (limit != null) {
            md.append(String.format(Locale.ROOT, "Limit: this Azurite does %.0f transactions/s from a tight loop of "
                            + "%d threads (queue put/get/delete, table batch of 2, table point read; %.1f s); at %d "
                            + "transactions per event that allows %.0f events/s (the efficiency denominator).%n%n",
                    limit.transactionsPerSecond(), limit.threads(), limit.seconds(),
                    limit.minTransactionsPerEvent(), limit.eventsPerSecondBound()));
        } else {
            md.append("Limit: not measured.\n\n");
        }

        md.append("| Scenario | Wall time | Events/s | Orch/s | Latency p50 / p95 / p99 (ms) | Transactions | Tx/orch "
                + "| Peak heap | Peak RSS | Efficiency | Target | Met? | Published DF / Azure Storage |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
        for (ScenarioResult r : report.results()) {
            List<Targets.Check> checks = r.targets() == null ? List.of() : r.targets();
            String targets = checks.stream().map(c -> c.metric() + " " + c.target())
                    .collect(Collectors.joining("; "));
            String met = checks.stream().map(c -> c.met() ? "met" : "NOT met").collect(Collectors.joining("; "));
            String published = checks.stream().map(Targets.Check::published).distinct()
                    .collect(Collectors.joining("; "));
            if (!r.ok()) {
                md.append("| ").append(r.scenario()).append(" | FAILED: ").append(escape(r.error()))
                        .append(" | | | | | | | | | ").append(escape(targets)).append(" | ").append(met)
                        .append(" | ").append(escape(published)).append(" |\n");
                continue;
            }
            boolean idle = r.idleTransactionsPerMinute() != null;
            String eventsPerSecond = r.operationsPerSecond() != null
                    ? num(r.eventsPerSecond()) + " (" + num(r.operationsPerSecond()) + " ops/s)"
                    : num(r.eventsPerSecond());
            md.append("| ").append(r.scenario())
                    .append(" | ").append(idle ? num(r.idleWindowSeconds()) + " s counted" : seconds(r.wallTimeMs()))
                    .append(" | ").append(eventsPerSecond)
                    .append(" | ").append(num(r.orchestrationsPerSecond()))
                    .append(" | ").append(r.latencyP50Ms() == null ? "—" : num(r.latencyP50Ms()) + " / "
                            + num(r.latencyP95Ms()) + " / " + num(r.latencyP99Ms()))
                    .append(" | ").append(idle ? num(r.idleTransactionsPerMinute()) + " /min" : r.transactions())
                    .append(" | ").append(num(r.transactionsPerOrchestration()))
                    .append(" | ").append(mib(r.peakHeapBytes())).append(" of ").append(mib(r.heapLimitBytes()))
                    .append(" | ").append(mib(r.peakRssBytes()))
                    .append(" | ").append(r.efficiency() == null ? "—"
                            : String.format(Locale.ROOT, "%.0f %%", 100 * r.efficiency()))
                    .append(" | ").append(escape(targets))
                    .append(" | ").append(met)
                    .append(" | ").append(escape(published)).append(" |\n");
        }

        md.append("\n## Targets\n\n| Scenario | Metric | Measured | Target | Published DF / Azure Storage | Met? |\n");
        md.append("|---|---|---:|---|---|---|\n");
        for (ScenarioResult r : report.results()) {
            for (Targets.Check c : r.targets() == null ? List.<Targets.Check>of() : r.targets()) {
                md.append("| ").append(r.scenario()).append(" | ").append(c.metric()).append(" | ")
                        .append(c.measured() == null ? "failed" : c.measured()).append(" | ").append(c.target())
                        .append(" | ").append(escape(c.published())).append(" | ")
                        .append(c.met() ? "met" : "**NOT met**").append(" |\n");
            }
        }

        md.append("\n## Storage transactions by kind\n\n| Scenario | Transactions | Per orchestration / event "
                + "| By kind | Observation (not counted) |\n|---|---:|---|---|---:|\n");
        for (ScenarioResult r : report.results()) {
            if (!r.ok()) {
                continue;
            }
            md.append("| ").append(r.scenario()).append(" | ").append(r.transactions()).append(" | ")
                    .append(num(r.transactionsPerOrchestration())).append(" / ")
                    .append(num(r.transactionsPerEvent())).append(" | ").append(kinds(r.transactionsByKind()))
                    .append(" | ").append(r.observationTransactions() == null ? "—" : r.observationTransactions())
                    .append(" |\n");
        }
        md.append("\n## Notes\n\n");
        for (ScenarioResult r : report.results()) {
            if (r.notes() != null) {
                md.append("- ").append(r.scenario()).append(": ").append(r.notes()).append('\n');
            }
        }
        return md.toString();
    }

    private static String kinds(Map<String, Long> byKind) {
        if (byKind == null || byKind.isEmpty()) {
            return "—";
        }
        return byKind.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String num(Double v) {
        return v == null ? "—" : Targets.format(v);
    }

    private static String seconds(Double ms) {
        return ms == null ? "—" : String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    private static String mib(Long bytes) {
        return bytes == null || bytes < 0 ? "—" : String.format(Locale.ROOT, "%.0f MiB", bytes / (1024.0 * 1024));
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
