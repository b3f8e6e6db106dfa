package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Extended sessions (the instance state cached after each checkpoint, validated by the sentinel ETag) through the real
 * worker on Azurite: later episodes replay from memory without a History query; a cache made stale by another writer
 * is caught by the checkpoint's conditional write and the episode is retried from storage; an instance purged by
 * another client is not written back from the cache; the cache can be turned off.
 */
@ExtendWith(AzuriteExtension.class)
class ExtendedSessionTest {
    static final Duration DONE_WITHIN = Duration.ofSeconds(60);

    private static DurableTaskWorker worker(AzureStorageOrchestrationService service) {
        return DurableTaskWorker.builder().service(service)
                .addOrchestrator("Chain3", ctx -> {
                    int n = ctx.getInput(Integer.class);
                    for (int i = 0; i < 3; i++) {
                        n = ctx.callActivity("Inc", n, Integer.class).await();
                    }
                    return n;
                })
                .addOrchestrator("TwoEvents", ctx -> {
                    String first = ctx.waitForExternalEvent("first", String.class).await();
                    String done = ctx.callActivity("Echo", first, String.class).await();
                    ctx.setCustomStatus("waiting for second");
                    String second = ctx.waitForExternalEvent("second", String.class).await();
                    return done + "+" + second;
                })
                .addOrchestrator("SetInOrder", ctx -> {
                    // One episode sends 30 signals to one entity next to activities: the checkpoint sends them in
                    // parallel with the activity messages, but the entity must get them in order.
                    List<io.github.durablefunctions.Task<Integer>> incs = new ArrayList<>();
                    for (int i = 1; i <= 30; i++) {
                        ctx.signalEntity(TestEntities.counter("ordered"), "set", (long) i);
                        incs.add(ctx.callActivity("Inc", i, Integer.class));
                    }
                    return ctx.allOf(incs).await().size();
                })
                .addEntity("counter", () -> TestEntities::counter)
                .addActivity("Inc", ctx -> ctx.getInput(Integer.class) + 1)
                .addActivity("Echo", ctx -> ctx.getInput(String.class))
                .build();
    }

    private static DurableTaskClient client(AzureStorageOrchestrationService service) {
        return new BackendDurableTaskClient(service, new JacksonDataConverter());
    }

    /** Each TaskScheduled of the history has exactly one TaskCompleted. */
    private static void assertOneResultPerTask(List<HistoryEvent> history) {
        Map<Integer, Integer> results = new HashMap<>();
        List<Integer> scheduled = new ArrayList<>();
        for (HistoryEvent e : history) {
            if (e instanceof TaskScheduledEvent s) {
                scheduled.add(s.eventId());
            } else if (e instanceof TaskCompletedEvent c) {
                results.merge(c.taskScheduledId(), 1, Integer::sum);
            }
        }
        assertThat(scheduled).isNotEmpty();
        for (int id : scheduled) {
            assertThat(results.get(id)).as("results of task #%d", id).isEqualTo(1);
        }
        assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(scheduled);
    }

