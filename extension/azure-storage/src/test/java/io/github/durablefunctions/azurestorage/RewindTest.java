package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.SessionAbortedException;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The history side of rewind (storage-layout.md §3.3 GenericEvent note, §4 write path 5, §6.3): instances are failed by
 * a real worker, which is then stopped, so the rewritten rows and the wake-up message stay in storage to be looked at.
 */
@ExtendWith(AzuriteExtension.class)
class RewindTest {
    static final String HUB = "RewindRowsHub";
    static AzureStorageOrchestrationService service;
    static DurableTaskClient client;
    static String activityFailed;
    static String parent;
    static String child;
    static String completed;
    static String raced;

    @BeforeAll
    static void failInstancesThenStopTheWorker() throws Exception {
        AzureStorageOrchestrationService workerService =
                new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        DurableTaskWorker worker = DurableTaskWorker.builder().service(workerService)
                .addOrchestrator("ActivityFails", ctx -> {
                    String first = ctx.callActivity("Ok", "a", String.class).await();
                    return first + ctx.callActivity("Boom", "b", String.class).await();
                })
                .addOrchestrator("Parent", ctx ->
                        ctx.callSubOrchestrator("ActivityFails", null, ctx.getInstanceId() + ":child", String.class)
                                .await())
                .addOrchestrator("Fine", ctx -> ctx.callActivity("Ok", "c", String.class).await())
                .addActivity("Ok", ctx -> "ok-" + ctx.getInput(String.class))
                .addActivity("Boom", ctx -> {
                    throw new IllegalStateException("boom");
                })
                .build();
        worker.start();
        DurableTaskClient workerClient = new BackendDurableTaskClient(workerService, new JacksonDataConverter());
        try {
            activityFailed = workerClient.scheduleNewOrchestrationInstance("ActivityFails", null, "rewind-activity");
            parent = workerClient.scheduleNewOrchestrationInstance("Parent", null, "rewind-parent");
            child = parent + ":child";
            completed = workerClient.scheduleNewOrchestrationInstance("Fine", null, "rewind-fine");
            raced = workerClient.scheduleNewOrchestrationInstance("ActivityFails", null, "rewind-race");
            for (String id : List.of(activityFailed, parent, completed, raced)) {
                workerClient.waitForInstanceCompletion(id, Duration.ofSeconds(60), false);
            }
        } finally {
            worker.close();
        }
        assertThat(workerClient.getInstanceMetadata(activityFailed, false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(workerClient.getInstanceMetadata(parent, false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(workerClient.getInstanceMetadata(child, false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.FAILED);

        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
    }

    @AfterAll
    static void closeService() {
        if (service != null) {
            service.close();
        }
    }

    static List<TableEntity> historyRows(String instanceId) {
        return StorageTestSupport.rows(HUB + "History", KeySanitation.escapePartitionKey(instanceId));
    }

    static Map<String, TableEntity> byRowKey(List<TableEntity> rows) {
        return rows.stream().collect(Collectors.toMap(TableEntity::getRowKey, r -> r));
    }

    static TableEntity first(List<TableEntity> rows, String eventType) {
        return rows.stream().filter(r -> eventType.equals(r.getProperty("EventType"))).findFirst().orElseThrow();
    }

    static List<String> genericMessages(String instanceId) {
        String queue = "rewindrowshub-control-0" + Fnv1aHash.partitionIndex(instanceId, 4);
        return StorageTestSupport.queues().getQueueClient(queue).peekMessages(32, null, null).stream()
                .map(PeekedMessageItem::getBody).map(Object::toString)
                .filter(json -> json.contains("\"InstanceId\":\"" + instanceId + "\"")
                        && json.contains("DurableTask.Core.History.GenericEvent"))
                .toList();
    }

    @Test
    void theFailureRowsBecomeGenericEventsInPlaceTheRowGoesPendingAndTheInstanceGetsAMessage() {
        List<TableEntity> before = historyRows(activityFailed);
        TableEntity sentinelBefore = before.get(before.size() - 1);
        String executionId = (String) sentinelBefore.getProperty("ExecutionId");
        TableEntity failedBefore = first(before, "TaskFailed");
        int failedTaskId = (Integer) failedBefore.getProperty("TaskScheduledId");
        String scheduledRowKey = before.stream().filter(r -> "TaskScheduled".equals(r.getProperty("EventType"))
                && Integer.valueOf(failedTaskId).equals(r.getProperty("EventId"))).findFirst().orElseThrow().getRowKey();
        TableEntity completedBefore = first(before, "ExecutionCompleted");
        Instant rewindStart = Instant.now().minusSeconds(1);

        client.rewindInstance(activityFailed, "fixed the bug");

        List<TableEntity> after = historyRows(activityFailed);
        assertThat(after).extracting(TableEntity::getRowKey)
                .containsExactlyElementsOf(before.stream().map(TableEntity::getRowKey).toList());
        assertThat(after).allSatisfy(r -> assertThat(r.getProperty("ExecutionId")).isEqualTo(executionId));
        Map<String, TableEntity> rows = byRowKey(after);

        TableEntity failed = rows.get(failedBefore.getRowKey());
        assertThat(failed.getProperties()).containsEntry("EventType", "GenericEvent")
                .containsEntry("Data", "Rewound: TaskFailed").containsEntry("EventId", -1)
                .containsEntry("TaskScheduledId", failedTaskId)
                .containsEntry("Reason", "Rewound: TaskFailed")
                .containsEntry("FailureDetails", failedBefore.getProperty("FailureDetails"));
        assertThat(rows.get(scheduledRowKey).getProperties()).containsEntry("EventType", "GenericEvent")
                .containsEntry("Data", "Rewound: TaskScheduled").containsEntry("EventId", failedTaskId)
                .containsEntry("Name", "Boom");
        assertThat(rows.get(completedBefore.getRowKey()).getProperties()).containsEntry("EventType", "GenericEvent")
                .containsEntry("Data", "Rewound: ExecutionCompleted")
                .containsEntry("EventId", completedBefore.getProperty("EventId"))
                .containsEntry("OrchestrationStatus", "Failed");
        // The successful activity is untouched.
        assertThat(after.stream().filter(r -> "TaskScheduled".equals(r.getProperty("EventType"))).toList())
                .singleElement().satisfies(r -> assertThat(r.getProperty("Name")).isEqualTo("Ok"));
        assertThat(after.stream().map(r -> r.getProperty("EventType"))).contains("TaskCompleted")
                .doesNotContain("TaskFailed", "ExecutionCompleted");
        // Written under the sentinel: its ETag moved on.
        assertThat(after.get(after.size() - 1).getETag()).isNotEqualTo(sentinelBefore.getETag());

        TableEntity instanceRow = StorageTestSupport.rows(HUB + "Instances", activityFailed).get(0);
        assertThat(instanceRow.getProperty("RuntimeStatus")).isEqualTo("Pending");
        assertThat(((OffsetDateTime) instanceRow.getProperty("LastUpdatedTime")).toInstant()).isAfter(rewindStart);

        assertThat(genericMessages(activityFailed)).singleElement().satisfies(json -> {
            assertThat(json).contains("\"Data\":\"fixed the bug\"").contains("\"EventId\":-1")
                    .contains("\"OrchestrationInstance\":{\"$type\":\"DurableTask.Core.OrchestrationInstance\","
                            + "\"InstanceId\":\"" + activityFailed + "\",\"ExecutionId\":\"" + executionId + "\"}");
        });

        List<HistoryEvent> history = client.getOrchestrationHistory(activityFailed);
        assertThat(history).filteredOn(e -> e instanceof GenericEvent).extracting(e -> ((GenericEvent) e).data())
                .containsExactly("Rewound: TaskScheduled", "Rewound: TaskFailed", "Rewound: ExecutionCompleted");
    }

    @Test
    void aFailedSubOrchestrationIsRewoundWithItsParentAndOnlyTheChildIsWoken() {
        List<TableEntity> parentBefore = historyRows(parent);
        TableEntity subFailedBefore = first(parentBefore, "SubOrchestrationInstanceFailed");
        TableEntity subCreatedBefore = first(parentBefore, "SubOrchestrationInstanceCreated");

        client.rewindInstance(parent, "again");

        Map<String, TableEntity> parentRows = byRowKey(historyRows(parent));
        assertThat(parentRows.get(subFailedBefore.getRowKey()).getProperties())
                .containsEntry("EventType", "GenericEvent")
                .containsEntry("Data", "Rewound: SubOrchestrationInstanceFailed").containsEntry("EventId", -1);
        // The child keeps its ID and is rewound itself: the parent keeps waiting for it.
        assertThat(parentRows.get(subCreatedBefore.getRowKey()).getProperties())
                .containsEntry("EventType", "SubOrchestrationInstanceCreated")
                .containsEntry("Reason", "Rewound: SubOrchestrationInstanceCreated")
                .containsEntry("InstanceId", child)
                .containsEntry("EventId", subCreatedBefore.getProperty("EventId"));
        assertThat(parentRows.values().stream().map(r -> r.getProperty("Data")))
                .contains("Rewound: ExecutionCompleted");

        List<TableEntity> childRows = historyRows(child);
        assertThat(childRows.stream().map(r -> r.getProperty("Data")))
                .contains("Rewound: TaskScheduled", "Rewound: TaskFailed", "Rewound: ExecutionCompleted");

        assertThat(StorageTestSupport.rows(HUB + "Instances", parent).get(0).getProperty("RuntimeStatus"))
                .isEqualTo("Pending");
        assertThat(StorageTestSupport.rows(HUB + "Instances", child).get(0).getProperty("RuntimeStatus"))
                .isEqualTo("Pending");
        assertThat(genericMessages(child)).singleElement().satisfies(json ->
                assertThat(json).contains("\"Data\":\"again\""));
        assertThat(genericMessages(parent)).isEmpty();
    }

    @Test
    void aWorkerCheckpointWithTheSentinelETagFromBeforeTheRewindIsRefused() {
        List<TableEntity> before = historyRows(raced);
        TableEntity sentinel = before.get(before.size() - 1);
        String staleEtag = sentinel.getETag();
        String executionId = (String) sentinel.getProperty("ExecutionId");

        client.rewindInstance(raced, "race");

        assertThatThrownBy(() -> service.tracking().commitHistory(raced, executionId,
                List.of(new GenericEvent(-1, false, Instant.now(), "late")), before.size() - 1, staleEtag))
                .isInstanceOf(SessionAbortedException.class);
        assertThat(historyRows(raced)).hasSameSizeAs(before);
    }

    @Test
    void completedInstancesAreNotRewound() {
        assertThatThrownBy(() -> client.rewindInstance(completed, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Completed");
        assertThat(StorageTestSupport.rows(HUB + "Instances", completed).get(0).getProperty("RuntimeStatus"))
                .isEqualTo("Completed");
    }

    @Test
    void onlyFailedInstancesCanBeRewound() {
        assertThatThrownBy(() -> service.rewindTaskOrchestration("rewind-no-such-instance", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found");
        assertThatThrownBy(() -> client.rewindInstance("rewind-no-such-instance"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found");
        TableEntity running = new TableEntity("rewind-running", "");
        running.addProperty("RuntimeStatus", "Running");
        running.addProperty("TaskHubName", HUB);
        StorageTestSupport.tables().getTableClient(HUB + "Instances").upsertEntity(running);
        assertThatThrownBy(() -> service.rewindTaskOrchestration("rewind-running", null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Running");
    }
}
