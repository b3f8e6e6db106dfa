package io.github.durablefunctions.replay;

import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskCanceledException;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.CreateTimer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExternalEventReplayTest {
    @Test
    void waitCompletesWithThePayloadOfAnEventRaisedLaterMatchingTheNameCaseInsensitively() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.waitForExternalEvent("Approval", Integer.class).await() + 1);

        assertThat(driver.start(null).actions()).isEmpty();
        assertThat(driver.tick(5).episode(h -> h.eventRaised("other", "1")).actions()).isEmpty();

        OrchestratorResult done = driver.tick(5).episode(h -> h.eventRaised("APPROVAL", "41"));
        assertThat(done.actions()).containsExactly(
                new CompleteOrchestration(0, OrchestrationRuntimeStatus.COMPLETED, "42", null));
    }

    @Test
    void eventsThatArriveBeforeAnyWaitAreBufferedAndHandedOutInArrivalOrderPerName() {
        OrchestratorFunction<List<String>> fn = ctx -> {
            ctx.createTimer(Duration.ofMinutes(1)).await(); // the events arrive meanwhile
            List<String> got = new ArrayList<>();
            got.add(ctx.waitForExternalEvent("x", String.class).await());
            got.add(ctx.waitForExternalEvent("y", String.class).await());
            got.add(ctx.waitForExternalEvent("X", String.class).await());
            return got;
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);

        OrchestratorResult done = driver.tick(60).episode(h -> h.eventRaised("x", "\"x1\"")
                .eventRaised("y", "\"y1\"").eventRaised("x", "\"x2\"").timerFired(0, h.now()));

        assertThat(done.actions()).containsExactly(new CompleteOrchestration(1, OrchestrationRuntimeStatus.COMPLETED,
                "[\"x1\",\"y1\",\"x2\"]", null));
    }

    @Test
    void oldestWaiterOfANameGetsTheFirstEvent() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            Task<String> first = ctx.waitForExternalEvent("go", String.class);
            Task<String> second = ctx.waitForExternalEvent("go", String.class);
            return second.await() + "," + first.await();
        });
        driver.start(null);

        assertThat(driver.episode(h -> h.eventRaised("go", "\"a\"")).actions()).isEmpty();
        assertThat(driver.episode(h -> h.eventRaised("go", "\"b\"")).completion().result()).isEqualTo("\"b,a\"");
    }

    @Test
    void timeoutFiringFirstCancelsTheWaitAndALaterEventIsKeptForTheNextWaiter() {
        List<Object> seen = new ArrayList<>();
        OrchestratorFunction<String> fn = ctx -> {
            Task<String> wait = ctx.waitForExternalEvent("Approval", Duration.ofHours(1), String.class);
            try {
                return wait.await();
            } catch (TaskCanceledException e) {
                seen.add(e.getMessage());
                seen.add(wait.isCancelled());
            }
            return "late: " + ctx.waitForExternalEvent("Approval", String.class).await();
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        Instant deadline = driver.now().plus(Duration.ofHours(1));

        assertThat(driver.start(null).actions()).containsExactly(new CreateTimer(0, deadline));
        assertThat(driver.at(deadline).episode(h -> h.timerFired(0, deadline)).actions()).isEmpty();
        OrchestratorResult done = driver.tick(10).episode(h -> h.eventRaised("approval", "\"yes\""));

        assertThat(done.completion().result()).isEqualTo("\"late: yes\"");
        assertThat(seen.get(seen.size() - 2)).asString().contains("'Approval'", "PT1H");
        assertThat(seen.get(seen.size() - 1)).isEqualTo(true);
    }

    @Test
    void eventArrivingBeforeTheTimeoutWinsAndTheLaterTimerFiringIsIgnored() {
        OrchestratorFunction<String> fn = ctx -> {
            String answer = ctx.waitForExternalEvent("Approval", Duration.ofHours(1), String.class).await();
            ctx.createTimer(Duration.ofHours(2)).await();
            return answer;
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        Instant start = driver.now();
        driver.start(null);

        OrchestratorResult answered = driver.tick(60).episode(h -> h.eventRaised("Approval", "\"yes\""));
        Instant wake = driver.now().plus(Duration.ofHours(2));
        assertThat(answered.actions()).containsExactly(new CreateTimer(1, wake));

        Instant timeout = start.plus(Duration.ofHours(1));
        assertThat(driver.at(timeout).episode(h -> h.timerFired(0, timeout)).actions()).isEmpty();
        assertThat(driver.at(wake).episode(h -> h.timerFired(1, wake)).completion())
                .isEqualTo(new CompleteOrchestration(2, OrchestrationRuntimeStatus.COMPLETED, "\"yes\"", null));
    }

    @Test
    void zeroTimeoutGivesACancelledTaskUnlessTheEventIsAlreadyBuffered() {
        OrchestratorFunction<String> fn = ctx -> {
            Task<String> none = ctx.waitForExternalEvent("ping", Duration.ZERO, String.class);
            String first = none.isDone() && none.isCancelled() ? "cancelled" : "not cancelled";
            ctx.createTimer(Duration.ofSeconds(1)).await();
            return first + ", then " + ctx.waitForExternalEvent("ping", Duration.ZERO, String.class).await();
        };
        EpisodeDriver driver = new EpisodeDriver(fn);

        assertThat(driver.start(null).actions()).containsExactly(new CreateTimer(0, driver.now().plusSeconds(1)));
        OrchestratorResult done = driver.tick(1).episode(h -> h.eventRaised("ping", "\"pong\"").timerFired(0, h.now()));

        assertThat(done.completion().result()).isEqualTo("\"cancelled, then pong\"");
    }

    @Test
    void zeroTimeoutWithoutABufferedEventThrowsTaskCanceledExceptionFromAwait() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.waitForExternalEvent("ping", Duration.ZERO).await());

        CompleteOrchestration completion = driver.start(null).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType()).isEqualTo(TaskCanceledException.class.getName());
        assertThat(completion.failureDetails().getErrorMessage()).contains("'ping'", "PT0S");
    }

    @Test
    void nullNegativeAndHugeTimeoutsWaitForeverWithoutATimer() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.waitForExternalEvent("a", (Duration) null);
            ctx.waitForExternalEvent("b", Duration.ofSeconds(-1));
            ctx.waitForExternalEvent("c", ChronoUnit.FOREVER.getDuration());
            ctx.waitForExternalEvent("d", Duration.ofDays(365L * 200));
            return ctx.waitForExternalEvent("e").await();
        });

        assertThat(driver.start(null).actions()).isEmpty();
    }

    @Test
    void longTimeoutIsAChainedTimer() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.waitForExternalEvent("slow", Duration.ofDays(30)).await());

        assertThat(driver.start(null).actions()).containsExactly(new CreateTimer(0, driver.now().plus(Duration.ofDays(3))));
    }
}
