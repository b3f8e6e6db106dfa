package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scale-out across processes through the {@code {H}Partitions} table (storage-layout.md §5.1), with several services
 * of different worker IDs on one task hub in one JVM, their partition loops running (at a faster pace than the
 * 10 s default so the tests take seconds; leases keep their §5.1 lengths unless a test says otherwise), and real
 * {@link DurableTaskWorker}s wherever work must flow.
 */
@ExtendWith(AzuriteExtension.class)
class PartitionScaleOutTest {
    /** The §5.1 timing with a 300 ms loop and a 100 ms poll while draining or waiting for a release. */
    static final TablePartitionManager.Timing FAST_LOOP = new TablePartitionManager.Timing(
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMillis(300), Duration.ofMillis(100),
            Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofMinutes(10));

    static AzureStorageOrchestrationService service(String hub, int partitions, String workerId,
                                                    TablePartitionManager.Timing timing,
                                                    UnaryOperator<AzureStorageOrchestrationServiceSettings.Builder>
                                                            tuning) {
        AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(tuning.apply(
                StorageTestSupport.settings(hub).partitionCount(partitions).workerId(workerId)).build());
        service.partitionManager().timing(timing);
        return service;
    }

    static AzureStorageOrchestrationService service(String hub, int partitions, String workerId) {
        return service(hub, partitions, workerId, FAST_LOOP, b -> b);
    }

    /** CurrentOwner by control queue, as the Partitions table says now. */
    static Map<String, String> owners(String hub) {
        Map<String, String> owners = new TreeMap<>();
        for (TableEntity row : StorageTestSupport.rows(hub + "Partitions", "")) {
            owners.put(row.getRowKey(), (String) row.getProperty("CurrentOwner"));
        }
        return owners;
    }

    /** How many rows each worker owns, sorted descending, e.g. [2, 1, 1]. */
    static List<Integer> shares(Map<String, String> owners) {
        Map<String, Integer> counts = new HashMap<>();
        owners.values().forEach(o -> counts.merge(String.valueOf(o), 1, Integer::sum));
        List<Integer> shares = new ArrayList<>(counts.values());
        shares.sort((x, y) -> y - x);
        return shares;
    }

    static boolean noneStolenOrDraining(String hub) {
        return StorageTestSupport.rows(hub + "Partitions", "").stream().allMatch(r ->
                r.getProperty("NextOwner") == null && Boolean.FALSE.equals(r.getProperty("IsDraining")));
    }

    /** Every service reads exactly the queues it owns, and the table agrees. */
    static boolean consistent(String hub, Collection<AzureStorageOrchestrationService> services) {
        Map<String, String> owners = owners(hub);
        for (AzureStorageOrchestrationService s : services) {
            String me = s.getSettings().getWorkerId();
            List<String> rows = owners.entrySet().stream().filter(e -> me.equals(e.getValue()))
                    .map(Map.Entry::getKey).sorted().toList();
            if (!rows.equals(List.copyOf(s.ownedControlQueues()))
                    || !rows.equals(s.listeningQueues().stream().sorted().toList())) {
                return false;
            }
        }
        return true;
    }

    static long executionCompletedRows(String hub, String instanceId) {
        return StorageTestSupport.rows(hub + "History", instanceId).stream()
                .filter(r -> "ExecutionCompleted".equals(r.getProperty("EventType"))).count();
    }

    @Test
    void joiningWorkersStealTowardABalancedShareAndThenStayPut() {
        String hub = "BalanceHub";
        AzureStorageOrchestrationService a = service(hub, 4, "worker-A");
        AzureStorageOrchestrationService b = service(hub, 4, "worker-B");
        AzureStorageOrchestrationService c = service(hub, 4, "worker-C");
        try {
            a.start();
            assertThat(owners(hub).values()).containsOnly("worker-A");

            b.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> shares(owners(hub)).equals(List.of(2, 2))
                    && noneStolenOrDraining(hub) && consistent(hub, List.of(a, b)));

            c.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> shares(owners(hub)).equals(List.of(2, 1, 1))
                    && noneStolenOrDraining(hub) && consistent(hub, List.of(a, b, c)));
            assertThat(owners(hub).values()).contains("worker-A", "worker-B", "worker-C");

