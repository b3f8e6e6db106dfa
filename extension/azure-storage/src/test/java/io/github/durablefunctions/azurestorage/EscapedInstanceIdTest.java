package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.OrchestrationStatusQueryResult;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instance IDs with the characters the table keys escape ({@code / \ # ? ^} and control characters,
 * storage-layout.md §3.1) through the whole path: create, run with the real worker (control queue and work-item
 * messages carry the raw ID), status, history, query by prefix and purge.
 */
@ExtendWith(AzuriteExtension.class)
class EscapedInstanceIdTest {
    static final String HUB = "EscapedIdHub";
    static final List<String> IDS = List.of("esc/slash", "esc\\back", "esc#hash", "esc?query", "esc^caret",
            "esc\nnewline", "esc\ttab\u007fdel", "esc/mix\\#?^\u0001end");
    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableTaskClient client;

    @BeforeAll
    static void startWorker() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("Echo", ctx -> ctx.callActivity("Echo", ctx.getInstanceId(), String.class).await())
                .addActivity("Echo", ctx -> "echo:" + ctx.getInput(String.class))
                .build();
        worker.start();
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
        StorageTestSupport.blobs().getBlobContainerClient("escapedidhub-largemessages").createIfNotExists();
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    static List<String> queryIds(String prefix) {
        List<String> ids = new ArrayList<>();
        String token = null;
        do {
            OrchestrationStatusQueryResult page = client.queryInstances(new OrchestrationStatusQuery()
                    .setInstanceIdPrefix(prefix).setMaxInstanceCount(3).setContinuationToken(token));
            page.getOrchestrationState().forEach(m -> ids.add(m.getInstanceId()));
            token = page.getContinuationToken();
        } while (token != null);
        return ids;
    }

    @Test
    void instancesWithEscapedCharactersRunAndCanBeReadQueriedAndPurged() throws Exception {
        for (String id : IDS) {
            assertThat(client.scheduleNewOrchestrationInstance("Echo", null, id)).isEqualTo(id);
        }
        for (String id : IDS) {
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
            assertThat(done.getRuntimeStatus()).as(id).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(done.getInstanceId()).isEqualTo(id);
            assertThat(done.readOutputAs(String.class)).isEqualTo("echo:" + id);

            List<HistoryEvent> history = client.getOrchestrationHistory(id);
            assertThat(history).anyMatch(e -> e instanceof ExecutionStartedEvent s
                    && id.equals(s.orchestrationInstance().instanceId()));
            assertThat(history).anyMatch(e -> e instanceof ExecutionCompletedEvent);
            List<TableEntity> rows = StorageTestSupport.rows(HUB + "History", KeySanitation.escapePartitionKey(id));
            assertThat(rows).as("history rows under the escaped key of %s", id).hasSizeGreaterThan(3);
            assertThat(StorageTestSupport.rows(HUB + "Instances", KeySanitation.escapePartitionKey(id))).hasSize(1);
        }

        assertThat(queryIds("esc")).containsExactlyInAnyOrderElementsOf(IDS);
        assertThat(queryIds("esc/")).containsExactlyInAnyOrder("esc/slash", "esc/mix\\#?^\u0001end");
        assertThat(queryIds("esc\n")).containsExactly("esc\nnewline");
        assertThat(queryIds("esc^")).containsExactly("esc^caret");

        for (String id : IDS) {
            assertThat(client.purgeInstance(id).getDeletedInstanceCount()).as(id).isEqualTo(1);
            assertThat(client.getInstanceMetadata(id, false)).isNull();
            assertThat(client.getOrchestrationHistory(id)).isEmpty();
            assertThat(StorageTestSupport.rows(HUB + "History", KeySanitation.escapePartitionKey(id))).isEmpty();
        }
        assertThat(queryIds("esc")).isEmpty();
    }
}
