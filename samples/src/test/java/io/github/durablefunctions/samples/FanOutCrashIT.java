package io.github.durablefunctions.samples;

import com.azure.data.tables.models.TableEntity;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGKILL of the host in the middle of a 100-activity fan-out ({@code SumOfSquares} of 100), then a restart: the
 * orchestration completes with the right sum, and its history records each of the 100 activity results exactly once,
 * each after its TaskScheduled (storage-layout.md §8.3: inbound messages are deleted only after their checkpoint;
 * re-delivered and duplicate responses are dropped).
 */
@ExtendWith(AzuriteExtension.class)
class FanOutCrashIT {
    private static final String HUB = "FanOutCrashIT";
    private static final int WIDTH = 100;

    private SampleHost host;

    @AfterEach
    void stopHost() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void aHostKilledDuringAFanOutResumesItAndRecordsEveryResultOnce() throws Exception {
        // One activity at a time, so the results reach history over many episodes and the kill lands mid-way.
        host = new SampleHost(HUB, AzuriteExtension.connectionString(), SampleHost.SHORT_LOCKS)
                .withDurableTaskSetting("maxConcurrentActivityFunctions", 1).start();
        HubStorage storage = new HubStorage(AzuriteExtension.connectionString(), HUB);
        String id = Http.start(host, "SumOfSquares", String.valueOf(WIDTH));

        // Kill once some, but not all, results are checkpointed.
        int[] atKill = new int[1];
        await("part of the fan-out in history").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    long done = storage.history(id).stream()
                            .filter(e -> "TaskCompleted".equals(e.getProperty("EventType"))).count();
                    if (done >= 1 && done < WIDTH) {
                        host.kill();
                        atKill[0] = (int) done;
                        return true;
                    }
                    return false;
                });
        assertThat(atKill[0]).as("results in history when the host was killed").isBetween(1, WIDTH - 1);

        host.start();
        JsonNode status = Http.awaitFinished(host, id, Duration.ofSeconds(180));
        assertThat(status.path("runtimeStatus").asText()).isEqualTo("Completed");
        long expected = (long) WIDTH * (WIDTH + 1) * (2L * WIDTH + 1) / 6;
        assertThat(status.path("output").asLong()).isEqualTo(expected);

        Map<Integer, String> results = storage.assertValidCompletedHistory(id, WIDTH);
        for (int taskId = 0; taskId < WIDTH; taskId++) {
            long i = taskId + 1;
            assertThat(results.get(taskId)).as("result of Square(%d)", i).isEqualTo(String.valueOf(i * i));
        }
        List<TableEntity> history = storage.history(id);
        assertThat(history).filteredOn(e -> "TaskCompleted".equals(e.getProperty("EventType"))).hasSize(WIDTH);
    }
}
