package io.github.durablefunctions.bench.scenarios;

import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.azurestorage.StorageTransactionCount;
import io.github.durablefunctions.bench.BenchFunctions;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * Entity: {@code entitySignals} (1,000) {@code add 1} signals to one Counter entity from
 * {@link ScenarioContext#STARTER_THREADS} client threads, then reads (the observer polls the entity's state every
 * 50 ms) until it shows all of them. Operations/s = signals / (first signal to the state showing the full count).
 * Events: 1 per signal.
 */
public final class EntityCounter implements Scenario {
    static final Duration POLL = Duration.ofMillis(50);

    @Override
    public String name() {
        return "Entity";
    }

    @Override
    public Measurement run(ScenarioContext context) throws Exception {
        int n = context.scale().entitySignals();
        EntityInstanceId id = BenchFunctions.counterId("bench");
        DurableEntityClient entities = context.client().getEntities();
        DurableEntityClient observer = context.observer().getEntities();
        ScenarioContext.TransactionWindow window = context.transactionWindow();
        long start = System.nanoTime();
        context.onStarters(n, i -> entities.signalEntity(id, "add", 1L));
        long sent = System.nanoTime();
        long done;
        while (true) {
            EntityMetadata state = observer.getEntityMetadata(id, true);
            long seen = System.nanoTime();
            Long value = state == null ? null : state.readStateAs(Long.class);
            if (value != null && value == n) {
                done = seen;
                break;
            }
            if (value != null && value > n) {
                throw new IllegalStateException("The counter shows " + value + " after " + n + " signals");
            }
            if (context.pastDeadline()) {
                throw new TimeoutException("The counter showed " + value + " of " + n + " when the time was up");
            }
            Thread.sleep(POLL.toMillis());
        }
        StorageTransactionCount used = window.used();
        long observed = window.observed();
        return new Measurement(0, 0, n, (long) n, done - start, List.of((done - start) / 1e6), used, observed, 0,
                String.format("signals sent from %d client threads in %.0f ms; state polled every %d ms",
                        ScenarioContext.STARTER_THREADS, (sent - start) / 1e6, POLL.toMillis()));
    }
}
