package io.github.durablefunctions.samples;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash safety: the host is killed with SIGKILL while orchestrations are between activities, then started again.
 * Every instance must complete with the right output, and its history must hold each activity's result exactly
 * once (storage-layout.md §8.3: messages are deleted only after their checkpoint, duplicates are dropped).
 */
@ExtendWith(AzuriteExtension.class)
class CrashRecoveryIT {
    private static final String HUB = "CrashRecoveryIT";
    private static final int INSTANCES = 30;

    private SampleHost host;

    @AfterEach
    void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void killedHostResumesEveryInstanceAndRecordsEachActivityResultOnce() throws Exception {
        host = new SampleHost(HUB, AzuriteExtension.connectionString(), SampleHost.SHORT_LOCKS).start();
        TableClient history = new TableClientBuilder().connectionString(AzuriteExtension.connectionString())
                .tableName(HUB + "History").buildClient();

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            ids.add(Http.json(Http.post(host.baseUrl() + "/api/orchestrators/HelloCities", null)).path("id").asText());
        }

        // Kill as soon as some instance has some, but not all, of its activity results in history.
        Map<String, Integer> resultsAtKill = new HashMap<>();
        await("an instance between activities").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    Map<String, List<String>> eventsByInstance = eventTypesByInstance(history);
                    for (Map.Entry<String, List<String>> e : eventsByInstance.entrySet()) {
                        long completed = e.getValue().stream().filter("TaskCompleted"::equals).count();
                        if (completed >= 1 && completed < 3 && !e.getValue().contains("ExecutionCompleted")) {
                            host.kill();
                            resultsAtKill.put(e.getKey(), (int) completed);
                            return true;
                        }
                    }
                    return false;
                });
        assertThat(resultsAtKill).as("an instance was between activities when the host was killed").isNotEmpty();

        host.start();

        for (String id : ids) {
            JsonNode status = Http.awaitStatus200(
                    host.baseUrl() + "/runtime/webhooks/durabletask/instances/" + id, Duration.ofSeconds(180));
            assertThat(status.path("runtimeStatus").asText()).as("status of %s", id).isEqualTo("Completed");
            assertThat(status.path("output").toString()).as("output of %s", id)
                    .isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");

            List<TableEntity> events = history.listEntities(new ListEntitiesOptions()
                    .setFilter("PartitionKey eq '" + id + "' and RowKey ne 'sentinel'"), null, null)
                    .stream().toList();
            assertThat(events).filteredOn(e -> "TaskCompleted".equals(e.getProperty("EventType")))
                    .as("TaskCompleted events of %s", id)
                    .extracting(e -> e.getProperty("TaskScheduledId")).containsExactlyInAnyOrder(0, 1, 2);
            assertThat(events).filteredOn(e -> "TaskScheduled".equals(e.getProperty("EventType")))
                    .as("TaskScheduled events of %s", id).extracting(e -> e.getProperty("EventId"))
                    .containsExactly(0, 1, 2);
            assertThat(events).filteredOn(e -> "ExecutionCompleted".equals(e.getProperty("EventType")))
                    .as("ExecutionCompleted events of %s", id).hasSize(1);
        }
    }

    private static Map<String, List<String>> eventTypesByInstance(TableClient history) {
        ListEntitiesOptions options = new ListEntitiesOptions().setSelect(List.of("PartitionKey", "RowKey", "EventType"));
        return history.listEntities(options, null, null).stream()
                .filter(e -> !"sentinel".equals(e.getRowKey()))
                .collect(Collectors.groupingBy(TableEntity::getPartitionKey,
                        Collectors.mapping(e -> (String) e.getProperty("EventType"), Collectors.toList())));
    }
}
