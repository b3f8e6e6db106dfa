package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.EntityCriticalSection;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Critical sections (storage-layout.md §9 "Critical section (lock) protocol") through the real worker on Azurite:
 * two orchestrations that repeatedly lock overlapping entity sets, given in different orders, both finish (the
 * sorted lock order prevents deadlock) and never interleave their read-modify-write sections; and a third party's
 * signal to a locked entity waits in its queue until the lock is released.
 */
@ExtendWith(AzuriteExtension.class)
class EntityLockingTest {
    static final String HUB = "EntityLockingHub";
    static final Duration WITHIN = Duration.ofSeconds(180);
    static final int ROUNDS = 4;
    static AzureStorageOrchestrationService service;
    static TestEntities.Running running;
    static DurableTaskClient client;
    static DurableEntityClient entities;

    /** The input of "Sections": who I am, the keys of the guarded entities to lock (in this order), how often. */
    public static final class SectionsInput {
        public String me;
        public List<String> keys;
        public int rounds;

        public SectionsInput() {
        }

        SectionsInput(String me, List<String> keys, int rounds) {
            this.me = me;
            this.keys = keys;
            this.rounds = rounds;
        }
    }

    @BeforeAll
    static void startWorker() {
        running = TestEntities.Running.start(HUB, builder -> builder
                .addEntity("guarded", TestEntities.Guarded::new)
                .addOrchestrator("Sections", EntityLockingTest::sections)
                .addOrchestrator("HoldLock", ctx -> {
                    EntityInstanceId id = TestEntities.guarded(ctx.getInput(String.class));
                    try (EntityCriticalSection section = ctx.lockEntities(id).await()) {
                        ctx.callEntity(id, "append", "held").await();
                        ctx.setCustomStatus("locked " + section.getLockedEntities());
                        ctx.waitForExternalEvent("release").await();
                    }
                    ctx.setCustomStatus("released");
                    return ctx.callEntity(id, "log", List.class).await();
                })
        );
        service = running.service();
        client = running.client();
        entities = running.entities();
    }

    @AfterAll
    static void stopWorker() {
        if (running != null) {
            running.close();
        }
    }

    /**
     * Each round: lock the entities, append "me:round:enter" to each, then read-modify-write each value (get, then
     * set value + 1) with calls, then append "me:round:exit" to each, and release.
     */
    static Object sections(TaskOrchestrationContext ctx) {
        SectionsInput in = ctx.getInput(SectionsInput.class);
        List<EntityInstanceId> ids = in.keys.stream().map(TestEntities::guarded).toList();
        for (int round = 0; round < in.rounds; round++) {
            try (EntityCriticalSection section = ctx.lockEntities(ids).await()) {
                if (!ctx.isInCriticalSection() || section.getLockedEntities().size() != ids.size()) {
                    throw new IllegalStateException("not in a critical section over " + ids);
                }
                for (EntityInstanceId id : ids) {
                    ctx.callEntity(id, "append", in.me + ":" + round + ":enter").await();
                }
                for (EntityInstanceId id : ids) {
                    long value = ctx.callEntity(id, "get", Long.class).await();
                    ctx.callEntity(id, "set", value + 1).await();
                }
                for (EntityInstanceId id : ids) {
                    ctx.callEntity(id, "append", in.me + ":" + round + ":exit").await();
                }
            }
        }
        return in.me + " done";
    }

    @Test
    void overlappingLockSetsInDifferentOrdersNeitherDeadlockNorInterleave() throws Exception {
        String first = client.scheduleNewOrchestrationInstance("Sections",
                new SectionsInput("X", List.of("b", "a"), ROUNDS));
        String second = client.scheduleNewOrchestrationInstance("Sections",
                new SectionsInput("Y", List.of("c", "b"), ROUNDS));

        for (String id : List.of(first, second)) {
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, WITHIN, true);
            assertThat(done).as("%s finished", id).isNotNull();
            assertThat(done.getRuntimeStatus()).as("%s: %s", id, done.getFailureDetails())
                    .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        }

        TestEntities.Guarded.State a = TestEntities.guardedState(entities, TestEntities.guarded("a"));
        TestEntities.Guarded.State b = TestEntities.guardedState(entities, TestEntities.guarded("b"));
        TestEntities.Guarded.State c = TestEntities.guardedState(entities, TestEntities.guarded("c"));
        // No lost update: every section's read-modify-write counted.
        assertThat(a.value).isEqualTo(ROUNDS);
        assertThat(b.value).isEqualTo(2 * ROUNDS);
        assertThat(c.value).isEqualTo(ROUNDS);
        // No interleaving: each entity's log is enter/exit pairs of the same section.
        for (TestEntities.Guarded.State s : List.of(a, b, c)) {
            assertThat(s.log.size() % 2).isZero();
            for (int i = 0; i < s.log.size(); i += 2) {
                String enter = s.log.get(i);
                assertThat(enter).as("log %s", s.log).endsWith(":enter");
                assertThat(s.log.get(i + 1)).as("log %s", s.log)
                        .isEqualTo(enter.substring(0, enter.length() - "enter".length()) + "exit");
            }
        }
        assertThat(a.log).hasSize(2 * ROUNDS);
        assertThat(b.log).hasSize(4 * ROUNDS);
        assertThat(b.log).anyMatch(e -> e.startsWith("X:")).anyMatch(e -> e.startsWith("Y:"));
        // All locks were released.
        for (String key : List.of("a", "b", "c")) {
            EntityMetadata metadata = entities.getEntityMetadata(TestEntities.guarded(key), false);
            assertThat(metadata.getLockedBy()).as("lock of %s", key).isNull();
        }
    }

    @Test
    void aSignalToALockedEntityWaitsUntilTheLockIsReleased() throws Exception {
        EntityInstanceId d = TestEntities.guarded("d");
        String holder = client.scheduleNewOrchestrationInstance("HoldLock", "d");
        await().atMost(WITHIN).until(() -> {
            OrchestrationMetadata m = client.getInstanceMetadata(holder, false);
            return m != null && m.getSerializedCustomStatus() != null
                    && m.getSerializedCustomStatus().contains("locked");
        });

        entities.signalEntity(d, "append", "outsider");
        // The signal has arrived and waits in the entity's queue behind the lock.
        await().atMost(WITHIN).until(() -> {
            EntityMetadata m = entities.getEntityMetadata(d, false);
            return m != null && m.getBacklogQueueSize() >= 1;
        });
        EntityMetadata locked = entities.getEntityMetadata(d, true);
        assertThat(locked.getLockedBy()).isEqualTo(holder);
        assertThat(locked.readStateAs(TestEntities.Guarded.State.class).log).containsExactly("held");

        client.raiseEvent(holder, "release", null);
        OrchestrationMetadata done = client.waitForInstanceCompletion(holder, WITHIN, true);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        await().atMost(WITHIN).until(() -> TestEntities.guardedState(entities, d).log.size() == 2);
        assertThat(TestEntities.guardedState(entities, d).log).containsExactly("held", "outsider");
        List<String> seenByHolder = new ArrayList<>();
        for (Object entry : done.readOutputAs(List.class)) {
            seenByHolder.add(String.valueOf(entry));
        }
        assertThat(seenByHolder).startsWith("held");
        EntityMetadata after = entities.getEntityMetadata(d, false);
        assertThat(after.getLockedBy()).isNull();
        assertThat(after.getBacklogQueueSize()).isZero();
    }
}
