package io.github.durablefunctions.replay;

import io.github.durablefunctions.NonDeterministicOrchestratorException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.CreateTimer;
import io.github.durablefunctions.replay.OrchestratorAction.ScheduleTask;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimerReplayTest {
    private static final OrchestratorFunction<String> SLEEP_THEN_WORK = ctx -> {
        ctx.createTimer(Duration.ofMinutes(30)).await();
        return ctx.callActivity("Work", ctx.getCurrentInstant().toString(), String.class).await();
    };

    @Test
    void timerIsScheduledFromTheCurrentInstantAndCompletesWhenItFires() {
        EpisodeDriver driver = new EpisodeDriver(SLEEP_THEN_WORK);
        Instant start = driver.now();

        OrchestratorResult first = driver.start(null);
        assertThat(first.actions()).containsExactly(new CreateTimer(0, start.plus(Duration.ofMinutes(30))));

        Instant fired = start.plus(Duration.ofMinutes(30));
        OrchestratorResult second = driver.at(fired).episode(h -> h.timerFired(0, fired));
        assertThat(second.actions()).containsExactly(new ScheduleTask(1, "Work", null, "\"" + fired + "\""));

        OrchestratorResult third = driver.tick(1).episode(h -> h.taskCompleted(1, "\"worked\""));
        assertThat(third.actions()).containsExactly(
                new CompleteOrchestration(2, OrchestrationRuntimeStatus.COMPLETED, "\"worked\"", null));
    }

    @Test
    void timerWaitsUntilItsOwnTimerFiredEventArrives() {
        OrchestratorFunction<String> twoTimers = ctx -> {
            ctx.createTimer(Duration.ofMinutes(1));
            ctx.createTimer(Duration.ofMinutes(2)).await();
            return "done";
        };
        EpisodeDriver driver = new EpisodeDriver(twoTimers);
        driver.start(null);

        OrchestratorResult afterFirst = driver.tick(60).episode(h -> h.timerFired(0, h.now()));

        assertThat(afterFirst.actions()).isEmpty();
        assertThat(driver.tick(60).episode(h -> h.timerFired(1, h.now())).completion().result())
                .isEqualTo("\"done\"");
    }

    @Test
    void zonedDateTimeTimerFiresAtThatInstantInUtc() {
        ZonedDateTime tokyoNoon = ZonedDateTime.of(2026, 11, 22, 12, 0, 0, 0, ZoneId.of("Asia/Tokyo"));
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.createTimer(tokyoNoon).await();
            return null;
        });

        assertThat(driver.start(null).actions())
                .containsExactly(new CreateTimer(0, Instant.parse("2026-11-22T03:00:00Z")));
    }

    @Test
    void zeroAndNegativeDelaysStillCreateTimersThatFireAtOnce() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.createTimer(Duration.ZERO).await();
            ctx.createTimer(Duration.ofSeconds(-5)).await();
            return "after both";
        });
        Instant now = driver.now();

        assertThat(driver.start(null).actions()).containsExactly(new CreateTimer(0, now));
        assertThat(driver.episode(h -> h.timerFired(0, now)).actions()).containsExactly(new CreateTimer(1, now));
        assertThat(driver.episode(h -> h.timerFired(1, now)).completion().result()).isEqualTo("\"after both\"");
    }

    @Test
    void longTimerIsChainedFromPiecesMeasuredFromTheCurrentInstantWhenEachPieceFires() {
        // Limits scaled down: single timers up to 6 h, pieces of 3 h; a 10 h timer.
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.createTimer(Duration.ofHours(10)).await();
            return ctx.getCurrentInstant().toString();
        }, Duration.ofHours(6), Duration.ofHours(3));
        Instant start = driver.now();
        Instant end = start.plus(Duration.ofHours(10));

        assertThat(driver.start(null).actions()).containsExactly(new CreateTimer(0, start.plus(Duration.ofHours(3))));

        // The first piece is delivered 30 min late, at +3.5 h: 6.5 h are left, so another 3 h piece, measured from
        // the then-current instant (to +6.5 h, not +6 h).
        Instant late = start.plus(Duration.ofMinutes(210));
        Instant secondPiece = late.plus(Duration.ofHours(3));
        assertThat(driver.at(late).episode(h -> h.timerFired(0, start.plus(Duration.ofHours(3)))).actions())
                .containsExactly(new CreateTimer(1, secondPiece));
        // 3.5 h left: the final piece ends at the requested time.
        assertThat(driver.at(secondPiece).episode(h -> h.timerFired(1, secondPiece)).actions())
                .containsExactly(new CreateTimer(2, end));

        OrchestratorResult done = driver.at(end).episode(h -> h.timerFired(2, end));
        assertThat(done.completion().result()).isEqualTo("\"" + end + "\"");
    }

    @Test
    void timerOfMoreThanTwoPiecesChainsUntilTheFinalFireTime() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.createTimer(Duration.ofHours(10)).await();
            return "woke";
        }, Duration.ofHours(6), Duration.ofHours(3));
        Instant start = driver.now();
        Instant end = start.plus(Duration.ofHours(10));
        Instant p1 = start.plus(Duration.ofHours(3));
        Instant p2 = start.plus(Duration.ofHours(6));

        assertThat(driver.start(null).actions()).containsExactly(new CreateTimer(0, p1));
        // 7 h left when the first piece fires on time: another 3 h piece.
        assertThat(driver.at(p1).episode(h -> h.timerFired(0, p1)).actions()).containsExactly(new CreateTimer(1, p2));
        // 4 h left: the final piece, to the requested time.
        assertThat(driver.at(p2).episode(h -> h.timerFired(1, p2)).actions()).containsExactly(new CreateTimer(2, end));
        assertThat(driver.at(end).episode(h -> h.timerFired(2, end)).completion().result()).isEqualTo("\"woke\"");
    }

    @Test
    void defaultLimitsSplitASevenDayTimerButNotASixDayOne() {
        EpisodeDriver sevenDays = new EpisodeDriver(ctx -> ctx.createTimer(Duration.ofDays(7)).await());
        EpisodeDriver sixDays = new EpisodeDriver(ctx -> ctx.createTimer(Duration.ofDays(6)).await());
        Instant now = sevenDays.now();

        assertThat(sevenDays.start(null).actions()).containsExactly(new CreateTimer(0, now.plus(Duration.ofDays(3))));
        assertThat(sixDays.start(null).actions()).containsExactly(new CreateTimer(0, now.plus(Duration.ofDays(6))));
    }

    @Test
    void executorRejectsAPieceLongerThanTheMaximumInterval() {
        assertThatThrownBy(() -> new OrchestrationExecutor(EpisodeDriver.JSON, name -> null, Duration.ofHours(1),
                Duration.ofHours(2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OrchestrationExecutor(EpisodeDriver.JSON, name -> null, Duration.ofHours(1),
                Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timerWhereHistoryHoldsAnActivityIsNonDeterministicAndNamesBoth() {
        OrchestratorFunction<String> changed = ctx -> {
            ctx.callActivity("X", String.class).await();
            ctx.callActivity("Y", String.class).await();
            ctx.createTimer(Duration.ofMinutes(1)).await();
            return "changed";
        };
        HistoryBuilder h = new HistoryBuilder();
        List<io.github.durablefunctions.history.HistoryEvent> past = h.orchestratorStarted()
                .executionStarted(EpisodeDriver.NAME, null).taskScheduled(0, "X", null).orchestratorCompleted()
                .orchestratorStarted().taskCompleted(0, "\"x\"").taskScheduled(1, "Y", null).orchestratorCompleted()
                .orchestratorStarted().taskCompleted(1, "\"y\"").taskScheduled(2, "A", null).orchestratorCompleted()
                .take();
        var news = h.orchestratorStarted().taskCompleted(2, "\"a\"").take();

        CompleteOrchestration completion = new OrchestrationExecutor(EpisodeDriver.JSON,
                name -> changed).execute(past, news).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType())
                .isEqualTo(NonDeterministicOrchestratorException.class.getName());
        assertThat(completion.failureDetails().getErrorMessage()).contains("History holds activity 'A' "
                + "(TaskScheduled) at position #2, but the orchestrator code scheduled timer (createTimer) there.");
    }

    @Test
    void activityWhereHistoryHoldsATimerIsNonDeterministic() {
        OrchestratorFunction<String> changed = ctx -> ctx.callActivity("A", String.class).await();
        HistoryBuilder h = new HistoryBuilder();
        var past = h.orchestratorStarted().executionStarted(EpisodeDriver.NAME, null)
                .timerCreated(0, h.now().plusSeconds(60)).orchestratorCompleted().take();
        var news = h.tick(60).orchestratorStarted().timerFired(0, h.now()).take();

        CompleteOrchestration completion = new OrchestrationExecutor(EpisodeDriver.JSON,
                name -> changed).execute(past, news).completion();

        assertThat(completion.failureDetails().getErrorMessage()).contains("History holds timer (TimerCreated) at "
                + "position #0, but the orchestrator code scheduled activity 'A' (callActivity) there.");
    }
}
