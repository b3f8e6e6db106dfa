package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.azurestorage.StorageTransactionCount;
import io.github.durablefunctions.bench.BenchFunctions;

import java.time.Duration;

/**
 * Sequential: one orchestration calling the activity Double {@code sequentialActivities} (100) times, one after
 * another. Events: 2 per activity.
 */
public final class Sequential implements Scenario {
    static final Duration POLL = Duration.ofMillis(50);

    @Override
    public String name() {
        return "Sequential";
    }

    @Override
    public Measurement run(ScenarioContext context) throws Exception {
        int n = context.scale().sequentialActivities();
        ScenarioContext.TransactionWindow window = context.transactionWindow();
        ScenarioContext.BulkTimes times = context.startAndAwaitAll(BenchFunctions.SEQUENTIAL, n, 1, "seq-",
                BenchFunctions.expectedDoubledSum(n), POLL);
        StorageTransactionCount used = window.used();
        return new Measurement(1, n, 2L * n, null, times.wallNanos(), times.latenciesMs(), used,
                window.observed(), 0,
                "completion polled every " + POLL.toMillis() + " ms");
    }
}
