package io.github.durablefunctions.bench;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The targets of issue #8 and the published Durable Functions / Azure Storage figures quoted there. Targets are
 * reported (met / NOT met), never asserted: missing one does not fail the run.
 */
public final class Targets {
    /** Scenarios whose efficiency (events/s over the Azurite bound) is reported. */
    public static final Set<String> EFFICIENCY_SCENARIOS = Set.of("HelloCities5", "Sequential", "FanOutFanIn",
            "ExternalEvents", "Entity");

    private Targets() {
    }

    /**
     * One target of a scenario.
     *
     * @param metric    what is compared, e.g. {@code events/s}
     * @param measured  the measured value as text, or null if the scenario failed
     * @param target    the target, e.g. {@code ≥ 500}
     * @param published the published Durable Functions / Azure Storage figure from the issue
     * @param met       whether the measured value meets the target (false for a failed scenario)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Check(String metric, String measured, String target, String published, boolean met) {
    }

    /** The result with its efficiency set and then the checks of its targets, which read that efficiency. */
    public static ScenarioResult evaluated(ScenarioResult r, Double efficiency) {
        ScenarioResult withEfficiency = r.withEvaluation(efficiency, List.of());
        return withEfficiency.withEvaluation(efficiency, evaluate(withEfficiency));
    }

    /** The checks of one result (with its efficiency already set). */
    public static List<Check> evaluate(ScenarioResult r) {
        List<Check> checks = new ArrayList<>();
        switch (r.scenario()) {
            case "HelloCities5" -> {
                checks.add(atLeast(r, "events/s", ScenarioResult::eventsPerSecond, 500, "445 events/s (2 cores)"));
                checks.add(atMost(r, "tx/orchestration", ScenarioResult::transactionsPerOrchestration, 40,
                        "about 50"));
                checks.add(percentAtLeast(r, 50, "about 30-45 %"));
            }
            case "Sequential" -> checks.add(atLeast(r, "activities/s", ScenarioResult::activitiesPerSecond, 50,
                    "5 activities/s"));
            case "FanOutFanIn" -> checks.add(atLeast(r, "activities/s", ScenarioResult::activitiesPerSecond, 300,
                    "100 (fan-out) / 150 (fan-in) per s"));
            case "ExternalEvents" -> checks.add(atLeast(r, "events/s", ScenarioResult::eventsPerSecond, 200,
                    "50 events/s"));
            case "Entity" -> checks.add(atLeast(r, "operations/s", ScenarioResult::operationsPerSecond, 300,
                    "64 ops/s"));
            case "Latency" -> {
                checks.add(atMost(r, "p50 ms", ScenarioResult::latencyP50Ms, 150, "seconds"));
                checks.add(atMost(r, "p99 ms", ScenarioResult::latencyP99Ms, 500, "seconds"));
            }
            case "Idle" -> checks.add(atMost(r, "tx/min", ScenarioResult::idleTransactionsPerMinute, 30,
                    "polling to 30 s on 5 queues plus partition renewals"));
            case "Memory" -> checks.add(new Check("HelloCities5 under -Xmx256m", r.ok() ? "completed" : null,
                    "completes", "—", r.ok()));
            default -> {
            }
        }
        return checks;
    }

    /**
     * Efficiency: achieved events/s over the events/s the raw Azurite rate allows at
     * {@link StorageLimit#MIN_TRANSACTIONS_PER_EVENT} transactions per event; null where not applicable.
     */
    public static Double efficiency(ScenarioResult r, StorageLimit.Result limit) {
        if (!r.ok() || limit == null || !EFFICIENCY_SCENARIOS.contains(r.scenario())
                || limit.eventsPerSecondBound() <= 0) {
            return null;
        }
        Double eventsPerSecond = r.eventsPerSecond();
        return eventsPerSecond == null ? null : eventsPerSecond / limit.eventsPerSecondBound();
    }

    private static Check atLeast(ScenarioResult r, String metric, Function<ScenarioResult, Double> value,
                                 double target, String published) {
        Double v = r.ok() ? value.apply(r) : null;
        return new Check(metric, v == null ? null : format(v), "≥ " + format(target), published,
                v != null && v >= target);
    }

    private static Check atMost(ScenarioResult r, String metric, Function<ScenarioResult, Double> value,
                                double target, String published) {
        Double v = r.ok() ? value.apply(r) : null;
        return new Check(metric, v == null ? null : format(v), "≤ " + format(target), published,
                v != null && v <= target);
    }

    private static Check percentAtLeast(ScenarioResult r, double targetPercent, String published) {
        Double v = r.efficiency();
        return new Check("efficiency", v == null ? null : format(100 * v) + " %",
                "≥ " + format(targetPercent) + " %", published, v != null && 100 * v >= targetPercent);
    }

    /** A number with at most one decimal, without a trailing ".0" for whole numbers above 100. */
    static String format(double v) {
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(java.util.Locale.ROOT, "%.0f", v);
        }
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
