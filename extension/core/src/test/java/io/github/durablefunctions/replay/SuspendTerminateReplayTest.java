package io.github.durablefunctions.replay;

import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.ScheduleTask;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SuspendTerminateReplayTest {
    private static final OrchestratorFunction<String> TWO_STEPS = ctx -> {
        String a = ctx.callActivity("A", String.class).await();
        return a + "+" + ctx.callActivity("B", String.class).await();
    };

    @Test
    void resultsArrivingWhileSuspendedAreHeldUntilResume() {
        EpisodeDriver driver = new EpisodeDriver(TWO_STEPS);
        driver.start(null);

        assertThat(driver.episode(h -> h.suspended("maintenance").taskCompleted(0, "\"a\"")).actions()).isEmpty();
        assertThat(driver.episode(h -> h.resumed("done")).actions()).containsExactly(new ScheduleTask(1, "B", null,
                null));
        assertThat(driver.episode(h -> h.taskCompleted(1, "\"b\"")).completion().result()).isEqualTo("\"a+b\"");
    }

    @Test
    void heldEventsAreDeliveredInArrivalOrderBeforeLaterOnes() {
        OrchestratorFunction<List<String>> fn = ctx -> {
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                got.add(ctx.waitForExternalEvent("e", String.class).await());
            }
            return got;
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);
        assertThat(driver.episode(h -> h.suspended(null).eventRaised("e", "\"1\"").eventRaised("e", "\"2\""))
                .actions()).isEmpty();

        OrchestratorResult done = driver.episode(h -> h.resumed(null).eventRaised("e", "\"3\""));

        assertThat(done.completion().result()).isEqualTo("[\"1\",\"2\",\"3\"]");
    }

    @Test
    void terminationEndsTheInstanceWithItsReasonAndDropsPendingActions() {
        OrchestratorFunction<String> fn = ctx -> {
            ctx.callActivity("A", String.class).await();
            ctx.callActivity("Unawaited");
            return ctx.callActivity("B", String.class).await();
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);

        OrchestratorResult result = driver.episode(h -> h.taskCompleted(0, "\"a\"").terminated("\"stop it\""));

        assertThat(result.actions()).containsExactly(
                new CompleteOrchestration(3, OrchestrationRuntimeStatus.TERMINATED, "\"stop it\"", null));
    }

    @Test
    void terminationWhileSuspendedTakesEffect() {
        EpisodeDriver driver = new EpisodeDriver(TWO_STEPS);
        driver.start(null);
        driver.episode(h -> h.suspended(null));

        CompleteOrchestration completion = driver.episode(h -> h.taskCompleted(0, "\"a\"").terminated("\"bye\""))
                .completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(completion.result()).isEqualTo("\"bye\"");
    }

    @Test
    void codeThatCatchesEverythingIsStillTerminated() {
        OrchestratorFunction<String> swallowing = ctx -> {
            try {
                return ctx.callActivity("A", String.class).await();
            } catch (Throwable t) {
                return "swallowed " + t.getClass().getSimpleName();
            }
        };
        EpisodeDriver driver = new EpisodeDriver(swallowing);
        driver.start(null);

        CompleteOrchestration completion = driver.episode(h -> h.terminated(null)).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(completion.result()).isNull();
    }

    @Test
    void terminationAfterTheCodeReturnedInTheSameEpisodeWins() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callActivity("A", String.class).await());
        driver.start(null);

        CompleteOrchestration completion = driver.episode(h -> h.taskCompleted(0, "\"a\"").terminated("\"r\""))
                .completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
    }
}