    @Test
    void laterEpisodesReplayFromMemoryWithoutReadingHistory() throws Exception {
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(
                StorageTestSupport.settings("ExtSessionHub").build());
        AzureStorageOrchestrationService clientService = new AzureStorageOrchestrationService(
                StorageTestSupport.settings("ExtSessionHub").build());
        DurableTaskWorker worker = worker(service);
        try {
            worker.start();
            DurableTaskClient client = client(clientService);
            long readsBefore = service.tracking().historyReads();
            String id = client.scheduleNewOrchestrationInstance("Chain3", 1);
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, DONE_WITHIN, true);
            assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(done.readOutputAs(Integer.class)).isEqualTo(4);

            // Four episodes (start + three results): at most the first one queried the History table (a start
            // delivered for the first time to a Pending row needs none, ControlQueueMessageHandlingTest).
            assertThat(service.tracking().historyReads() - readsBefore).isLessThanOrEqualTo(1);
            assertOneResultPerTask(client.getOrchestrationHistory(id));
            // A finished orchestration is not kept.
            assertThat(service.sessionCache().contains(id)).isFalse();
        } finally {
            worker.close();
            clientService.close();
        }
    }

    @Test
    void withTheCacheOffEveryEpisodeReadsHistory() throws Exception {
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(
                StorageTestSupport.settings("ExtSessionOffHub").extendedSessionCacheEvents(0).build());
        DurableTaskWorker worker = worker(service);
        try {
            worker.start();
            DurableTaskClient client = client(service);
            long readsBefore = service.tracking().historyReads();
            String id = client.scheduleNewOrchestrationInstance("Chain3", 1);
            assertThat(client.waitForInstanceCompletion(id, DONE_WITHIN, true).readOutputAs(Integer.class))
                    .isEqualTo(4);
            // The three result episodes read history; the start may not need to (see above).
            assertThat(service.tracking().historyReads() - readsBefore).isBetween(3L, 4L);
            assertThat(service.sessionCache().size()).isZero();
        } finally {
            worker.close();
        }
    }

    @Test
    void aStaleCacheIsCaughtByTheSentinelEtagAndTheEpisodeRetriedFromStorage() throws Exception {
        String hub = "ExtSessionStaleHub";
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(
                StorageTestSupport.settings(hub).build());
        DurableTaskWorker worker = worker(service);
        try {
            worker.start();
            DurableTaskClient client = client(service);
            String id = client.scheduleNewOrchestrationInstance("TwoEvents");
            client.raiseEvent(id, "first", "one");
            await().atMost(DONE_WITHIN).until(() -> "\"waiting for second\"".equals(
                    client.getInstanceMetadata(id, false).getSerializedCustomStatus())
                    && service.sessionCache().contains(id));

            // Another writer commits to the history: the sentinel's ETag changes (as a split-brain worker's
            // checkpoint would change it).
            TableClient history = StorageTestSupport.tables().getTableClient(hub + "History");
            TableEntity sentinel = history.getEntity(KeySanitation.escapePartitionKey(id), "sentinel");
            String cachedEtag = service.sessionCache().get(id).etag();
            assertThat(sentinel.getETag()).isEqualTo(cachedEtag);
            history.updateEntityWithResponse(new TableEntity(sentinel.getPartitionKey(), sentinel.getRowKey())
                    .addProperty("TouchedByTest", true), TableEntityUpdateMode.MERGE, false, null, null);

            long readsBefore = service.tracking().historyReads();
            client.raiseEvent(id, "second", "two");
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, DONE_WITHIN, true);
            assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(done.readOutputAs(String.class)).isEqualTo("one+two");
            // The episode from the stale cache failed its checkpoint; its retry read the history from storage.
            assertThat(service.tracking().historyReads() - readsBefore).isGreaterThanOrEqualTo(1);
            assertOneResultPerTask(client.getOrchestrationHistory(id));
            assertThat(client.getOrchestrationHistory(id).stream()
                    .filter(e -> e.eventType().name().equals("EventRaised")).count()).isEqualTo(2);
        } finally {
            worker.close();
        }
    }

    @Test
    void anInstancePurgedByAnotherClientIsNotWrittenBackFromTheCache() throws Exception {
        String hub = "ExtSessionPurgeHub";
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(
                StorageTestSupport.settings(hub).build());
        AzureStorageOrchestrationService otherClient = new AzureStorageOrchestrationService(
                StorageTestSupport.settings(hub).build());
        DurableTaskWorker worker = worker(service);
        try {
            worker.start();
            DurableTaskClient client = client(service);
            String id = client.scheduleNewOrchestrationInstance("TwoEvents");
            client.raiseEvent(id, "first", "one");
            await().atMost(DONE_WITHIN).until(() -> "\"waiting for second\"".equals(
                    client.getInstanceMetadata(id, false).getSerializedCustomStatus())
                    && service.sessionCache().contains(id));

            assertThat(otherClient.purgeInstanceState(id)).isEqualTo(1);
            client.raiseEvent(id, "second", "two");

            // The cached episode's checkpoint finds no sentinel (404): nothing is written, the cache entry is dropped,
            // and the retry from storage finds no instance and discards the event.
            String controlQueue = service.names().controlQueueFor(id);
            await().atMost(DONE_WITHIN).until(() -> !service.sessionCache().contains(id)
                    && StorageTestSupport.messageCount(controlQueue) == 0);
            assertThat(StorageTestSupport.rows(hub + "History", KeySanitation.escapePartitionKey(id))).isEmpty();
            assertThat(client.getInstanceMetadata(id, false)).isNull();
        } finally {
            worker.close();
            otherClient.close();
        }
    }

    @Test
    void entityBatchesAfterTheFirstReplayFromMemory() throws Exception {
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(
                StorageTestSupport.settings("ExtSessionEntityHub").build());
        DurableTaskWorker worker = worker(service);
        try {
            worker.start();
            DurableTaskClient client = client(service);
            EntityInstanceId counter = TestEntities.counter("cached");
            long readsBefore = service.tracking().historyReads();
            for (int i = 1; i <= 5; i++) {
                client.getEntities().signalEntity(counter, "add", 1);
                long expected = i;
                await().atMost(DONE_WITHIN).until(() -> Long.valueOf(expected)
                        .equals(TestEntities.counterValue(client.getEntities(), counter)));
            }
            // Five batches, one at a time: only the first (auto-start) read the History table.
            assertThat(service.tracking().historyReads() - readsBefore).isEqualTo(1);
            assertThat(service.sessionCache().contains(counter.toString())).isTrue();
        } finally {
            worker.close();
        }
    }

    @Test
    void signalsOfOneCheckpointToOneEntityKeepTheirOrder() throws Exception {
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(
                StorageTestSupport.settings("ExtSessionOrderHub").build());
        DurableTaskWorker worker = worker(service);
        try {
            worker.start();
            DurableTaskClient client = client(service);
            String id = client.scheduleNewOrchestrationInstance("SetInOrder");
            assertThat(client.waitForInstanceCompletion(id, DONE_WITHIN, true).readOutputAs(Integer.class))
                    .isEqualTo(30);
            EntityInstanceId counter = TestEntities.counter("ordered");
            await().atMost(DONE_WITHIN).until(() -> {
                io.github.durablefunctions.EntityMetadata m = client.getEntities().getEntityMetadata(counter, true);
                return m != null && m.getBacklogQueueSize() == 0 && Long.valueOf(30).equals(m.readStateAs(Long.class));
            });
            // The last "set" wins only if the 30 signals were applied in the order they were sent.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> Long.valueOf(30).equals(TestEntities.counterValue(client.getEntities(), counter)));
        } finally {
            worker.close();
        }
    }
}
