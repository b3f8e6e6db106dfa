package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.StorageTransactionCount;
import io.github.durablefunctions.bench.BenchFunctions;

import java.time.Duration;
import java.util.List;

/**
 * ExternalEvents: one orchestration waits for {@code externalEvents} (1,000) events named {@code Item}, one after
 * another ({@code waitForExternalEvent} in a loop), and sums their payloads. It is started and seen Running first
 * (not timed); then the client raises all events from {@link ScenarioContext#STARTER_THREADS} threads. Wall time: from
 * the first raise to the completion seen. Events: 1 per raised event.
 */
public final class ExternalEvents implements Scenario {
    static final Duration POLL = Duration.ofMillis(50);

    @Override
    public String name() {
        return "ExternalEvents";
    }

    @Override
    public Measurement run(ScenarioContext context) throws Exception {
        int n = context.scale().externalEvents();
        String id = "events-0";
        context.client().scheduleNewOrchestrationInstance(BenchFunctions.EXTERNAL_EVENTS, n, id);
        while (true) {
            OrchestrationMetadata state = context.observer().getInstanceMetadata(id, false);
            if (state != null && state.getRuntimeStatus() == OrchestrationRuntimeStatus.RUNNING) {
                break;
            }
            if (state != null && state.getRuntimeStatus().isTerminal() || context.pastDeadline()) {
                throw new IllegalStateException(id + " did not start waiting for events: "
                        + (state == null ? "not found" : state.getRuntimeStatus()));
            }
            Thread.sleep(20);
        }
        ScenarioContext.TransactionWindow window = context.transactionWindow();
        long start = System.nanoTime();
        context.onStarters(n, i -> context.client().raiseEvent(id, BenchFunctions.EVENT_NAME, (long) i + 1));
        long raised = System.nanoTime();
        long done = context.awaitFinished(id, POLL);
        StorageTransactionCount used = window.used();
        long observed = window.observed();
        context.verifyOutput(id, (long) n * (n + 1) / 2);
        return new Measurement(1, 0, n, null, done - start, List.of((done - start) / 1e6), used, observed, 0,
                String.format("events raised from %d client threads in %.0f ms; latency = first raise to completion",
                        ScenarioContext.STARTER_THREADS, (raised - start) / 1e6));
    }
}
