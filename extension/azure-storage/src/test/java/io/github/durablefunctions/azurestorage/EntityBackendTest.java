package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.EntityStateQuery;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.entities.EntityMessageNames;
import io.github.durablefunctions.entities.RequestMessage;
import io.github.durablefunctions.entities.ResponseMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The backend side of durable entities (storage-layout.md §8.2, §8.6, §9), driven by hand through the SPI on
 * Azurite: scheduled requests delayed in the queue, an entity's first message handed out as an auto-start, each
 * batch a fresh execution over History rows 0..2 with the entity's Instances row, and an entity's response held back
 * until the caller's {@code EventSent} is committed.
 */
@ExtendWith(AzuriteExtension.class)
class EntityBackendTest {
    static final AtomicInteger HUBS = new AtomicInteger();
    static final ObjectMapper JSON = new ObjectMapper();
    AzureStorageOrchestrationService service;
    String hub;
    QueueClient controlQueue;

    @BeforeEach
    void start() {
        hub = "EntityBackendHub" + HUBS.incrementAndGet();
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

    static TaskMessage request(String entityId, String eventName, RequestMessage request) {
        return new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), eventName, request.toJson(), null),
                new OrchestrationInstance(entityId, null));
    }

    static RequestMessage signal(String operation) {
        RequestMessage r = new RequestMessage();
        r.operation = operation;
        r.signal = true;
        r.id = UUID.randomUUID().toString();
        return r;
    }

    /** An entity's fresh execution as the entity executor checkpoints it (§9): three rows, new execution ID. */
    static OrchestrationRuntimeState freshExecution(String entityId, String schedulerState, String entityStatus) {
        Instant now = Instant.now();
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(List.of());
        state.addEvent(new OrchestratorStartedEvent(-1, false, now));
        state.addEvent(new ExecutionStartedEvent(-1, false, now, new OrchestrationInstance(entityId,
                UUID.randomUUID().toString().replace("-", "")), null, entityId, "", schedulerState, null, null, null,
                null, null, false));
        state.addEvent(new OrchestratorCompletedEvent(-1, false, now));
        state.setCustomStatus(entityStatus);
        return state;
    }

    List<PeekedMessageItem> visibleMessages() {
        return controlQueue.peekMessages(32, null, null).stream().toList();
    }

    int messageCount() {
        return StorageTestSupport.messageCount(controlQueue.getQueueName());
    }

    // ---------------------------------------------------------------------------------------- scheduled requests

    @Test
    void aScheduledRequestIsDelayedUntilItsTimeCappedAtSixDaysAndOnlyForEntities() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        RequestMessage r = signal("add");
        TaskMessage inNinetySeconds = request("@counter@a",
                EntityMessageNames.scheduledRequest(now.plusSeconds(90)), r);
        TaskMessage inTenDays = request("@counter@a", EntityMessageNames.scheduledRequest(now.plus(Duration.ofDays(10))),
                r);
        TaskMessage past = request("@counter@a", EntityMessageNames.scheduledRequest(now.minusSeconds(1)), r);
        TaskMessage immediate = request("@counter@a", EntityMessageNames.REQUEST, r);
        TaskMessage toAnOrchestration = new TaskMessage(new EventRaisedEvent(-1, false, now,
                EntityMessageNames.scheduledRequest(now.plusSeconds(90)), null, null),
                new OrchestrationInstance("orchestration", null));

        assertThat(AzureStorageOrchestrationService.visibilityDelay(inNinetySeconds, now))
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(AzureStorageOrchestrationService.visibilityDelay(inTenDays, now)).isEqualTo(Duration.ofDays(6));
        assertThat(AzureStorageOrchestrationService.visibilityDelay(past, now)).isNull();
        assertThat(AzureStorageOrchestrationService.visibilityDelay(immediate, now)).isNull();
        assertThat(AzureStorageOrchestrationService.visibilityDelay(toAnOrchestration, now)).isNull();
    }

    @Test
    void aClientsScheduledSignalIsHandedOutNotBeforeItsTime() throws Exception {
        Instant due = Instant.now().plusSeconds(4);
        service.sendTaskOrchestrationMessage(request("@counter@later", EntityMessageNames.scheduledRequest(due),
                signal("add")));
        assertThat(messageCount()).isEqualTo(1);
        assertThat(visibleMessages()).isEmpty();

        OrchestrationWorkItem item = lock(Duration.ofSeconds(20));
        Instant handedOut = Instant.now();
        assertThat(item).isNotNull();
        assertThat(handedOut).isAfterOrEqualTo(due);
        assertThat(((EventRaisedEvent) item.getNewMessages().get(0).event()).name())
                .isEqualTo(EntityMessageNames.scheduledRequest(due));
        service.abandonOrchestrationWorkItem(item);
    }

    @Test
    void aScheduledSignalSentByACheckpointIsDelayedToo() throws Exception {
        service.sendTaskOrchestrationMessage(request("@sender@1", EntityMessageNames.REQUEST, signal("go")));
        OrchestrationWorkItem item = lock(Duration.ofSeconds(10));
        assertThat(item).isNotNull();
        Instant due = Instant.now().plusSeconds(60);
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(
                freshExecution("@sender@1", "{\"state\":\"1\"}", "{\"entityExists\":true}"), List.of(),
                List.of(request("@target@1", EntityMessageNames.scheduledRequest(due), signal("later"))), List.of()));

        assertThat(messageCount()).isEqualTo(1);
        assertThat(visibleMessages()).isEmpty();
        assertThat(lock(Duration.ofSeconds(2))).isNull();
    }

    // ---------------------------------------------------------------------- auto-start and fresh executions

    @Test
    void anEntitysFirstMessageIsAnAutoStartAndEachBatchIsAFreshExecutionOverRowsZeroToTwo() throws Exception {
        String id = "@counter@k/1"; // '/' is escaped in the PartitionKey
        String pk = "@counter@k^01";
        String historyTable = hub + "History";

        service.sendTaskOrchestrationMessage(request(id, EntityMessageNames.REQUEST, signal("add")));
        OrchestrationWorkItem first = lock(Duration.ofSeconds(10));
        assertThat(first).as("the auto-start batch is handed out, not discarded").isNotNull();
        assertThat(first.getInstanceId()).isEqualTo(id);
        assertThat(first.getRuntimeState().getPastEvents()).isEmpty();
        assertThat(first.getNewMessages()).hasSize(1);
        OrchestrationRuntimeState one = freshExecution(id, "{\"state\":\"1\"}", "{\"entityExists\":true}");
        service.completeOrchestrationWorkItem(first, new OrchestrationCheckpoint(one, List.of(), List.of(),
                List.of()));
        assertThat(messageCount()).isZero();

        List<TableEntity> rows = StorageTestSupport.rows(historyTable, pk);
        assertThat(rows).extracting(TableEntity::getRowKey)
                .containsExactly("0000000000000000", "0000000000000001", "0000000000000002", "sentinel");
        assertThat(rows.get(1).getProperty("EventType")).isEqualTo("ExecutionStarted");
        assertThat(rows.get(1).getProperty("Name")).isEqualTo(id);
        assertThat(rows.get(1).getProperty("Input")).isEqualTo("{\"state\":\"1\"}");
        assertThat(rows.get(3).getProperty("ExecutionId")).isEqualTo(one.getExecutionId());
        Map<String, Object> row = service.instanceRow(id);
        assertThat(row.get("Name")).isEqualTo(id);
        assertThat(row.get("Input")).isEqualTo("{\"state\":\"1\"}");
        assertThat(row.get("CustomStatus")).isEqualTo("{\"entityExists\":true}");
        assertThat(row.get("RuntimeStatus")).isEqualTo("Running");
        assertThat(row.get("ExecutionId")).isEqualTo(one.getExecutionId());

        // The second batch sees the first execution and checkpoints a new one over the same rows.
        service.sendTaskOrchestrationMessage(request(id, EntityMessageNames.REQUEST, signal("add")));
        OrchestrationWorkItem second = lock(Duration.ofSeconds(10));
        assertThat(second).isNotNull();
        assertThat(second.getRuntimeState().getPastEvents()).hasSize(3);
        assertThat(second.getRuntimeState().getExecutionStartedEvent().input()).isEqualTo("{\"state\":\"1\"}");
        OrchestrationRuntimeState two = freshExecution(id, "{\"state\":\"2\"}", "{\"entityExists\":true}");
        service.completeOrchestrationWorkItem(second, new OrchestrationCheckpoint(two, List.of(), List.of(),
                List.of()));

        rows = StorageTestSupport.rows(historyTable, pk);
        assertThat(rows).hasSize(4);
        assertThat(rows).extracting(r -> r.getProperty("ExecutionId")).containsOnly(two.getExecutionId());
        assertThat(rows.get(1).getProperty("Input")).isEqualTo("{\"state\":\"2\"}");
        assertThat(service.getOrchestrationHistory(id)).hasSize(3);
        assertThat(service.instanceRow(id).get("Input")).isEqualTo("{\"state\":\"2\"}");

        // Deleted and idle: a null scheduler state leaves no Input behind, and no entityExists.
        service.sendTaskOrchestrationMessage(request(id, EntityMessageNames.REQUEST, signal("delete")));
        OrchestrationWorkItem third = lock(Duration.ofSeconds(10));
        assertThat(third).isNotNull();
        service.completeOrchestrationWorkItem(third, new OrchestrationCheckpoint(freshExecution(id, null, "{}"),
                List.of(), List.of(), List.of()));
        row = service.instanceRow(id);
        assertThat(row).doesNotContainKey("Input");
        assertThat((String) row.get("CustomStatus")).doesNotContain("entityExists");
        assertThat(row.get("RuntimeStatus")).isEqualTo("Running");
        assertThat(StorageTestSupport.rows(historyTable, pk).get(1).getProperty("Input")).isNull();

        // Entities are not orchestrations in queries, and purge like any instance.
        assertThat(service.queryOrchestrationStates(new OrchestrationStatusQuery()).states()).isEmpty();
        assertThat(service.purgeInstanceState(id)).isEqualTo(1);
        assertThat(service.instanceRow(id)).isNull();
        assertThat(StorageTestSupport.rows(historyTable, pk)).isEmpty();
    }

    // ------------------------------------------------------------------------------- early entity responses

    @Test
    void anEntitysResponseWaitsUntilTheCallersEventSentIsCommitted() throws Exception {
        String caller = "caller";
        OrchestrationInstance callerInstance = new OrchestrationInstance(caller, "c1");
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(),
                        callerInstance, null, "Caller", null, null, null, null, null, null, 0, false), callerInstance),
                EnumSet.of(OrchestrationRuntimeStatus.PENDING));
        OrchestrationWorkItem start = lock(Duration.ofSeconds(10));
        assertThat(start).isNotNull();
        OrchestrationRuntimeState callerState = new OrchestrationRuntimeState(List.of());
        callerState.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        callerState.addEvent(start.getNewMessages().get(0).event());
        callerState.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(start, new OrchestrationCheckpoint(callerState, List.of(), List.of(),
                List.of()));

        // The call: the entity receives the request (as if the caller's send came before its checkpoint) and
        // answers; it also forwards a message to another entity, which is not held back.
        RequestMessage call = new RequestMessage();
        call.operation = "get";
        call.id = UUID.randomUUID().toString();
        call.parentInstanceId = caller;
        call.parentExecutionId = "c1";
        service.sendTaskOrchestrationMessage(request("@svc@1", EntityMessageNames.REQUEST, call));
        OrchestrationWorkItem entityItem = lock(Duration.ofSeconds(10));
        assertThat(entityItem.getInstanceId()).isEqualTo("@svc@1");
        TaskMessage response = new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), call.id,
                ResponseMessage.success("42").toJson(), null), callerInstance);
        // This test holds the work item itself: stopping must not wait for it (a drain waits up to 60 s).
        service.partitionManager().timing(service.partitionManager().timing().withDrainTimeout(Duration.ZERO));
        service.stop(); // nothing is buffered now; stopped, the service does not receive the checkpoint's messages
        service.completeOrchestrationWorkItem(entityItem, new OrchestrationCheckpoint(
                freshExecution("@svc@1", "{\"state\":\"42\"}", "{\"entityExists\":true}"), List.of(),
                List.of(response, request("@svc@2", EntityMessageNames.REQUEST, signal("ping"))), List.of()));

        // The response's envelope names the entity as its Sender.
        List<String> senders = new ArrayList<>();
        for (PeekedMessageItem m : visibleMessages()) {
            JsonNode data = JSON.readTree(m.getBody().toString());
            senders.add(data.path("TaskMessage").path("OrchestrationInstance").path("InstanceId").asText() + "<-"
                    + data.path("Sender").path("InstanceId").asText());
        }
        assertThat(senders).containsExactlyInAnyOrder("caller<-@svc@1", "@svc@2<-@svc@1");
        service.start();

        // Only the other entity's message is handed out; the response is put back while no EventSent matches it.
        OrchestrationWorkItem next = lock(Duration.ofSeconds(5));
        assertThat(next).isNotNull();
        assertThat(next.getInstanceId()).isEqualTo("@svc@2");
        service.abandonOrchestrationWorkItem(next);
        assertThat(lockFor(caller, Duration.ofSeconds(3))).isNull();
        assertThat(messageCount()).as("the response is kept, not deleted").isGreaterThanOrEqualTo(1);

        // The caller's next episode commits the EventSent of the request (woken by an ordinary event).
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), "wake",
                null, null), new OrchestrationInstance(caller, null)));
        OrchestrationWorkItem wake = lockFor(caller, Duration.ofSeconds(10));
        assertThat(wake).isNotNull();
        assertThat(wake.getNewMessages()).extracting(m -> ((EventRaisedEvent) m.event()).name())
                .containsExactly("wake");
        OrchestrationRuntimeState afterWake = new OrchestrationRuntimeState(wake.getRuntimeState().getEvents());
        afterWake.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        afterWake.addEvent(wake.getNewMessages().get(0).event());
        afterWake.addEvent(new EventSentEvent(0, false, Instant.now(), "@svc@1", EntityMessageNames.REQUEST,
                call.toJson()));
        afterWake.addEvent(new OrchestratorCompletedEvent(-1, false, Instant.now()));
        service.completeOrchestrationWorkItem(wake, new OrchestrationCheckpoint(afterWake, List.of(), List.of(),
                List.of()));

        // Now the response is handed out (after its back-off).
        OrchestrationWorkItem answered = lockFor(caller, Duration.ofSeconds(40));
        assertThat(answered).isNotNull();
        List<HistoryEvent> events = answered.getNewMessages().stream().map(TaskMessage::event).toList();
        assertThat(events).singleElement().isInstanceOfSatisfying(EventRaisedEvent.class, e -> {
            assertThat(e.name()).isEqualTo(call.id);
            assertThat(ResponseMessage.fromJson(e.input()).result).isEqualTo("42");
        });
        service.abandonOrchestrationWorkItem(answered);
    }

    /** Polls for a work item of one instance, discarding work items of others (not under test). */
    OrchestrationWorkItem lockFor(String instanceId, Duration wait) throws InterruptedException {
        return StorageTestSupport.lockFor(service, instanceId, wait,
                item -> service.discardOrchestrationWorkItem(item, "not under test"));
    }

    // ------------------------------------------------------------------------------------------- queries

    @Test
    void queriesOfEntitiesScanTheIdRangeWithTimeBoundsProjectionAndPaging() {
        Instant t = Instant.parse("2026-02-01T08:00:00.1234567Z");
        List<String> entities = List.of("@counter@a", "@counter@b", "@counter@c/1", "@counterx@d", "@count@e");
        for (int i = 0; i < entities.size(); i++) {
            writeRow(entities.get(i), t.plusSeconds(60L * (i + 1)), "{\"state\":\"" + i + "\"}",
                    "{\"entityExists\":true}");
        }
        writeRow("orchestration", t, "\"in\"", null);
        writeRow("A-orchestration", t, "\"in\"", null);

        // All entities, in instance ID order, two per page.
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            var page = service.queryEntityStates(new EntityStateQuery("@", null,
                    null, false, 2, token));
            assertThat(page.states().size()).isLessThanOrEqualTo(2);
            page.states().forEach(s -> seen.add(s.instanceId()));
            token = page.continuationToken();
            pages++;
        } while (token != null);
        assertThat(seen).containsExactly("@count@e", "@counter@a", "@counter@b", "@counter@c/1", "@counterx@d");
        assertThat(pages).isGreaterThanOrEqualTo(3);

        assertThat(entityIds("@counter@", null, null)).containsExactly("@counter@a", "@counter@b", "@counter@c/1");
        assertThat(entityIds("@counter@c/", null, null)).containsExactly("@counter@c/1");
        assertThat(entityIds("@", t.plusSeconds(120), t.plusSeconds(240)))
                .containsExactly("@counter@b", "@counter@c/1", "@counterx@d");
        assertThat(entityIds("@", t.plusSeconds(241), null)).containsExactly("@count@e");
        assertThat(entityIds("@", null, t.plusSeconds(60))).containsExactly("@counter@a");

        OrchestrationState without = service.queryEntityStates(new EntityStateQuery("@counter@a", null, null, false, 10, null)).states().get(0);
        assertThat(without.input()).isNull();
        assertThat(without.customStatus()).isEqualTo("{\"entityExists\":true}");
        assertThat(without.name()).isEqualTo("@counter@a");
        assertThat(without.lastUpdatedTime()).isEqualTo(t.plusSeconds(60));
        OrchestrationState with = service.queryEntityStates(new EntityStateQuery("@counter@a", null, null, true, 10, null)).states().get(0);
        assertThat(with.input()).isEqualTo("{\"state\":\"0\"}");
        assertThat(with.output()).isNull();

        assertThat(service.queryOrchestrationStates(new OrchestrationStatusQuery()).states())
                .extracting(OrchestrationState::instanceId)
                .containsExactlyInAnyOrder("orchestration", "A-orchestration");
        assertThatThrownBy(() -> service.queryEntityStates(
                        new EntityStateQuery("@", null, null, false, 2, "bad !")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("continuation token");
    }

    List<String> entityIds(String prefix, Instant from, Instant to) {
        List<String> ids = new ArrayList<>();
        String token = null;
        do {
            var page = service.queryEntityStates(new EntityStateQuery(prefix, from,
                    to, false, 100, token));
            page.states().forEach(s -> ids.add(s.instanceId()));
            token = page.continuationToken();
        } while (token != null);
        return ids;
    }

    /** Writes an Instances row through the checkpoint's merge, last updated at {@code time}. */
    void writeRow(String instanceId, Instant time, String input, String customStatus) {
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(List.of());
        state.addEvent(new OrchestratorStartedEvent(-1, false, time));
        state.addEvent(new ExecutionStartedEvent(-1, false, time, new OrchestrationInstance(instanceId, "x"), null,
                instanceId.startsWith("@") ? instanceId : "Orch", "", input, null, null, null, null, null, false));
        state.addEvent(new OrchestratorCompletedEvent(-1, false, time));
        state.setCustomStatus(customStatus);
        service.tracking().updateInstanceState(instanceId, state, state.getEvents());
    }
}
