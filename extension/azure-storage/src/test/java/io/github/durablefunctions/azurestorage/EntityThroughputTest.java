package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many concurrent signals to one entity through the real worker on Azurite: 1,000 {@code add 1} signals sent from
 * several client threads all count exactly once (operations on one entity run one at a time, batches are
 * checkpointed as fresh executions under the sentinel ETag, and every message is deleted only after its batch is
 * committed).
 */
@ExtendWith(AzuriteExtension.class)
class EntityThroughputTest {
    static final String HUB = "EntityThroughputHub";
    static final int SIGNALS = 1_000;
    static final int THREADS = 8;
    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableEntityClient entities;

    @BeforeAll
    static void startWorker() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        worker = DurableTaskWorker.builder().service(service)
                .addEntity("counter", () -> TestEntities::counter)
                .build();
        worker.start();
        entities = new BackendDurableTaskClient(service, new JacksonDataConverter()).getEntities();
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void aThousandConcurrentSignalsToOneCounterEachCountExactlyOnce() throws Exception {
        EntityInstanceId id = TestEntities.counter("many");
        long startedAt = System.nanoTime();
        ExecutorService senders = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int share = SIGNALS / THREADS + (t < SIGNALS % THREADS ? 1 : 0);
                sends.add(senders.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        entities.signalEntity(id, "add", 1);
                    }
                }));
            }
            for (Future<?> send : sends) {
                send.get();
            }
        } finally {
            senders.shutdown();
        }
        long sentAt = System.nanoTime();

        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> Long.valueOf(SIGNALS).equals(TestEntities.counterValue(entities, id)));
        long countedAt = System.nanoTime();
        System.out.printf("EntityThroughputTest: %d signals from %d threads sent in %d ms, all counted after %d ms%n",
                SIGNALS, THREADS, (sentAt - startedAt) / 1_000_000, (countedAt - startedAt) / 1_000_000);

        // And nothing counts twice: it stays exactly 1,000.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> Long.valueOf(SIGNALS).equals(TestEntities.counterValue(entities, id)));
        assertThat(TestEntities.counterValue(entities, id)).isEqualTo(SIGNALS);
        assertThat(entities.getEntityMetadata(id, false).getBacklogQueueSize()).isZero();
    }
}
