package io.github.durablefunctions.replay;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.ScheduleTask;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RewindReplayTest {
    private static final OrchestratorFunction<List<String>> CHAIN = ctx -> {
        List<String> out = new ArrayList<>();
        out.add(ctx.callActivity("SayHello", "Tokyo", String.class).await());
        out.add(ctx.callActivity("SayHello", "Seattle", String.class).await());
        out.add(ctx.callActivity("SayHello", "London", String.class).await());
        return out;
    };

    /**
     * The chain failed at its second activity; the history as rewind leaves it: the failed activity's TaskScheduled
     * row (ID 1) and its TaskFailed row, and the failed ExecutionCompleted row (ID 2), rewritten into GenericEvent
     * rows.
     */
    private static List<HistoryEvent> rewoundHistory(HistoryBuilder h) {
        FailureDetails failure = new FailureDetails("java.io.IOException", "Seattle is down");
        List<HistoryEvent> failed = h.orchestratorStarted().executionStarted(EpisodeDriver.NAME, null)
                .taskScheduled(0, "SayHello", "\"Tokyo\"").orchestratorCompleted()
                .tick(1).orchestratorStarted().taskCompleted(0, "\"Hello Tokyo!\"")
                .taskScheduled(1, "SayHello", "\"Seattle\"").orchestratorCompleted()
                .tick(1).orchestratorStarted().taskFailed(1, failure)
                .add(new ExecutionCompletedEvent(2, false, h.now(), OrchestrationRuntimeStatus.FAILED, null, failure))
                .orchestratorCompleted().take();
        List<HistoryEvent> rewound = new ArrayList<>();
        for (HistoryEvent e : failed) {
            if (e instanceof io.github.durablefunctions.history.TaskScheduledEvent s && s.eventId() == 1) {
                rewound.add(new io.github.durablefunctions.history.GenericEvent(1, false, e.timestamp(),
                        "Rewound: TaskScheduled"));
            } else if (e instanceof io.github.durablefunctions.history.TaskFailedEvent) {
                rewound.add(new io.github.durablefunctions.history.GenericEvent(-1, false, e.timestamp(),
                        "Rewound: TaskFailed"));
            } else if (e instanceof ExecutionCompletedEvent) {
                rewound.add(new io.github.durablefunctions.history.GenericEvent(2, false, e.timestamp(),
                        "Rewound: ExecutionCompleted"));
            } else {
                rewound.add(e);
            }
        }
        return rewound;
    }

    @Test
    void rewoundHistoryReplaysToOneNewScheduleForTheFailedActivity() {
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = rewoundHistory(h);
        List<HistoryEvent> news = h.tick(1).orchestratorStarted().generic(-1, "rewind requested").take();
        OrchestrationExecutor executor = new OrchestrationExecutor(new JacksonDataConverter(), name -> CHAIN);

        OrchestratorResult result = executor.execute(past, news);

        assertThat(result.actions()).containsExactly(new ScheduleTask(1, "SayHello", null, "\"Seattle\""));
    }

    @Test
    void rescheduledActivityMatchesTheNewTaskScheduledAndTheChainCarriesOnWithTheEarlierResults() {
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = new ArrayList<>(rewoundHistory(h));
        past.addAll(h.tick(1).orchestratorStarted().generic(-1, "rewind requested")
                .taskScheduled(1, "SayHello", "\"Seattle\"").orchestratorCompleted().take());
        OrchestrationExecutor executor = new OrchestrationExecutor(new JacksonDataConverter(), name -> CHAIN);

        OrchestratorResult next = executor.execute(past, h.tick(1).orchestratorStarted()
                .taskCompleted(1, "\"Hello Seattle!\"").take());
        // Position 2 held the failed completion, which rewind removed: London takes it.
        assertThat(next.actions()).containsExactly(new ScheduleTask(2, "SayHello", null, "\"London\""));
    }

    @Test
    void completedRewoundChainEndsWithAllResults() {
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = new ArrayList<>(rewoundHistory(h));
        past.addAll(h.tick(1).orchestratorStarted().generic(-1, "rewind requested")
                .taskScheduled(1, "SayHello", "\"Seattle\"").orchestratorCompleted()
                .orchestratorStarted().taskCompleted(1, "\"Hello Seattle!\"")
                .taskScheduled(2, "SayHello", "\"London\"").orchestratorCompleted().take());
        OrchestrationExecutor executor = new OrchestrationExecutor(new JacksonDataConverter(), name -> CHAIN);

        OrchestratorResult done = executor.execute(past, h.orchestratorStarted()
                .taskCompleted(2, "\"Hello London!\"").take());

        assertThat(done.actions()).containsExactly(new CompleteOrchestration(3, OrchestrationRuntimeStatus.COMPLETED,
                "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]", null));
    }

    @Test
    void withoutTheRewindMarkerAMissingScheduledRowIsStillNonDeterministic() {
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted(EpisodeDriver.NAME, null)
                .taskScheduled(0, "SayHello", "\"Tokyo\"").orchestratorCompleted()
                .tick(1).orchestratorStarted().taskCompleted(0, "\"Hello Tokyo!\"")
                .generic(-1, "something else").orchestratorCompleted().take();
        OrchestrationExecutor executor = new OrchestrationExecutor(new JacksonDataConverter(), name -> CHAIN);

        CompleteOrchestration completion = executor.execute(past, h.orchestratorStarted().take()).completion();

        assertThat(completion.status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(completion.failureDetails().getErrorMessage())
                .contains("scheduled activity 'SayHello' (callActivity) at position #1, but history holds nothing");
    }
}
