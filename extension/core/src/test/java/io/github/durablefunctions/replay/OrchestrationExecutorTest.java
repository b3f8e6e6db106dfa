package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.NonDeterministicOrchestratorException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.ScheduleTask;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OrchestrationExecutorTest {
    private static final JacksonDataConverter JSON = new JacksonDataConverter();

    /** The HelloCities chaining sample: three sequential activities. */
    private static final OrchestratorFunction<List<String>> HELLO_CITIES = ctx -> {
        List<String> out = new ArrayList<>();
        out.add(ctx.callActivity("SayHello", "Tokyo", String.class).await());
        out.add(ctx.callActivity("SayHello", "Seattle", String.class).await());
        out.add(ctx.callActivity("SayHello", "London", String.class).await());
        return out;
    };

    /** Fan-out/fan-in: one activity per item, all in parallel, then the sum. */
    private static final OrchestratorFunction<Integer> FAN_OUT = ctx -> {
        int count = ctx.getInput(Integer.class);
        List<Task<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tasks.add(ctx.callActivity("Square", i, Integer.class));
        }
        return ctx.allOf(tasks).await().stream().mapToInt(Integer::intValue).sum();
    };

    private static OrchestratorResult run(OrchestratorFunction<?> fn, List<HistoryEvent> past,
                                          List<HistoryEvent> news) {
        Map<String, OrchestratorFunction<?>> registry = Map.of("HelloCities", HELLO_CITIES, "FanOut", FAN_OUT,
                "Custom", fn == null ? HELLO_CITIES : fn);
        return new OrchestrationExecutor(JSON, registry::get).execute(past, news);
    }

    @Test
    void firstEpisodeSchedulesTheFirstActivityAndWaits() {
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> news = h.orchestratorStarted().executionStarted("HelloCities", null).take();

        OrchestratorResult result = run(null, List.of(), news);

        assertThat(result.actions()).containsExactly(new ScheduleTask(0, "SayHello", null, "\"Tokyo\""));
        assertThat(result.completion()).isNull();
    }

    @Test
    void replayOfCompletedActivitiesReturnsTheirResultsAndSchedulesOnlyTheNextOne() {
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("HelloCities", null)
                .taskScheduled(0, "SayHello", "\"Tokyo\"").orchestratorCompleted()
                .tick(1).orchestratorStarted().taskCompleted(0, "\"Hello Tokyo!\"")
                .taskScheduled(1, "SayHello", "\"Seattle\"").orchestratorCompleted().take();
        List<HistoryEvent> news = h.tick(1).orchestratorStarted().taskCompleted(1, "\"Hello Seattle!\"").take();

        OrchestratorResult result = run(null, past, news);

        assertThat(result.actions()).containsExactly(new ScheduleTask(2, "SayHello", null, "\"London\""));
    }

    @Test
    void lastResultCompletesTheOrchestrationWithItsOutput() {
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("HelloCities", null)
                .taskScheduled(0, "SayHello", "\"Tokyo\"").orchestratorCompleted()
                .orchestratorStarted().taskCompleted(0, "\"Hello Tokyo!\"")
                .taskScheduled(1, "SayHello", "\"Seattle\"").orchestratorCompleted()
                .orchestratorStarted().taskCompleted(1, "\"Hello Seattle!\"")
                .taskScheduled(2, "SayHello", "\"London\"").orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(2, "\"Hello London!\"").take();

        OrchestratorResult result = run(null, past, news);

        assertThat(result.actions()).containsExactly(new CompleteOrchestration(3, OrchestrationRuntimeStatus.COMPLETED,
                "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]", null));
    }

    @Test
    void isReplayingIsTrueOverPastEventsAndFalseOnceNewEventsAreReached() {
        List<String> seen = new ArrayList<>();
        OrchestratorFunction<Void> fn = ctx -> {
            seen.add("start replaying=" + ctx.getIsReplaying() + " at " + ctx.getCurrentInstant());
            ctx.callActivity("A", String.class).await();
            seen.add("after A replaying=" + ctx.getIsReplaying() + " at " + ctx.getCurrentInstant());
            ctx.callActivity("B", String.class).await();
            seen.add("after B replaying=" + ctx.getIsReplaying() + " at " + ctx.getCurrentInstant());
            return null;
        };
        HistoryBuilder h = new HistoryBuilder();
        Instant first = h.now();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("Custom", null)
                .taskScheduled(0, "A", null).orchestratorCompleted().take();
        Instant second = h.tick(5).now();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(0, "\"a\"").take();

        OrchestratorResult result = run(fn, past, news);

        assertThat(seen).containsExactly("start replaying=true at " + first, "after A replaying=false at " + second);
        assertThat(result.actions()).containsExactly(new ScheduleTask(1, "B", null, null));
    }

    @Test
    void fanOutSchedulesAllActivitiesInOneEpisode() {
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> news = h.orchestratorStarted().executionStarted("FanOut", "4").take();

        OrchestratorResult result = run(null, List.of(), news);

        assertThat(result.actions()).containsExactly(new ScheduleTask(0, "Square", null, "0"),
                new ScheduleTask(1, "Square", null, "1"), new ScheduleTask(2, "Square", null, "2"),
                new ScheduleTask(3, "Square", null, "3"));
    }

    @Test
    void fanInWaitsForEveryResultWhateverTheirArrivalOrder() {
        HistoryBuilder h = new HistoryBuilder();
        h.orchestratorStarted().executionStarted("FanOut", "4");
        for (int i = 0; i < 4; i++) {
            h.taskScheduled(i, "Square", String.valueOf(i));
        }
        List<HistoryEvent> past = h.orchestratorCompleted()
                .orchestratorStarted().taskCompleted(3, "9").taskCompleted(0, "0").orchestratorCompleted().take();

        OrchestratorResult waiting = run(null, past, h.orchestratorStarted().taskCompleted(2, "4").take());
        assertThat(waiting.actions()).isEmpty();

        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(2, "4").taskCompleted(1, "1").take();
        OrchestratorResult done = run(null, past, news);
        assertThat(done.actions()).containsExactly(
                new CompleteOrchestration(4, OrchestrationRuntimeStatus.COMPLETED, "14", null));
    }

    @Test
    void activityFailureSurfacesAsTaskFailedExceptionWithFailureDetails() {
        List<Object> caught = new ArrayList<>();
        OrchestratorFunction<String> fn = ctx -> {
            try {
                return ctx.callActivity("Charge", 100, String.class).await();
            } catch (TaskFailedException e) {
                caught.add(e);
                return "compensated: " + e.getErrorDetails().getErrorMessage();
            }
        };
        FailureDetails cause = new FailureDetails("java.lang.IllegalStateException", "card declined",
                "java.lang.IllegalStateException: card declined\n\tat Charge.run", null, false, null);
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("Custom", null)
                .taskScheduled(0, "Charge", "100").orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskFailed(0, cause).take();

        OrchestratorResult result = run(fn, past, news);

        assertThat(caught).singleElement().satisfies(e -> {
            TaskFailedException failed = (TaskFailedException) e;
            assertThat(failed.getTaskName()).isEqualTo("Charge");
            assertThat(failed.getTaskId()).isZero();
            assertThat(failed.getErrorDetails()).isEqualTo(cause);
            assertThat(failed.getMessage()).isEqualTo(
                    "Task 'Charge' (#0) failed with an unhandled exception: card declined");
        });
        assertThat(result.actions()).containsExactly(new CompleteOrchestration(1,
                OrchestrationRuntimeStatus.COMPLETED, "\"compensated: card declined\"", null));
    }

    @Test
    void unhandledActivityFailureFailsTheOrchestrationWithTheActivityFailureAsInnerDetails() {
        FailureDetails cause = new FailureDetails("java.io.IOException", "disk full");
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("HelloCities", null)
                .taskScheduled(0, "SayHello", "\"Tokyo\"").orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskFailed(0, cause).take();

        OrchestratorResult result = run(null, past, news);

        CompleteOrchestration completion = result.completion();
        assertThat(result.actions()).containsExactly(completion);
        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType()).isEqualTo(TaskFailedException.class.getName());
        assertThat(completion.failureDetails().getErrorMessage()).contains("'SayHello' (#0)", "disk full");
        assertThat(completion.failureDetails().getInnerFailure()).isEqualTo(cause);
    }

    @Test
    void fanInFailureReportsEveryFailedActivity() {
        HistoryBuilder h = new HistoryBuilder();
        h.orchestratorStarted().executionStarted("FanOut", "3");
        for (int i = 0; i < 3; i++) {
            h.taskScheduled(i, "Square", String.valueOf(i));
        }
        List<HistoryEvent> past = h.orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskFailed(0, new FailureDetails("E0", "zero"))
                .taskCompleted(1, "1").taskFailed(2, new FailureDetails("E2", "two")).take();

        CompleteOrchestration completion = run(null, past, news).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorMessage()).isEqualTo("2 out of 3 tasks failed with an "
                + "exception. First failure: Task 'Square' (#0) failed with an unhandled exception: zero");
        assertThat(completion.failureDetails().getInnerFailure().getErrorMessage()).isEqualTo("zero");
    }

    @Test
    void changedActivityNameAtTheSamePositionIsNonDeterministic() {
        OrchestratorFunction<String> changed = ctx -> ctx.callActivity("SayGoodbye", "Tokyo", String.class).await();
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("Custom", null)
                .taskScheduled(0, "SayHello", "\"Tokyo\"").orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(0, "\"Hello Tokyo!\"").take();

        CompleteOrchestration completion = run(changed, past, news).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType())
                .isEqualTo(NonDeterministicOrchestratorException.class.getName());
        assertThat(completion.failureDetails().getErrorMessage())
                .contains("activity 'SayHello' (TaskScheduled) at position #0")
                .contains("scheduled activity 'SayGoodbye' (callActivity) there");
        assertThat(completion.failureDetails().isNonRetriable()).isTrue();
    }

    @Test
    void codeThatNoLongerSchedulesWhatHistoryHoldsIsNonDeterministic() {
        OrchestratorFunction<String> shortened = ctx -> "done early";
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("Custom", null)
                .taskScheduled(0, "SayHello", "\"Tokyo\"").orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(0, "\"Hello Tokyo!\"").take();

        CompleteOrchestration completion = run(shortened, past, news).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorMessage())
                .contains("History holds activity 'SayHello' (TaskScheduled) at position #0, but the orchestrator "
                        + "code did not schedule anything at that position.");
    }

    @Test
    void codeThatSchedulesMoreThanAReplayedEpisodeHeldIsNonDeterministic() {
        OrchestratorFunction<String> extended = ctx -> {
            Task<String> a = ctx.callActivity("A", String.class);
            ctx.callActivity("Extra");
            return a.await();
        };
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("Custom", null)
                .taskScheduled(0, "A", null).orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(0, "\"a\"").take();

        CompleteOrchestration completion = run(extended, past, news).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorMessage())
                .contains("scheduled activity 'Extra' (callActivity) at position #1, but history holds nothing");
    }

    @Test
    void nonDeterminismIsReportedEvenWhenTheCodeCatchesEveryException() {
        OrchestratorFunction<String> swallowing = ctx -> {
            try {
                return ctx.callActivity("SayGoodbye", String.class).await();
            } catch (Exception e) {
                return "swallowed";
            }
        };
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("Custom", null)
                .taskScheduled(0, "SayHello", null).orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(0, "\"x\"").take();

        CompleteOrchestration completion = run(swallowing, past, news).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType())
                .isEqualTo(NonDeterministicOrchestratorException.class.getName());
    }

    @Test
    void catchingTheBlockingSignalDoesNotCompleteTheOrchestration() {
        OrchestratorFunction<String> catchesThrowable = ctx -> {
            try {
                return ctx.callActivity("A", String.class).await();
            } catch (Throwable t) {
                return "wrongly done";
            }
        };
        List<HistoryEvent> news = new HistoryBuilder().orchestratorStarted().executionStarted("Custom", null).take();

        OrchestratorResult result = run(catchesThrowable, List.of(), news);

        assertThat(result.actions()).containsExactly(new ScheduleTask(0, "A", null, null));
    }

    @Test
    void wrappingTheBlockingSignalInAnExceptionDoesNotFailTheOrchestration() {
        OrchestratorFunction<String> wrapping = ctx -> {
            try {
                return ctx.callActivity("A", String.class).await();
            } catch (Throwable t) {
                throw new IllegalStateException("wrapped", t);
            }
        };
        List<HistoryEvent> news = new HistoryBuilder().orchestratorStarted().executionStarted("Custom", null).take();

        OrchestratorResult result = run(wrapping, List.of(), news);

        assertThat(result.actions()).containsExactly(new ScheduleTask(0, "A", null, null));
        assertThat(result.completion()).isNull();
    }

    @Test
    void orchestratorExceptionFailsTheOrchestrationWithItsDetails() {
        OrchestratorFunction<String> throwing = ctx -> {
            throw new IllegalArgumentException("bad input: " + ctx.getInput(String.class));
        };
        List<HistoryEvent> news = new HistoryBuilder().orchestratorStarted().executionStarted("Custom", "\"x\"")
                .take();

        CompleteOrchestration completion = run(throwing, List.of(), news).completion();

        assertThat(completion.id()).isZero();
        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(completion.failureDetails().getErrorMessage()).isEqualTo("bad input: x");
        assertThat(completion.failureDetails().getStackTrace()).contains("OrchestrationExecutorTest");
    }

    @Test
    void anErrorThrownByOrchestratorCodeFailsTheOrchestrationLikeAnException() {
        OrchestratorFunction<String> asserting = ctx -> {
            throw new AssertionError("invariant broken");
        };
        List<HistoryEvent> news = new HistoryBuilder().orchestratorStarted().executionStarted("Custom", null).take();

        CompleteOrchestration completion = run(asserting, List.of(), news).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType()).isEqualTo("java.lang.AssertionError");
        assertThat(completion.failureDetails().getErrorMessage()).isEqualTo("invariant broken");
    }

    @Test
    void unknownOrchestratorFailsWithAClearMessage() {
        List<HistoryEvent> news = new HistoryBuilder().orchestratorStarted().executionStarted("Nope", null).take();

        CompleteOrchestration completion = run(null, List.of(), news).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorMessage())
                .isEqualTo("No orchestrator function named 'Nope' is registered in this app.");
    }

    @Test
    void historyWithoutExecutionStartedProducesNoActions() {
        List<HistoryEvent> news = new HistoryBuilder().orchestratorStarted().taskCompleted(0, "1").take();

        assertThat(run(null, List.of(), news).actions()).isEmpty();
    }

    @Test
    void activityNamesMatchHistoryCaseInsensitively() {
        OrchestratorFunction<String> lower = ctx -> ctx.callActivity("sayhello", String.class).await();
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("Custom", null)
                .taskScheduled(0, "SayHello", null).orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(0, "\"hi\"").take();

        assertThat(run(lower, past, news).completion())
                .isEqualTo(new CompleteOrchestration(1, OrchestrationRuntimeStatus.COMPLETED, "\"hi\"", null));
    }

    @Test
    void thenApplyTransformsAResultDuringReplay() {
        OrchestratorFunction<Integer> fn = ctx -> ctx.callActivity("Len", String.class).thenApply(String::length)
                .await();
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted("Custom", null)
                .taskScheduled(0, "Len", null).orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(0, "\"four\"").take();

        assertThat(run(fn, past, news).completion().result()).isEqualTo("4");
    }
}
