package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.entities.EntityMessageNames;
import io.github.durablefunctions.entities.RequestMessage;
import io.github.durablefunctions.entities.ResponseMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What entities leave in storage (storage-layout.md §9), through the real worker on Azurite: the History table holds
 * exactly one fresh three-row execution per entity (a new ExecutionId per batch), the Instances row carries the
 * scheduler state and the entity status, a client signal is an {@code EventRaised "op"} message with a
 * {@code RequestMessage} input, and an orchestration's call is an {@code EventSent "op"} answered by an
 * {@code EventRaised} named by the request ID.
 */
@ExtendWith(AzuriteExtension.class)
class EntityStorageFormatTest {
    static final String HUB = "EntityFormatHub";
    static final Duration WITHIN = Duration.ofSeconds(60);
    static final Pattern GUID_D = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static final Pattern GUID_N = Pattern.compile("[0-9a-f]{32}");
    static final ObjectMapper JSON = new ObjectMapper();
    static AzureStorageOrchestrationService service;
    static TestEntities.Running running;
    static DurableTaskClient client;
    static DurableEntityClient entities;

    @BeforeAll
    static void startWorker() {
        running = TestEntities.Running.start(HUB, builder -> builder
                .addEntity("counter", () -> TestEntities::counter)
                .addOrchestrator("CallCounter", ctx -> {
                    EntityInstanceId id = TestEntities.counter(ctx.getInput(String.class));
                    ctx.callEntity(id, "add", 2).await();
                    return ctx.callEntity(id, "get", Long.class).await();
                })
        );
        service = running.service();
        client = running.client();
        entities = running.entities();
    }

    @AfterAll
    static void stopWorker() {
        if (running != null) {
            running.close();
        }
    }

    static List<TableEntity> historyRows(String instanceId) {
        return StorageTestSupport.rows(HUB + "History", KeySanitation.escapePartitionKey(instanceId));
    }

    static void awaitValue(EntityInstanceId id, long value) {
        await().atMost(WITHIN).until(() -> Long.valueOf(value).equals(TestEntities.counterValue(entities, id)));
    }

    @Test
    void anEntityIsOneFreshThreeRowExecutionPerBatchWithItsStateInTheInstancesRow() throws Exception {
        EntityInstanceId id = TestEntities.counter("k");
        entities.signalEntity(id, "add", 5);
        entities.signalEntity(id, "add", 3);
        awaitValue(id, 8);

        List<TableEntity> rows = historyRows("@counter@k");
        assertThat(rows).extracting(TableEntity::getRowKey)
                .containsExactly("0000000000000000", "0000000000000001", "0000000000000002", "sentinel");
        assertThat(rows.subList(0, 3)).extracting(r -> r.getProperty("EventType"))
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "OrchestratorCompleted");
        TableEntity started = rows.get(1);
        assertThat(started.getProperty("Name")).isEqualTo("@counter@k");
        JsonNode schedulerState = JSON.readTree((String) started.getProperty("Input"));
        assertThat(schedulerState.path("state").asText()).isEqualTo("8");
        String firstExecution = (String) started.getProperty("ExecutionId");
        assertThat(firstExecution).matches(GUID_N);
        assertThat(rows).extracting(r -> r.getProperty("ExecutionId")).containsOnly(firstExecution);

        Map<String, Object> row = service.instanceRow("@counter@k");
        assertThat(row.get("Name")).isEqualTo("@counter@k");
        assertThat(row.get("ExecutionId")).isEqualTo(firstExecution);
        assertThat(JSON.readTree((String) row.get("Input")).path("state").asText()).isEqualTo("8");
        assertThat(row.get("CustomStatus")).isEqualTo("{\"entityExists\":true}");
        assertThat(row.get("RuntimeStatus")).isEqualTo("Running");

        // The next batch is another fresh execution over the same rows.
        entities.signalEntity(id, "add", 1);
        awaitValue(id, 9);
        rows = historyRows("@counter@k");
        assertThat(rows).hasSize(4);
        String secondExecution = (String) rows.get(1).getProperty("ExecutionId");
        assertThat(secondExecution).matches(GUID_N).isNotEqualTo(firstExecution);
        assertThat(rows).extracting(r -> r.getProperty("ExecutionId")).containsOnly(secondExecution);
        assertThat(service.instanceRow("@counter@k").get("ExecutionId")).isEqualTo(secondExecution);

