package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.SessionAbortedException;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A checkpoint driven by hand through the SPI: history rows with their key formats and the sentinel (§3), the
 * Instances merge (§4), the outbound activity message (§6.2) and the deletion of the inbound message (§8.3); and the
 * sentinel's optimistic concurrency (§3.2).
 */
@ExtendWith(AzuriteExtension.class)
class CheckpointTest {
    static final String HUB = "CheckpointHub";
    AzureStorageOrchestrationService service;

    @BeforeEach
    void start() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).partitionCount(2)
                .workerId("checkpoint-worker").build());
        service.start();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    OrchestrationWorkItem lock(String instanceId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            OrchestrationWorkItem item = service.lockNextOrchestrationWorkItem(Duration.ofSeconds(1));
            if (item != null) {
                assertThat(item.getInstanceId()).isEqualTo(instanceId);
                return item;
            }
        }
        throw new AssertionError("No work item for " + instanceId);
    }

    @Test
    void firstCheckpointWritesRowsSentinelInstanceAndActivityMessageThenDeletesTheInbound() throws Exception {
        String id = "checkpoint/1"; // '/' is escaped in the PartitionKey
        String pk = "checkpoint^01";
        OrchestrationInstance instance = new OrchestrationInstance(id, "aaaabbbbccccddddeeeeffff00001111");
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(),
                instance, null, "HelloCities", null, "null", null, null, null, null, 0, false), instance), Set());

        OrchestrationWorkItem item = lock(id);
        assertThat(item.getRuntimeState().getPastEvents()).isEmpty();
        assertThat(item.getNewMessages()).hasSize(1);
        ExecutionStartedEvent started = (ExecutionStartedEvent) item.getNewMessages().get(0).event();

        OrchestrationRuntimeState state = new OrchestrationRuntimeState(List.of());
        Instant now = Instant.now();
        state.addEvent(new OrchestratorStartedEvent(-1, false, now));
        state.addEvent(started);
        TaskScheduledEvent scheduled = new TaskScheduledEvent(0, false, now, "SayHello", null, "\"Tokyo\"", null,
                null);
        state.addEvent(scheduled);
        state.addEvent(new OrchestratorCompletedEvent(-1, false, now));
        state.setCustomStatus("\"step 1\"");
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state,
                List.of(new TaskMessage(scheduled, instance, Map.of())), List.of(), List.of()));

        List<TableEntity> rows = StorageTestSupport.rows("CheckpointHubHistory", pk);
        assertThat(rows).extracting(TableEntity::getRowKey).containsExactly("0000000000000000", "0000000000000001",
                "0000000000000002", "0000000000000003", "sentinel");
        assertThat(rows).extracting(r -> r.getProperty("EventType")).containsExactly("OrchestratorStarted",
                "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted", null);
        assertThat(rows).allSatisfy(r -> assertThat(r.getProperty("ExecutionId")).isEqualTo(instance.executionId()));
        assertThat(rows.subList(0, 4)).allSatisfy(r -> {
            assertThat(r.getProperty("_Timestamp")).isInstanceOf(OffsetDateTime.class);
            assertThat(r.getProperty("IsPlayed")).isEqualTo(false);
            assertThat(r.getProperty("EventId")).isInstanceOf(Integer.class);
        });
        assertThat(rows.get(2).getProperties()).containsEntry("Name", "SayHello").containsEntry("EventId", 0);
        TableEntity sentinel = rows.get(4);
        assertThat(sentinel.getProperties()).containsEntry("IsCheckpointComplete", true)
                .containsKey("CheckpointCompletedTimestamp").doesNotContainKey("odata.etag.value");
        assertThat(sentinel.getProperty("CheckpointCompletedTimestamp")).isInstanceOf(OffsetDateTime.class);
        assertThat(sentinel.getProperties().keySet()).filteredOn(k -> !k.startsWith("odata.") && !k.contains("@odata")).containsExactlyInAnyOrder(
                "PartitionKey", "RowKey", "Timestamp", "ExecutionId", "IsCheckpointComplete",
                "CheckpointCompletedTimestamp");

        TableEntity instanceRow = StorageTestSupport.rows("CheckpointHubInstances", pk).get(0);
        assertThat(instanceRow.getProperties()).containsEntry("RuntimeStatus", "Running")
                .containsEntry("CustomStatus", "\"step 1\"").containsEntry("ExecutionId", instance.executionId())
                .containsEntry("TaskHubName", HUB).containsEntry("Name", "HelloCities");

        List<PeekedMessageItem> activities = StorageTestSupport.queues().getQueueClient("checkpointhub-workitems")
                .peekMessages(32, null, null).stream().toList();
        assertThat(activities).hasSize(1);
        String json = activities.get(0).getBody().toString();
        assertThat(json).contains("\"$type\":\"DurableTask.Core.History.TaskScheduledEvent\",\"EventType\":4,"
                + "\"Name\":\"SayHello\"");
        assertThat(json).contains("\"Episode\":1,\"Sender\":{\"InstanceId\":\"checkpoint/1\",\"ExecutionId\":\""
                + instance.executionId() + "\"}");
        assertThat(json).contains("\"OrchestrationExecutionContext\":{\"$type\":\"DurableTask.Core."
                + "OrchestrationExecutionContext\"");

        String controlQueue = service.names().controlQueueFor(id);
        assertThat(StorageTestSupport.messageCount(controlQueue)).isZero();

        List<HistoryEvent> history = service.getOrchestrationHistory(id);
        assertThat(history).isEqualTo(state.getEvents().stream().map(CheckpointTest::ticks).toList());
    }

    @Test
    void aCommitWithAStaleEtagIsAbortedAndWritesNothing() throws Exception {
        String id = "checkpoint-stale";
        OrchestrationInstance instance = new OrchestrationInstance(id, "e1");
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(),
                instance, null, "Orch", null, null, null, null, null, null, 0, false), instance), Set());
        OrchestrationWorkItem first = lock(id);
        OrchestrationRuntimeState s1 = new OrchestrationRuntimeState(List.of());
        s1.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        s1.addEvent(first.getNewMessages().get(0).event());
        s1.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(first, new OrchestrationCheckpoint(s1, List.of(), List.of(),
                List.of()));

        // A second episode, from an event.
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "go",
                "1", null), new OrchestrationInstance(id, null)));
        OrchestrationWorkItem second = lock(id);
        assertThat(second.getRuntimeState().getPastEvents()).hasSize(3);
        OrchestrationRuntimeState s2 = new OrchestrationRuntimeState(second.getRuntimeState().getPastEvents());
        s2.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        s2.addEvent(second.getNewMessages().get(0).event());
        s2.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(second, new OrchestrationCheckpoint(s2, List.of(), List.of(),
                List.of()));
        List<TableEntity> before = StorageTestSupport.rows("CheckpointHubHistory", id);
        assertThat(before).hasSize(7);

        // The first work item's state again: no ETag -> Add of the sentinel -> 409.
        OrchestrationRuntimeState replay1 = new OrchestrationRuntimeState(List.of());
        replay1.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        replay1.addEvent(first.getNewMessages().get(0).event());
        replay1.addEvent(new EventRaisedEvent(-1, false, Instant.now(), "other", "2", null));
        replay1.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        assertThatThrownBy(() -> service.completeOrchestrationWorkItem(first, new OrchestrationCheckpoint(replay1,
                List.of(), List.of(), List.of()))).isInstanceOf(SessionAbortedException.class)
                .hasMessageContaining("409");

        // The second work item's state again: its ETag is stale now -> 412.
        OrchestrationRuntimeState replay2 = new OrchestrationRuntimeState(second.getRuntimeState().getPastEvents());
        replay2.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        replay2.addEvent(new EventRaisedEvent(-1, false, Instant.now(), "late", "3", null));
        replay2.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        replay2.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        assertThatThrownBy(() -> service.completeOrchestrationWorkItem(second, new OrchestrationCheckpoint(replay2,
                List.of(), List.of(), List.of()))).isInstanceOf(SessionAbortedException.class)
                .hasMessageContaining("412");

        List<TableEntity> after = StorageTestSupport.rows("CheckpointHubHistory", id);
        assertThat(after).extracting(TableEntity::getRowKey).isEqualTo(before.stream().map(TableEntity::getRowKey)
                .toList());
        assertThat(after).extracting(TableEntity::getETag).isEqualTo(before.stream().map(TableEntity::getETag)
                .toList());
        service.abandonOrchestrationWorkItem(second);
    }

    private static java.util.Set<OrchestrationRuntimeStatus> Set() {
        return java.util.EnumSet.of(OrchestrationRuntimeStatus.PENDING, OrchestrationRuntimeStatus.RUNNING);
    }

    /** Times as stored: 100 ns ticks. */
    private static HistoryEvent ticks(HistoryEvent e) {
        return HistoryEntityCodec.fromEntity(HistoryEntityCodec.toEntity("x", 0, "e", e));
    }
}
