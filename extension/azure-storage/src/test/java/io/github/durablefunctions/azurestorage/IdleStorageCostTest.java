package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The standing cost of an idle worker: with the default settings (4 partitions, {@code maxQueuePollingInterval} 30 s,
 * partition loop every 10 s) it counts every storage transaction over one idle minute and prints the figure. The
 * assertions check the behaviour behind the figure: each queue is polled no more often than the back-off allows
 * (its pause grows to {@code maxQueuePollingInterval}, randomized down to 75 %), the Partitions table is touched only by
 * the §5.1 loop (every 10 s one read, plus one table transaction renewing every owned row), and nothing touches blobs.
 */
@ExtendWith(AzuriteExtension.class)
class IdleStorageCostTest {
    private static final String HUB = "IdleCostHub";
    private static final Duration WINDOW = Duration.ofMinutes(1);

    @Test
    void anIdleWorkerBacksOffToTheMaximumPollingInterval() throws Exception {
        AzureStorageOrchestrationServiceSettings settings = StorageTestSupport.settings(HUB)
                .maxQueuePollingInterval(Duration.ofSeconds(30)).build();
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(settings);
        DurableTaskWorker worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("Hello", ctx -> ctx.callActivity("SayHello", "idle", String.class).await())
                .addActivity("SayHello", ctx -> "Hello " + ctx.getInput(String.class) + "!")
                .build();
        try {
            worker.start();
            // One orchestration first, so the figure is that of a worker that has worked and gone idle.
            DurableTaskClient client = new BackendDurableTaskClient(service, new JacksonDataConverter());
            String id = client.scheduleNewOrchestrationInstance("Hello");
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), false);
            assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);

            // The pause doubles from 50 ms to 30 s: about 51 s until every queue polls at the slowest rate.
            Thread.sleep(settings.getMaxQueuePollingInterval().multipliedBy(2).toMillis());
            StorageTransactionCount before = service.getStorageTransactionCount();
            Thread.sleep(WINDOW.toMillis());
            StorageTransactionCount idleMinute = service.getStorageTransactionCount().minus(before);

            int queues = settings.getPartitionCount() + 1;
            System.out.printf("Idle worker, %d partitions, maxQueuePollingInterval %d s: %s storage transactions "
                            + "per minute%n", settings.getPartitionCount(),
                    settings.getMaxQueuePollingInterval().toSeconds(), idleMinute);

            long pollsPerQueue = (long) Math.ceil(WINDOW.toMillis()
                    / (settings.getMaxQueuePollingInterval().toMillis() * 0.75)) + 1;
            assertThat(idleMinute.queues()).as("queue polls of %d queues in an idle minute", queues)
                    .isBetween(1L, queues * pollsPerQueue);
            long partitionLoops = WINDOW.toSeconds() / 10 + 1;
            assertThat(idleMinute.tables()).as("Partitions table reads and renewals in an idle minute")
                    .isBetween(1L, partitionLoops * 2);
            assertThat(idleMinute.ofKind("table.query")).as("Partitions table reads").isBetween(1L, partitionLoops);
            assertThat(idleMinute.ofKind("table.batch")).as("renewals of all 4 owned rows, one transaction per loop")
                    .isBetween(1L, partitionLoops);
            assertThat(idleMinute.ofKind("table.upsert")).as("renewals row by row").isZero();
            assertThat(idleMinute.blobs()).as("blob requests in an idle minute").isZero();
        } finally {
            worker.close();
        }
    }
}
