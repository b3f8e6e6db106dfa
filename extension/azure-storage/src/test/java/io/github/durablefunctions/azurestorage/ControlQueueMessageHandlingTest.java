package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.backend.SessionAbortedException;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.durablefunctions.history.HistoryEvent;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the control-queue side does with messages it cannot or must not process (storage-layout.md §8.1, §8.2,
 * §8.5): unreadable ones and early responses are put back with back-off (never deleted, never handed out);
 * messages for unknown or finished instances are deleted.
 */
@ExtendWith(AzuriteExtension.class)
class ControlQueueMessageHandlingTest {
    static final AtomicInteger HUBS = new AtomicInteger();
    AzureStorageOrchestrationService service;
    String hub;
    QueueClient controlQueue;

    @BeforeEach
    void start() {
        hub = "MessageHandlingHub" + HUBS.incrementAndGet();
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(hub).partitionCount(1).build());
        service.start();
        controlQueue = StorageTestSupport.queues().getQueueClient(hub.toLowerCase() + "-control-00");
    }

    @AfterEach
    void stop() {
        service.close();
    }

    OrchestrationWorkItem lock(Duration wait) throws InterruptedException {
        return StorageTestSupport.lockWithin(service, wait);
    }

    @Test
    void anUnreadableMessageIsPutBackWithBackoffNotDeletedAndNotHandedOut() throws Exception {
        controlQueue.sendMessage("this is not a MessageData");
        assertThat(lock(Duration.ofSeconds(2))).isNull();
        service.stop();
        // Abandoned with min(2^1, 600) = 2 s: it comes back long before the 5-minute receive lock would end.
        await().atMost(Duration.ofSeconds(8)).until(() -> !controlQueue.peekMessages(1, null, null).stream()
                .toList().isEmpty());
        PeekedMessageItem back = controlQueue.peekMessages(1, null, null).stream().toList().get(0);
        assertThat(back.getBody().toString()).isEqualTo("this is not a MessageData");
        assertThat(back.getDequeueCount()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aMessageForAnInstanceThatNeverStartedIsDeleted() throws Exception {
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "evt",
                "1", null), new OrchestrationInstance("ghost", null)));
        assertThat(lock(Duration.ofSeconds(2))).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> StorageTestSupport.messageCount(controlQueue
                .getQueueName()) == 0);
    }

    @Test
    void anEarlyResponseWaitsWithBackoffWhileAnExpectedOneIsHandedOut() throws Exception {
        String id = "early-response";
        OrchestrationInstance instance = new OrchestrationInstance(id, "e1");
        runFirstEpisode(instance, false);

        // A result for task #7, which history does not hold: put back, not handed out.
        service.sendTaskOrchestrationMessage(new TaskMessage(new TaskCompletedEvent(-1, false, Instant.now(), 7,
                "\"early\""), instance));
        assertThat(lock(Duration.ofSeconds(2))).isNull();
        assertThat(StorageTestSupport.messageCount(controlQueue.getQueueName())).isEqualTo(1);

        // A result for task #0, which history holds: handed out.
        service.sendTaskOrchestrationMessage(new TaskMessage(new TaskCompletedEvent(-1, false, Instant.now(), 0,
                "\"ok\""), instance));
        OrchestrationWorkItem item = lock(Duration.ofSeconds(5));
        assertThat(item).isNotNull();
        assertThat(item.getNewMessages()).extracting(m -> ((TaskCompletedEvent) m.event()).taskScheduledId())
                .containsExactly(0);
        assertThat(item.getRuntimeState().getPastEvents()).hasSize(4);
        service.abandonOrchestrationWorkItem(item);
    }

    @Test
    void messagesForAFinishedExecutionAreDeleted() throws Exception {
        String id = "finished";
        OrchestrationInstance instance = new OrchestrationInstance(id, "e1");
        runFirstEpisode(instance, true);
        assertThat(service.getOrchestrationState(id, false).runtimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);

        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "late",
                "1", null), new OrchestrationInstance(id, null)));
        assertThat(lock(Duration.ofSeconds(2))).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> StorageTestSupport.messageCount(controlQueue
                .getQueueName()) == 0);
    }

    @Test
    void aLateMessageRepairsAnInstancesRowThatFellBehindTheHistory() throws Exception {
        String id = "stale-row";
        OrchestrationInstance instance = new OrchestrationInstance(id, "e1");
        runFirstEpisode(instance, true);
        // Simulate a crash between the history commit and the Instances merge.
        TableEntity row = new TableEntity(id, "");
        row.addProperty("RuntimeStatus", "Running");
        StorageTestSupport.tables().getTableClient(hub + "Instances").upsertEntity(row);

        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "late",
                "1", null), new OrchestrationInstance(id, null)));
        assertThat(lock(Duration.ofSeconds(2))).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> service.getOrchestrationState(id, false).runtimeStatus()
                == OrchestrationRuntimeStatus.COMPLETED);
        assertThat(service.getOrchestrationState(id, true).output()).isEqualTo("1");
    }

    @Test
    void aFirstDeliveredStartOfAPendingInstanceIsHandedOutWithoutAHistoryQuery() throws Exception {
        OrchestrationInstance instance = new OrchestrationInstance("fresh-start", "e1");
        long readsBefore = service.tracking().historyReads();
        StorageTransactionCount before = service.getStorageTransactionCount();
        runFirstEpisode(instance, false);
        assertThat(service.tracking().historyReads() - readsBefore).isZero();
        assertThat(service.getStorageTransactionCount().minus(before).ofKind("table.query")).isZero();
        assertThat(service.getOrchestrationHistory("fresh-start")).hasSize(4);
    }

    @Test
    void aDuplicateStartWhoseFirstCopyCrashedAfterTheHistoryWriteIsCaughtByTheSentinel() throws Exception {
        String id = "crashed-start";
        OrchestrationInstance instance = new OrchestrationInstance(id, "e1");
        ExecutionStartedEvent started = new ExecutionStartedEvent(-1, false, Instant.now(), instance, null, "Orch",
                null, null, null, null, null, null, 0, false);
        service.createOrchestrationInstance(new TaskMessage(started, instance),
                EnumSet.of(OrchestrationRuntimeStatus.PENDING));
        // A second copy of the same start (a client retry), delivered for the first time later.
        service.sendTaskOrchestrationMessage(new TaskMessage(started, instance));

        // The first copy: its episode writes history, then the process dies before the Instances merge (the row
        // stays Pending) and before deleting the message.
        OrchestrationWorkItem first = lock(Duration.ofSeconds(10));
        assertThat(first).isNotNull();
        List<HistoryEvent> written = List.of(new OrchestratorStartedEvent(-1, false, Instant.now()),
                first.getNewMessages().get(0).event(),
                new TaskScheduledEvent(0, false, Instant.now(), "A", null, null, null, null),
                new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.tracking().commitHistory(id, "e1", written, 0, null);
        service.abandonOrchestrationWorkItem(first);

        // The second copy (dequeue count 1, row Pending for e1) is handed out without reading history; its
        // checkpoint would create the sentinel, which exists: refused, nothing written.
        OrchestrationWorkItem duplicate = lock(Duration.ofSeconds(10));
        assertThat(duplicate).isNotNull();
        assertThat(duplicate.getRuntimeState().getEvents()).isEmpty();
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(List.of());
        state.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        state.addEvent(duplicate.getNewMessages().get(0).event());
        state.addEvent(new TaskScheduledEvent(0, false, Instant.now(), "B", null, null, null, null));
        state.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        assertThatThrownBy(() -> service.completeOrchestrationWorkItem(duplicate,
                new OrchestrationCheckpoint(state, List.of(), List.of(), List.of())))
                .isInstanceOf(SessionAbortedException.class);
        service.abandonOrchestrationWorkItem(duplicate);
        assertThat(service.getOrchestrationHistory(id)).extracting(e -> e.eventType().name())
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted");
        assertThat(((TaskScheduledEvent) service.getOrchestrationHistory(id).get(2)).name()).isEqualTo("A");

        // Delivered again (dequeue count 2), a start reads history: the episode sees what the first copy wrote.
        OrchestrationWorkItem again = lock(Duration.ofSeconds(30));
        assertThat(again).isNotNull();
        assertThat(again.getRuntimeState().getEvents()).extracting(e -> e.eventType().name())
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted");
        service.abandonOrchestrationWorkItem(again);
    }

    /** Creates the instance and commits its first episode: schedules task #0, or completes at once. */
    private void runFirstEpisode(OrchestrationInstance instance, boolean complete) throws Exception {
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(),
                        instance, null, "Orch", null, null, null, null, null, null, 0, false), instance),
                EnumSet.of(OrchestrationRuntimeStatus.PENDING));
        OrchestrationWorkItem item = lock(Duration.ofSeconds(10));
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
