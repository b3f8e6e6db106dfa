package io.github.durablefunctions.samples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.azurestorage.azurite.Azurite;
import io.github.durablefunctions.azurestorage.azurite.AzuriteOptions;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Azurite (with its data on disk) is stopped for 30 s while two host processes are in the middle of 20 fan-outs, then
 * started again on the same ports and data: the hosts log the failures, back off instead of spinning, keep running,
 * and resume; every instance completes with the right output and a valid history.
 */
class StorageOutageIT {
    private static final String HUB = "StorageOutageIT";
    private static final int INSTANCES = 20;
    private static final int WIDTH = 20;
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private final List<SampleHost> hosts = new ArrayList<>();
    private Azurite azurite;

    @AfterEach
    void stopAll() throws Exception {
        for (SampleHost host : hosts) {
            host.close();
        }
        if (azurite != null) {
            azurite.close();
        }
    }

    @Test
    void hostsRideOutAStorageOutageAndLoseNothing() throws Exception {
        azurite = Azurite.start(new AzuriteOptions(AzuriteExtension.installDir(), data, "127.0.0.1", 0, 0, 0, false));
        AzuriteOptions samePorts = new AzuriteOptions(AzuriteExtension.installDir(), data, "127.0.0.1",
                azurite.blobPort(), azurite.queuePort(), azurite.tablePort(), false);
        String storage = azurite.connectionString();
        Map<String, String> shortLocks = Map.of("controlQueueVisibilityTimeout", "00:00:05",
                "workItemQueueVisibilityTimeout", "00:00:05");
        for (String worker : List.of("outage-1", "outage-2")) {
            hosts.add(new SampleHost(HUB, storage, shortLocks)
                    .withDurableTaskSetting("maxConcurrentActivityFunctions", 2)
                    .withArgs("--worker-id", worker).start());
        }
        HubStorage hub = new HubStorage(storage, HUB);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            ids.add(Http.start(hosts.get(i % 2), "SumOfSquares", String.valueOf(WIDTH)));
        }
        await("some results in history").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> ids.stream().anyMatch(id -> hub.history(id).stream()
                        .anyMatch(e -> "TaskCompleted".equals(e.getProperty("EventType")))));
        assertThat(hub.statuses().values()).as("instances still running when storage goes away")
                .contains("Running");

        long[] warningsBefore = warningLines();
        azurite.close();
        Thread.sleep(OUTAGE.toMillis());
        long[] warningsDuring = warningLines();
        azurite = Azurite.start(samePorts);

        for (int i = 0; i < hosts.size(); i++) {
            assertThat(hosts.get(i).isAlive()).as("host %d survived the outage", i + 1).isTrue();
            long logged = warningsDuring[i] - warningsBefore[i];
            assertThat(logged).as("host %d logged the outage", i + 1).isPositive();
            // Backing off: a few lines per poller per second at most, not a hot loop of thousands.
            assertThat(logged).as("host %d's warnings during a %d s outage", i + 1, OUTAGE.toSeconds())
                    .isLessThan(1_000);
        }

        long expected = (long) WIDTH * (WIDTH + 1) * (2L * WIDTH + 1) / 6;
        try {
            for (String id : ids) {
                JsonNode status = Http.awaitFinished(hosts.get(0), id, Duration.ofSeconds(180));
                assertThat(status.path("runtimeStatus").asText()).as("status of %s", id).isEqualTo("Completed");
                assertThat(status.path("output").asLong()).as("output of %s", id).isEqualTo(expected);
                hub.assertValidCompletedHistory(id, WIDTH);
            }
        } catch (AssertionError | RuntimeException e) {
            for (SampleHost host : hosts) {
                if (host.isAlive()) {
                    e.addSuppressed(new AssertionError("thread dump: " + host.dumpThreads()));
                }
            }
            throw e;
        }
    }

    /** WARN and ERROR lines each host has logged so far. */
    private long[] warningLines() throws Exception {
        long[] counts = new long[hosts.size()];
        for (int i = 0; i < hosts.size(); i++) {
            counts[i] = hosts.get(i).logText().lines()
                    .filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).count();
        }
        return counts;
    }
}
