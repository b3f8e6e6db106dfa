package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.azurestorage.StorageTransactionCount;
import io.github.durablefunctions.bench.BenchFunctions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Latency: HelloCities3 (three sequential activities) run {@code latencyRuns} (200) times one at a time on an
 * otherwise idle worker: start, poll the instance's state every 5 ms until it has finished, next. Latency per run:
 * completion first seen minus the time just before the start call. Events: 6 per orchestration.
 */
public final class Latency implements Scenario {
    static final Duration POLL = Duration.ofMillis(5);

    @Override
    public String name() {
        return "Latency";
    }

    @Override
    public Measurement run(ScenarioContext context) throws Exception {
        int runs = context.scale().latencyRuns();
        List<String> expected = BenchFunctions.expectedGreetings(BenchFunctions.CITIES_3);
        ScenarioContext.TransactionWindow window = context.transactionWindow();
        List<Double> latencies = new ArrayList<>(runs);
        long first = System.nanoTime();
        long last = first;
        for (int i = 0; i < runs; i++) {
            String id = "lat-" + i;
            long start = System.nanoTime();
            context.client().scheduleNewOrchestrationInstance(BenchFunctions.HELLO_CITIES_3, null, id);
            last = context.awaitFinished(id, POLL);
            latencies.add((last - start) / 1e6);
        }
        StorageTransactionCount used = window.used();
        long observed = window.observed();
        context.verifyOutputs("lat-", runs, expected);
        int activities = BenchFunctions.CITIES_3.size();
        return new Measurement(runs, (long) runs * activities, 2L * runs * activities, null, last - first, latencies,
                used, observed, 0, "one at a time; state polled every " + POLL.toMillis() + " ms");
    }
}
