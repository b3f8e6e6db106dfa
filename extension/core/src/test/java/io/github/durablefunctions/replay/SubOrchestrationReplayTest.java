package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.NonDeterministicOrchestratorException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.CreateSubOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.SendEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SubOrchestrationReplayTest {
    private static final String PARENT = HistoryBuilder.INSTANCE_ID;

    @Test
    void subOrchestrationGetsADeterministicChildIdAndCompletesWithTheChildOutput() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callSubOrchestrator("Child", 7, Integer.class).await() * 2);

        assertThat(driver.start(null).actions())
                .containsExactly(new CreateSubOrchestration(0, "Child", null, PARENT + ":0000", "7"));
        assertThat(driver.tick(3).episode(h -> h.subOrchestrationCompleted(0, "21")).actions())
                .containsExactly(new CompleteOrchestration(1, OrchestrationRuntimeStatus.COMPLETED, "42", null));
    }

    @Test
    void generatedChildIdIsTheParentIdAndFourUpperCaseHexDigitsOfThePosition() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            for (int i = 0; i < 11; i++) {
                ctx.sendEvent("elsewhere", "e" + i);
            }
            ctx.callSubOrchestrator("Child", null, null, null, Void.class);
            return ctx.callSubOrchestrator("Named", null, "my-child", Void.class).await();
        });

        List<OrchestratorAction> actions = driver.start(null).actions();

        assertThat(actions).hasSize(13);
        assertThat(actions.get(11)).isEqualTo(new CreateSubOrchestration(11, "Child", null, PARENT + ":000B", null));
        assertThat(actions.get(12)).isEqualTo(new CreateSubOrchestration(12, "Named", null, "my-child", null));
    }

    @Test
    void childFailureSurfacesAsTaskFailedExceptionWithTheChildsFailureDetails() {
        FailureDetails childFailure = new FailureDetails("java.lang.IllegalStateException", "child broke",
                "trace", null, false, null);
        List<TaskFailedException> caught = new ArrayList<>();
        OrchestratorFunction<String> fn = ctx -> {
            try {
                return ctx.callSubOrchestrator("Child", null, String.class).await();
            } catch (TaskFailedException e) {
                caught.add(e);
                return "handled";
            }
        };
        EpisodeDriver driver = new EpisodeDriver(fn);
        driver.start(null);

        OrchestratorResult done = driver.episode(h -> h.subOrchestrationFailed(0, childFailure));

        assertThat(done.completion().result()).isEqualTo("\"handled\"");
        assertThat(caught).last().satisfies(e -> {
            assertThat(e.getTaskName()).isEqualTo("Child");
            assertThat(e.getTaskId()).isZero();
            assertThat(e.getErrorDetails()).isEqualTo(childFailure);
        });
    }

    @Test
    void unhandledChildFailureFailsTheParentWithTheChildFailureAsInnerDetails() {
        FailureDetails childFailure = new FailureDetails("java.io.IOException", "disk full");
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callSubOrchestrator("Child", null, String.class).await());
        driver.start(null);

        CompleteOrchestration completion = driver.episode(h -> h.subOrchestrationFailed(0, childFailure)).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorType()).isEqualTo(TaskFailedException.class.getName());
        assertThat(completion.failureDetails().getInnerFailure()).isEqualTo(childFailure);
    }

    @Test
    void changedSubOrchestratorNameIsNonDeterministic() {
        OrchestratorFunction<String> changed = ctx -> ctx.callSubOrchestrator("Other", null, String.class).await();
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted(EpisodeDriver.NAME, null)
                .subOrchestrationCreated(0, "Child", PARENT + ":0000", null).orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().subOrchestrationCompleted(0, "\"x\"").take();

        CompleteOrchestration completion = execute(changed, past, news).completion();

        assertThat(completion.failureDetails().getErrorType())
                .isEqualTo(NonDeterministicOrchestratorException.class.getName());
        assertThat(completion.failureDetails().getErrorMessage()).contains("History holds sub-orchestration 'Child' "
                + "(SubOrchestrationInstanceCreated) at position #0, but the orchestrator code scheduled "
                + "sub-orchestration 'Other' (callSubOrchestrator) there.");
    }

    @Test
    void subOrchestrationWhereHistoryHoldsAnActivityIsNonDeterministic() {
        OrchestratorFunction<String> changed = ctx -> ctx.callSubOrchestrator("A", null, String.class).await();
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted(EpisodeDriver.NAME, null)
                .taskScheduled(0, "A", null).orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(0, "\"x\"").take();

        assertThat(execute(changed, past, news).completion().failureDetails().getErrorMessage())
                .contains("History holds activity 'A' (TaskScheduled) at position #0, but the orchestrator code "
                        + "scheduled sub-orchestration 'A' (callSubOrchestrator) there.");
    }

    @Test
    void sendEventIsAnActionMatchedByEventSentOnReplay() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.sendEvent("target-1", "Wake", java.util.Map.of("n", 1));
            return ctx.callActivity("After", String.class).await();
        });

        assertThat(driver.start(null).actions()).containsExactly(new SendEvent(0, "target-1", "Wake", "{\"n\":1}"),
                new OrchestratorAction.ScheduleTask(1, "After", null, null));
        assertThat(driver.episode(h -> h.taskCompleted(1, "\"ok\"")).actions())
                .containsExactly(new CompleteOrchestration(2, OrchestrationRuntimeStatus.COMPLETED, "\"ok\"", null));
    }

    @Test
    void changedSentEventNameIsNonDeterministic() {
        OrchestratorFunction<String> changed = ctx -> {
            ctx.sendEvent("target-1", "Sleep");
            return ctx.callActivity("After", String.class).await();
        };
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted(EpisodeDriver.NAME, null)
                .eventSent(0, "target-1", "Wake", null).taskScheduled(1, "After", null).orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().taskCompleted(1, "\"ok\"").take();

        assertThat(execute(changed, past, news).completion().failureDetails().getErrorMessage())
                .contains("History holds event 'Wake' to instance 'target-1' (EventSent) at position #0, but the "
                        + "orchestrator code scheduled event 'Sleep' to instance 'target-1' (sendEvent) there.");
    }

    private static OrchestratorResult execute(OrchestratorFunction<?> fn, List<HistoryEvent> past,
                                              List<HistoryEvent> news) {
        return new OrchestrationExecutor(EpisodeDriver.JSON, name -> fn).execute(past, news);
    }
}
