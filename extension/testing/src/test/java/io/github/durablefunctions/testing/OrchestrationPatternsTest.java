package io.github.durablefunctions.testing;

import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.RetryPolicy;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOptions;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The core worker on the in-memory backend with virtual time: the orchestration patterns. */
class OrchestrationPatternsTest extends WorkerFixture {

    @Test
    void chainingRunsActivitiesInOrderAndCompletes() throws Exception {
        builder.addActivity("Greet", ctx -> "Hello " + ctx.getInput(String.class) + "!");
        builder.addOrchestrator("Chain", ctx -> List.of(
                ctx.callActivity("Greet", "Tokyo", String.class).await(),
                ctx.callActivity("Greet", "Seattle", String.class).await(),
                ctx.callActivity("Greet", "London", String.class).await()));
        startWorker();

        String id = client.scheduleNewOrchestrationInstance("Chain");
        OrchestrationState done = complete(id);

        assertThat(done.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(output(done, String[].class)).containsExactly("Hello Tokyo!", "Hello Seattle!", "Hello London!");
        assertThat(done.createdTime()).isEqualTo(T0);
        assertThat(done.completedTime()).isEqualTo(T0);
    }

    @Test
    void fanOutFanInAwaitsAllActivities() throws Exception {
        builder.addActivity("Square", ctx -> {
            int n = ctx.getInput(Integer.class);
            return n * n;
        });
        builder.addOrchestrator("FanOut", ctx -> {
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                tasks.add(ctx.callActivity("Square", i, Integer.class));
            }
            return ctx.allOf(tasks).await().stream().mapToInt(Integer::intValue).sum();
        });
        startWorker();

        OrchestrationState done = complete(client.scheduleNewOrchestrationInstance("FanOut"));

        assertThat(output(done, Integer.class)).isEqualTo(385);
    }

