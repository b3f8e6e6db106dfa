package io.github.durablefunctions.samples;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Function chaining end to end: HTTP starter, status endpoint, and what the run leaves in Azure Storage. */
@ExtendWith(AzuriteExtension.class)
class HelloCitiesIT {
    private static final String HUB = "HelloCitiesIT";
    private static SampleHost host;

    @BeforeAll
    static void startHost() throws Exception {
        host = new SampleHost(HUB, AzuriteExtension.connectionString(), Map.of()).start();
    }

    @AfterAll
    static void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void startReturnsCheckStatusResponseAndStatusReachesCompletedWithTheGreetings() throws Exception {
        HttpResponse<String> started = Http.post(host.baseUrl() + "/api/orchestrators/HelloCities", null);

        assertThat(started.statusCode()).isEqualTo(202);
        JsonNode payload = Http.json(started);
        String id = payload.path("id").asText();
        assertThat(id).isNotBlank();
        String statusUri = payload.path("statusQueryGetUri").asText();
        assertThat(statusUri).isEqualTo(host.baseUrl() + "/runtime/webhooks/durabletask/instances/" + id
                + "?taskHub=" + HUB + "&connection=Storage");
        assertThat(payload.path("sendEventPostUri").asText()).contains("/instances/" + id + "/raiseEvent/{eventName}");
        assertThat(payload.path("terminatePostUri").asText()).contains("/instances/" + id + "/terminate?reason={text}");
        assertThat(payload.path("purgeHistoryDeleteUri").asText()).isEqualTo(statusUri);
        assertThat(started.headers().firstValue("Location")).hasValue(statusUri);
        assertThat(started.headers().firstValue("Retry-After")).hasValue("10");

        JsonNode status = Http.awaitStatus200(statusUri, Duration.ofSeconds(60));

        assertThat(status.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(status.path("name").asText()).isEqualTo("HelloCities");
        assertThat(status.path("instanceId").asText()).isEqualTo(id);
        assertThat(status.path("output").toString())
                .isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");
    }

    @Test
    void completedRunLeavesHistoryAndInstanceRowsInTheAzureStorageLayout() throws Exception {
        String id = Http.json(Http.post(host.baseUrl() + "/api/orchestrators/HelloCities", null)).path("id").asText();
        Http.awaitStatus200(host.baseUrl() + "/runtime/webhooks/durabletask/instances/" + id, Duration.ofSeconds(60));

        TableServiceClient tables = new TableServiceClientBuilder()
                .connectionString(AzuriteExtension.connectionString()).buildClient();
        List<String> tableNames = tables.listTables().stream().map(t -> t.getName()).toList();
        assertThat(tableNames).contains(HUB + "History", HUB + "Instances", HUB + "Partitions");

        TableClient history = tables.getTableClient(HUB + "History");
        List<TableEntity> rows = history.listEntities(
                new ListEntitiesOptions().setFilter("PartitionKey eq '" + id + "'"), null, null).stream().toList();
        TableEntity sentinel = rows.get(rows.size() - 1);
        assertThat(sentinel.getRowKey()).isEqualTo("sentinel");
        String executionId = (String) sentinel.getProperty("ExecutionId");
        assertThat(sentinel.getProperty("IsCheckpointComplete")).isEqualTo(true);

        List<TableEntity> events = rows.subList(0, rows.size() - 1);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).getRowKey()).isEqualTo(String.format("%016X", i));
            assertThat(events.get(i).getProperty("ExecutionId")).isEqualTo(executionId);
            assertThat(events.get(i).getProperties()).containsKey("_Timestamp");
        }
        assertThat(events).extracting(e -> (String) e.getProperty("EventType")).containsExactly(
                "OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted",
                "OrchestratorStarted", "TaskCompleted", "TaskScheduled", "OrchestratorCompleted",
                "OrchestratorStarted", "TaskCompleted", "TaskScheduled", "OrchestratorCompleted",
                "OrchestratorStarted", "TaskCompleted", "ExecutionCompleted", "OrchestratorCompleted");

        TableEntity instance = tables.getTableClient(HUB + "Instances").getEntity(id, "");
        assertThat(instance.getProperty("RuntimeStatus")).isEqualTo("Completed");
        assertThat(instance.getProperty("Name")).isEqualTo("HelloCities");
        assertThat(instance.getProperty("ExecutionId")).isEqualTo(executionId);
        assertThat(instance.getProperty("Output")).isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");
    }

    @Test
    void unknownInstanceIs404() throws Exception {
        assertThat(Http.get(host.baseUrl() + "/runtime/webhooks/durabletask/instances/no-such-instance")
                .statusCode()).isEqualTo(404);
    }
}
