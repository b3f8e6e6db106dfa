package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Whole orchestrations through core's worker and client on this backend, then a look at what Azurite holds for the
 * hub: the resources and rows of storage-layout.md §1, §3 and §4.
 */
@ExtendWith(AzuriteExtension.class)
class EndToEndTest {
    static final String HUB = "EndToEndHub";
    static final Map<String, AtomicInteger> SAY_HELLO_CALLS = new ConcurrentHashMap<>();
    static final CountDownLatch BLOCKING_ENTERED = new CountDownLatch(1);
    static final CountDownLatch BLOCKING_RELEASE = new CountDownLatch(1);
    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableTaskClient client;

    @BeforeAll
    static void startWorker() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("HelloCities", ctx -> {
                    List<String> outputs = new ArrayList<>();
                    for (String city : List.of("Tokyo", "Seattle", "London")) {
                        outputs.add(ctx.callActivity("SayHello", city, String.class).await());
                    }
                    return outputs;
                })
                .addOrchestrator("FanOutFanIn", EndToEndTest::fanOutFanIn)
                .addOrchestrator("Failing", ctx -> ctx.callActivity("Fail", "x", String.class).await())
                .addOrchestrator("Blocking", ctx -> ctx.callActivity("WaitForRelease", String.class).await())
                .addActivity("SayHello", ctx -> {
                    String city = ctx.getInput(String.class);
                    SAY_HELLO_CALLS.computeIfAbsent(ctx.getInstanceId() + "/" + city, k -> new AtomicInteger())
                            .incrementAndGet();
                    return "Hello " + city + "!";
                })
                .addActivity("Square", ctx -> {
                    int n = ctx.getInput(Integer.class);
                    return n * n;
                })
                .addActivity("WaitForRelease", ctx -> {
                    BLOCKING_ENTERED.countDown();
                    return BLOCKING_RELEASE.await(60, TimeUnit.SECONDS) ? "released" : "timed out";
                })
                .addActivity("Fail", ctx -> {
                    throw new IllegalStateException("activity exploded");
                })
                .build();
        worker.start();
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
    }

    static int fanOutFanIn(TaskOrchestrationContext ctx) {
        List<Task<Integer>> tasks = IntStream.rangeClosed(1, 20)
                .mapToObj(i -> ctx.callActivity("Square", i, Integer.class)).toList();
        return ctx.allOf(tasks).await().stream().mapToInt(Integer::intValue).sum();
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void helloCitiesRunsToCompletionAndLeavesTheDtfxLayoutInStorage() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("HelloCities");
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String[].class)).containsExactly("Hello Tokyo!", "Hello Seattle!", "Hello London!");

        // §1: resources of the hub.
        assertThat(StorageTestSupport.tables().getTableClient("EndToEndHubHistory").getTableName())
                .isEqualTo("EndToEndHubHistory");
        String controlQueue = "endtoendhub-control-0" + Fnv1aHash.partitionIndex(id, 4);
        assertThat(StorageTestSupport.messageCount(controlQueue)).isZero();
        assertThat(StorageTestSupport.messageCount("endtoendhub-workitems")).isZero();

        // §3: history rows.
        List<TableEntity> rows = StorageTestSupport.rows("EndToEndHubHistory", id);
        TableEntity sentinel = rows.get(rows.size() - 1);
        List<TableEntity> events = rows.subList(0, rows.size() - 1);
        assertThat(sentinel.getRowKey()).isEqualTo("sentinel");
        assertThat(sentinel.getProperty("IsCheckpointComplete")).isEqualTo(true);
        assertThat(sentinel.getProperty("CheckpointCompletedTimestamp")).isInstanceOf(OffsetDateTime.class);
        String executionId = (String) sentinel.getProperty("ExecutionId");
        assertThat(executionId).matches("[0-9a-f]{32}");
        for (int i = 0; i < events.size(); i++) {
            TableEntity row = events.get(i);
            assertThat(row.getRowKey()).isEqualTo(String.format("%016X", i));
            assertThat(row.getProperty("ExecutionId")).isEqualTo(executionId);
            assertThat(row.getProperty("_Timestamp")).isInstanceOf(OffsetDateTime.class);
            assertThat(row.getProperty("EventId")).isInstanceOf(Integer.class);
            assertThat(row.getProperty("IsPlayed")).isInstanceOf(Boolean.class);
        }
        List<Object> types = events.stream().map(r -> r.getProperty("EventType")).toList();
        assertThat(types.subList(0, 2)).containsExactly("OrchestratorStarted", "ExecutionStarted");
        assertThat(types).containsSubsequence("TaskScheduled", "TaskCompleted", "TaskScheduled", "TaskCompleted",
                "TaskScheduled", "TaskCompleted", "ExecutionCompleted", "OrchestratorCompleted");
        assertThat(types).filteredOn("TaskCompleted"::equals).hasSize(3); // each result exactly once
        assertThat(events.stream().filter(r -> "TaskCompleted".equals(r.getProperty("EventType")))
                .map(r -> r.getProperty("TaskScheduledId")).toList()).containsExactly(0, 1, 2);
        assertThat(events.stream().filter(r -> "TaskScheduled".equals(r.getProperty("EventType")))
                .map(r -> r.getProperty("Name")).collect(Collectors.toSet())).containsExactly("SayHello");
        TableEntity completed = events.stream().filter(r -> "ExecutionCompleted".equals(r.getProperty("EventType")))
                .findFirst().orElseThrow();
        assertThat(completed.getProperties()).containsEntry("OrchestrationStatus", "Completed")
                .containsEntry("Result", "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]")
                .containsEntry("FailureDetails", "null");
        assertThat(types.stream().filter("OrchestratorStarted"::equals).count()).isEqualTo(4);

        // §4: the Instances row.
        TableEntity instance = StorageTestSupport.rows("EndToEndHubInstances", id).get(0);
        assertThat(instance.getRowKey()).isEmpty();
        assertThat(instance.getProperties()).containsEntry("RuntimeStatus", "Completed")
                .containsEntry("Name", "HelloCities").containsEntry("ExecutionId", executionId)
                .containsEntry("Output", "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]")
                .containsEntry("CustomStatus", "null").containsEntry("Tags", "null")
                .containsEntry("Generation", 0).containsEntry("TaskHubName", HUB);
        for (String column : List.of("CreatedTime", "LastUpdatedTime", "CompletedTime")) {
            assertThat(instance.getProperty(column)).as(column).isInstanceOf(OffsetDateTime.class);
        }

        // Each activity ran once here (no redelivery happened), and history is readable through the SPI.
        for (String city : List.of("Tokyo", "Seattle", "London")) {
            assertThat(SAY_HELLO_CALLS.get(id + "/" + city)).hasValue(1);
        }
        assertThat(service.getOrchestrationHistory(id)).hasSize(events.size());

        // §5.1: this worker owns every partition row.
        assertThat(StorageTestSupport.rows("EndToEndHubPartitions", "")).hasSize(4)
                .allSatisfy(r -> assertThat(r.getProperty("CurrentOwner"))
                        .isEqualTo(service.getSettings().getWorkerId()));
    }

    @Test
    void fanOutFanInOverTwentyActivities() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("FanOutFanIn");
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(Integer.class)).isEqualTo(IntStream.rangeClosed(1, 20).map(i -> i * i).sum());

        List<TableEntity> events = StorageTestSupport.rows("EndToEndHubHistory", id).stream()
                .filter(r -> !r.getRowKey().equals("sentinel")).toList();
        Set<Object> completedIds = events.stream().filter(r -> "TaskCompleted".equals(r.getProperty("EventType")))
                .map(r -> r.getProperty("TaskScheduledId")).collect(Collectors.toSet());
        assertThat(completedIds).hasSize(20);
        assertThat(events.stream().filter(r -> "TaskCompleted".equals(r.getProperty("EventType"))).count())
                .isEqualTo(20);
        assertThat(events.stream().filter(r -> "TaskScheduled".equals(r.getProperty("EventType"))).count())
                .isEqualTo(20);
    }

    @Test
    void aFailedActivityFailsTheInstanceWithFailureDetailsFromHistory() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Failing");
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);

        OrchestrationState state = service.getOrchestrationState(id, true);
        assertThat(state.failureDetails()).isNotNull();
        assertThat(state.failureDetails().getErrorType()).isNotBlank();
        assertThat(state.failureDetails().getStackTrace()).isNotBlank();
        TableEntity instance = StorageTestSupport.rows("EndToEndHubInstances", id).get(0);
        assertThat((String) instance.getProperty("Output")).isEqualTo(state.failureDetails().getErrorType() + ": "
                + state.failureDetails().getErrorMessage());
    }

    @Test
    void aRunningIdCannotBeScheduledAgainButACompletedOneStartsTheNextGeneration() throws Exception {
        String id = "e2e-duplicate";
        client.scheduleNewOrchestrationInstance("Blocking", null, id);
        await().atMost(Duration.ofSeconds(30)).until(() -> BLOCKING_ENTERED.getCount() == 0);
        OrchestrationState running = service.getOrchestrationState(id, false);
        assertThat(running.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
        assertThatThrownBy(() -> client.scheduleNewOrchestrationInstance("Blocking", null, id))
                .isInstanceOf(OrchestrationAlreadyExistsException.class).hasMessageContaining("Running");
        BLOCKING_RELEASE.countDown();
        assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(60), false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);

        client.scheduleNewOrchestrationInstance("Blocking", null, id);
        OrchestrationMetadata again = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
        assertThat(again.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(again.getExecutionId()).isNotEqualTo(running.executionId());
        assertThat(service.getOrchestrationState(id, false).generation()).isEqualTo(1);
        // The new execution's rows start again at 0000000000000000 and the sentinel names it.
        List<TableEntity> rows = StorageTestSupport.rows("EndToEndHubHistory", id);
        assertThat(rows.get(rows.size() - 1).getProperty("ExecutionId")).isEqualTo(again.getExecutionId());
        assertThat(rows.get(0).getProperty("ExecutionId")).isEqualTo(again.getExecutionId());
        assertThat(service.getOrchestrationHistory(id)).first().extracting(e -> e.eventType().name())
                .isEqualTo("OrchestratorStarted");
    }
}