        // Deleted: no entityExists in the custom status, and the entity is gone for the client.
        entities.signalEntity(id, "delete");
        await().atMost(WITHIN).until(() -> !String.valueOf(service.instanceRow("@counter@k").get("CustomStatus"))
                .contains("entityExists"));
        assertThat(entities.getEntityMetadata(id, true)).isNull();
        assertThat(service.instanceRow("@counter@k").get("RuntimeStatus")).isEqualTo("Running");
    }

    @Test
    void aClientSignalIsAnEventRaisedOpWithARequestMessageAndAScheduledOneIsDelayed() throws Exception {
        // A hub nobody works on, so that the messages stay in the queue.
        String quietHub = "EntityFormatQuietHub";
        AzureStorageOrchestrationService quiet = new AzureStorageOrchestrationService(
                StorageTestSupport.settings(quietHub).partitionCount(1).build());
        DurableEntityClient quietEntities = new BackendDurableTaskClient(quiet, new JacksonDataConverter())
                .getEntities();
        QueueClient queue = StorageTestSupport.queues().getQueueClient(quietHub.toLowerCase() + "-control-00");

        quietEntities.signalEntity(TestEntities.counter("q"), "add", 5);
        List<PeekedMessageItem> visible = queue.peekMessages(32, null, null).stream().toList();
        assertThat(visible).hasSize(1);
        JsonNode message = JSON.readTree(visible.get(0).getBody().toString());
        JsonNode event = message.path("TaskMessage").path("Event");
        assertThat(event.path("$type").asText()).isEqualTo("DurableTask.Core.History.EventRaisedEvent");
        assertThat(event.path("Name").asText()).isEqualTo("op");
        assertThat(message.path("TaskMessage").path("OrchestrationInstance").path("InstanceId").asText())
                .isEqualTo("@counter@q");
        assertThat(message.path("TaskMessage").path("OrchestrationInstance").path("ExecutionId").isNull()).isTrue();
        JsonNode request = JSON.readTree(event.path("Input").asText());
        assertThat(request.path("op").asText()).isEqualTo("add");
        assertThat(request.path("signal").asBoolean()).isTrue();
        assertThat(request.path("input").asText()).isEqualTo("5");
        assertThat(request.path("id").asText()).matches(GUID_D);
        assertThat(request.path("parent").isMissingNode() || request.path("parent").isNull())
                .as("a client signal has no parent: %s", request).isTrue();
        assertThat(request.has("lockset")).isFalse();

        Instant due = Instant.now().plus(Duration.ofHours(1));
        quietEntities.signalEntity(TestEntities.counter("q"), "add", 1, new SignalEntityOptions()
                .setScheduledTime(due));
        assertThat(StorageTestSupport.messageCount(queue.getQueueName())).isEqualTo(2);
        assertThat(queue.peekMessages(32, null, null).stream().toList()).as("the scheduled one is invisible")
                .hasSize(1);
        quiet.close();
    }

    @Test
    void anOrchestrationsCallIsAnEventSentOpAnsweredByAnEventRaisedNamedByTheRequestId() throws Exception {
        String instanceId = client.scheduleNewOrchestrationInstance("CallCounter", "c");
        OrchestrationMetadata done = client.waitForInstanceCompletion(instanceId, WITHIN, true);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(Long.class)).isEqualTo(2L);

        List<HistoryEvent> history = client.getOrchestrationHistory(instanceId);
        List<EventSentEvent> sent = history.stream().filter(EventSentEvent.class::isInstance)
                .map(EventSentEvent.class::cast).toList();
        assertThat(sent).hasSize(2);
        for (EventSentEvent e : sent) {
            assertThat(e.name()).isEqualTo(EntityMessageNames.REQUEST);
            assertThat(e.instanceId()).isEqualTo("@counter@c");
            RequestMessage request = RequestMessage.fromJson(e.input());
            assertThat(request.id).matches(GUID_D);
            assertThat(request.parentInstanceId).isEqualTo(instanceId);
            assertThat(request.parentExecutionId).isEqualTo(done.getExecutionId());
            assertThat(request.signal).isFalse();
            EventRaisedEvent answer = history.stream().filter(EventRaisedEvent.class::isInstance)
                    .map(EventRaisedEvent.class::cast).filter(r -> r.name().equals(request.id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no response named " + request.id));
            assertThat(ResponseMessage.fromJson(answer.input()).isFailure()).isFalse();
        }
        assertThat(RequestMessage.fromJson(sent.get(0).input()).operation).isEqualTo("add");
        assertThat(RequestMessage.fromJson(sent.get(0).input()).input).isEqualTo("2");
        assertThat(RequestMessage.fromJson(sent.get(1).input()).operation).isEqualTo("get");
        EventRaisedEvent getAnswer = history.stream().filter(EventRaisedEvent.class::isInstance)
                .map(EventRaisedEvent.class::cast)
                .filter(r -> r.name().equals(RequestMessage.fromJson(sent.get(1).input()).id)).findFirst()
                .orElseThrow();
        assertThat(ResponseMessage.fromJson(getAnswer.input()).result).isEqualTo("2");

        // The entity stays one three-row execution.
        assertThat(historyRows("@counter@c")).hasSize(4);
    }
}
