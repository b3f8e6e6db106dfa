package io.github.durablefunctions.replay;

import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.interruption.ContinueAsNewInterruption;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.ScheduleTask;
import io.github.durablefunctions.replay.OrchestratorAction.SendEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ContinueAsNewReplayTest {
    @Test
    void continueAsNewEndsTheExecutionWithTheNewInputAndSkipsTheRestOfTheCode() {
        List<String> reached = new ArrayList<>();
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            int n = ctx.getInput(Integer.class);
            try {
                ctx.continueAsNew(n + 1);
            } catch (Exception e) {
                reached.add("caught by catch (Exception)");
            }
            reached.add("after continueAsNew");
            return "unreachable";
        });

        OrchestratorResult result = driver.start("41");

        assertThat(result.actions()).containsExactly(
                new CompleteOrchestration(0, OrchestrationRuntimeStatus.CONTINUED_AS_NEW, "42", null, List.of()));
        assertThat(reached).isEmpty();
    }

    @Test
    void actionsScheduledBeforeContinueAsNewAreEmittedBeforeTheCompletion() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.sendEvent("peer", "tick", 1);
            ctx.callActivity("FireAndForget", "x");
            ctx.continueAsNew(null, false);
            return null;
        });

        assertThat(driver.start(null).actions()).containsExactly(new SendEvent(0, "peer", "tick", "1"),
                new ScheduleTask(1, "FireAndForget", null, "\"x\""),
                new CompleteOrchestration(2, OrchestrationRuntimeStatus.CONTINUED_AS_NEW, null, null, List.of()));
    }

    @Test
    void unconsumedEventsAreCarriedOverInArrivalOrderWhenPreserved() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.createTimer(Duration.ofMinutes(1)).await();
            String taken = ctx.waitForExternalEvent("b", String.class).await();
            ctx.continueAsNew(taken, true);
            return null;
        });
        driver.start(null);

        CompleteOrchestration completion = driver.tick(60).episode(h -> h.eventRaised("a", "\"a1\"")
                .eventRaised("b", "\"b1\"").eventRaised("c", "\"c1\"").eventRaised("a", "\"a2\"")
                .timerFired(0, h.now())).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.CONTINUED_AS_NEW);
        assertThat(completion.result()).isEqualTo("\"b1\"");
        assertThat(completion.carryoverEvents()).extracting(e -> ((EventRaisedEvent) e).input())
                .containsExactly("\"a1\"", "\"c1\"", "\"a2\"");
    }

    @Test
    void eventsLaterInTheEpisodeAreCarriedOverToo() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.waitForExternalEvent("go").await();
            ctx.continueAsNew("next");
            return null;
        });
        driver.start(null);

        CompleteOrchestration completion = driver.episode(h -> h.eventRaised("go", null).eventRaised("late", "1"))
                .completion();

        assertThat(completion.carryoverEvents()).singleElement()
                .satisfies(e -> assertThat(((EventRaisedEvent) e).name()).isEqualTo("late"));
    }

    @Test
    void unconsumedEventsAreDroppedWhenNotPreserved() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.createTimer(Duration.ofMinutes(1)).await();
            ctx.continueAsNew("next", false);
            return null;
        });
        driver.start(null);

        CompleteOrchestration completion = driver.tick(60).episode(h -> h.eventRaised("a", "1")
                .timerFired(0, h.now())).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.CONTINUED_AS_NEW);
        assertThat(completion.carryoverEvents()).isEmpty();
    }

    @Test
    void catchingEvenThrowableDoesNotUndoContinueAsNew() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            try {
                ctx.continueAsNew("first");
            } catch (Throwable t) {
                if (!(t instanceof ContinueAsNewInterruption)) {
                    throw new AssertionError("unexpected signal " + t);
                }
            }
            return "returned anyway";
        });

        CompleteOrchestration completion = driver.start(null).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.CONTINUED_AS_NEW);
        assertThat(completion.result()).isEqualTo("\"first\"");
    }

    @Test
    void completeEndsTheOrchestrationWithTheGivenOutputAndSkipsTheRestOfTheCode() {
        List<String> reached = new ArrayList<>();
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            try {
                ctx.complete("early");
            } catch (Exception e) {
                reached.add("caught");
            }
            reached.add("after complete");
            return "late";
        });

        assertThat(driver.start(null).actions())
                .containsExactly(new CompleteOrchestration(0, OrchestrationRuntimeStatus.COMPLETED, "\"early\"", null));
        assertThat(reached).isEmpty();
    }

    @Test
    void customStatusIsTheLastOneSetAndNullWhenCleared() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.setCustomStatus(java.util.Map.of("step", 1));
            ctx.callActivity("A").await();
            ctx.setCustomStatus(java.util.Map.of("step", 2));
            ctx.callActivity("B").await();
            ctx.clearCustomStatus();
            return null;
        });

        assertThat(driver.start(null).customStatus()).isEqualTo("{\"step\":1}");
        assertThat(driver.episode(h -> h.taskCompleted(0, null)).customStatus()).isEqualTo("{\"step\":2}");
        assertThat(driver.episode(h -> h.taskCompleted(1, null)).customStatus()).isNull();
    }

    @Test
    void newUuidIsNameBasedVersion5AndTheSameOnEveryReplay() {
        // Expected values computed once, independently, with Python 3:
        //   uuid.uuid5(uuid.UUID('9e952958-5e33-4daf-827f-2fa12937b875'), name)
        // for the names 'fixture-instance-2026-11-21T10:00:00Z-0', '...-10:00:00Z-1' and
        // 'fixture-instance-2026-11-21T10:00:05Z-2' (instance ID, current instant, counter).
        List<String> uuids = new ArrayList<>();
        OrchestratorFunction<Void> fn = ctx -> {
            uuids.clear();
            uuids.add(ctx.newUUID().toString());
            uuids.add(ctx.newUUID().toString());
            ctx.callActivity("A").await();
            uuids.add(ctx.newUUID().toString());
            return null;
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);

        driver.tick(5).episode(h -> h.taskCompleted(0, null));

        assertThat(uuids).containsExactly("371e3637-a85c-5d5f-bf32-2b205382dbed",
                "de82a3e1-3a4e-548d-ba86-bd0ef38f0248", "22754dfc-040c-521c-9541-bbce25e546a3");
        assertThat(java.util.UUID.fromString(uuids.get(0)).version()).isEqualTo(5);
    }

    @Test
    void resultOfAnEpisodeKeepsCustomStatusWhileWaiting() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.setCustomStatus("waiting");
            return ctx.waitForExternalEvent("x").await();
        });

        OrchestratorResult result = driver.start(null);

        assertThat(result.actions()).isEmpty();
        assertThat(result.customStatus()).isEqualTo("\"waiting\"");
    }

    @Test
    void carriedOverEventsAfterTheNewExecutionStartedSatisfyItsFirstWait() {
        // The worker appends the carried events right after the new execution's ExecutionStarted.
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.waitForExternalEvent("a", String.class).await());
        List<HistoryEvent> carried = List.of(new EventRaisedEvent(-1, false, driver.now(), "a", "\"kept\"", null));

        OrchestratorResult result = driver.episode(h -> {
            h.executionStarted(EpisodeDriver.NAME, null);
            carried.forEach(h::add);
        });

        assertThat(result.completion().result()).isEqualTo("\"kept\"");
    }
}
