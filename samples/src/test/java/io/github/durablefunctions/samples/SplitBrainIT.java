package io.github.durablefunctions.samples;

import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Forced split brain: two host processes started with the same worker ID both believe they own every partition
 * (each sees itself as {@code CurrentOwner} in the Partitions table, storage-layout.md §5.1), so both receive from
 * every control queue and run episodes of the same instances at the same time. The sentinel row's ETag lets exactly
 * one of them commit each episode (§3.2, §8.3); the other gets 409/412 and abandons its work item. Every orchestration
 * still completes with the right output and a valid history: one execution, each task scheduled once and its result
 * recorded once.
 */
@ExtendWith(AzuriteExtension.class)
class SplitBrainIT {
    private static final String HUB = "SplitBrainIT";
    private static final int INSTANCES = 20;
    private static final int WIDTH = 20;
    /** The dispatcher's log line when the sentinel ETag rejects a checkpoint (another worker committed first). */
    private static final String LOST_RACE = "another worker committed first";

    private final List<SampleHost> hosts = new ArrayList<>();

    @AfterEach
    void stopHosts() throws Exception {
        for (SampleHost host : hosts) {
            host.close();
        }
    }

    @Test
    void twoOwnersOfOnePartitionNeverBothCommitAnEpisode() throws Exception {
        for (int i = 0; i < 2; i++) {
            hosts.add(new SampleHost(HUB, AzuriteExtension.connectionString(), SampleHost.SHORT_LOCKS)
                    .withArgs("--worker-id", "twin").start());
        }
        HubStorage storage = new HubStorage(AzuriteExtension.connectionString(), HUB);
        assertThat(storage.ownerCounts()).as("both hosts own every partition under one ID")
                .isEqualTo(Map.of("twin", 4L));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            ids.add(Http.start(hosts.get(i % 2), "SumOfSquares", String.valueOf(WIDTH)));
        }
        long expected = (long) WIDTH * (WIDTH + 1) * (2L * WIDTH + 1) / 6;
        for (String id : ids) {
            var status = Http.awaitFinished(hosts.get(0), id, Duration.ofSeconds(180));
            assertThat(status.path("runtimeStatus").asText()).as("status of %s", id).isEqualTo("Completed");
            assertThat(status.path("output").asLong()).as("output of %s", id).isEqualTo(expected);
            Map<Integer, String> results = storage.assertValidCompletedHistory(id, WIDTH);
            for (int taskId = 0; taskId < WIDTH; taskId++) {
                assertThat(results.get(taskId)).isEqualTo(String.valueOf((long) (taskId + 1) * (taskId + 1)));
            }
        }
        // Both hosts did run episodes of the same instances: some checkpoints lost the race and were abandoned.
        long lostRaces = 0;
        for (SampleHost host : hosts) {
            lostRaces += host.logText().lines().filter(line -> line.contains(LOST_RACE)).count();
        }
        assertThat(lostRaces).as("checkpoints rejected by the sentinel ETag (logged '%s')", LOST_RACE)
                .isPositive();
    }
}
