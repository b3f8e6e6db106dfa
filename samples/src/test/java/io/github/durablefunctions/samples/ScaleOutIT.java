package io.github.durablefunctions.samples;

import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three host processes of the samples app share one task hub (4 partitions): they split the control queues through
 * the Partitions table (storage-layout.md §5.1) 2/1/1, run 300 orchestrations to completion, each exactly once; a
 * gracefully stopped host hands its partitions over before their lease would expire; a killed host's partitions are
 * taken over once their lease expires.
 */
@ExtendWith(AzuriteExtension.class)
class ScaleOutIT {
    private static final String HUB = "ScaleOutIT";
    private static final int ORCHESTRATIONS = 300;
    private static final String HELLO_OUTPUT = "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]";

    private final List<SampleHost> hosts = new ArrayList<>();

    @AfterEach
    void stopHosts() throws Exception {
        for (SampleHost host : hosts) {
            host.close();
        }
    }

    @Test
    void threeHostsBalancePartitionsAndCompleteEveryInstanceOnce() throws Exception {
        HubStorage storage = new HubStorage(AzuriteExtension.connectionString(), HUB);
        for (String worker : List.of("host-a", "host-b", "host-c")) {
            hosts.add(new SampleHost(HUB, AzuriteExtension.connectionString(), Map.of())
                    .withArgs("--worker-id", worker).start());
        }
        awaitBalanced(storage, Set.of("host-a", "host-b", "host-c"));

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ORCHESTRATIONS; i++) {
            ids.add(Http.start(hosts.get(i % hosts.size()), "HelloCities", null));
        }
        await("all " + ORCHESTRATIONS + " instances completed").atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(1)).until(() -> {
                    Map<String, String> statuses = storage.statuses();
                    return ids.stream().allMatch(id -> "Completed".equals(statuses.get(id)));
                });
        for (String id : ids) {
            storage.assertValidCompletedHistory(id, 3);
            assertThat(storage.instance(id).getProperty("Output")).as("output of %s", id).isEqualTo(HELLO_OUTPUT);
        }
        assertBalanced(storage.ownerCounts(), 3);

        // Graceful stop: host-c releases its partitions; the others take them before the lease would have expired.
        Map<String, Instant> leaseOfC = leasesOf(storage, "host-c");
        assertThat(leaseOfC).isNotEmpty();
        hosts.get(2).close();
        await("host-c's partitions taken over").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> storage.ownerCounts().keySet().equals(Set.of("host-a", "host-b")));
        Map<String, TableEntity> rows = storage.partitions();
        for (Map.Entry<String, Instant> lease : leaseOfC.entrySet()) {
            Instant ownedSince = instant(rows.get(lease.getKey()).getProperty("OwnedSince"));
            assertThat(ownedSince).as("%s claimed before host-c's lease (to %s) ran out", lease.getKey(),
                    lease.getValue()).isBefore(lease.getValue());
        }
        // Whoever saw the released rows first claimed them; stealing then evens the two out.
        awaitBalanced(storage, Set.of("host-a", "host-b"));

        // SIGKILL: host-b releases nothing; host-a takes its partitions once their lease has expired.
        Map<String, Instant> leaseOfB = leasesOf(storage, "host-b");
        hosts.get(1).kill();
        await("host-b's partitions taken over after expiry").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> storage.ownerCounts().keySet().equals(Set.of("host-a")));
        Map<String, TableEntity> afterKill = storage.partitions();
        for (Map.Entry<String, Instant> lease : leaseOfB.entrySet()) {
            Instant ownedSince = instant(afterKill.get(lease.getKey()).getProperty("OwnedSince"));
            assertThat(ownedSince).as("%s claimed only after host-b's lease expired", lease.getKey())
                    .isAfterOrEqualTo(lease.getValue().minusSeconds(1));
        }

        // The survivor serves every partition: new work completes.
        List<String> more = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            more.add(Http.start(hosts.get(0), "HelloCities", null));
        }
        for (String id : more) {
            assertThat(Http.awaitFinished(hosts.get(0), id, Duration.ofSeconds(120)).path("runtimeStatus").asText())
                    .isEqualTo("Completed");
            storage.assertValidCompletedHistory(id, 3);
        }
    }

    private static void awaitBalanced(HubStorage storage, Set<String> workers) {
        await("partitions balanced over " + workers).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1)).until(() -> {
                    Map<String, Long> counts = storage.ownerCounts();
                    return counts.keySet().equals(workers) && isBalanced(counts);
                });
    }

    private static void assertBalanced(Map<String, Long> counts, int workers) {
        assertThat(counts).as("partition owners").hasSize(workers);
        assertThat(isBalanced(counts)).as("partitions balanced within one: %s", counts).isTrue();
        assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).as("partitions owned").isEqualTo(4);
    }

    private static boolean isBalanced(Map<String, Long> counts) {
        long min = counts.values().stream().mapToLong(Long::longValue).min().orElse(0);
        long max = counts.values().stream().mapToLong(Long::longValue).max().orElse(0);
        return !counts.containsKey("null") && max - min <= 1;
    }

    /** ExpiresAt of the rows a worker owns, by control queue. */
    private static Map<String, Instant> leasesOf(HubStorage storage, String worker) {
        return storage.partitions().values().stream()
                .filter(e -> worker.equals(e.getProperty("CurrentOwner")))
                .collect(Collectors.toMap(TableEntity::getRowKey, e -> instant(e.getProperty("ExpiresAt"))));
    }

    private static Instant instant(Object value) {
        return value instanceof OffsetDateTime t ? t.toInstant() : Instant.parse(String.valueOf(value));
    }
}
