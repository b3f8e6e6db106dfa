package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.storage.queue.models.PeekedMessageItem;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Control-queue ownership through the {@code {H}Partitions} table (storage-layout.md §5.1), pass by pass: the
 * managers' own loops are suspended ({@link TablePartitionManager#suspend()}) and each test runs the passes
 * ({@link TablePartitionManager#runOnce()}) itself, then looks at the rows.
 */
@ExtendWith(AzuriteExtension.class)
class PartitionOwnershipTest {

    static List<TableEntity> partitionRows(String hub) {
        return StorageTestSupport.rows(hub + "Partitions", "");
    }

    static TableEntity row(String hub, String queue) {
        return StorageTestSupport.tables().getTableClient(hub + "Partitions").getEntity("", queue);
    }

    static Instant instant(Object value) {
        return ((OffsetDateTime) value).toInstant();
    }

    static AzureStorageOrchestrationService service(String hub, int partitions, String workerId) {
        return new AzureStorageOrchestrationService(
                StorageTestSupport.settings(hub).partitionCount(partitions).workerId(workerId).build());
    }

    /** An instance ID that maps to {@code queue} (storage-layout.md §2). */
    static String instanceOn(AzureStorageOrchestrationService service, String queue, String prefix) {
        for (int i = 0; ; i++) {
            String id = prefix + "-" + i;
            if (service.names().controlQueueFor(id).equals(queue)) {
                return id;
            }
        }
    }

    @Test
    void claimsAndRenewalsWriteTheSection51Columns() {
        String hub = "ClaimRenewHub";
        AzureStorageOrchestrationService a = service(hub, 2, "worker-A");
        try {
            Instant beforeClaim = Instant.now();
            a.start();
            a.partitionManager().suspend();
            List<TableEntity> rows = partitionRows(hub);
            assertThat(rows).extracting(TableEntity::getRowKey)
                    .containsExactly("claimrenewhub-control-00", "claimrenewhub-control-01");
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
            assertThat(a.ownedControlQueues()).containsExactly("claimrenewhub-control-00", "claimrenewhub-control-01");
            assertThat(a.listeningQueues()).containsExactlyInAnyOrder("claimrenewhub-control-00",
                    "claimrenewhub-control-01");

            // Renewal: ExpiresAt = now + 30 s; OwnedSince stays.
            a.partitionManager().runOnce();
            assertThat(partitionRows(hub)).allSatisfy(row -> {
                assertThat(row.getProperty("CurrentOwner")).isEqualTo("worker-A");
                assertThat(row.getProperty("IsDraining")).isEqualTo(false);
                assertThat(Duration.between(instant(row.getProperty("LastRenewal")),
                        instant(row.getProperty("ExpiresAt")))).isEqualTo(Duration.ofSeconds(30));
                assertThat(instant(row.getProperty("OwnedSince"))).isBefore(instant(row.getProperty("LastRenewal")));
            });
        } finally {
            a.close();
        }
        // A graceful stop released both rows.
        assertThat(partitionRows(hub)).allSatisfy(row -> {
            assertThat(row.getProperty("CurrentOwner")).isNull();
            assertThat(row.getProperty("IsDraining")).isEqualTo(false);
        });
        assertThat(a.listeningQueues()).isEmpty();
    }

    @Test
    void aStolenPartitionIsDrainedAndReleasedOnlyAfterItsWorkItemInFlightIsDone() throws Exception {
        String hub = "StealDrainHub";
        String q0 = "stealdrainhub-control-00";
        String q1 = "stealdrainhub-control-01";
        AzureStorageOrchestrationService a = service(hub, 2, "worker-A");
        AzureStorageOrchestrationService b = service(hub, 2, "worker-B");
        try {
            a.start();
            a.partitionManager().suspend();
            DurableTaskClient client = new BackendDurableTaskClient(a, new JacksonDataConverter());

            // A work item of control-00 in flight on A, and a message of control-00 buffered on A.
            String inFlight = instanceOn(a, q0, "in-flight");
            client.scheduleNewOrchestrationInstance("Anything", null, inFlight);
            OrchestrationWorkItem item = StorageTestSupport.lockWithin(a, Duration.ofSeconds(20));
            assertThat(item).isNotNull();
            assertThat(item.getInstanceId()).isEqualTo(inFlight);
            String buffered = instanceOn(a, q0, "buffered");
            client.scheduleNewOrchestrationInstance("Anything", null, buffered);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.bufferedMessageCount(q0) == 1);

            // B joins: target floor(2 / (1 + 1)) = 1, so it steals one partition (NextOwner = B).
            b.start();
            b.partitionManager().suspend();
            assertThat(b.ownedControlQueues()).isEmpty();
            TableEntity stolen = row(hub, q0);
            assertThat(stolen.getProperty("CurrentOwner")).isEqualTo("worker-A");
            assertThat(stolen.getProperty("NextOwner")).isEqualTo("worker-B");
            assertThat(stolen.getProperty("IsDraining")).isEqualTo(false);
            assertThat(row(hub, q1).getProperty("NextOwner")).isNull();

            // A sees the request: it drains control-00. It stops reading it, hands the buffered message back at once
            // (visible again: peek shows only visible messages), and keeps renewing with IsDraining = true.
            a.partitionManager().runOnce();
            assertThat(a.listeningQueues()).containsExactly(q1);
            assertThat(a.bufferedMessageCount(q0)).isZero();
            List<PeekedMessageItem> visible = new ArrayList<>();
            StorageTestSupport.queues().getQueueClient(q0).peekMessages(32, null, null).forEach(visible::add);
            assertThat(visible).hasSize(1);
            assertThat(visible.get(0).getBody().toString()).contains(buffered);
            TableEntity draining = row(hub, q0);
            assertThat(draining.getProperty("CurrentOwner")).isEqualTo("worker-A");
            assertThat(draining.getProperty("NextOwner")).isEqualTo("worker-B");
            assertThat(draining.getProperty("IsDraining")).isEqualTo(true);
            assertThat(Duration.between(instant(draining.getProperty("LastRenewal")),
                    instant(draining.getProperty("ExpiresAt")))).isEqualTo(Duration.ofSeconds(30));
            assertThat(a.ownedControlQueues()).containsExactly(q0, q1);

            // While the work item is in flight, A does not release, and B cannot claim.
            b.partitionManager().runOnce();
            a.partitionManager().runOnce();
            assertThat(a.inFlightWorkItems(q0)).isEqualTo(1);
            assertThat(row(hub, q0).getProperty("CurrentOwner")).isEqualTo("worker-A");
            assertThat(row(hub, q0).getProperty("IsDraining")).isEqualTo(true);
            assertThat(b.ownedControlQueues()).isEmpty();

            // The work item ends (abandoned here): the next pass releases the row to B.
            a.abandonOrchestrationWorkItem(item);
            assertThat(a.inFlightWorkItems(q0)).isZero();
            a.partitionManager().runOnce();
            TableEntity released = row(hub, q0);
            assertThat(released.getProperty("CurrentOwner")).isNull();
            assertThat(released.getProperty("NextOwner")).isEqualTo("worker-B");
            assertThat(released.getProperty("IsDraining")).isEqualTo(false);
            assertThat(a.ownedControlQueues()).containsExactly(q1);

            // B claims it: CurrentOwner = B, NextOwner cleared, a one-minute claim; B reads the queue.
            Instant beforeClaim = Instant.now();
            b.partitionManager().runOnce();
            TableEntity claimed = row(hub, q0);
            assertThat(claimed.getProperty("CurrentOwner")).isEqualTo("worker-B");
            assertThat(claimed.getProperty("NextOwner")).isNull();
            assertThat(claimed.getProperty("IsDraining")).isEqualTo(false);
            assertThat(instant(claimed.getProperty("OwnedSince"))).isAfterOrEqualTo(beforeClaim.minusSeconds(1));
            assertThat(Duration.between(instant(claimed.getProperty("LastRenewal")),
                    instant(claimed.getProperty("ExpiresAt")))).isEqualTo(Duration.ofMinutes(1));
            assertThat(b.ownedControlQueues()).containsExactly(q0);
            assertThat(b.listeningQueues()).containsExactly(q0);
            // The handed-back message reaches B without waiting for the 5-minute visibility timeout.
            await().atMost(Duration.ofSeconds(20)).until(() -> b.bufferedMessageCount(q0) >= 1);

            // 1/1 is balanced: further passes change no owner.
            a.partitionManager().runOnce();
            b.partitionManager().runOnce();
            assertThat(partitionRows(hub)).extracting(r -> r.getProperty("CurrentOwner"))
                    .containsExactly("worker-B", "worker-A");
            assertThat(partitionRows(hub)).allSatisfy(r -> assertThat(r.getProperty("NextOwner")).isNull());
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aShuttingDownOwnerDrainsItsPartitionWhichAnotherWorkerStealsAndClaimsOnRelease() throws Exception {
        String hub = "ShutdownStealHub";
        String q0 = "shutdownstealhub-control-00";
        AzureStorageOrchestrationService a = service(hub, 1, "worker-A");
        AzureStorageOrchestrationService b = service(hub, 1, "worker-B");
        try {
            a.start();
            DurableTaskClient client = new BackendDurableTaskClient(a, new JacksonDataConverter());
            client.scheduleNewOrchestrationInstance("Anything", null, "held");
            OrchestrationWorkItem item = StorageTestSupport.lockWithin(a, Duration.ofSeconds(20));
            assertThat(item).isNotNull();
            // One partition, two workers: the target is 0, B does not steal for balance.
            b.start();
            b.partitionManager().suspend();
            assertThat(row(hub, q0).getProperty("NextOwner")).isNull();

            // A stops while its work item is in flight: it drains, renewing with IsDraining = true, NextOwner null.
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(a::stop);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    Boolean.TRUE.equals(row(hub, q0).getProperty("IsDraining")));
            TableEntity draining = row(hub, q0);
            assertThat(draining.getProperty("CurrentOwner")).isEqualTo("worker-A");
            assertThat(draining.getProperty("NextOwner")).isNull();
            assertThat(a.listeningQueues()).isEmpty();

            // B sees an owner shutting down and steals the partition.
            b.partitionManager().runOnce();
            assertThat(row(hub, q0).getProperty("NextOwner")).isEqualTo("worker-B");
            assertThat(row(hub, q0).getProperty("CurrentOwner")).isEqualTo("worker-A");
            assertThat(stopping).isNotDone();

            // The work item ends: A releases the row to B and stop() returns; B claims it.
            a.abandonOrchestrationWorkItem(item);
            stopping.get(20, TimeUnit.SECONDS);
            TableEntity released = row(hub, q0);
            assertThat(released.getProperty("CurrentOwner")).isNull();
            assertThat(released.getProperty("NextOwner")).isEqualTo("worker-B");
            assertThat(released.getProperty("IsDraining")).isEqualTo(false);
            b.partitionManager().runOnce();
            assertThat(row(hub, q0).getProperty("CurrentOwner")).isEqualTo("worker-B");
            assertThat(b.listeningQueues()).containsExactly(q0);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aPendingStealIsWithdrawnWhenTheStealerShutsDown() {
        String hub = "WithdrawHub";
        String q0 = "withdrawhub-control-00";
        AzureStorageOrchestrationService a = service(hub, 2, "worker-A");
        AzureStorageOrchestrationService b = service(hub, 2, "worker-B");
        try {
            a.start();
            a.partitionManager().suspend();
            b.start();
            assertThat(row(hub, q0).getProperty("NextOwner")).isEqualTo("worker-B");

            b.stop();
            TableEntity row = row(hub, q0);
            assertThat(row.getProperty("CurrentOwner")).isEqualTo("worker-A");
            assertThat(row.getProperty("NextOwner")).isNull();
            a.partitionManager().runOnce();
            assertThat(a.ownedControlQueues()).containsExactly(q0, "withdrawhub-control-01");
            assertThat(a.listeningQueues()).containsExactlyInAnyOrder(q0, "withdrawhub-control-01");
            assertThat(row(hub, q0).getProperty("IsDraining")).isEqualTo(false);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void anExpiredLeaseOfAnotherWorkerIsTakenOver() {
        String hub = "ExpiredLeaseHub";
        AzureStorageOrchestrationService b = service(hub, 1, "worker-B");
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

    @Test
    void renewalsGoInOneTransactionAndFallBackRowByRowWhenARowChanged() {
        String hub = "BatchRenewHub";
        AzureStorageOrchestrationService a = service(hub, 3, "worker-A");
        try {
            a.start();
            a.partitionManager().suspend();
            TableClient table = StorageTestSupport.tables().getTableClient(hub + "Partitions");

            // All rows unchanged since they were read: one transaction writes them all.
            List<TableEntity> read = partitionRows(hub);
            java.util.Map<TableEntity, java.util.Map<String, Object>> changes = new java.util.LinkedHashMap<>();
            for (TableEntity row : read) {
                java.util.Map<String, Object> p = new java.util.HashMap<>(row.getProperties());
                p.put("IsDraining", false);
                p.put("LastRenewal", java.time.OffsetDateTime.parse("2030-01-01T00:00:00Z"));
                changes.put(row, p);
            }
            StorageTransactionCount before = a.getStorageTransactionCount();
            assertThat(a.partitionManager().replaceAll(changes).values()).containsExactly(true, true, true);
            StorageTransactionCount used = a.getStorageTransactionCount().minus(before);
            assertThat(used.byKind()).containsExactly(java.util.Map.entry("table.batch", 1L));
            assertThat(partitionRows(hub)).allSatisfy(row ->
                    assertThat(instant(row.getProperty("LastRenewal"))).isEqualTo(Instant.parse("2030-01-01T00:00:00Z")));

            // Another worker changed the second row after it was read: the transaction is refused as a whole, and
            // the rows are written one by one, all but the changed one.
            List<TableEntity> reread = partitionRows(hub);
            TableEntity stolen = reread.get(1);
            TableEntity steal = new TableEntity("", stolen.getRowKey()).setProperties(stolen.getProperties());
            steal.addProperty("NextOwner", "worker-B");
            table.updateEntity(steal, TableEntityUpdateMode.MERGE);
            changes.clear();
            for (TableEntity row : reread) {
                java.util.Map<String, Object> p = new java.util.HashMap<>(row.getProperties());
                p.put("LastRenewal", java.time.OffsetDateTime.parse("2031-01-01T00:00:00Z"));
                changes.put(row, p);
            }
            assertThat(a.partitionManager().replaceAll(changes).values()).containsExactly(true, false, true);
            assertThat(instant(row(hub, reread.get(0).getRowKey()).getProperty("LastRenewal")))
                    .isEqualTo(Instant.parse("2031-01-01T00:00:00Z"));
            TableEntity kept = row(hub, stolen.getRowKey());
            assertThat(kept.getProperty("NextOwner")).isEqualTo("worker-B");
            assertThat(instant(kept.getProperty("LastRenewal"))).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
            assertThat(instant(row(hub, reread.get(2).getRowKey()).getProperty("LastRenewal")))
                    .isEqualTo(Instant.parse("2031-01-01T00:00:00Z"));
        } finally {
            a.close();
        }
    }
}
