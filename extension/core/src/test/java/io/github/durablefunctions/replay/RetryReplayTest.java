package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.RetryHandler;
import io.github.durablefunctions.RetryPolicy;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOptions;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.CreateSubOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.CreateTimer;
import io.github.durablefunctions.replay.OrchestratorAction.ScheduleTask;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RetryReplayTest {
    private static final FailureDetails F1 = new FailureDetails("java.io.IOException", "first", "t1", null, false,
            null);
    private static final FailureDetails F2 = new FailureDetails("java.io.IOException", "second", "t2", null, false,
            null);

    private static OrchestratorFunction<String> flaky(RetryPolicy policy) {
        return ctx -> ctx.callActivity("Flaky", "in", new TaskOptions(policy), String.class).await();
    }

    @Test
    void retrySucceedsOnTheThirdAttemptAfterBackedOffDurableTimers() {
        EpisodeDriver driver = new EpisodeDriver(flaky(new RetryPolicy(3, Duration.ofSeconds(5))
                .setBackoffCoefficient(2.0)));
        Instant t0 = driver.now();

        assertThat(driver.start(null).actions()).containsExactly(new ScheduleTask(0, "Flaky", null, "\"in\""));
        assertThat(driver.at(t0.plusSeconds(10)).episode(h -> h.taskFailed(0, F1)).actions())
                .containsExactly(new CreateTimer(1, t0.plusSeconds(15)));
        assertThat(driver.at(t0.plusSeconds(15)).episode(h -> h.timerFired(1, t0.plusSeconds(15))).actions())
                .containsExactly(new ScheduleTask(2, "Flaky", null, "\"in\""));
        assertThat(driver.at(t0.plusSeconds(20)).episode(h -> h.taskFailed(2, F2)).actions())
                .containsExactly(new CreateTimer(3, t0.plusSeconds(30)));
        assertThat(driver.at(t0.plusSeconds(30)).episode(h -> h.timerFired(3, t0.plusSeconds(30))).actions())
                .containsExactly(new ScheduleTask(4, "Flaky", null, "\"in\""));
        assertThat(driver.tick(1).episode(h -> h.taskCompleted(4, "\"ok\"")).actions())
                .containsExactly(new CompleteOrchestration(5, OrchestrationRuntimeStatus.COMPLETED, "\"ok\"", null));
    }

    @Test
    void givesUpAfterTheMaximumAttemptsWithTheLastFailure() {
        List<TaskFailedException> caught = new ArrayList<>();
        OrchestratorFunction<String> fn = ctx -> {
            try {
                return ctx.callActivity("Flaky", null, new TaskOptions(new RetryPolicy(2, Duration.ofSeconds(5))),
                        String.class).await();
            } catch (TaskFailedException e) {
                caught.add(e);
                throw e;
            }
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);
        driver.tick(1).episode(h -> h.taskFailed(0, F1));
        driver.tick(5).episode(h -> h.timerFired(1, h.now()));

        CompleteOrchestration completion = driver.tick(1).episode(h -> h.taskFailed(2, F2)).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getInnerFailure()).isEqualTo(F2);
        assertThat(caught).last().satisfies(e -> {
            assertThat(e.getErrorDetails()).isEqualTo(F2);
            assertThat(e.getTaskId()).isEqualTo(2);
            assertThat(e.getTaskName()).isEqualTo("Flaky");
        });
        assertThat(driver.allActions()).filteredOn(ScheduleTask.class::isInstance).hasSize(2);
    }

    @Test
    void retryTimeoutStopsRetriesThatWouldStartTooLateAfterTheFirstAttempt() {
        EpisodeDriver driver = new EpisodeDriver(flaky(new RetryPolicy(10, Duration.ofSeconds(10))
                .setRetryTimeout(Duration.ofSeconds(15))));
        Instant t0 = driver.now();
        driver.start(null);
        // Failure at +1 s: the retry at +11 s is within 15 s of the first attempt.
        assertThat(driver.at(t0.plusSeconds(1)).episode(h -> h.taskFailed(0, F1)).actions())
                .containsExactly(new CreateTimer(1, t0.plusSeconds(11)));
        driver.at(t0.plusSeconds(11)).episode(h -> h.timerFired(1, t0.plusSeconds(11)));

        // Failure at +12 s: a retry at +22 s would be past the 15 s limit.
        CompleteOrchestration completion = driver.at(t0.plusSeconds(12)).episode(h -> h.taskFailed(2, F2))
                .completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getInnerFailure()).isEqualTo(F2);
        assertThat(driver.allActions()).filteredOn(ScheduleTask.class::isInstance).hasSize(2);
    }

    @Test
    void delayGrowsByTheBackoffCoefficientUpToTheMaximumInterval() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(10)).setBackoffCoefficient(3.0)
                .setMaxRetryInterval(Duration.ofSeconds(60));

        assertThat(ReplayContext.retryDelay(policy, 1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(ReplayContext.retryDelay(policy, 2)).isEqualTo(Duration.ofSeconds(30));
        assertThat(ReplayContext.retryDelay(policy, 3)).isEqualTo(Duration.ofSeconds(60));
        assertThat(ReplayContext.retryDelay(new RetryPolicy(5, Duration.ofSeconds(10)).setBackoffCoefficient(3.0), 3))
                .isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void nonRetriableFailureIsNotRetriedByAPolicy() {
        EpisodeDriver driver = new EpisodeDriver(flaky(new RetryPolicy(5, Duration.ofSeconds(5))));
        driver.start(null);
        FailureDetails permanent = new FailureDetails("x.Permanent", "no", null, null, true, null);

        CompleteOrchestration completion = driver.tick(1).episode(h -> h.taskFailed(0, permanent)).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getInnerFailure()).isEqualTo(permanent);
    }

    @Test
    void fanOutOfRetriableActivitiesRetriesEachFailedOneExactlyOnce() {
        OrchestratorFunction<Integer> fn = ctx -> {
            TaskOptions options = new TaskOptions(new RetryPolicy(3, Duration.ofSeconds(5)));
            List<Task<Integer>> squares = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                squares.add(ctx.callActivity("Square", i, options, Integer.class));
            }
            return ctx.allOf(squares).await().stream().mapToInt(Integer::intValue).sum();
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);
        Instant failedAt = driver.tick(10).now();

        OrchestratorResult afterFailures = driver.episode(h -> h.taskCompleted(0, "0").taskFailed(1, F1)
                .taskCompleted(2, "4").taskFailed(3, F2).taskCompleted(4, "16"));
        assertThat(afterFailures.actions()).containsExactly(new CreateTimer(5, failedAt.plusSeconds(5)),
                new CreateTimer(6, failedAt.plusSeconds(5)));

        OrchestratorResult retries = driver.tick(5).episode(h -> h.timerFired(5, h.now()).timerFired(6, h.now()));
        assertThat(retries.actions()).containsExactly(new ScheduleTask(7, "Square", null, "1"),
                new ScheduleTask(8, "Square", null, "3"));

        OrchestratorResult done = driver.tick(1).episode(h -> h.taskCompleted(8, "9").taskCompleted(7, "1"));
        assertThat(done.actions())
                .containsExactly(new CompleteOrchestration(9, OrchestrationRuntimeStatus.COMPLETED, "30", null));
        assertThat(driver.allActions()).filteredOn(ScheduleTask.class::isInstance).hasSize(7);
    }

    @Test
    void attemptNumbersCountAttemptsNotAwaitsWhenTheRetriableTaskIsRacedInAnyOf() {
        List<Integer> attempts = new ArrayList<>();
        List<Duration> retryTimes = new ArrayList<>();
        RetryHandler handler = rc -> {
            attempts.add(rc.getLastAttemptNumber());
            retryTimes.add(rc.getTotalRetryTime());
            return rc.getLastAttemptNumber() < 5;
        };
        OrchestratorFunction<String> fn = ctx -> {
            Task<String> work = ctx.callActivity("Flaky", null, new TaskOptions(handler), String.class);
            int ticks = 0;
            while (true) {
                Task<Void> tick = ctx.createTimer(Duration.ofMinutes(1));
                if (ctx.anyOf(work, tick).await() == work) {
                    return work.await() + " after " + ticks + " ticks";
                }
                ticks++;
            }
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        Instant t0 = driver.now();
        assertThat(driver.start(null).actions()).containsExactly(new ScheduleTask(0, "Flaky", null, null),
                new CreateTimer(1, t0.plusSeconds(60)));
        assertThat(driver.at(t0.plusSeconds(60)).episode(h -> h.timerFired(1, h.now())).actions())
                .containsExactly(new CreateTimer(2, t0.plusSeconds(120)));
        assertThat(driver.at(t0.plusSeconds(70)).episode(h -> h.taskFailed(0, F1)).actions())
                .containsExactly(new ScheduleTask(3, "Flaky", null, null));
        driver.at(t0.plusSeconds(120)).episode(h -> h.timerFired(2, h.now()));
        driver.at(t0.plusSeconds(130)).episode(h -> h.taskFailed(3, F2));
        driver.at(t0.plusSeconds(140)).episode(h -> h.taskFailed(5, F2));
        OrchestratorResult done = driver.at(t0.plusSeconds(150)).episode(h -> h.taskCompleted(6, "\"ok\""));
        assertThat(done.completion().result()).isEqualTo("\"ok after 2 ticks\"");

        // One execution over the whole history: the handler sees each failed attempt once, numbered 1, 2, 3.
        attempts.clear();
        retryTimes.clear();
        driver.replay(List.of());
        assertThat(attempts).containsExactly(1, 2, 3);
        assertThat(retryTimes).containsExactly(Duration.ofSeconds(70), Duration.ofSeconds(130),
                Duration.ofSeconds(140));
    }

    @Test
    void retryHandlerReturningFalseFailsTheTaskWithTheLastFailure() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callActivity("Flaky", null,
                new TaskOptions(rc -> rc.getLastFailure().getErrorMessage().equals("first")), String.class).await());
        driver.start(null);
        assertThat(driver.tick(1).episode(h -> h.taskFailed(0, F1)).actions())
                .containsExactly(new ScheduleTask(1, "Flaky", null, null));

        CompleteOrchestration completion = driver.tick(1).episode(h -> h.taskFailed(1, F2)).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getInnerFailure()).isEqualTo(F2);
    }

    @Test
    void retryHandlerMayWaitOnADurableTimerBeforeTheNextAttempt() {
        RetryHandler waitThenRetry = rc -> {
            rc.getOrchestrationContext().createTimer(Duration.ofSeconds(30)).await();
            return true;
        };
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callActivity("Flaky", null, new TaskOptions(waitThenRetry),
                String.class).await());
        driver.start(null);
        Instant failedAt = driver.tick(5).now();

        assertThat(driver.episode(h -> h.taskFailed(0, F1)).actions())
                .containsExactly(new CreateTimer(1, failedAt.plusSeconds(30)));
        assertThat(driver.tick(30).episode(h -> h.timerFired(1, h.now())).actions())
                .containsExactly(new ScheduleTask(2, "Flaky", null, null));
        assertThat(driver.tick(1).episode(h -> h.taskCompleted(2, "\"ok\"")).completion().result())
                .isEqualTo("\"ok\"");
    }

    @Test
    void subOrchestrationRetriesStartTheChildAgainUnderANewDeterministicId() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callSubOrchestrator("Child", 1, null,
                new TaskOptions(new RetryPolicy(2, Duration.ofSeconds(1))), Integer.class).await());
        String parent = HistoryBuilder.INSTANCE_ID;

        assertThat(driver.start(null).actions())
                .containsExactly(new CreateSubOrchestration(0, "Child", null, parent + ":0000", "1"));
        driver.tick(1).episode(h -> h.subOrchestrationFailed(0, F1));
        assertThat(driver.tick(1).episode(h -> h.timerFired(1, h.now())).actions())
                .containsExactly(new CreateSubOrchestration(2, "Child", null, parent + ":0002", "1"));
        assertThat(driver.tick(1).episode(h -> h.subOrchestrationCompleted(2, "5")).completion().result())
                .isEqualTo("5");
    }
}
