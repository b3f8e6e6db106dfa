package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.DurableEntityClient;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityOperationFailedException;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.TaskEntityOperation;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Entity behaviour end to end through the real worker on Azurite: an entity starting an orchestration and signalling
 * another entity, a failing operation rolled back while the entity keeps serving, and scheduled signals (from a
 * client and from an orchestration) that run no earlier than their time.
 */
@ExtendWith(AzuriteExtension.class)
class EntityFeaturesTest {
    static final String HUB = "EntityFeaturesHub";
    static final Duration WITHIN = Duration.ofSeconds(60);
    static AzureStorageOrchestrationService service;
    static TestEntities.Running running;
    static DurableTaskClient client;
    static DurableEntityClient entities;

    @BeforeAll
    static void startWorker() {
        running = TestEntities.Running.start(HUB, builder -> builder
                .addEntity("counter", () -> TestEntities::counter)
                .addEntity("starter", () -> EntityFeaturesTest::starter)
                .addOrchestrator("Greet", ctx -> "hello " + ctx.getInput(String.class))
                .addOrchestrator("FailThenGo", ctx -> {
                    EntityInstanceId id = TestEntities.counter(ctx.getInput(String.class));
                    ctx.callEntity(id, "add", 10).await();
                    String failure;
                    try {
                        ctx.callEntity(id, "addThenFail", 5).await();
                        failure = "no failure";
                    } catch (EntityOperationFailedException e) {
                        failure = e.getOperationName() + " of " + e.getEntityId() + ": "
                                + e.getFailureDetails().getErrorType() + ": " + e.getFailureDetails().getErrorMessage();
                    }
                    ctx.callEntity(id, "add", 1).await();
                    long value = ctx.callEntity(id, "get", Long.class).await();
                    return failure + " | value " + value;
                })
                .addOrchestrator("ScheduleStamp", ctx -> {
                    Instant due = ctx.getCurrentInstant().plusSeconds(3);
                    ctx.signalEntity(TestEntities.counter(ctx.getInput(String.class)), "stamp", null,
                            new SignalEntityOptions().setScheduledTime(due));
                    return due.toEpochMilli();
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

    /** Operation {@code kick}: starts "Greet" as {@code greet-<key>} and signals {@code add 7} to counter key. */
    static Object starter(TaskEntityOperation operation) {
        String key = operation.getContext().getId().getKey();
        if (!"kick".equals(operation.getName())) {
            throw new UnsupportedOperationException(operation.getName());
        }
        String started = operation.getContext().startNewOrchestration("Greet", key, "greet-" + key);
        operation.getContext().signalEntity(TestEntities.counter(key), "add", 7);
        operation.getState().setState(started);
        return started;
    }

    @Test
    void anEntityStartsAnOrchestrationAndSignalsAnotherEntity() throws Exception {
        entities.signalEntity(new EntityInstanceId("starter", "s1"), "kick");

        await().atMost(WITHIN).until(() -> client.getInstanceMetadata("greet-s1", false) != null);
        OrchestrationMetadata greeted = client.waitForInstanceCompletion("greet-s1", WITHIN, true);
        assertThat(greeted.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(greeted.readOutputAs(String.class)).isEqualTo("hello s1");
        ExecutionStartedEvent start = client.getOrchestrationHistory("greet-s1").stream()
                .filter(ExecutionStartedEvent.class::isInstance).map(ExecutionStartedEvent.class::cast)
                .findFirst().orElseThrow();
        assertThat(start.parentInstance()).isNotNull();
        assertThat(start.parentInstance().orchestrationInstance().instanceId()).isEqualTo("@starter@s1");
        assertThat(start.tags()).containsKey("FireAndForget");

        await().atMost(WITHIN).until(() -> Long.valueOf(7).equals(TestEntities.counterValue(entities,
                TestEntities.counter("s1"))));
        assertThat(entities.getEntityMetadata(new EntityInstanceId("starter", "s1"), true)
                .readStateAs(String.class)).isEqualTo("greet-s1");
    }

    @Test
    void aFailingOperationIsRolledBackWithItsSignalsAndTheEntityKeepsServing() throws Exception {
        String instanceId = client.scheduleNewOrchestrationInstance("FailThenGo", "f1");
        OrchestrationMetadata done = client.waitForInstanceCompletion(instanceId, WITHIN, true);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        String output = done.readOutputAs(String.class);
        assertThat(output).startsWith("addThenFail of @counter@f1: ")
                .contains("IllegalStateException").contains("addThenFail always fails after adding 5")
                .endsWith(" | value 11");

        // The signal sent by the failed operation was rolled back too: the echo counter never came to exist.
        entities.signalEntity(TestEntities.counter("f1"), "add", 1);
        await().atMost(WITHIN).until(() -> Long.valueOf(12).equals(TestEntities.counterValue(entities,
                TestEntities.counter("f1"))));
        assertThat(entities.getEntityMetadata(TestEntities.counter("f1-echo"), false)).isNull();
    }

    @Test
    void scheduledSignalsRunNoEarlierThanTheirTime() throws Exception {
        EntityInstanceId fromClient = TestEntities.counter("scheduled-by-client");
        Instant due = Instant.now().plusSeconds(4);
        entities.signalEntity(fromClient, "stamp", null, new SignalEntityOptions().setScheduledTime(due));
        await().atMost(WITHIN).until(() -> TestEntities.counterValue(entities, fromClient) != null);
        assertThat(Instant.ofEpochMilli(TestEntities.counterValue(entities, fromClient))).isAfterOrEqualTo(due);

        String instanceId = client.scheduleNewOrchestrationInstance("ScheduleStamp", "scheduled-by-orchestration");
        OrchestrationMetadata done = client.waitForInstanceCompletion(instanceId, WITHIN, true);
        long orchestrationDue = done.readOutputAs(Long.class);
        EntityInstanceId fromOrchestration = TestEntities.counter("scheduled-by-orchestration");
        await().atMost(WITHIN).until(() -> TestEntities.counterValue(entities, fromOrchestration) != null);
        assertThat(TestEntities.counterValue(entities, fromOrchestration)).isGreaterThanOrEqualTo(orchestrationDue);
        assertThat(entities.getEntityMetadata(fromOrchestration, false).getBacklogQueueSize()).isZero();
    }
}
