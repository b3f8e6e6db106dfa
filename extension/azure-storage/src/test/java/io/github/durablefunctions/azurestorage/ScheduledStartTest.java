package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scheduled starts and tags through the client API (storage-layout.md §4 "Client create", §6.1 visibility delay,
 * §6.3 "Client start"): the ExecutionStarted message stays invisible until the start time, the Instances row holds
 * {@code ScheduledStartTime} and {@code Tags} (JSON, {@code "null"} when none).
 */
@ExtendWith(AzuriteExtension.class)
class ScheduledStartTest {
    static final String HUB = "ScheduledStartHub";
    static AzureStorageOrchestrationService clientService;
    static DurableTaskClient client;

    @BeforeAll
    static void createClient() {
        clientService = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        client = new BackendDurableTaskClient(clientService, new JacksonDataConverter());
    }

    @AfterAll
    static void closeClient() {
        clientService.close();
    }

    static QueueClient controlQueueOf(String instanceId) {
        return StorageTestSupport.queues().getQueueClient("scheduledstarthub-control-0"
                + Fnv1aHash.partitionIndex(instanceId, 4));
    }

    static boolean visible(String instanceId) {
        return controlQueueOf(instanceId).peekMessages(32, null, null).stream()
                .anyMatch(m -> m.getBody().toString().contains("\"InstanceId\":\"" + instanceId + "\""));
    }

    @Test
    void aScheduledStartIsInvisibleUntilItsTimeAndRecordedInTheRow() {
        Instant start = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MILLIS);
        String id = client.scheduleNewOrchestrationInstance("Later", new NewOrchestrationInstanceOptions()
                .setInstanceId("scheduled-later").setStartTime(start).setTags(Map.of("team", "blue", "tier", "1")));

        assertThat(controlQueueOf(id).getProperties().getApproximateMessagesCountLong()).isPositive();
        assertThat(visible(id)).as("the ExecutionStarted message is invisible until the start time").isFalse();

        TableEntity row = StorageTestSupport.rows(HUB + "Instances", id).get(0);
        assertThat(row.getProperty("RuntimeStatus")).isEqualTo("Pending");
        assertThat(((OffsetDateTime) row.getProperty("ScheduledStartTime")).toInstant()).isEqualTo(start);
        assertThat(row.getProperty("Tags")).isIn("{\"team\":\"blue\",\"tier\":\"1\"}", "{\"tier\":\"1\",\"team\":\"blue\"}");
        OrchestrationState state = clientService.getOrchestrationState(id, false);
        assertThat(state.scheduledStartTime()).isEqualTo(start);
        assertThat(state.tags()).containsExactlyInAnyOrderEntriesOf(Map.of("team", "blue", "tier", "1"));
        assertThat(client.getInstanceMetadata(id, false).getTags()).containsEntry("team", "blue");
    }

    @Test
    void withoutStartTimeOrTagsTheMessageIsVisibleAtOnceAndTagsAreTheNullLiteral() {
        String id = client.scheduleNewOrchestrationInstance("Now", new NewOrchestrationInstanceOptions()
                .setInstanceId("scheduled-now"));

        assertThat(visible(id)).isTrue();
        TableEntity row = StorageTestSupport.rows(HUB + "Instances", id).get(0);
        assertThat(row.getProperty("Tags")).isEqualTo("null");
        assertThat(row.getProperties()).doesNotContainKey("ScheduledStartTime");
        assertThat(client.getInstanceMetadata(id, false).getTags()).isEmpty();
    }

    @Test
    void aWorkerStartsTheInstanceAtItsStartTimeAndKeepsTheTags() throws Exception {
        String hub = "ScheduledRunHub";
        AzureStorageOrchestrationService service =
                new AzureStorageOrchestrationService(StorageTestSupport.settings(hub).build());
        DurableTaskWorker worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("Stamp", ctx -> ctx.getCurrentInstant().toString())
                .build();
        worker.start();
        try {
            DurableTaskClient runClient = new BackendDurableTaskClient(service, new JacksonDataConverter());
            Instant start = Instant.now().plusSeconds(4);
            String id = runClient.scheduleNewOrchestrationInstance("Stamp", new NewOrchestrationInstanceOptions()
                    .setInstanceId("scheduled-run").setStartTime(start).setTags(Map.of("k", "v")));

            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() ->
                    runClient.getInstanceMetadata(id, false).getRuntimeStatus() == OrchestrationRuntimeStatus.PENDING);
            OrchestrationMetadata done = runClient.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);

            assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(Instant.parse(done.readOutputAs(String.class))).isAfterOrEqualTo(start.minusMillis(100));
            assertThat(done.getTags()).containsEntry("k", "v");
            TableEntity row = StorageTestSupport.rows(hub + "Instances", id).get(0);
            assertThat(row.getProperty("Tags")).isEqualTo("{\"k\":\"v\"}");
            assertThat(row.getProperty("ScheduledStartTime")).isInstanceOf(OffsetDateTime.class);
            List<TableEntity> history = StorageTestSupport.rows(hub + "History", id);
            TableEntity started = history.stream().filter(r -> "ExecutionStarted".equals(r.getProperty("EventType")))
                    .findFirst().orElseThrow();
            assertThat(started.getProperty("Tags")).isEqualTo("{\"k\":\"v\"}");
            assertThat(started.getProperty("ScheduledStartTime")).isInstanceOf(OffsetDateTime.class);
        } finally {
            worker.close();
        }
    }
}
