package io.github.durablefunctions.bench.scenarios;

/**
 * One benchmark scenario. It runs in its own JVM, on its own task hub, with a started worker that has every function
 * of {@link io.github.durablefunctions.bench.BenchFunctions}; {@link #run} drives it through the context's client and
 * fails (throws) if any orchestration does not complete with the right output in time.
 */
public interface Scenario {
    /** The name in reports and on the command line, e.g. {@code HelloCities5}. */
    String name();

    /** The {@code -Xmx} of the scenario's JVM, e.g. {@code 1g}. */
    default String maxHeap() {
        return "1g";
    }

    /**
     * Runs the scenario and returns what it measured.
     *
     * @throws Exception if an orchestration failed, produced a wrong output or did not complete in time
     */
    Measurement run(ScenarioContext context) throws Exception;
}
