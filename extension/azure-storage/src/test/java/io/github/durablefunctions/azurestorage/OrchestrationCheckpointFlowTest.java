package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.ParentInstance;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The orchestration side of the Azure Storage backend driven through the SPI with hand-made checkpoints, so that it
 * does not depend on the replay executor: the Instances row merge of each checkpoint (storage-layout.md §4),
 * continue-as-new over old history rows (§3.5), delayed timer messages (§6.1, §8.6), and the checks before execution
 * (§8.1 step 3, §8.2).
 */
@ExtendWith(AzuriteExtension.class)
class OrchestrationCheckpointFlowTest {
    static final String HUB = "CheckpointFlowHub";
    static AzureStorageOrchestrationService service;

    @BeforeAll
    static void start() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).partitionCount(2)
                .workerId("checkpoint-flow-worker").build());
        service.start();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    /** The next work item for {@code instanceId}; work items of other instances are given back. */
    static OrchestrationWorkItem lock(String instanceId, Duration within) throws InterruptedException {
        return StorageTestSupport.lockFor(service, instanceId, within, service::abandonOrchestrationWorkItem);
    }

    static OrchestrationWorkItem lock(String instanceId) throws InterruptedException {
        OrchestrationWorkItem item = lock(instanceId, Duration.ofSeconds(20));
        assertThat(item).as("a work item for %s", instanceId).isNotNull();
        return item;
    }

    static String newExecutionId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    static ExecutionStartedEvent create(String instanceId, String input) {
        OrchestrationInstance instance = new OrchestrationInstance(instanceId, newExecutionId());
        ExecutionStartedEvent started = new ExecutionStartedEvent(-1, false, Instant.now(), instance, null, "Flow",
                null, input, null, null, null, null, 0, false);
        service.createOrchestrationInstance(new TaskMessage(started, instance),
                EnumSet.of(OrchestrationRuntimeStatus.PENDING, OrchestrationRuntimeStatus.RUNNING));
        return started;
    }

    /** Processes the next work item of the instance: its messages' events become history, plus {@code extra}. */
    static OrchestrationRuntimeState episode(String instanceId, List<TaskMessage> timers, HistoryEvent... extra)
            throws InterruptedException {
        OrchestrationWorkItem item = lock(instanceId);
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(item.getRuntimeState().getPastEvents());
        state.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        item.getNewMessages().forEach(m -> state.addEvent(m.event()));
        for (HistoryEvent e : extra) {
            state.addEvent(e);
        }
        state.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state, List.of(), List.of(), timers));
        return state;
    }

    static void send(String instanceId, HistoryEvent event) {
        service.sendTaskOrchestrationMessage(new TaskMessage(event, new OrchestrationInstance(instanceId, null)));
    }

    static Map<String, Object> instanceRow(String instanceId) {
        return service.instanceRow(instanceId);
    }

    static List<TableEntity> historyRows(String instanceId) {
        return StorageTestSupport.rows(HUB + "History", instanceId);
    }

    @Test
    void suspendResumeAndTerminateMergeTheirStatusAndReasonIntoTheInstancesRow() throws Exception {
        String id = "flow-suspend";
        create(id, "1");
        episode(id, List.of());
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Running").containsEntry("CustomStatus", "null");

        send(id, new ExecutionSuspendedEvent(-1, false, Instant.now(), "maintenance window"));
        episode(id, List.of());
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Suspended")
                .containsEntry("Output", "maintenance window");

        // An event while suspended is recorded, and the row stays Suspended.
        send(id, new EventRaisedEvent(-1, false, Instant.now(), "Approval", "true", null));
        OrchestrationRuntimeState whileSuspended = episode(id, List.of());
        assertThat(whileSuspended.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.SUSPENDED);
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Suspended");

        send(id, new ExecutionResumedEvent(-1, false, Instant.now(), "window over"));
        episode(id, List.of());
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Running").containsEntry("Output", "window over");

        send(id, new ExecutionTerminatedEvent(-1, false, Instant.now(), "no longer needed"));
        OrchestrationRuntimeState terminated = episode(id, List.of(), new ExecutionCompletedEvent(0, false,
                Instant.now(), OrchestrationRuntimeStatus.TERMINATED, "no longer needed",
                new FailureDetails("Terminated", "terminated: no longer needed")));
        assertThat(terminated.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        Map<String, Object> row = instanceRow(id);
        assertThat(row).containsEntry("RuntimeStatus", "Terminated").containsEntry("Output", "no longer needed");
        assertThat(row.get("CompletedTime")).isInstanceOf(OffsetDateTime.class);
    }

    @Test
    void customStatusIsWrittenAndANullOneAsTheLiteralNull() throws Exception {
        String id = "flow-custom-status";
        create(id, null);
        OrchestrationWorkItem item = lock(id);
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(List.of());
        state.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        state.addEvent(item.getNewMessages().get(0).event());
        state.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        state.setCustomStatus("{\"stage\":\"validating\",\"percent\":40}");
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state, List.of(), List.of(),
                List.of()));
        assertThat(instanceRow(id)).containsEntry("CustomStatus", "{\"stage\":\"validating\",\"percent\":40}");
        assertThat(service.getOrchestrationState(id, false).customStatus())
                .isEqualTo("{\"stage\":\"validating\",\"percent\":40}");

        send(id, new EventRaisedEvent(-1, false, Instant.now(), "Next", null, null));
        episode(id, List.of()); // this episode's run set no custom status
        assertThat(instanceRow(id)).containsEntry("CustomStatus", "null");
        assertThat(service.getOrchestrationState(id, false).customStatus()).isNull();
    }

    @Test
    void continueAsNewWritesTheNewExecutionFromRowZeroOverTheOldRows() throws Exception {
        String id = "flow-continue-as-new";
        ExecutionStartedEvent first = create(id, "0");
        Instant now = Instant.now();
        episode(id, List.of(), new TaskScheduledEvent(0, false, now, "A", null, null, null, null),
                new TaskScheduledEvent(1, false, now, "B", null, null, null, null),
                new TaskScheduledEvent(2, false, now, "C", null, null, null, null));
        assertThat(historyRows(id)).hasSize(6 + 1);

        // The episode that continues as new: its checkpoint is the new execution, all of its events new.
        send(id, new EventRaisedEvent(-1, false, Instant.now(), "Go", null, null));
        OrchestrationWorkItem item = lock(id);
        OrchestrationInstance next = new OrchestrationInstance(id, newExecutionId());
        OrchestrationRuntimeState state = new OrchestrationRuntimeState();
        state.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        state.addEvent(new ExecutionStartedEvent(-1, false, Instant.now(), next, null, "Flow", null, "1", null, null,
                null, null, 0, false));
        state.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state, List.of(), List.of(),
                List.of()));

        List<TableEntity> rows = historyRows(id);
        assertThat(rows).extracting(TableEntity::getRowKey).containsExactly("0000000000000000", "0000000000000001",
                "0000000000000002", "0000000000000003", "0000000000000004", "0000000000000005", "sentinel");
        assertThat(rows.subList(0, 3)).allSatisfy(r -> assertThat(r.getProperty("ExecutionId"))
                .isEqualTo(next.executionId()));
        assertThat(rows.subList(3, 6)).allSatisfy(r -> assertThat(r.getProperty("ExecutionId"))
                .isEqualTo(first.orchestrationInstance().executionId()));
        assertThat(rows.get(6).getProperty("ExecutionId")).isEqualTo(next.executionId());
        assertThat(service.getOrchestrationHistory(id)).extracting(e -> e.eventType().name())
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "OrchestratorCompleted");
        assertThat(instanceRow(id)).containsEntry("ExecutionId", next.executionId())
                .containsEntry("RuntimeStatus", "Running").containsEntry("Input", "1");

        // A late message for the old execution is discarded; the new execution's next episode sees only its rows.
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "Old",
                null, null), first.orchestrationInstance()));
        send(id, new EventRaisedEvent(-1, false, Instant.now(), "New", null, null));
        OrchestrationWorkItem after = lock(id);
        assertThat(after.getRuntimeState().getExecutionId()).isEqualTo(next.executionId());
        assertThat(after.getRuntimeState().getPastEvents()).hasSize(3);
        assertThat(after.getNewMessages()).extracting(m -> ((EventRaisedEvent) m.event()).name())
                .containsExactly("New");
        service.abandonOrchestrationWorkItem(after);
    }

    @Test
    void aTimerMessageIsInvisibleUntilItsFireTime() throws Exception {
        String id = "flow-timer";
        ExecutionStartedEvent started = create(id, null);
        Instant fireAt = Instant.now().plusSeconds(3);
        episode(id, List.of(new TaskMessage(new TimerFiredEvent(-1, false, Instant.now(), 0, fireAt),
                started.orchestrationInstance())), new TimerCreatedEvent(0, false, Instant.now(), fireAt));

        OrchestrationWorkItem fired = lock(id, Duration.ofSeconds(20));
        Instant receivedAt = Instant.now();
        assertThat(fired).isNotNull();
        assertThat(receivedAt).isAfterOrEqualTo(fireAt);
        assertThat(fired.getNewMessages()).singleElement().satisfies(m -> {
            TimerFiredEvent e = (TimerFiredEvent) m.event();
            assertThat(e.timerId()).isZero();
            assertThat(Duration.between(e.fireAt(), fireAt).abs()).isLessThan(Duration.ofMillis(1));
        });
        service.abandonOrchestrationWorkItem(fired);
    }

    @Test
    void aTimerBeyondTheQueueLimitIsSentWithTheLongestAllowedDelay() throws Exception {
        String id = "flow-long-timer";
        String queue = service.names().controlQueueFor(id);
        int before = StorageTestSupport.messageCount(queue);
        ExecutionStartedEvent started = create(id, null);
        Instant fireAt = Instant.now().plus(Duration.ofDays(30));
        episode(id, List.of(new TaskMessage(new TimerFiredEvent(-1, false, Instant.now(), 0, fireAt),
                started.orchestrationInstance())), new TimerCreatedEvent(0, false, Instant.now(), fireAt));

        // The start message was deleted, the timer message sent (not rejected) and invisible.
        assertThat(StorageTestSupport.messageCount(queue)).isEqualTo(before + 1);
        assertThat(StorageTestSupport.queues().getQueueClient(queue).peekMessages(32, null, null).stream()
                .filter(m -> m.getBody().toString().contains("\"InstanceId\":\"" + id + "\"")).count()).isZero();
    }

    @Test
    void aSubOrchestrationStartIsNotHeldBackByTheTopLevelStartCheck() throws Exception {
        // A child has no Instances row until its first checkpoint; a top-level start without its row would be put
        // back (§8.1 step 3), a child's start is taken at once.
        String child = "flow-child";
        OrchestrationInstance childInstance = new OrchestrationInstance(child, newExecutionId());
        ParentInstance parent = new ParentInstance("Parent", null, new OrchestrationInstance("flow-parent",
                newExecutionId()), 4);
        service.sendTaskOrchestrationMessage(new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(),
                childInstance, parent, "Child", null, "\"x\"", null, null, null, null, null, false), childInstance));
        assertThat(instanceRow(child)).isNull();

        OrchestrationWorkItem item = lock(child, Duration.ofSeconds(5));
        assertThat(item).isNotNull();
        ExecutionStartedEvent start = (ExecutionStartedEvent) item.getNewMessages().get(0).event();
        assertThat(start.parentInstance()).isEqualTo(parent);
        OrchestrationRuntimeState state = new OrchestrationRuntimeState();
        state.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        state.addEvent(start);
        state.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state, List.of(), List.of(),
                List.of()));
        assertThat(instanceRow(child)).containsEntry("RuntimeStatus", "Running").containsEntry("Name", "Child")
                .containsEntry("ExecutionId", childInstance.executionId());
    }

    @Test
    void aTerminateOfAnInstanceWithoutHistorySetsItsRowTerminated() throws Exception {
        String id = "flow-terminate-pending";
        // A start scheduled for later: its ExecutionStarted message stays invisible, the row is Pending.
        OrchestrationInstance instance = new OrchestrationInstance(id, newExecutionId());
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(),
                instance, null, "Flow", null, null, null, null, null, Instant.now().plus(Duration.ofHours(1)), 0,
                false), instance), EnumSet.of(OrchestrationRuntimeStatus.PENDING));
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Pending");

        send(id, new ExecutionTerminatedEvent(-1, false, Instant.now(), "cancelled before start"));

        // The terminate is handled while the work item is prepared: no work item is handed out.
        assertThat(lock(id, Duration.ofSeconds(5))).isNull();
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Terminated")
                .containsEntry("Output", "cancelled before start").containsKey("CompletedTime");
        assertThat(historyRows(id)).isEmpty();
    }

    @Test
    void theWakeUpTimerIsNotHeldBackAsAnEarlyResponse() throws Exception {
        String id = "flow-wake-up";
        ExecutionStartedEvent started = create(id, null);
        episode(id, List.of(new TaskMessage(new TimerFiredEvent(-1, false, Instant.now(), -100, Instant.now()),
                started.orchestrationInstance())));

        OrchestrationWorkItem item = lock(id, Duration.ofSeconds(10));
        assertThat(item).isNotNull();
        assertThat(item.getNewMessages()).singleElement()
                .satisfies(m -> assertThat(((TimerFiredEvent) m.event()).timerId()).isEqualTo(-100));
        service.abandonOrchestrationWorkItem(item);
    }

    @Test
    void aRewindMessageRunsAnExecutionWhoseFailureRowsWereRewrittenAndTheRowRunsAgain() throws Exception {
        String id = "flow-rewind";
        create(id, null);
        Instant now = Instant.now();
        episode(id, List.of(), new ExecutionCompletedEvent(0, false, now, OrchestrationRuntimeStatus.FAILED, null,
                new FailureDetails("java.lang.IllegalStateException", "boom")));
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Failed");

        // What a rewind leaves behind (§3.3 GenericEvent, §4 write path 5): the failure row is a GenericEvent now,
        // the Instances row is Pending; then its GenericEvent message arrives.
        List<TableEntity> rows = new ArrayList<>(historyRows(id));
        TableEntity failed = rows.stream().filter(r -> "ExecutionCompleted".equals(r.getProperty("EventType")))
                .findFirst().orElseThrow();
        TableEntity rewritten = new TableEntity(failed.getPartitionKey(), failed.getRowKey());
        rewritten.addProperty("EventType", "GenericEvent");
        rewritten.addProperty("EventId", -1);
        rewritten.addProperty("IsPlayed", false);
        rewritten.addProperty("_Timestamp", failed.getProperty("_Timestamp"));
        rewritten.addProperty("ExecutionId", failed.getProperty("ExecutionId"));
        rewritten.addProperty("Reason", "Rewound: ExecutionCompleted");
        StorageTestSupport.tables().getTableClient(HUB + "History").upsertEntityWithResponse(rewritten,
                TableEntityUpdateMode.REPLACE, null, null);
        TableEntity pending = new TableEntity(failed.getPartitionKey(), "");
        pending.addProperty("RuntimeStatus", "Pending");
        StorageTestSupport.tables().getTableClient(HUB + "Instances").upsertEntityWithResponse(pending,
                TableEntityUpdateMode.MERGE, null, null);
        send(id, new GenericEvent(-1, false, Instant.now(), "try again"));

        OrchestrationWorkItem item = lock(id, Duration.ofSeconds(10));
        assertThat(item).as("the rewind message is processed, not discarded as for a finished execution")
                .isNotNull();
        assertThat(item.getRuntimeState().isCompleted()).isFalse();
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(item.getRuntimeState().getPastEvents());
        state.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        item.getNewMessages().forEach(m -> state.addEvent(m.event()));
        state.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state, List.of(), List.of(),
                List.of()));
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Running");
    }
}
