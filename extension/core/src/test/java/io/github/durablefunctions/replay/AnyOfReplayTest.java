package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.replay.OrchestratorAction.CreateTimer;
import io.github.durablefunctions.replay.OrchestratorAction.ScheduleTask;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AnyOfReplayTest {
    /** Races A and B and answers which one won. */
    private static final OrchestratorFunction<String> RACE = ctx -> {
        Task<String> a = ctx.callActivity("A", String.class);
        Task<String> b = ctx.callActivity("B", String.class);
        Task<?> winner = ctx.anyOf(a, b).await();
        return (winner == a ? "A" : "B") + ":" + winner.await();
    };

    @Test
    void firstTaskToCompleteInHistoryWinsWhateverItsPositionInTheList() {
        EpisodeDriver driver = new EpisodeDriver(RACE);
        driver.start(null);

        OrchestratorResult done = driver.tick(1).episode(h -> h.taskCompleted(1, "\"b\"").taskCompleted(0, "\"a\""));

        assertThat(done.completion().result()).isEqualTo("\"B:b\"");
    }

    @Test
    void whenSeveralAreAlreadyDoneTheEarliestInHistoryWins() {
        OrchestratorFunction<String> fn = ctx -> {
            Task<String> a = ctx.callActivity("A", String.class);
            Task<String> b = ctx.callActivity("B", String.class);
            ctx.callActivity("C", String.class).await(); // A and B complete meanwhile, B first
            Task<?> winner = ctx.anyOf(a, b).await();
            return winner == a ? "A" : "B";
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);

        OrchestratorResult done = driver.tick(1).episode(h -> h.taskCompleted(1, "\"b\"").taskCompleted(0, "\"a\"")
                .taskCompleted(2, "\"c\""));

        assertThat(done.completion().result()).isEqualTo("\"B\"");
    }

    @Test
    void derivedTasksKeepTheCompletionOrderOfTheTaskTheyDeriveFrom() {
        OrchestratorFunction<String> fn = ctx -> {
            Task<String> a = ctx.callActivity("A", String.class);
            Task<String> b = ctx.callActivity("B", String.class);
            ctx.callActivity("C", String.class).await(); // A completes before B, both before C
            // Derived after both completed, B's derivation first: A's still counts as earlier.
            Task<Integer> bLength = b.thenApply(String::length);
            Task<Integer> aLength = a.thenApply(String::length);
            Task<?> winner = ctx.anyOf(bLength, aLength).await();
            List<Integer> both = ctx.allOf(aLength, bLength).await();
            return (winner == aLength ? "A" : "B") + both;
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);

        OrchestratorResult done = driver.tick(1).episode(h -> h.taskCompleted(0, "\"aa\"").taskCompleted(1, "\"bbb\"")
                .taskCompleted(2, "\"c\""));

        assertThat(done.completion().result()).isEqualTo("\"A[2, 3]\"");
    }

    @Test
    void thenAcceptTaskTakesPartInAnyOf() {
        OrchestratorFunction<String> fn = ctx -> {
            StringBuilder seen = new StringBuilder();
            Task<Void> a = ctx.callActivity("A", String.class).thenAccept(seen::append);
            Task<Void> timer = ctx.createTimer(Duration.ofMinutes(5));
            return (ctx.anyOf(timer, a).await() == a ? "A " : "timer ") + seen;
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);

        assertThat(driver.tick(1).episode(h -> h.taskCompleted(0, "\"done\"")).completion().result())
                .isEqualTo("\"A done\"");
    }

    @Test
    void aFailedTaskCanWinAndAnyOfItselfStillCompletes() {
        OrchestratorFunction<String> fn = ctx -> {
            Task<String> a = ctx.callActivity("A", String.class);
            Task<String> b = ctx.callActivity("B", String.class);
            Task<?> winner = ctx.anyOf(a, b).await();
            try {
                winner.await();
                return "no failure";
            } catch (TaskFailedException e) {
                return "winner failed: " + e.getTaskName();
            }
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);

        OrchestratorResult done = driver.tick(1).episode(h -> h.taskFailed(0, new FailureDetails("E", "bad"))
                .taskCompleted(1, "\"b\""));

        assertThat(done.completion().result()).isEqualTo("\"winner failed: A\"");
    }

    @Test
    void timeoutPatternWithATimerScheduledAfterTheActivity() {
        OrchestratorFunction<String> fn = ctx -> {
            Task<String> work = ctx.callActivity("Slow", String.class);
            Task<Void> timeout = ctx.createTimer(Duration.ofMinutes(1));
            return ctx.anyOf(work, timeout).await() == timeout ? "timed out" : work.await();
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        Instant t0 = driver.now();

        assertThat(driver.start(null).actions()).containsExactly(new ScheduleTask(0, "Slow", null, null),
                new CreateTimer(1, t0.plusSeconds(60)));
        OrchestratorResult done = driver.at(t0.plusSeconds(60)).episode(h -> h.timerFired(1, h.now())
                .taskCompleted(0, "\"too late\""));

        assertThat(done.completion().result()).isEqualTo("\"timed out\"");
    }

    @Test
    void emptyAnyOfIsRejected() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.anyOf(List.of()).await());

        OrchestratorAction.CompleteOrchestration completion = driver.start(null).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType()).isEqualTo(IllegalArgumentException.class.getName());
    }
}
