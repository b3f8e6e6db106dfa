package io.github.durablefunctions.testing;

import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.EntityCriticalSection;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.EntityQuery;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.TaskEntityState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Entities on the in-memory backend: signals, calls, locks and scheduled signals on virtual time. */
class EntitiesTest extends WorkerFixture {
    private final DurableEntityClient entities = client.getEntities();

    private static EntityInstanceId counter(String key) {
        return new EntityInstanceId("counter", key);
    }

    /** A counter: {@code add} (a long), {@code get}. */
    private static Object counter(TaskEntityOperation operation) {
        TaskEntityState state = operation.getState();
        long value = state.getState(Long.class, 0L);
        switch (operation.getName()) {
            case "add" -> state.setState(value + operation.getInput(Long.class));
            case "get" -> {
                return value;
            }
            default -> throw new UnsupportedOperationException(operation.getName());
        }
        return null;
    }

    private long valueOf(EntityInstanceId id) {
        EntityMetadata metadata = entities.getEntityMetadata(id, true);
        return metadata == null ? 0 : metadata.readStateAs(Long.class);
    }

    @Test
    void aSignalFromAClientStartsTheEntityAndACallFromAnOrchestrationReadsIt() throws Exception {
        builder.addEntity("counter", () -> EntitiesTest::counter);
        builder.addOrchestrator("Read", ctx -> ctx.callEntity(counter("c1"), "get", Long.class).await());
        startWorker();

        entities.signalEntity(counter("c1"), "add", 5);
        entities.signalEntity(counter("c1"), "add", 7);
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(valueOf(counter("c1"))).isEqualTo(12);

        assertThat(output(complete(client.scheduleNewOrchestrationInstance("Read")), Long.class)).isEqualTo(12);
    }

    @Test
    void aLockHeldByAnOrchestrationQueuesOtherOperationsUntilItIsReleased() throws Exception {
        builder.addEntity("counter", () -> EntitiesTest::counter);
        builder.addOrchestrator("Hold", ctx -> {
            try (EntityCriticalSection section = ctx.lockEntities(counter("c2")).await()) {
                ctx.callEntity(counter("c2"), "add", 1L).await();
                ctx.waitForExternalEvent("release").await();
                return ctx.callEntity(counter("c2"), "get", Long.class).await();
            }
        });
        startWorker();
        String holder = client.scheduleNewOrchestrationInstance("Hold");
        service.awaitIdle(REAL_TIMEOUT);

        entities.signalEntity(counter("c2"), "add", 100);
        service.awaitIdle(REAL_TIMEOUT);
        EntityMetadata locked = entities.getEntityMetadata(counter("c2"), true);
        assertThat(locked.getLockedBy()).isEqualTo(holder);
        assertThat(locked.getBacklogQueueSize()).isEqualTo(1);
        assertThat(locked.readStateAs(Long.class)).isEqualTo(1);

        client.raiseEvent(holder, "release");
        assertThat(output(complete(holder), Long.class)).isEqualTo(1); // read inside the critical section
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(valueOf(counter("c2"))).isEqualTo(101);
        assertThat(entities.getEntityMetadata(counter("c2"), false).getLockedBy()).isNull();
    }

    @Test
    void criticalSectionsOfConcurrentOrchestrationsDoNotLoseUpdates() throws Exception {
        builder.addEntity("counter", () -> EntitiesTest::counter);
        builder.addOrchestrator("Increment", ctx -> {
            try (EntityCriticalSection section = ctx.lockEntities(counter("c3")).await()) {
                long value = ctx.callEntity(counter("c3"), "get", Long.class).await();
                ctx.callEntity(counter("c3"), "add", 1L).await();
                return value;
            }
        });
        startWorker();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(client.scheduleNewOrchestrationInstance("Increment"));
        }

        List<Long> seen = new ArrayList<>();
        for (String id : ids) {
            seen.add(output(complete(id), Long.class));
        }

        assertThat(seen).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L);
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(valueOf(counter("c3"))).isEqualTo(5);
    }

    @Test
    void aScheduledSignalRunsWhenVirtualTimeReachesIt() throws Exception {
        builder.addEntity("counter", () -> EntitiesTest::counter);
        startWorker();
        entities.signalEntity(counter("c4"), "add", 1);
        entities.signalEntity(counter("c4"), "add", 10, new SignalEntityOptions()
                .setScheduledTime(T0.plus(Duration.ofHours(1))));
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(valueOf(counter("c4"))).isEqualTo(1);
        assertThat(service.nextDueTime()).isEqualTo(T0.plus(Duration.ofHours(1)));

        service.advance(Duration.ofHours(1), REAL_TIMEOUT);

        assertThat(valueOf(counter("c4"))).isEqualTo(11);
        assertThat(entities.getEntityMetadata(counter("c4"), false).getLastModifiedTime())
                .isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    @Test
    void entityQueriesPageThroughEntitiesByPrefix() throws Exception {
        builder.addEntity("counter", () -> EntitiesTest::counter);
        startWorker();
        for (String key : List.of("k1", "k2", "k3")) {
            entities.signalEntity(counter(key), "add", 1);
        }
        service.awaitIdle(REAL_TIMEOUT);

        var first = entities.queryEntities(new EntityQuery().setInstanceIdStartsWith("counter").setPageSize(2));
        var second = entities.queryEntities(new EntityQuery().setInstanceIdStartsWith("counter").setPageSize(2)
                .setContinuationToken(first.getContinuationToken()));

        assertThat(first.getEntities()).extracting(m -> m.getEntityInstanceId().getKey()).containsExactly("k1", "k2");
        assertThat(second.getEntities()).extracting(m -> m.getEntityInstanceId().getKey()).containsExactly("k3");
        assertThat(second.getContinuationToken()).isNull();
    }
}
