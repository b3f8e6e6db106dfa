package io.github.durablefunctions.samples;

import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * History and Instances rows that disagree after a crash (storage-layout.md §8.3: the history commit and the Instances
 * merge are two writes without a transaction): an instance whose history is complete but whose Instances row still
 * says Running (what a host killed between the two writes leaves) is repaired by the host when the next message for
 * it arrives (§8.2 "repair the Instances row if needed"), and the message itself is discarded.
 */
@ExtendWith(AzuriteExtension.class)
class InstanceRepairIT {
    private static final String HUB = "InstanceRepairIT";

    private SampleHost host;

    @AfterEach
    void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void anInstancesRowBehindItsFinishedHistoryIsRepairedByTheNextMessage() throws Exception {
        host = new SampleHost(HUB, AzuriteExtension.connectionString(), Map.of()).start();
        HubStorage storage = new HubStorage(AzuriteExtension.connectionString(), HUB);
        String id = Http.start(host, "SumOfSquares", "3");
        assertThat(Http.awaitFinished(host, id, Duration.ofSeconds(60)).path("output").asLong()).isEqualTo(14);
        int historyRows = storage.history(id).size();

        // The state a crash between the history commit and the Instances merge leaves behind.
        TableEntity stale = new TableEntity(id, "");
        stale.addProperty("RuntimeStatus", "Running");
        stale.addProperty("Output", "");
        storage.table("Instances").upsertEntityWithResponse(stale, TableEntityUpdateMode.MERGE, null, null);
        assertThat(Http.status(host, id, "").path("runtimeStatus").asText()).isEqualTo("Running");

        // Any message for the instance: an event a client raises, believing it still runs.
        assertThat(Http.post(Http.instanceUrl(host, id, "/raiseEvent/Nudge"), "1").statusCode()).isEqualTo(202);

        await("the Instances row repaired").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> "Completed".equals(storage.instance(id).getProperty("RuntimeStatus")));
        JsonNode status = Http.status(host, id, "");
        assertThat(status.path("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(status.path("output").asLong()).as("the output restored from history").isEqualTo(14);
        assertThat(storage.history(id)).as("the history is left as it was").hasSize(historyRows);
    }
}
