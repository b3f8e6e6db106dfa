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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Storage outages under two host processes, against an Azurite of its own that keeps its data on disk:
 * <ul>
 *   <li>Azurite stopped for 30 s and started again on the same ports and data while instances are waiting for
 *       approvals and their timeout timers: the hosts log the failures, back off, keep running, reconnect; every
 *       instance then completes (approved by an event, or escalated by its timer);</li>
 *   <li>Azurite frozen ({@code SIGSTOP}) for 30 s in the middle of 20 fan-outs, so that calls hang instead of failing
 *       fast, then resumed: nothing is lost or stuck, every result is recorded once.</li>
 * </ul>
 * In both, a host logs a bounded number of warnings during the outage (it backs off; no hot loop).
 */
class StorageOutageIT {
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
    void hostsReconnectAfterStorageIsStoppedAndStartedAgain() throws Exception {
        String hubName = "StorageRestartIT";
        HubStorage hub = startAzuriteAndHosts(hubName);
        AzuriteOptions samePortsAndData = new AzuriteOptions(AzuriteExtension.installDir(), data, "127.0.0.1",
                azurite.blobPort(), azurite.queuePort(), azurite.tablePort(), false);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // Even ones get approved after the restart (a timeout far beyond the test, so the event cannot lose a
            // race with the timer while the hosts reconnect); odd ones are escalated by their 45 s timers.
            int timeoutSeconds = i % 2 == 0 ? 600 : 45;
            ids.add(Http.start(hosts.get(i % 2), "ApprovalWorkflow",
                    "{\"requester\":\"r" + i + "\",\"item\":\"laptop\",\"timeoutSeconds\":" + timeoutSeconds
                            + "}"));
        }
        await("every instance waiting for its approval").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> ids.stream().allMatch(id -> hub.history(id)
                        .stream().anyMatch(e -> "TimerCreated".equals(e.getProperty("EventType")))));
        // Azurite saves its metadata every 5 s and may drop the last seconds' writes when it stops (see
        // Azurite#close): let it save what the instances have done, as a storage service would have.
        Thread.sleep(6_000);

        long[] before = warningLines();
        azurite.close();
        Thread.sleep(OUTAGE.toMillis());
        assertOutageLoggedWithoutHotLoop(before);
        azurite = Azurite.start(samePortsAndData);

        // Half get their approval; the other half are escalated when their timers fire.
        for (int i = 0; i < ids.size(); i += 2) {
            String url = Http.instanceUrl(hosts.get(0), ids.get(i), "/raiseEvent/ApprovalEvent");
            await("event accepted after the restart").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> Http.post(url, "{\"approved\":true,\"approver\":\"bob\"}").statusCode() == 202);
        }
        awaitAll(ids, id -> {
            JsonNode status = Http.awaitFinished(hosts.get(0), id, Duration.ofSeconds(180));
            assertThat(status.path("runtimeStatus").asText()).as("status of %s", id).isEqualTo("Completed");
            String outcome = status.path("output").path("outcome").asText();
            assertThat(outcome).as("outcome of %s", id).isEqualTo(ids.indexOf(id) % 2 == 0 ? "Approved" : "Escalated");
        });
    }

    @Test
    void hostsRideOutFrozenStorageInTheMiddleOfFanOuts() throws Exception {
        HubStorage hub = startAzuriteAndHosts("StorageFreezeIT");
        int width = 20;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(Http.start(hosts.get(i % 2), "SumOfSquares", String.valueOf(width)));
        }
        await("some results in history").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> ids.stream().anyMatch(id -> hub.history(id).stream()
                        .anyMatch(e -> "TaskCompleted".equals(e.getProperty("EventType")))));
        assertThat(hub.statuses().values()).as("instances still running when storage freezes").contains("Running");

        long[] before = warningLines();
        signal("STOP", azurite.pid());
        try {
            Thread.sleep(OUTAGE.toMillis());
        } finally {
            signal("CONT", azurite.pid());
        }
        assertOutageLoggedWithoutHotLoop(before);

        long expected = (long) width * (width + 1) * (2L * width + 1) / 6;
        awaitAll(ids, id -> {
            JsonNode status = Http.awaitFinished(hosts.get(0), id, Duration.ofSeconds(180));
            assertThat(status.path("runtimeStatus").asText()).as("status of %s", id).isEqualTo("Completed");
            assertThat(status.path("output").asLong()).as("output of %s", id).isEqualTo(expected);
            hub.assertValidCompletedHistory(id, width);
        });
    }

    private HubStorage startAzuriteAndHosts(String hubName) throws Exception {
        azurite = Azurite.start(new AzuriteOptions(AzuriteExtension.installDir(), data, "127.0.0.1", 0, 0, 0, false));
        for (String worker : List.of(hubName + "-1", hubName + "-2")) {
            hosts.add(new SampleHost(hubName, azurite.connectionString(), SampleHost.SHORT_LOCKS)
                    .withDurableTaskSetting("maxConcurrentActivityFunctions", 2)
                    .withArgs("--worker-id", worker).start());
        }
        return new HubStorage(azurite.connectionString(), hubName);
    }

    private void assertOutageLoggedWithoutHotLoop(long[] before) throws Exception {
        long[] during = warningLines();
        for (int i = 0; i < hosts.size(); i++) {
            assertThat(hosts.get(i).isAlive()).as("host %d survived the outage", i + 1).isTrue();
            long logged = during[i] - before[i];
            assertThat(logged).as("host %d logged the outage", i + 1).isPositive();
            assertThat(logged).as("host %d's warnings during a %d s outage (backing off, not spinning)", i + 1,
                    OUTAGE.toSeconds()).isLessThan(1_000);
        }
    }

    private interface Check {
        void run(String id) throws Exception;
    }

    /** Runs the check for every instance; on failure, attaches thread dumps of the hosts for diagnosis. */
    private void awaitAll(List<String> ids, Check check) throws Exception {
        try {
            for (String id : ids) {
                check.run(id);
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

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s %d", signal, pid)
                .isTrue();
    }
}
