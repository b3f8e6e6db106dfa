package io.github.durablefunctions.samples;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import com.azure.storage.queue.models.QueueStorageException;
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
 * A message the host cannot read, injected into the control queue of a running instance: the host puts it back with
 * back-off ({@code min(2^n, 600)} s), and on its {@code maxDequeueCount}-th delivery (3 here) sets it aside, verbatim,
 * in {@code <control queue>-poison} and fails the instance it names with {@code PoisonMessage} failure details
 * (README "Poison messages"). Nothing is dropped silently and nothing spins.
 */
@ExtendWith(AzuriteExtension.class)
class PoisonMessageIT {
    private static final String HUB = "PoisonMessageIT";

    private SampleHost host;

    @AfterEach
    void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void anUnreadableMessageIsSetAsideAndItsInstanceFailed() throws Exception {
        host = new SampleHost(HUB, AzuriteExtension.connectionString(), Map.of())
                .withStorageProviderSetting("maxDequeueCount", 3).start();
        HubStorage storage = new HubStorage(AzuriteExtension.connectionString(), HUB);
        String id = Http.start(host, "ApprovalWorkflow",
                "{\"requester\":\"ana\",\"item\":\"laptop\",\"timeoutSeconds\":300}");
        await("waiting for the approval").atMost(Duration.ofSeconds(60)).until(() -> storage.history(id).stream()
                .anyMatch(e -> "TimerCreated".equals(e.getProperty("EventType"))));
        QueueClient control = storage.controlQueueOf(id, 4);
        int baseline = storage.approximateMessageCount(control);

        // Well-formed envelope, but an event type no version of the framework has: it can never be read.
        String body = "{\"$type\":\"DurableTask.AzureStorage.MessageData\",\"ActivityId\":\"" + UUID.randomUUID()
                + "\",\"TaskMessage\":{\"$type\":\"DurableTask.Core.TaskMessage\",\"Event\":{\"$type\":"
                + "\"DurableTask.Core.History.NoSuchEvent\",\"EventType\":99,\"EventId\":-1,\"IsPlayed\":false,"
                + "\"Timestamp\":\"" + Instant.now() + "\"},\"SequenceNumber\":0,\"OrchestrationInstance\":{\"$type\":"
                + "\"DurableTask.Core.OrchestrationInstance\",\"InstanceId\":\"" + id + "\",\"ExecutionId\":null},"
                + "\"OrchestrationExecutionContext\":null},\"CompressedBlobName\":null,\"SequenceNumber\":1}";
        control.sendMessage(body);

        QueueClient poison = storage.queue(control.getQueueName().substring(HUB.length() + 1) + "-poison");
        await("the message set aside").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreException(QueueStorageException.class) // the poison queue is created on first use
                .until(() -> storage.approximateMessageCount(poison) == 1);
        List<PeekedMessageItem> aside = poison.peekMessages(32, null, null).stream().toList();
        assertThat(aside).hasSize(1);
        assertThat(aside.get(0).getBody().toString()).as("the poison queue holds the body verbatim").isEqualTo(body);
        assertThat(storage.approximateMessageCount(control)).as("gone from the control queue").isEqualTo(baseline);

        JsonNode status = Http.awaitFinished(host, id, Duration.ofSeconds(60));
        assertThat(status.path("runtimeStatus").asText()).isEqualTo("Failed");
        assertThat(status.path("output").asText()).as("the failure names the poison message")
                .contains("PoisonMessage");
        assertThat(host.logText()).as("logged with the message and instance")
                .contains(id).contains(poison.getQueueName());
    }
}
