package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.azurestorage.StorageTransactionCount;
import io.github.durablefunctions.bench.BenchFunctions;

import java.time.Duration;

/**
 * FanOutFanIn: one orchestration calling the activity Double {@code fanOutActivities} (1,000) times in parallel and
 * waiting for all results ({@code allOf}). Events: 2 per activity.
 */
public final class FanOutFanIn implements Scenario {
    static final Duration POLL = Duration.ofMillis(50);

    @Override
    public String name() {
        return "FanOutFanIn";
    }

    @Override
    public Measurement run(ScenarioContext context) throws Exception {
        int n = context.scale().fanOutActivities();
        ScenarioContext.TransactionWindow window = context.transactionWindow();
        ScenarioContext.BulkTimes times = context.startAndAwaitAll(BenchFunctions.FAN_OUT_FAN_IN, n, 1, "fan-",
                BenchFunctions.expectedDoubledSum(n), POLL);
        StorageTransactionCount used = window.used();
        return new Measurement(1, n, 2L * n, null, times.wallNanos(), times.latenciesMs(), used,
                window.observed(), 0,
                "completion polled every " + POLL.toMillis() + " ms");
    }
}