    @Test
    void subOrchestrationsReturnTheirOutputsAndFailuresToTheParent() throws Exception {
        builder.addOrchestrator("Child", ctx -> {
            int n = ctx.getInput(Integer.class);
            if (n < 0) {
                throw new IllegalArgumentException("negative: " + n);
            }
            return n * 10;
        });
        builder.addOrchestrator("Parent", ctx -> {
            int ok = ctx.callSubOrchestrator("Child", 4, "child-ok", Integer.class).await();
            try {
                ctx.callSubOrchestrator("Child", -1, "child-bad", Integer.class).await();
                return "no failure";
            } catch (TaskFailedException e) {
                return ok + " / " + e.getMessage();
            }
        });
        startWorker();

        OrchestrationState done = complete(client.scheduleNewOrchestrationInstance("Parent"));

        assertThat(output(done, String.class)).startsWith("40 / ").contains("negative: -1");
        assertThat(service.getOrchestrationState("child-ok", true).output()).isEqualTo("40");
        assertThat(service.getOrchestrationState("child-bad", false).runtimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(service.getOrchestrationState("child-bad", false).failureDetails().getErrorMessage())
                .isEqualTo("negative: -1");
    }

    @Test
    void anEventRaisedBeforeTheOrchestrationWaitsForItIsKept() throws Exception {
        builder.addActivity("Prepare", ctx -> "prepared");
        builder.addOrchestrator("Approval", ctx -> ctx.callActivity("Prepare", String.class).await() + " + "
                + ctx.waitForExternalEvent("Approved", String.class).await());
        String id = client.scheduleNewOrchestrationInstance("Approval");
        client.raiseEvent(id, "Approved", "yes"); // before the worker even runs the orchestration
        startWorker();

        OrchestrationState done = complete(id);

        assertThat(output(done, String.class)).isEqualTo("prepared + yes");
    }

    @Test
    void anEventRaisedWhileTheOrchestrationWaitsCompletesIt() throws Exception {
        builder.addOrchestrator("Approval", ctx -> "got " + ctx.waitForExternalEvent("Approved", String.class)
                .await());
        startWorker();
        String id = client.scheduleNewOrchestrationInstance("Approval");
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(service.getOrchestrationState(id, false).runtimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.RUNNING);

        client.raiseEvent(id, "Approved", "yes");
        OrchestrationState done = complete(id);

        assertThat(output(done, String.class)).isEqualTo("got yes");
    }

    @Test
    void aSeventyTwoHourTimerCompletesAtOnceAndTheOrchestrationSeesThatTimePass() throws Exception {
        builder.addOrchestrator("Sleeper", ctx -> {
            Instant before = ctx.getCurrentInstant();
            ctx.createTimer(Duration.ofHours(72)).await();
            return List.of(before.toString(), ctx.getCurrentInstant().toString());
        });
        startWorker();

        OrchestrationState done = complete(client.scheduleNewOrchestrationInstance("Sleeper"));

        String[] times = output(done, String[].class);
        assertThat(Instant.parse(times[0])).isEqualTo(T0);
        assertThat(Instant.parse(times[1])).isEqualTo(T0.plus(Duration.ofHours(72)));
        assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofHours(72)));
        assertThat(done.completedTime()).isEqualTo(T0.plus(Duration.ofHours(72)));
    }

    /** Waits for "Approved" for at most 72 hours. */
    private void registerApprovalWithTimeout() {
        builder.addOrchestrator("Approval", ctx -> {
            Task<String> approved = ctx.waitForExternalEvent("Approved", String.class);
            Task<Void> timeout = ctx.createTimer(Duration.ofHours(72));
            return ctx.anyOf(approved, timeout).await() == approved ? "approved: " + approved.await() : "timed out";
        });
    }

    @Test
    void anEventRaisedWhileIdleWinsTheRaceAgainstTheTimer() throws Exception {
        registerApprovalWithTimeout();
        startWorker();
        String id = client.scheduleNewOrchestrationInstance("Approval");
        service.awaitIdle(REAL_TIMEOUT);

        client.raiseEvent(id, "Approved", "by Ann");
        OrchestrationState done = complete(id);

        assertThat(output(done, String.class)).isEqualTo("approved: by Ann");
        assertThat(clock.instant()).isEqualTo(T0);
    }

    @Test
    void theTimerWinsWhenNoEventIsRaised() throws Exception {
        registerApprovalWithTimeout();
        startWorker();

        OrchestrationState done = complete(client.scheduleNewOrchestrationInstance("Approval"));

        assertThat(output(done, String.class)).isEqualTo("timed out");
        assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofHours(72)));
    }

    @Test
    void aMonitorLoopOfThirtyIterationsWithFiveMinuteTimersAndContinueAsNew() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        builder.addActivity("Check", ctx -> checks.incrementAndGet());
        builder.addOrchestrator("Monitor", ctx -> {
            int iteration = ctx.getInput(Integer.class);
            ctx.callActivity("Check", Integer.class).await();
            ctx.createTimer(Duration.ofMinutes(5)).await();
            if (iteration < 30) {
                ctx.continueAsNew(iteration + 1);
                return null;
            }
            return "done after " + iteration + " at " + ctx.getCurrentInstant();
        });
        startWorker();

        OrchestrationState done = complete(client.scheduleNewOrchestrationInstance("Monitor", 1));

        Instant end = T0.plus(Duration.ofMinutes(5 * 30));
        assertThat(output(done, String.class)).isEqualTo("done after 30 at " + end);
        assertThat(checks).hasValue(30);
        assertThat(clock.instant()).isEqualTo(end);
    }

    @Test
    void advanceStepsThroughEachDueTimerInOrder() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        builder.addActivity("Check", ctx -> checks.incrementAndGet());
        builder.addOrchestrator("Monitor", ctx -> {
            int iteration = ctx.getInput(Integer.class);
            ctx.callActivity("Check", Integer.class).await();
            ctx.createTimer(Duration.ofMinutes(5)).await();
            ctx.continueAsNew(iteration + 1);
            return null;
        });
        startWorker();
        String id = client.scheduleNewOrchestrationInstance("Monitor", 1);

        service.advance(Duration.ofMinutes(62), REAL_TIMEOUT);

        // Checks at 0, 5, ..., 60 minutes; the next timer is due at 65 minutes.
        assertThat(checks).hasValue(13);
        assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofMinutes(62)));
        assertThat(service.nextDueTime()).isEqualTo(T0.plus(Duration.ofMinutes(65)));
        assertThat(service.getOrchestrationState(id, true).input()).isEqualTo("13");
    }

    @Test
    void retriesBackOffOnDurableTimers() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        List<Instant> attemptTimes = java.util.Collections.synchronizedList(new ArrayList<>());
        builder.addActivity("Flaky", ctx -> {
            attemptTimes.add(clock.instant());
            if (attempts.incrementAndGet() < 3) {
                throw new IllegalStateException("attempt " + attempts.get() + " failed");
            }
            return "ok on attempt " + attempts.get();
        });
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(10)).setBackoffCoefficient(2.0);
        builder.addOrchestrator("Retrying", ctx -> ctx.callActivity("Flaky", null, new TaskOptions(policy),
                String.class).await());
        startWorker();

        String id = client.scheduleNewOrchestrationInstance("Retrying");
        OrchestrationState done = complete(id);

        assertThat(output(done, String.class)).isEqualTo("ok on attempt 3");
        assertThat(attemptTimes).containsExactly(T0, T0.plusSeconds(10), T0.plusSeconds(30));
        List<HistoryEvent> history = service.getOrchestrationHistory(id);
        assertThat(history).filteredOn(e -> e instanceof TimerCreatedEvent).hasSize(2);
    }
}
