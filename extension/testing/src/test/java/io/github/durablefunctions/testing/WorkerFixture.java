package io.github.durablefunctions.testing;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.time.Instant;

/** A virtual clock, an in-memory service, a worker builder on both and a client: what the tests share. */
abstract class WorkerFixture {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    /** Real time, only to bound a hanging test. */
    static final Duration REAL_TIMEOUT = Duration.ofSeconds(20);

    final DataConverter json = new JacksonDataConverter();
    final VirtualClock clock = new VirtualClock(T0);
    final InMemoryOrchestrationService service = new InMemoryOrchestrationService(clock);
    final DurableTaskWorker.Builder builder = DurableTaskWorker.builder().service(service).clock(clock);
    final BackendDurableTaskClient client = new BackendDurableTaskClient(service, json,
            MessageSorter.DEFAULT_REORDER_WINDOW, clock);
    private DurableTaskWorker worker;

    void startWorker() {
        worker = builder.build();
        worker.start();
    }

    @AfterEach
    void closeWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    OrchestrationState complete(String instanceId) throws Exception {
        return service.awaitCompletion(instanceId, REAL_TIMEOUT);
    }

    <T> T output(OrchestrationState state, Class<T> type) {
        return json.deserialize(state.output(), type);
    }
}
