package io.github.durablefunctions.testing;

import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.OrchestrationStatusQueryResult;
import io.github.durablefunctions.PurgeInstanceCriteria;
import io.github.durablefunctions.backend.OrchestrationState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Terminate, suspend, resume, restart, scheduled start, query, purge and rewind on the in-memory backend. */
class InstanceManagementTest extends WorkerFixture {

    private void registerWaiter() {
        builder.addOrchestrator("Waiter", ctx -> "got " + ctx.waitForExternalEvent("Go", String.class).await());
    }

    private OrchestrationRuntimeStatus status(String id) {
        return service.getOrchestrationState(id, false).runtimeStatus();
    }

    @Test
    void terminateEndsAWaitingInstanceWithTheReasonAsOutput() throws Exception {
        registerWaiter();
        startWorker();
        String id = client.scheduleNewOrchestrationInstance("Waiter");
        service.awaitIdle(REAL_TIMEOUT);

        client.terminate(id, "no longer needed");
        OrchestrationState done = complete(id);

        assertThat(done.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(output(done, String.class)).isEqualTo("no longer needed");
    }

    @Test
    void aSuspendedInstanceKeepsItsEventsUntilResumed() throws Exception {
        registerWaiter();
        startWorker();
        String id = client.scheduleNewOrchestrationInstance("Waiter");
        service.awaitIdle(REAL_TIMEOUT);

        client.suspendInstance(id, "maintenance");
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(status(id)).isEqualTo(OrchestrationRuntimeStatus.SUSPENDED);
        client.raiseEvent(id, "Go", "now");
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(status(id)).isEqualTo(OrchestrationRuntimeStatus.SUSPENDED);

        client.resumeInstance(id, "done");
        OrchestrationState done = complete(id);

        assertThat(done.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(output(done, String.class)).isEqualTo("got now");
    }

    @Test
    void anInstanceIdInUseCannotBeScheduledAgainUntilItFinishesThenItGetsANewGeneration() throws Exception {
        registerWaiter();
        startWorker();
        client.scheduleNewOrchestrationInstance("Waiter", null, "same");
        String firstExecution = service.getOrchestrationState("same", false).executionId();

        assertThatThrownBy(() -> client.scheduleNewOrchestrationInstance("Waiter", null, "same"))
                .isInstanceOf(OrchestrationAlreadyExistsException.class);
        client.raiseEvent("same", "Go", "1");
        complete("same");
        client.scheduleNewOrchestrationInstance("Waiter", null, "same");
        client.raiseEvent("same", "Go", "2");
        OrchestrationState second = complete("same");

        assertThat(output(second, String.class)).isEqualTo("got 2");
        assertThat(second.generation()).isEqualTo(1);
        assertThat(second.executionId()).isNotEqualTo(firstExecution);
    }

    @Test
    void aScheduledStartWaitsForItsVirtualTime() throws Exception {
        builder.addOrchestrator("Now", ctx -> ctx.getCurrentInstant().toString());
        startWorker();
        String id = client.scheduleNewOrchestrationInstance("Now", new NewOrchestrationInstanceOptions()
                .setStartTime(T0.plus(Duration.ofHours(2))));
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(status(id)).isEqualTo(OrchestrationRuntimeStatus.PENDING);

        OrchestrationState done = complete(id);

        assertThat(output(done, String.class)).isEqualTo(T0.plus(Duration.ofHours(2)).toString());
        assertThat(done.createdTime()).isEqualTo(T0);
        assertThat(done.scheduledStartTime()).isEqualTo(T0.plus(Duration.ofHours(2)));
    }

    @Test
    void terminatingAnInstanceThatHasNotStartedMarksItTerminated() throws Exception {
        builder.addOrchestrator("Now", ctx -> "ran");
        startWorker();
        String id = client.scheduleNewOrchestrationInstance("Now", new NewOrchestrationInstanceOptions()
                .setStartTime(T0.plus(Duration.ofDays(1))));
        client.terminate(id, "cancelled");

        service.awaitIdle(REAL_TIMEOUT);

        assertThat(status(id)).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(service.getOrchestrationState(id, true).output()).isEqualTo("\"cancelled\"");
    }

    @Test
    void queriesFilterAndPageAndPurgeRemovesFinishedInstances() throws Exception {
        registerWaiter();
        builder.addOrchestrator("Echo", ctx -> ctx.getInput(String.class));
        startWorker();
        for (String id : List.of("a1", "a2", "a3", "b1")) {
            client.scheduleNewOrchestrationInstance("Echo", id, id);
        }
        client.scheduleNewOrchestrationInstance("Waiter", null, "w1");
        service.awaitIdle(REAL_TIMEOUT);

        OrchestrationStatusQueryResult page1 = client.queryInstances(new OrchestrationStatusQuery()
                .setInstanceIdPrefix("a").setMaxInstanceCount(2));
        OrchestrationStatusQueryResult page2 = client.queryInstances(new OrchestrationStatusQuery()
                .setInstanceIdPrefix("a").setMaxInstanceCount(2).setContinuationToken(page1.continuationToken()));
        OrchestrationStatusQueryResult running = client.queryInstances(new OrchestrationStatusQuery()
                .setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.RUNNING)));

        assertThat(page1.orchestrationState()).extracting(OrchestrationMetadata::getInstanceId)
                .containsExactly("a1", "a2");
        assertThat(page1.continuationToken()).isNotNull();
        assertThat(page2.orchestrationState()).extracting(OrchestrationMetadata::getInstanceId)
                .containsExactly("a3");
        assertThat(page2.continuationToken()).isNull();
        assertThat(running.orchestrationState()).extracting(OrchestrationMetadata::getInstanceId)
                .containsExactly("w1");
        assertThatThrownBy(() -> client.queryInstances(new OrchestrationStatusQuery()
                .setContinuationToken("not-a-token"))).isInstanceOf(IllegalArgumentException.class);

        assertThat(client.purgeInstance("a1").getDeletedInstanceCount()).isEqualTo(1);
        assertThat(client.getInstanceMetadata("a1", false)).isNull();
        assertThat(client.getOrchestrationHistory("a1")).isEmpty();
        assertThat(client.purgeInstance("a1").getDeletedInstanceCount()).isZero();

        int purged = client.purgeInstances(new PurgeInstanceCriteria().setCreatedTimeFrom(T0))
                .getDeletedInstanceCount();
        assertThat(purged).isEqualTo(3); // a2, a3, b1; not the running w1
        assertThat(client.queryInstances(new OrchestrationStatusQuery()).orchestrationState())
                .extracting(OrchestrationMetadata::getInstanceId).containsExactly("w1");
    }

    @Test
    void aFailedInstanceIsRewoundAndRunsTheFailedActivityAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        builder.addActivity("FailOnce", ctx -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first call fails");
            }
            return "second call works";
        });
        builder.addOrchestrator("Rewindable", ctx -> ctx.callActivity("FailOnce", String.class).await());
        startWorker();
        String id = client.scheduleNewOrchestrationInstance("Rewindable");
        assertThat(complete(id).runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);

        client.rewindInstance(id, "fixed");
        OrchestrationState done = complete(id);

        assertThat(done.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(output(done, String.class)).isEqualTo("second call works");
        assertThat(calls).hasValue(2);
        assertThatThrownBy(() -> client.rewindInstance(id, "again")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> client.rewindInstance("nobody", "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
