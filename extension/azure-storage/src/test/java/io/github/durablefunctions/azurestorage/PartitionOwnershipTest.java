package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Control-queue ownership through the {@code {H}Partitions} table (storage-layout.md §5.1). */
@ExtendWith(AzuriteExtension.class)
class PartitionOwnershipTest {
    static final String HUB = "PartitionHub";

    static List<TableEntity> partitionRows() {
        return StorageTestSupport.rows(HUB + "Partitions", "");
    }

    static Instant instant(Object value) {
        return ((OffsetDateTime) value).toInstant();
    }

    @Test
    void workersClaimRenewHandOverAndReleasePartitionsThroughTheTableRows() {
        AzureStorageOrchestrationService a = new AzureStorageOrchestrationService(
                StorageTestSupport.settings(HUB).partitionCount(2).workerId("worker-A").build());
        AzureStorageOrchestrationService b = new AzureStorageOrchestrationService(
                StorageTestSupport.settings(HUB).partitionCount(2).workerId("worker-B").build());
        try {
            Instant beforeClaim = Instant.now();
            a.start();
            List<TableEntity> rows = partitionRows();
            assertThat(rows).extracting(TableEntity::getRowKey)
                    .containsExactly("partitionhub-control-00", "partitionhub-control-01");
            assertThat(rows).allSatisfy(row -> {
                assertThat(row.getPartitionKey()).isEmpty();
                assertThat(row.getProperty("CurrentOwner")).isEqualTo("worker-A");
                assertThat(row.getProperty("NextOwner")).isNull();
                assertThat(row.getProperty("IsDraining")).isEqualTo(false);
                assertThat(instant(row.getProperty("OwnedSince"))).isAfterOrEqualTo(beforeClaim.minusSeconds(1));
                assertThat(instant(row.getProperty("LastRenewal"))).isAfterOrEqualTo(beforeClaim.minusSeconds(1));
                // A claim lasts a minute.
                assertThat(Duration.between(instant(row.getProperty("LastRenewal")),
                        instant(row.getProperty("ExpiresAt")))).isEqualTo(Duration.ofMinutes(1));
            });
            assertThat(a.ownedControlQueues()).containsExactly("partitionhub-control-00", "partitionhub-control-01");
            assertThat(a.listeningQueues()).containsExactlyInAnyOrder("partitionhub-control-00",
                    "partitionhub-control-01");

            // A second worker finds nothing free while the first one's leases are valid.
            b.start();
            assertThat(b.ownedControlQueues()).isEmpty();
            assertThat(b.listeningQueues()).isEmpty();

            // Renewal: ExpiresAt = now + 30 s.
            a.partitionManager().runOnce();
            assertThat(partitionRows()).allSatisfy(row -> {
                assertThat(row.getProperty("CurrentOwner")).isEqualTo("worker-A");
                assertThat(Duration.between(instant(row.getProperty("LastRenewal")),
                        instant(row.getProperty("ExpiresAt")))).isEqualTo(Duration.ofSeconds(30));
            });

            // Worker B asks for partition 00 (NextOwner): A stops listening and releases it, B claims it.
            TableClient table = StorageTestSupport.tables().getTableClient(HUB + "Partitions");
            TableEntity row0 = table.getEntity("", "partitionhub-control-00");
            row0.addProperty("NextOwner", "worker-B");
            table.updateEntity(row0, TableEntityUpdateMode.MERGE);
            a.partitionManager().runOnce();
            assertThat(a.ownedControlQueues()).containsExactly("partitionhub-control-01");
            assertThat(a.listeningQueues()).containsExactly("partitionhub-control-01");
            TableEntity released = table.getEntity("", "partitionhub-control-00");
            assertThat(released.getProperty("CurrentOwner")).isNull();
            assertThat(released.getProperty("NextOwner")).isEqualTo("worker-B");
            b.partitionManager().runOnce();
            assertThat(b.ownedControlQueues()).containsExactly("partitionhub-control-00");
            assertThat(b.listeningQueues()).containsExactly("partitionhub-control-00");
            TableEntity claimed = table.getEntity("", "partitionhub-control-00");
            assertThat(claimed.getProperty("CurrentOwner")).isEqualTo("worker-B");
            assertThat(claimed.getProperty("NextOwner")).isNull();

            // Stopping releases what a worker owns; the other one then claims it.
            a.stop();
            assertThat(table.getEntity("", "partitionhub-control-01").getProperty("CurrentOwner")).isNull();
            assertThat(a.listeningQueues()).isEmpty();
            b.partitionManager().runOnce();
            assertThat(b.ownedControlQueues()).containsExactly("partitionhub-control-00", "partitionhub-control-01");
            assertThat(partitionRows()).allSatisfy(row ->
                    assertThat(row.getProperty("CurrentOwner")).isEqualTo("worker-B"));
        } finally {
            a.close();
            b.close();
        }
        assertThat(partitionRows()).allSatisfy(row -> assertThat(row.getProperty("CurrentOwner")).isNull());
    }

    @Test
    void anExpiredLeaseOfAnotherWorkerIsTakenOver() {
        String hub = "ExpiredLeaseHub";
        AzureStorageOrchestrationService b = new AzureStorageOrchestrationService(
                StorageTestSupport.settings(hub).partitionCount(1).workerId("worker-B").build());
        try {
            b.createTaskHubIfNotExists();
            TableClient table = StorageTestSupport.tables().getTableClient(hub + "Partitions");
            TableEntity row = table.getEntity("", "expiredleasehub-control-00");
            row.addProperty("CurrentOwner", "crashed-worker");
            row.addProperty("ExpiresAt", OffsetDateTime.now().minusSeconds(5));
            table.updateEntity(row, TableEntityUpdateMode.MERGE);
            b.start();
            assertThat(b.ownedControlQueues()).containsExactly("expiredleasehub-control-00");
            assertThat(table.getEntity("", "expiredleasehub-control-00").getProperty("CurrentOwner"))
                    .isEqualTo("worker-B");
        } finally {
            b.close();
        }
    }
}
