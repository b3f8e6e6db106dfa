package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Client create (storage-layout.md §4 "Client create", §6.3 "Client start"), without a worker running. */
@ExtendWith(AzuriteExtension.class)
class ClientCreateTest {
    static final String HUB = "ClientCreateHub";
    static final Set<OrchestrationRuntimeStatus> RUNNING = EnumSet.of(OrchestrationRuntimeStatus.PENDING,
            OrchestrationRuntimeStatus.RUNNING, OrchestrationRuntimeStatus.SUSPENDED);
    static AzureStorageOrchestrationService service;

    @BeforeAll
    static void createService() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
    }

    @AfterAll
    static void closeService() {
        service.close();
    }

    static TaskMessage start(String instanceId, String executionId, String input) {
        OrchestrationInstance instance = new OrchestrationInstance(instanceId, executionId);
        return new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(), instance, null, "HelloCities",
                null, input, null, null, null, null, 0, false), instance);
    }

    @Test
    void sendsExecutionStartedToTheHashedControlQueueThenWritesAPendingRow() {
        String id = "client-create-1";
        service.createOrchestrationInstance(start(id, "0123456789abcdef0123456789abcdef", "\"Tokyo\""), RUNNING);

        String queue = "clientcreatehub-control-0" + Fnv1aHash.partitionIndex(id, 4);
        List<PeekedMessageItem> peeked = StorageTestSupport.queues().getQueueClient(queue).peekMessages(32, null, null)
                .stream().filter(m -> m.getBody().toString().contains(id)).toList();
        assertThat(peeked).hasSize(1);
        String json = peeked.get(0).getBody().toString();
        assertThat(json).startsWith("{\"$type\":\"DurableTask.AzureStorage.MessageData\",\"ActivityId\":\"");
        assertThat(json).contains("\"TaskMessage\":{\"$type\":\"DurableTask.Core.TaskMessage\",\"Event\":{\"$type\":"
                + "\"DurableTask.Core.History.ExecutionStartedEvent\",\"EventType\":0,\"OrchestrationInstance\":"
                + "{\"$type\":\"DurableTask.Core.OrchestrationInstance\",\"InstanceId\":\"client-create-1\","
                + "\"ExecutionId\":\"0123456789abcdef0123456789abcdef\"}");
        assertThat(json).contains("\"Generation\":0");
        assertThat(json).contains("\"Sender\":{\"InstanceId\":\"\",\"ExecutionId\":\"\"}");
        assertThat(json).doesNotContain("\"Episode\"");

        TableEntity row = StorageTestSupport.rows("ClientCreateHubInstances", id).get(0);
        assertThat(row.getRowKey()).isEmpty();
        assertThat(row.getProperties()).containsEntry("RuntimeStatus", "Pending")
                .containsEntry("ExecutionId", "0123456789abcdef0123456789abcdef")
                .containsEntry("Name", "HelloCities")
                .containsEntry("Input", "\"Tokyo\"")
                .containsEntry("Generation", 0)
                .containsEntry("Tags", "null")
                .containsEntry("TaskHubName", HUB)
                .doesNotContainKeys("CustomStatus", "Output", "CompletedTime");
        assertThat(row.getProperty("CreatedTime")).isInstanceOf(OffsetDateTime.class);
        assertThat(row.getProperty("LastUpdatedTime")).isInstanceOf(OffsetDateTime.class);

        OrchestrationState state = service.getOrchestrationState(id, true);
        assertThat(state.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.PENDING);
        assertThat(state.input()).isEqualTo("\"Tokyo\"");
        assertThat(state.name()).isEqualTo("HelloCities");
        assertThat(state.customStatus()).isNull();
        assertThat(state.tags()).isNull();
        assertThat(service.getOrchestrationState(id, false).input()).isNull();
    }

    @Test
    void aPendingInstanceCannotBeCreatedAgainButAFinishedOneIsReplacedWithTheNextGeneration() {
        String id = "client-create-2";
        service.createOrchestrationInstance(start(id, "e1", null), RUNNING);
        assertThatThrownBy(() -> service.createOrchestrationInstance(start(id, "e2", null), RUNNING))
                .isInstanceOf(OrchestrationAlreadyExistsException.class).hasMessageContaining(id)
                .hasMessageContaining("Pending");

        // Pretend the first one completed, then re-create it.
        TableEntity done = new TableEntity(KeySanitation.escapePartitionKey(id), "");
        done.addProperty("RuntimeStatus", "Completed");
        StorageTestSupport.tables().getTableClient("ClientCreateHubInstances").upsertEntity(done);
        service.createOrchestrationInstance(start(id, "e3", null), RUNNING);
        OrchestrationState state = service.getOrchestrationState(id, false);
        assertThat(state.executionId()).isEqualTo("e3");
        assertThat(state.generation()).isEqualTo(1);
        assertThat(state.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.PENDING);
    }

    @Test
    void unknownInstancesHaveNoStateAndNoHistory() {
        assertThat(service.getOrchestrationState("no-such-instance", true)).isNull();
        assertThat(service.getOrchestrationHistory("no-such-instance")).isEmpty();
    }

    @Test
    void messagesOverFortyFiveKibibytesAreSentThroughABlob() {
        String id = "client-create-big";
        String input = "\"" + "x".repeat(50_000) + "\"";
        service.createOrchestrationInstance(start(id, "e1", input), RUNNING);

        // The queue holds a wrapper naming the message blob (storage-layout.md §7.1), and the row's Input is the
        // blob's URL (§7.2); LargePayloadTest checks the formats in detail.
        String queue = "clientcreatehub-control-0" + Fnv1aHash.partitionIndex(id, 4);
        assertThat(StorageTestSupport.queues().getQueueClient(queue).peekMessages(32, null, null).stream()
                .map(m -> m.getBody().toString()).filter(b -> b.contains(id + "/message-")))
                .singleElement().satisfies(b -> assertThat(b).contains("\"TaskMessage\":null").doesNotContain("xxx"));
        assertThat((String) StorageTestSupport.rows("ClientCreateHubInstances", id).get(0).getProperty("Input"))
                .endsWith("-ExecutionStarted.json.gz").contains("/clientcreatehub-largemessages/" + id + "/message-");
        assertThat(service.getOrchestrationState(id, true).input()).isEqualTo(input);
    }

    @Test
    void tagsAreStoredAsPlainJson() {
        String id = "client-create-tags";
        OrchestrationInstance instance = new OrchestrationInstance(id, "e1");
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, Instant.now(),
                instance, null, "Tagged", null, null, Map.of("team", "a"), null, null, null, 0, false), instance),
                RUNNING);
        assertThat(StorageTestSupport.rows("ClientCreateHubInstances", id).get(0).getProperty("Tags"))
                .isEqualTo("{\"team\":\"a\"}");
        assertThat(service.getOrchestrationState(id, false).tags()).containsEntry("team", "a");
    }
}
