package io.github.durablefunctions.samples;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Duplicate and out-of-order deliveries (storage-layout.md §8.2), injected into the control queue of a running host
 * as raw DTFx {@code MessageData} JSON (§6.2), the way a crash between "send" and "commit" (§8.3) produces them:
 * <ul>
 *   <li>a response that arrives before the checkpoint that scheduled its task waits in the queue (put back with
 *       back-off) until that checkpoint is in history, and is then recorded once;</li>
 *   <li>a duplicate of a response already in history changes nothing: no second result, no new task.</li>
 * </ul>
 * The orchestration is the {@code ApprovalWorkflow} sample: {@code RequestApproval} (task #0), a timer (#1) racing the
 * {@code ApprovalEvent}, then {@code ProcessApproval} (task #2) once approved.
 */
@ExtendWith(AzuriteExtension.class)
class DeliveryOrderIT {
    private static final String HUB = "DeliveryOrderIT";
    private static final int PARTITIONS = 4;

    private SampleHost host;

    @AfterEach
    void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void anEarlyResponseWaitsForItsCheckpointAndADuplicateChangesNothing() throws Exception {
        host = new SampleHost(HUB, AzuriteExtension.connectionString(), Map.of()).start();
        HubStorage storage = new HubStorage(AzuriteExtension.connectionString(), HUB);
        String id = Http.start(host, "ApprovalWorkflow",
                "{\"requester\":\"ana\",\"item\":\"laptop\",\"timeoutSeconds\":300}");
        await("waiting for the approval").atMost(Duration.ofSeconds(60)).until(() -> storage.history(id).stream()
                .anyMatch(e -> "TimerCreated".equals(e.getProperty("EventType"))));
        List<TableEntity> before = storage.history(id);
        String executionId = String.valueOf(before.get(0).getProperty("ExecutionId"));
        Object requestResult = before.stream().filter(e -> "TaskCompleted".equals(e.getProperty("EventType")))
                .findFirst().orElseThrow().getProperty("Result");
        QueueClient control = storage.controlQueueOf(id, PARTITIONS);
        // The timer's TimerFired waits in the same queue (invisible for 300 s): it stays there throughout.
        int baseline = storage.approximateMessageCount(control);

        // A duplicate of RequestApproval's result (#0), twice: dropped, the history keeps one result.
        control.sendMessage(taskCompleted(id, executionId, 0, requestResult));
        control.sendMessage(taskCompleted(id, executionId, 0, requestResult));
        await("the duplicates consumed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> storage.approximateMessageCount(control) == baseline);
        List<TableEntity> afterDuplicates = storage.history(id);
        assertThat(afterDuplicates).filteredOn(e -> "TaskCompleted".equals(e.getProperty("EventType")))
                .as("results after the duplicates").hasSize(1);
        assertThat(afterDuplicates).filteredOn(e -> "TaskScheduled".equals(e.getProperty("EventType")))
                .as("tasks after the duplicates").hasSize(1);
        assertThat(storage.instance(id).getProperty("RuntimeStatus")).isEqualTo("Running");

        // ProcessApproval's result (#2) before ProcessApproval is scheduled: it must wait, not be dropped.
        control.sendMessage(taskCompleted(id, executionId, 2, null));
        Thread.sleep(3_000); // several deliveries of the early response (back-off 2 s, 4 s, ...)
        assertThat(storage.approximateMessageCount(control)).as("the early response is still queued")
                .isEqualTo(baseline + 1);
        assertThat(storage.history(id)).filteredOn(e -> "TaskScheduled".equals(e.getProperty("EventType")))
                .as("ProcessApproval is not scheduled yet").hasSize(1);
        assertThat(storage.history(id)).filteredOn(e -> "TaskCompleted".equals(e.getProperty("EventType")))
                .as("the early response is not recorded yet").hasSize(1);

        assertThat(Http.post(Http.instanceUrl(host, id, "/raiseEvent/ApprovalEvent"),
                "{\"approved\":true,\"approver\":\"bob\"}").statusCode()).isEqualTo(202);
        JsonNode status = Http.awaitFinished(host, id, Duration.ofSeconds(60));
        assertThat(status.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(status.path("output").path("outcome").asText()).isEqualTo("Approved");

        // Both the early and the real ProcessApproval result reach the instance; one is recorded, one dropped.
        await("the early response consumed").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> storage.approximateMessageCount(control) <= baseline);
        storage.assertValidCompletedHistory(id, 2);
    }

    /** A TaskCompleted message from the instance's own activity, as the DTFx worker sends it (§6.2, §6.3). */
    private static String taskCompleted(String instanceId, String executionId, int taskScheduledId, Object result) {
        String instance = "{\"$type\":\"DurableTask.Core.OrchestrationInstance\",\"InstanceId\":\"" + instanceId
                + "\",\"ExecutionId\":\"" + executionId + "\"}";
        String resultJson = result == null ? "null" : Http.JSON.valueToTree(String.valueOf(result)).toString();
        return "{\"$type\":\"DurableTask.AzureStorage.MessageData\",\"ActivityId\":\"" + UUID.randomUUID() + "\","
                + "\"TaskMessage\":{\"$type\":\"DurableTask.Core.TaskMessage\",\"Event\":{\"$type\":"
                + "\"DurableTask.Core.History.TaskCompletedEvent\",\"EventType\":5,\"TaskScheduledId\":"
                + taskScheduledId + ",\"Result\":" + resultJson + ",\"EventId\":-1,\"IsPlayed\":false,"
                + "\"Timestamp\":\"" + Instant.now() + "\"},\"SequenceNumber\":0,\"OrchestrationInstance\":"
                + instance + ",\"OrchestrationExecutionContext\":null},\"CompressedBlobName\":null,"
                + "\"SequenceNumber\":1,\"Episode\":1,\"Sender\":{\"InstanceId\":\"" + instanceId
                + "\",\"ExecutionId\":\"" + executionId + "\"},\"SerializableTraceContext\":null}";
    }
}
