package io.github.durablefunctions.azurestorage;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.github.durablefunctions.backend.ActivityWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The activity side, storage-layout.md §8.4 and §8.5, through the SPI. */
@ExtendWith(AzuriteExtension.class)
class ActivityWorkItemTest {
    static final String HUB = "ActivityHub";
    static final OrchestrationInstance ORCH = new OrchestrationInstance("activity-orch", "exec1");
    static AzureStorageOrchestrationService service;
    static QueueClient workItems;

    @BeforeAll
    static void create() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).partitionCount(1)
                .workItemQueueVisibilityTimeout(Duration.ofSeconds(30)).build());
        service.createTaskHubIfNotExists();
        workItems = StorageTestSupport.queues().getQueueClient("activityhub-workitems");
    }

    @AfterAll
    static void close() {
        service.close();
    }

    static void schedule(int taskId, int episode) {
        TaskScheduledEvent scheduled = new TaskScheduledEvent(taskId, false, Instant.now(), "Act", null, "1", null,
                null);
        MessageData data = TaskHubQueue.envelope(new TaskMessage(scheduled, ORCH, Map.of()), episode, ORCH);
        workItems.sendMessage(MessageCodec.encode(data));
    }

    ActivityWorkItem lock() throws InterruptedException {
        ActivityWorkItem item = service.lockNextActivityWorkItem(Duration.ofSeconds(5));
        assertThat(item).isNotNull();
        return item;
    }

    @Test
    void completionSendsTheResponseWithTheRequestsEpisodeThenDeletesTheWorkItem() throws Exception {
        schedule(4, 3);
        ActivityWorkItem item = lock();
        assertThat(item.getTaskMessage().event()).isInstanceOf(TaskScheduledEvent.class);
        assertThat(service.lockNextActivityWorkItem(Duration.ofMillis(300))).isNull(); // locked: invisible

        service.renewActivityWorkItem(item);
        service.completeActivityWorkItem(item, new TaskMessage(new TaskCompletedEvent(-1, false, Instant.now(), 4,
                "2"), ORCH));

        assertThat(StorageTestSupport.messageCount("activityhub-workitems")).isZero();
        List<PeekedMessageItem> responses = StorageTestSupport.queues().getQueueClient("activityhub-control-00")
                .peekMessages(32, null, null).stream().toList();
        assertThat(responses).hasSize(1);
        MessageData response = MessageCodec.decode(responses.get(0).getBody().toString());
        assertThat(response.episode()).isEqualTo(3);
        assertThat(response.sender()).isEqualTo(ORCH);
        assertThat(response.taskMessage().event()).isInstanceOf(TaskCompletedEvent.class);
        assertThat(responses.get(0).getBody().toString()).contains("\"Episode\":3,\"Sender\":{\"InstanceId\":"
                + "\"activity-orch\",\"ExecutionId\":\"exec1\"}");
        StorageTestSupport.queues().getQueueClient("activityhub-control-00").clearMessages();
    }

    @Test
    void anAbandonedWorkItemComesBackAfterItsBackoff() throws Exception {
        schedule(5, 1);
        ActivityWorkItem item = lock();
        long start = System.nanoTime();
        service.abandonActivityWorkItem(item); // dequeue count 1: visible again after 2 s, not after 30 s
        ActivityWorkItem again = null;
        while (again == null && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
            again = service.lockNextActivityWorkItem(Duration.ofSeconds(1));
        }
        assertThat(again).isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500),
                Duration.ofSeconds(10));
        assertThat(again.getId()).isEqualTo(item.getId());
        service.completeActivityWorkItem(again, new TaskMessage(new TaskCompletedEvent(-1, false, Instant.now(), 5,
                "2"), ORCH));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                StorageTestSupport.messageCount("activityhub-workitems") == 0);
        StorageTestSupport.queues().getQueueClient("activityhub-control-00").clearMessages();
    }

    @Test
    void oneReceiveTakesAsManyWorkItemsAsTheCallerHasSlotsEachOnceWithItsOwnReceipt() throws Exception {
        for (int task = 10; task < 15; task++) {
            schedule(task, 1);
        }
        StorageTransactionCount before = service.getStorageTransactionCount();
        List<ActivityWorkItem> first = service.lockNextActivityWorkItems(3, Duration.ofSeconds(5));
        assertThat(first).hasSize(3);
        assertThat(service.getStorageTransactionCount().minus(before).ofKind("queue.get"))
                .as("one receive call for three work items").isEqualTo(1);
        List<ActivityWorkItem> rest = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            rest.addAll(service.lockNextActivityWorkItems(32, Duration.ofMillis(200)));
            return rest.size() >= 2;
        });
        assertThat(rest).hasSize(2);
        List<ActivityWorkItem> all = new java.util.ArrayList<>(first);
        all.addAll(rest);
        assertThat(all).extracting(item -> ((TaskScheduledEvent) item.getTaskMessage().event()).eventId())
                .containsExactlyInAnyOrder(10, 11, 12, 13, 14);
        assertThat(service.lockNextActivityWorkItems(32, Duration.ofMillis(300))).isEmpty(); // all locked

        // Every work item's receipt is its own: each can be renewed and completed.
        for (ActivityWorkItem item : all) {
            int task = ((TaskScheduledEvent) item.getTaskMessage().event()).eventId();
            service.renewActivityWorkItem(item);
            service.completeActivityWorkItem(item, new TaskMessage(new TaskCompletedEvent(-1, false, Instant.now(),
                    task, "1"), ORCH));
        }
        assertThat(StorageTestSupport.messageCount("activityhub-workitems")).isZero();
        StorageTestSupport.queues().getQueueClient("activityhub-control-00").clearMessages();
    }
}
