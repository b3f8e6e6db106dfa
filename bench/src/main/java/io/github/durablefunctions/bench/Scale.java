package io.github.durablefunctions.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * How big the benchmark runs: {@link #FULL} has the numbers of issue #8, {@link #SMOKE} tiny counts that finish in a
 * few minutes, for CI (its figures only show that the harness works).
 *
 * @param orchestrations      HelloCities5 and Memory: orchestrations started together
 * @param sequentialActivities Sequential: activities called one after another by one orchestration
 * @param fanOutActivities    FanOutFanIn: activities called in parallel by one orchestration
 * @param externalEvents      ExternalEvents: events raised to one waiting orchestration
 * @param entitySignals       Entity: signals to one counter entity
 * @param latencyRuns         Latency: HelloCities3 orchestrations run one at a time
 * @param idleSettle          Idle: how long the worker is left alone before counting (the queue back-off reaches
 *                            30 s after about 51 s)
 * @param idleWindow          Idle: how long transactions are counted (scaled to a minute)
 * @param limitDuration       how long the raw Azurite transaction rate is measured
 * @param scenarioTimeout     how long one scenario's JVM may run before it is killed and the scenario failed
 */
public record Scale(String name, int orchestrations, int sequentialActivities, int fanOutActivities,
                    int externalEvents, int entitySignals, int latencyRuns, Duration idleSettle, Duration idleWindow,
                    Duration limitDuration, Duration scenarioTimeout) {

    /** The numbers. */
    public static final Scale FULL = new Scale("full", 1_000, 100, 1_000, 1_000, 1_000, 200, Duration.ofSeconds(65),
            Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofMinutes(20));
    /** Tiny counts for CI. */
    public static final Scale SMOKE = new Scale("smoke", 20, 10, 20, 20, 20, 10, Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofMinutes(4));

    /**
     * The scale named {@code full} or {@code smoke} (any case).
     *
     * @throws IllegalArgumentException for another name
     */
    public static Scale named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "full" -> FULL;
            case "smoke" -> SMOKE;
            default -> throw new IllegalArgumentException("Unknown scale '" + name + "': use full or smoke");
        };
    }
}
