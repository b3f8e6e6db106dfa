package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import com.azure.storage.queue.models.QueueStorageException;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.ActivityWorkItem;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Poison messages through the SPI on Azurite (README "Poison messages"; storage-layout.md §8.2, §8.5), with
 * {@code maxDequeueCount = 3}: a message that cannot be read or keeps failing is put back with a growing back-off
 * ({@code min(2^n, 600)} s), logged, and at its third delivery copied verbatim to {@code <queue>-poison} and deleted;
 * the orchestration it belongs to fails with {@code PoisonMessage} details. Also the §8.2 fixes: a late response for
 * an older execution is discarded, not held.
 */
@ExtendWith(AzuriteExtension.class)
class PoisonMessageTest {
    static final AtomicInteger HUBS = new AtomicInteger();
    static final int MAX_DEQUEUE = 3;
    AzureStorageOrchestrationService service;
    String hub;
    String controlQueueName;
    QueueClient controlQueue;
    QueueClient controlPoison;

    @BeforeEach
    void create() {
        hub = "PoisonHub" + HUBS.incrementAndGet();
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(hub).partitionCount(1)
                .maxDequeueCount(MAX_DEQUEUE).build());
        controlQueueName = hub.toLowerCase() + "-control-00";
        controlQueue = StorageTestSupport.queues().getQueueClient(controlQueueName);
        controlPoison = StorageTestSupport.queues().getQueueClient(controlQueueName + "-poison");
    }

    @AfterEach
    void close() {
        service.close();
    }

    @Test
    void anUnreadableMessageBacksOffLongerEachTimeThenIsSetAsideVerbatim() throws Exception {
        service.createTaskHubIfNotExists();
        TaskHubQueue queue = new TaskHubQueue(controlQueueName, controlQueue,
                new LargePayloadStore(StorageTestSupport.blobs().getBlobContainerClient(
                        hub.toLowerCase() + "-largemessages")), controlPoison, MAX_DEQUEUE, true);
        String body = "{\"$type\":\"not even close\"";
        String id = controlQueue.sendMessage(body).getMessageId();
        Duration lock = Duration.ofSeconds(30); // what a delivery that is not put back would stay invisible for

        try (LogCapture logs = new LogCapture(TaskHubQueue.class)) {
            // Delivery 1: put back for 2^1 s, not handed out, not deleted.
            assertThat(queue.receive(32, lock)).isEmpty();
            assertThat(peek(controlQueue)).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> !peek(controlQueue).isEmpty());
            assertThat(peek(controlQueue).get(0).getDequeueCount()).isEqualTo(1);

            // Delivery 2: put back for 2^2 s, longer than the first back-off.
            long second = System.nanoTime();
            assertThat(queue.receive(32, lock)).isEmpty();
            Thread.sleep(Math.max(0, 2_500 - Duration.ofNanos(System.nanoTime() - second).toMillis()));
            assertThat(peek(controlQueue)).as("still invisible 2.5 s after the second delivery").isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> !peek(controlQueue).isEmpty());
            assertThat(peek(controlQueue).get(0).getDequeueCount()).isEqualTo(2);

            // Delivery 3 = maxDequeueCount: copied verbatim to the poison queue, then deleted.
            assertThat(queue.receive(32, lock)).isEmpty();
            assertThat(StorageTestSupport.messageCount(controlQueueName)).isZero();
            List<PeekedMessageItem> poison = peek(controlPoison);
            assertThat(poison).hasSize(1);
            assertThat(poison.get(0).getBody().toString()).isEqualTo(body);

            List<String> errors = logs.errors();
            assertThat(errors).filteredOn(e -> e.contains(id) && e.contains("cannot be read")
                    && e.contains("put back")).hasSize(2);
            assertThat(errors).anySatisfy(e -> assertThat(e).contains(id).contains("dequeue count 3")
                    .contains("set aside in queue " + controlQueueName + "-poison"));
        }
    }

    @Test
    void anUnreadableMessageNamingAnInstanceFailsItWithPoisonMessageDetails() throws Exception {
        service.start();
        OrchestrationInstance instance = new OrchestrationInstance("bad-event", "e1");
        runFirstEpisode(instance, false);
        String body = "{\"$type\":\"DurableTask.AzureStorage.MessageData\",\"ActivityId\":"
                + "\"0c2f6b1e-93a8-4d6c-8c57-1b1e5b0f3a11\",\"TaskMessage\":{\"$type\":\"DurableTask.Core.TaskMessage\","
                + "\"Event\":{\"$type\":\"DurableTask.Core.History.NoSuchEvent\",\"EventId\":-1},\"SequenceNumber\":0,"
                + "\"OrchestrationInstance\":{\"$type\":\"DurableTask.Core.OrchestrationInstance\",\"InstanceId\":"
                + "\"bad-event\",\"ExecutionId\":\"e1\"}},\"SequenceNumber\":1}";

        try (LogCapture logs = new LogCapture(TaskHubQueue.class)) {
            String id = controlQueue.sendMessage(body).getMessageId();
            awaitStatus(instance.instanceId(), OrchestrationRuntimeStatus.FAILED, Duration.ofSeconds(40));

            OrchestrationState state = service.getOrchestrationState(instance.instanceId(), true);
            FailureDetails failure = state.failureDetails();
            assertThat(failure.getErrorType()).isEqualTo(PoisonMessages.ERROR_TYPE);
            assertThat(failure.getErrorMessage()).contains("Message " + id + " (NoSuchEvent) in queue "
                    + controlQueueName + " was dequeued 3 times").contains("maxDequeueCount 3")
                    .contains("cannot be read").contains("moved to the poison queue " + controlQueueName + "-poison");
            assertThat(state.output()).isEqualTo("PoisonMessage: " + failure.getErrorMessage());
            assertFailedByCheckpoint(instance.instanceId(), failure);
            assertSetAside(body);
            assertThat(logs.errors()).filteredOn(e -> e.contains(id) && e.contains("'bad-event'")
                    && e.contains("put back")).hasSize(2);
        }
    }

    @Test
    void aMessageForAnInstanceWhoseHistoryCannotBeReadIsSetAsideAndTheInstanceMarkedFailed() throws Exception {
        service.start();
        OrchestrationInstance instance = new OrchestrationInstance("corrupt-history", "e1");
        runFirstEpisode(instance, false);
        String historyTable = hub + "History";
        TableEntity row = StorageTestSupport.rows(historyTable, instance.instanceId()).get(1); // ExecutionStarted
        row.addProperty("EventType", "NotAnEventType");
        StorageTestSupport.tables().getTableClient(historyTable).upsertEntity(row);
        // The row was changed behind the sentinel's back: a worker that holds the instance's state in its
        // extended-session cache would not read it, one that does not (e.g. after a restart) does.
        service.sessionCache().evict(instance.instanceId());
        List<TableEntity> before = StorageTestSupport.rows(historyTable, instance.instanceId());

        Sent sent = send(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "go",
                "1", null), new OrchestrationInstance(instance.instanceId(), null)));
        awaitStatus(instance.instanceId(), OrchestrationRuntimeStatus.FAILED, Duration.ofSeconds(40));

        OrchestrationState state = service.getOrchestrationState(instance.instanceId(), true);
        assertThat(state.failureDetails().getErrorType()).isEqualTo(PoisonMessages.ERROR_TYPE);
        assertThat(state.failureDetails().getErrorMessage()).contains("Message " + sent.id()
                        + " (EventRaised)").contains("was dequeued 3 times")
                .contains("history cannot be read").contains("NotAnEventType");
        assertThat(state.output()).startsWith("PoisonMessage: Message " + sent.id());
        assertThat(StorageTestSupport.rows(historyTable, instance.instanceId())).as("history left as it is")
                .extracting(TableEntity::getRowKey, r -> r.getProperty("EventType"))
                .isEqualTo(before.stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.getRowKey(),
                        r.getProperty("EventType"))).toList());
        assertSetAside(sent.body());
    }

    @Test
    void aMessageWhoseEpisodesKeepFailingFailsTheInstanceAtItsThirdDelivery() throws Exception {
        service.start();
        OrchestrationInstance instance = new OrchestrationInstance("keeps-failing", "e1");
        runFirstEpisode(instance, false);
        Sent sent = send(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "go",
                "1", null), new OrchestrationInstance(instance.instanceId(), null)));

        // Two episodes that end without a checkpoint (as when the episode throws or the checkpoint fails).
        for (int delivery = 1; delivery <= 2; delivery++) {
            OrchestrationWorkItem item = StorageTestSupport.lockWithin(service, Duration.ofSeconds(15));
            assertThat(item).as("delivery %d", delivery).isNotNull();
            service.abandonOrchestrationWorkItem(item);
        }
        // The third delivery is not handed out: the instance fails instead.
        awaitStatus(instance.instanceId(), OrchestrationRuntimeStatus.FAILED, Duration.ofSeconds(15));

        FailureDetails failure = service.getOrchestrationState(instance.instanceId(), false).failureDetails();
        assertThat(failure.getErrorType()).isEqualTo(PoisonMessages.ERROR_TYPE);
        assertThat(failure.getErrorMessage()).contains("Message " + sent.id() + " (EventRaised)")
                .contains("dequeued 3 times").contains("each earlier delivery failed or was put back");
        assertFailedByCheckpoint(instance.instanceId(), failure);
        assertSetAside(sent.body());
    }

    @Test
    void anEarlyResponseWhoseSchedulingEventNeverAppearsFailsTheInstance() throws Exception {
        service.start();
        OrchestrationInstance instance = new OrchestrationInstance("never-scheduled", "e1");
        runFirstEpisode(instance, false);
        Sent sent = send(new TaskMessage(new TaskCompletedEvent(-1, false, Instant.now(), 7,
                "\"early\""), instance));

        awaitStatus(instance.instanceId(), OrchestrationRuntimeStatus.FAILED, Duration.ofSeconds(40));
        FailureDetails failure = service.getOrchestrationState(instance.instanceId(), false).failureDetails();
        assertThat(failure.getErrorMessage()).contains("Message " + sent.id() + " (TaskCompleted)")
                .contains("the TaskScheduled #7 it responds to never appeared in the history");
        assertSetAside(sent.body());
    }

    @Test
    void aPoisonMessageOfAnEntityIsOnlySetAsideAndTheEntityGoesOn() throws Exception {
        service.start();
        String entity = "@counter@poisoned";
        Sent sent = send(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "op", "{}", null),
                new OrchestrationInstance(entity, null)));
        for (int delivery = 1; delivery <= 2; delivery++) {
            OrchestrationWorkItem item = StorageTestSupport.lockWithin(service, Duration.ofSeconds(15));
            assertThat(item).as("delivery %d", delivery).isNotNull();
            assertThat(item.getInstanceId()).isEqualTo(entity);
            service.abandonOrchestrationWorkItem(item);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            assertThat(service.lockNextOrchestrationWorkItem(Duration.ofMillis(500))).isNull();
            return !peek(controlPoison).isEmpty();
        });
        assertSetAside(sent.body());
        assertThat(service.getOrchestrationState(entity, false)).as("no Instances row was written").isNull();

        // The entity is not failed: its next message is handed out as usual.
        send(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "op", "{}", null),
                new OrchestrationInstance(entity, null)));
        OrchestrationWorkItem next = StorageTestSupport.lockWithin(service, Duration.ofSeconds(10));
        assertThat(next).isNotNull();
        assertThat(next.getInstanceId()).isEqualTo(entity);
        service.abandonOrchestrationWorkItem(next);
    }

    @Test
    void anActivityWorkItemThatKeepsComingBackIsSetAsideAndBecomesATaskFailed() throws Exception {
        service.createTaskHubIfNotExists();
        OrchestrationInstance orchestration = new OrchestrationInstance("activity-poison", "e1");
        QueueClient workItems = StorageTestSupport.queues().getQueueClient(hub.toLowerCase() + "-workitems");
        QueueClient workItemsPoison = StorageTestSupport.queues().getQueueClient(hub.toLowerCase()
                + "-workitems-poison");
        TaskScheduledEvent scheduled = new TaskScheduledEvent(4, false, Instant.now(), "Crashes", null, "1", null,
                null);
        String body = MessageCodec.encode(TaskHubQueue.envelope(new TaskMessage(scheduled, orchestration, Map.of()),
                2, orchestration));
        String id = workItems.sendMessage(body).getMessageId();

        // Two deliveries that end without a result (as when the activity crashes its worker).
        for (int delivery = 1; delivery <= 2; delivery++) {
            ActivityWorkItem item = service.lockNextActivityWorkItem(Duration.ofSeconds(15));
            assertThat(item).as("delivery %d", delivery).isNotNull();
            assertThat(item.getId()).isEqualTo(id);
            service.abandonActivityWorkItem(item);
        }
        // The third is not handed out (it comes after a 2^2 s back-off).
        assertThat(service.lockNextActivityWorkItem(Duration.ofSeconds(10))).isNull();

        assertThat(StorageTestSupport.messageCount(workItems.getQueueName())).isZero();
        List<PeekedMessageItem> poison = peek(workItemsPoison);
        assertThat(poison).hasSize(1);
        assertThat(poison.get(0).getBody().toString()).isEqualTo(body);

        List<PeekedMessageItem> responses = peek(controlQueue);
        assertThat(responses).hasSize(1);
        MessageData response = MessageCodec.decode(responses.get(0).getBody().toString());
        assertThat(response.taskMessage().orchestrationInstance()).isEqualTo(orchestration);
        assertThat(response.episode()).isEqualTo(2);
        TaskFailedEvent failed = (TaskFailedEvent) response.taskMessage().event();
        assertThat(failed.taskScheduledId()).isEqualTo(4);
        assertThat(failed.failureDetails().getErrorType()).isEqualTo(PoisonMessages.ERROR_TYPE);
        assertThat(failed.failureDetails().isNonRetriable()).isFalse();
        assertThat(failed.failureDetails().getErrorMessage()).contains("Activity 'Crashes' (task #4)")
                .contains("message " + id).contains("dequeued 3 times")
                .contains("moved to the poison queue " + workItemsPoison.getQueueName());
        assertThat(failed.reason()).isEqualTo(failed.failureDetails().getErrorMessage());
    }

    @Test
    void aLateResponseForAnOlderExecutionIsDiscardedNotHeld() throws Exception {
        service.start();
        String id = "two-executions";
        runFirstEpisode(new OrchestrationInstance(id, "e1"), true);
        runFirstEpisode(new OrchestrationInstance(id, "e2"), false);

        // A result for task #5 of execution e1: e2's history holds no TaskScheduled #5, but the message is stale, not
        // early. It is deleted at once rather than put back with back-off.
        service.sendTaskOrchestrationMessage(new TaskMessage(new TaskCompletedEvent(-1, false, Instant.now(), 5,
                "\"late\""), new OrchestrationInstance(id, "e1")));
        assertThat(StorageTestSupport.lockWithin(service, Duration.ofSeconds(2))).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> StorageTestSupport.messageCount(controlQueueName) == 0);
        assertThat(peek(controlPoison)).isEmpty();
        assertThat(service.getOrchestrationState(id, false).runtimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.RUNNING);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    record Sent(String id, String body) {
    }

    /** Sends a message to the control queue as a client would; returns its queue message ID and body. */
    Sent send(TaskMessage message) {
        String body = MessageCodec.encode(TaskHubQueue.envelope(message, null, new OrchestrationInstance("", "")));
        return new Sent(controlQueue.sendMessage(body).getMessageId(), body);
    }

    /** The visible messages of a queue (none if it does not exist). */
    static List<PeekedMessageItem> peek(QueueClient queue) {
        try {
            return queue.peekMessages(32, null, null).stream().toList();
        } catch (QueueStorageException e) {
            if (e.getStatusCode() == 404) {
                return List.of();
            }
            throw e;
        }
    }

    /** Keeps the service's session machinery running (no work item may come out) until the instance has a status. */
    void awaitStatus(String instanceId, OrchestrationRuntimeStatus status, Duration atMost) {
        await().atMost(atMost).until(() -> {
            OrchestrationWorkItem item = service.lockNextOrchestrationWorkItem(Duration.ofMillis(500));
            assertThat(item).as("no work item is handed out").isNull();
            OrchestrationState state = service.getOrchestrationState(instanceId, false);
            return state != null && state.runtimeStatus() == status;
        });
    }

    /** The message is in the control queue's poison queue exactly as it was sent, and gone from the control queue. */
    void assertSetAside(String body) {
        await().atMost(Duration.ofSeconds(5)).until(() -> StorageTestSupport.messageCount(controlQueueName) == 0);
        List<PeekedMessageItem> poison = peek(controlPoison);
        assertThat(poison).hasSize(1);
        assertThat(poison.get(0).getBody().toString()).isEqualTo(body);
    }

    /** The history ends with the failure checkpoint: OrchestratorStarted, ExecutionCompleted(Failed), ...Completed. */
    void assertFailedByCheckpoint(String instanceId, FailureDetails failure) {
        List<HistoryEvent> history = service.getOrchestrationHistory(instanceId);
        List<HistoryEvent> last = history.subList(history.size() - 3, history.size());
        assertThat(last.get(0)).isInstanceOf(OrchestratorStartedEvent.class);
        ExecutionCompletedEvent completed = (ExecutionCompletedEvent) last.get(1);
        assertThat(completed.orchestrationStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completed.failureDetails()).isEqualTo(failure);
        assertThat(last.get(2)).isInstanceOf(OrchestratorCompletedEvent.class);
        TableEntity sentinel = StorageTestSupport.rows(hub + "History", instanceId).stream()
                .filter(r -> r.getRowKey().equals("sentinel")).findFirst().orElseThrow();
        assertThat(sentinel.getProperty("IsCheckpointComplete")).isEqualTo(true);
    }

    /** Creates the instance and commits its first episode: schedules task #0, or completes at once. */
    void runFirstEpisode(OrchestrationInstance instance, boolean complete) throws Exception {
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(),
                        instance, null, "Orch", null, null, null, null, null, null, 0, false), instance),
                EnumSet.noneOf(OrchestrationRuntimeStatus.class));
        OrchestrationWorkItem item = StorageTestSupport.lockWithin(service, Duration.ofSeconds(10));
        assertThat(item).isNotNull();
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(List.of());
        state.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        state.addEvent(item.getNewMessages().get(0).event());
        if (complete) {
            state.addEvent(new ExecutionCompletedEvent(0, false, Instant.now(), OrchestrationRuntimeStatus.COMPLETED,
                    "1", null));
        } else {
            state.addEvent(new TaskScheduledEvent(0, false, Instant.now(), "A", null, null, null, null));
        }
        state.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state, List.of(), List.of(),
                List.of()));
    }
}
