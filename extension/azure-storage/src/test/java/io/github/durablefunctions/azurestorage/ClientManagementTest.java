package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The client's management messages (storage-layout.md §6.3: raise event, terminate, suspend/resume) as they sit in
 * the control queue, and their effect, with restart, through the real worker.
 */
@ExtendWith(AzuriteExtension.class)
class ClientManagementTest {
    static final String QUEUE_HUB = "ClientMessagesHub";
    static final String HUB = "ClientManagementHub";
    static AzureStorageOrchestrationService queueOnly;
    static DurableTaskClient queueOnlyClient;
    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableTaskClient client;

    @BeforeAll
    static void start() {
        queueOnly = new AzureStorageOrchestrationService(StorageTestSupport.settings(QUEUE_HUB).build());
        queueOnlyClient = new BackendDurableTaskClient(queueOnly, new JacksonDataConverter());
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("Approval", ctx -> {
                    String who = ctx.getInput(String.class);
                    Boolean ok = ctx.waitForExternalEvent("Approved", Boolean.class).await();
                    return who + (Boolean.TRUE.equals(ok) ? " approved" : " rejected");
                })
                .addOrchestrator("Greet", ctx -> "Hello " + ctx.getInput(String.class))
                .build();
        worker.start();
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        queueOnly.close();
    }

    static String messageFor(String instanceId, String eventClass) {
        String queue = "clientmessageshub-control-0" + Fnv1aHash.partitionIndex(instanceId, 4);
        return StorageTestSupport.queues().getQueueClient(queue).peekMessages(32, null, null).stream()
                .map(PeekedMessageItem::getBody).map(Object::toString)
                .filter(json -> json.contains("\"InstanceId\":\"" + instanceId + "\"")
                        && json.contains("DurableTask.Core.History." + eventClass))
                .findFirst().orElseThrow(() -> new AssertionError("no " + eventClass + " for " + instanceId));
    }

    @Test
    void managementMessagesGoToTheInstancesControlQueueForItsCurrentExecution() {
        queueOnlyClient.raiseEvent("msg-raise", "Approved", Map.of("by", "ann"));
        queueOnlyClient.terminate("msg-terminate", "enough");
        queueOnlyClient.suspendInstance("msg-suspend", "pause");
        queueOnlyClient.resumeInstance("msg-resume", "go on");

        String target = "\"OrchestrationInstance\":{\"$type\":\"DurableTask.Core.OrchestrationInstance\","
                + "\"InstanceId\":\"%s\",\"ExecutionId\":null}";
        String raised = messageFor("msg-raise", "EventRaisedEvent");
        assertThat(raised).contains("\"EventType\":15").contains("\"Name\":\"Approved\"")
                .contains("\"Input\":\"{\\\"by\\\":\\\"ann\\\"}\"").contains("\"EventId\":-1")
                .contains(target.formatted("msg-raise"))
                .contains("\"Sender\":{\"InstanceId\":\"\",\"ExecutionId\":\"\"}");
        assertThat(messageFor("msg-terminate", "ExecutionTerminatedEvent")).contains("\"EventType\":3")
                .contains("\"Input\":\"\\\"enough\\\"\"").contains(target.formatted("msg-terminate"));
        assertThat(messageFor("msg-suspend", "ExecutionSuspendedEvent")).contains("\"EventType\":19")
                .contains("\"Reason\":\"pause\"").contains(target.formatted("msg-suspend"));
        assertThat(messageFor("msg-resume", "ExecutionResumedEvent")).contains("\"EventType\":20")
                .contains("\"Reason\":\"go on\"").contains(target.formatted("msg-resume"));
    }

    @Test
    void aRaisedEventIsDeliveredToTheWaitingInstance() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Approval", "ann", "mgmt-raise");
        client.waitForInstanceStart(id, Duration.ofSeconds(30), false);

        client.raiseEvent(id, "Approved", true);

        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("ann approved");
    }

    @Test
    void suspendHoldsEventsUntilResumeAndTerminateEndsTheInstance() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Approval", "bob", "mgmt-suspend");
        client.waitForInstanceStart(id, Duration.ofSeconds(30), false);

        client.suspendInstance(id, "hold on");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                client.getInstanceMetadata(id, false).getRuntimeStatus() == OrchestrationRuntimeStatus.SUSPENDED);
        client.raiseEvent(id, "Approved", true);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                client.getInstanceMetadata(id, false).getRuntimeStatus() == OrchestrationRuntimeStatus.SUSPENDED);
        client.resumeInstance(id, "go");
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
        assertThat(done.readOutputAs(String.class)).isEqualTo("bob approved");

        String other = client.scheduleNewOrchestrationInstance("Approval", "cy", "mgmt-terminate");
        client.waitForInstanceStart(other, Duration.ofSeconds(30), false);
        client.terminate(other, "no longer needed");
        OrchestrationMetadata terminated = client.waitForInstanceCompletion(other, Duration.ofSeconds(60), true);
        assertThat(terminated.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(terminated.readOutputAs(String.class)).isEqualTo("no longer needed");
    }

    @Test
    void restartRunsTheSameNameInputAndTagsUnderTheSameOrANewId() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Greet", new NewOrchestrationInstanceOptions()
                .setInstanceId("mgmt-restart").setInput("Tokyo").setTags(Map.of("t", "1")));
        OrchestrationMetadata first = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);

        assertThat(client.restartInstance(id, false)).isEqualTo(id);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !first.getExecutionId().equals(client.getInstanceMetadata(id, false).getExecutionId()));
        OrchestrationMetadata again = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
        assertThat(again.readOutputAs(String.class)).isEqualTo("Hello Tokyo");
        assertThat(again.getTags()).containsEntry("t", "1");
        TableEntity row = StorageTestSupport.rows(HUB + "Instances", id).get(0);
        assertThat(row.getProperty("Generation")).isEqualTo(1);

        String copy = client.restartInstance(id, true);
        assertThat(copy).isNotEqualTo(id);
        OrchestrationMetadata copied = client.waitForInstanceCompletion(copy, Duration.ofSeconds(60), true);
        assertThat(copied.readOutputAs(String.class)).isEqualTo("Hello Tokyo");
        assertThat(copied.getName()).isEqualTo("Greet");

        assertThatThrownBy(() -> client.restartInstance("mgmt-no-such", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found");
    }

    @Test
    void restartOfARunningInstanceUnderItsIdIsRefused() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Approval", "dee", "mgmt-restart-running");
        client.waitForInstanceStart(id, Duration.ofSeconds(30), false);

        assertThatThrownBy(() -> client.restartInstance(id, false))
                .isInstanceOf(OrchestrationAlreadyExistsException.class);
        client.terminate(id, null);
        assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(60), false).getRuntimeStatus())
                .isIn(List.of(OrchestrationRuntimeStatus.TERMINATED));
    }
}
