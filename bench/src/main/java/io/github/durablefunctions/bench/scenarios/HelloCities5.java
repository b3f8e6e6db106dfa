package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.azurestorage.StorageTransactionCount;
import io.github.durablefunctions.bench.BenchFunctions;

import java.time.Duration;

/**
 * HelloCities5: {@code orchestrations} (1,000) orchestrations, each calling the activity SayHello for five cities one
 * after another, all started together from {@link ScenarioContext#STARTER_THREADS} client threads. Events: 10 per
 * orchestration (5 activity calls and their 5 results).
 */
public class HelloCities5 implements Scenario {
    static final Duration POLL = Duration.ofMillis(250);

    @Override
    public String name() {
        return "HelloCities5";
    }

    @Override
    public Measurement run(ScenarioContext context) throws Exception {
        int count = context.scale().orchestrations();
        ScenarioContext.TransactionWindow window = context.transactionWindow();
        ScenarioContext.BulkTimes times = context.startAndAwaitAll(BenchFunctions.HELLO_CITIES_5, null, count,
                "hc5-", BenchFunctions.expectedGreetings(BenchFunctions.CITIES_5), POLL);
        StorageTransactionCount used = window.used();
        long observed = window.observed();
        int activities = BenchFunctions.CITIES_5.size();
        return new Measurement(count, (long) count * activities, 2L * count * activities, null, times.wallNanos(),
                times.latenciesMs(), used, observed, 0, "started from " + ScenarioContext.STARTER_THREADS
                + " client threads; completion polled every " + POLL.toMillis() + " ms (Instances query)");
    }
}