            // Steady state: over many passes of all three loops (300 ms each), no row moves, nobody asks for one.
            Map<String, String> settled = owners(hub);
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() ->
                    owners(hub).equals(settled) && noneStolenOrDraining(hub));
            assertThat(consistent(hub, List.of(a, b, c))).isTrue();
        } finally {
            c.close();
            b.close();
            a.close();
        }
    }

    @Test
    void bufferedMessagesOfAStolenQueueAreHandedBackAndProcessedByTheNewOwner() throws Exception {
        String hub = "HandBackHub";
        // Messages stay invisible for 5 minutes once received: only the hand-back can make them visible sooner.
        UnaryOperator<AzureStorageOrchestrationServiceSettings.Builder> fiveMinutes =
                s -> s.controlQueueVisibilityTimeout(Duration.ofMinutes(5));
        AzureStorageOrchestrationService a = service(hub, 2, "worker-A", FAST_LOOP, fiveMinutes);
        AzureStorageOrchestrationService b = service(hub, 2, "worker-B", FAST_LOOP, fiveMinutes);
        DurableTaskWorker workerB = DurableTaskWorker.builder().service(b)
                .addOrchestrator("Greet", ctx -> "Hello " + ctx.getInput(String.class))
                .build();
        try {
            // A owns both queues and buffers one start message on each; it runs no worker, so nothing is processed.
            a.start();
            DurableTaskClient client = new BackendDurableTaskClient(a, new JacksonDataConverter());
            String q0 = "handbackhub-control-00";
            String q1 = "handbackhub-control-01";
            String onQ0 = PartitionOwnershipTest.instanceOn(a, q0, "greet");
            String onQ1 = PartitionOwnershipTest.instanceOn(a, q1, "greet");
            client.scheduleNewOrchestrationInstance("Greet", "zero", onQ0);
            client.scheduleNewOrchestrationInstance("Greet", "one", onQ1);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.bufferedMessageCount(q0) == 1
                    && a.bufferedMessageCount(q1) == 1);

            // B joins and steals control-00 (its fair share); A drains it and hands the message back at once.
            workerB.start();
            OrchestrationMetadata done = client.waitForInstanceCompletion(onQ0, Duration.ofSeconds(60), true);
            assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(done.readOutputAs(String.class)).isEqualTo("Hello zero");
            assertThat(owners(hub)).containsEntry(q0, "worker-B").containsEntry(q1, "worker-A");

            // The other queue stayed with A: its message is still buffered there, unprocessed.
            assertThat(a.bufferedMessageCount(q1)).isEqualTo(1);
            assertThat(client.getInstanceMetadata(onQ1, false).getRuntimeStatus())
                    .isEqualTo(OrchestrationRuntimeStatus.PENDING);
        } finally {
            workerB.close();
            a.close();
        }
    }

    @Test
    void aGracefulStopHandsThePartitionsAndBufferedMessagesOverWithoutWaitingForExpiry() throws Exception {
        String hub = "GracefulStopHub";
        UnaryOperator<AzureStorageOrchestrationServiceSettings.Builder> fiveMinutes =
                s -> s.controlQueueVisibilityTimeout(Duration.ofMinutes(5));
        AzureStorageOrchestrationService a = service(hub, 2, "worker-A", FAST_LOOP, fiveMinutes);
        AzureStorageOrchestrationService b = service(hub, 2, "worker-B", FAST_LOOP, fiveMinutes);
        DurableTaskWorker workerB = DurableTaskWorker.builder().service(b)
                .addOrchestrator("Greet", ctx -> "Hello " + ctx.getInput(String.class))
                .build();
        try {
            String q0 = "gracefulstophub-control-00";
            String q1 = "gracefulstophub-control-01";
            a.start();
            workerB.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> shares(owners(hub)).equals(List.of(1, 1))
                    && noneStolenOrDraining(hub) && consistent(hub, List.of(a, b)));
            String queueOfA = a.ownedControlQueues().iterator().next();
            assertThat(queueOfA).isIn(q0, q1);

            // A start message on A's queue is buffered by A (A runs no worker).
            DurableTaskClient client = new BackendDurableTaskClient(b, new JacksonDataConverter());
            String id = PartitionOwnershipTest.instanceOn(a, queueOfA, "stop");
            client.scheduleNewOrchestrationInstance("Greet", "after stop", id);
            await().atMost(Duration.ofSeconds(20)).until(() -> a.bufferedMessageCount(queueOfA) == 1);
            Instant leaseOfA = PartitionOwnershipTest.instant(
                    PartitionOwnershipTest.row(hub, queueOfA).getProperty("ExpiresAt"));

            // A stops gracefully: when stop() returns, its row is released (not left to expire).
            a.stop();
            TableEntity released = PartitionOwnershipTest.row(hub, queueOfA);
            assertThat(released.getProperty("CurrentOwner")).isNotEqualTo("worker-A");
            assertThat(a.ownedControlQueues()).isEmpty();
            assertThat(a.listeningQueues()).isEmpty();
            assertThat(a.bufferedMessageCount(queueOfA)).isZero();

            // B takes it over before A's lease would have expired, and runs the handed-back message well within
            // the 5-minute visibility timeout.
            await().atMost(Duration.ofSeconds(20)).until(() -> "worker-B".equals(owners(hub).get(queueOfA)));
            Instant ownedSince = PartitionOwnershipTest.instant(
                    PartitionOwnershipTest.row(hub, queueOfA).getProperty("OwnedSince"));
            assertThat(ownedSince).isBefore(leaseOfA);
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
            assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(done.readOutputAs(String.class)).isEqualTo("Hello after stop");
            assertThat(owners(hub).values()).containsOnly("worker-B");
        } finally {
            a.close();
            workerB.close();
        }
    }

    @Test
    void aFrozenWorkerLosesItsPartitionAfterExpiryItsLateCheckpointIsRefusedAndItDropsTheQueueWhenItResumes()
            throws Exception {
        String hub = "FrozenHub";
        String q0 = "frozenhub-control-00";
        // Short leases, and a short visibility timeout so that B can receive the message A holds in flight.
        TablePartitionManager.Timing shortLeases = new TablePartitionManager.Timing(Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofSeconds(2),
                Duration.ofSeconds(60), Duration.ofMinutes(10));
        UnaryOperator<AzureStorageOrchestrationServiceSettings.Builder> shortVisibility =
                s -> s.controlQueueVisibilityTimeout(Duration.ofSeconds(3));
        AzureStorageOrchestrationService a = service(hub, 1, "worker-A", shortLeases, shortVisibility);
        AzureStorageOrchestrationService b = service(hub, 1, "worker-B", shortLeases, shortVisibility);
        CountDownLatch enteredOnA = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        DurableTaskWorker workerA = DurableTaskWorker.builder().service(a)
                .addOrchestrator("Who", ctx -> {
                    enteredOnA.countDown();
                    releaseA.await(60, TimeUnit.SECONDS);
                    return "A";
                })
                .build();
        DurableTaskWorker workerB = DurableTaskWorker.builder().service(b)
                .addOrchestrator("Who", ctx -> "B")
                .build();
        try {
            workerA.start();
            workerB.start();
            assertThat(owners(hub)).containsEntry(q0, "worker-A");
            DurableTaskClient client = new BackendDurableTaskClient(b, new JacksonDataConverter());
            String id = client.scheduleNewOrchestrationInstance("Who");
            assertThat(enteredOnA.await(30, TimeUnit.SECONDS)).isTrue();

            // A's process "freezes": its partition loop stops renewing. After ExpiresAt, B claims the partition.
            a.partitionManager().suspend();
            await().atMost(Duration.ofSeconds(30)).until(() -> "worker-B".equals(owners(hub).get(q0)));
            assertThat(b.ownedControlQueues()).containsExactly(q0);
            assertThat(a.listeningQueues()).containsExactly(q0); // A has not noticed yet

            // B runs the instance from the message A still holds (visible again after its visibility timeout).
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(60), true);
            assertThat(done.readOutputAs(String.class)).isEqualTo("B");

            // A's episode ends now; its checkpoint finds B's history (sentinel ETag) and is refused, then abandoned.
            releaseA.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> a.inFlightWorkItems(q0) == 0);
            assertThat(executionCompletedRows(hub, id)).isEqualTo(1);
            assertThat(client.getInstanceMetadata(id, true).readOutputAs(String.class)).isEqualTo("B");

            // A resumes: it sees B owns the row, stops reading the queue and lets go of it.
            a.partitionManager().resume();
            await().atMost(Duration.ofSeconds(10)).until(() -> a.ownedControlQueues().isEmpty()
                    && a.listeningQueues().isEmpty());
            assertThat(a.bufferedMessageCount(q0)).isZero();
            assertThat(owners(hub)).containsEntry(q0, "worker-B");
        } finally {
            releaseA.countDown();
            workerA.close();
            workerB.close();
        }
    }

    @Test
    void orchestrationsStartedAcrossThreeWorkersCompleteExactlyOnce() throws Exception {
        String hub = "ThreeWorkersHub";
        List<AzureStorageOrchestrationService> services = new ArrayList<>();
        List<DurableTaskWorker> workers = new ArrayList<>();
        for (String name : List.of("worker-A", "worker-B", "worker-C")) {
            AzureStorageOrchestrationService service = service(hub, 4, name);
            services.add(service);
            workers.add(DurableTaskWorker.builder().service(service)
                    .addOrchestrator("Chain", ctx -> {
                        int n = ctx.getInput(Integer.class);
                        n = ctx.callActivity("Inc", n, Integer.class).await();
                        n = ctx.callActivity("Inc", n, Integer.class).await();
                        return ctx.callActivity("Inc", n, Integer.class).await();
                    })
                    .addActivity("Inc", ctx -> ctx.getInput(Integer.class) + 1)
                    .build());
        }
        DurableTaskClient client = new BackendDurableTaskClient(services.get(0), new JacksonDataConverter());
        Map<String, Integer> started = new TreeMap<>();
        try {
            // Workers join one by one while orchestrations are running: partitions move under load.
            for (int w = 0; w < 3; w++) {
                workers.get(w).start();
                for (int i = 0; i < 15; i++) {
                    int input = w * 100 + i;
                    started.put(client.scheduleNewOrchestrationInstance("Chain", input), input);
                }
            }
            for (Map.Entry<String, Integer> e : started.entrySet()) {
                OrchestrationMetadata done = client.waitForInstanceCompletion(e.getKey(), Duration.ofSeconds(120),
                        true);
                assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
                assertThat(done.readOutputAs(Integer.class)).isEqualTo(e.getValue() + 3);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> shares(owners(hub)).equals(List.of(2, 1, 1))
                    && noneStolenOrDraining(hub) && consistent(hub, services));

            // One worker leaves gracefully; new orchestrations complete on the other two, which share 2/2.
            workers.get(2).close();
            Map<String, Integer> more = new TreeMap<>();
            for (int i = 0; i < 10; i++) {
                more.put(client.scheduleNewOrchestrationInstance("Chain", 1000 + i), 1000 + i);
            }
            for (Map.Entry<String, Integer> e : more.entrySet()) {
                OrchestrationMetadata done = client.waitForInstanceCompletion(e.getKey(), Duration.ofSeconds(120),
                        true);
                assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
                assertThat(done.readOutputAs(Integer.class)).isEqualTo(e.getValue() + 3);
            }
            started.putAll(more);
            await().atMost(Duration.ofSeconds(30)).until(() -> shares(owners(hub)).equals(List.of(2, 2))
                    && noneStolenOrDraining(hub) && consistent(hub, services.subList(0, 2)));

            // Exactly once: each instance's history holds one ExecutionCompleted.
            for (String id : started.keySet()) {
                assertThat(executionCompletedRows(hub, id)).as(id).isEqualTo(1);
            }
        } finally {
            workers.forEach(DurableTaskWorker::close);
        }
    }
}
