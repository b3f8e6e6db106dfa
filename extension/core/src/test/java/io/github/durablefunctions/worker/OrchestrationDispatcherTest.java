package io.github.durablefunctions.worker;

import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OrchestrationDispatcherTest {
    private static final OrchestrationInstance INSTANCE = new OrchestrationInstance("i1", "e1");
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private static final class WorkItem extends OrchestrationWorkItem {
        WorkItem(List<HistoryEvent> past, HistoryEvent... messages) {
            super(INSTANCE.instanceId(), new OrchestrationRuntimeState(past),
                    java.util.Arrays.stream(messages).map(e -> new TaskMessage(e, INSTANCE)).toList());
        }
    }

    private final RecordingService service = new RecordingService();
    private final OrchestratorFunction<String> twoSteps = ctx -> ctx.callActivity("A", String.class).await()
            + ctx.callActivity("B", String.class).await();
    private final OrchestrationDispatcher dispatcher = new OrchestrationDispatcher(service,
            Map.of("TwoSteps", twoSteps), new JacksonDataConverter(), 1);

    private static ExecutionStartedEvent started() {
        return new ExecutionStartedEvent(-1, false, T0, INSTANCE, null, "TwoSteps", null, null, null, null, null,
                null, 0, false);
    }

    private static List<HistoryEvent> firstEpisode() {
        return List.of(new OrchestratorStartedEvent(-1, false, T0), started(),
                new TaskScheduledEvent(0, false, T0, "A", null, null, null, null),
                new OrchestratorCompletedEvent(-1, false, T0));
    }

    @Test
    void firstEpisodeCheckpointsStartSchedulingAndAnActivityMessage() {
        dispatcher.process(new WorkItem(List.of(), started()));

        assertThat(service.calls).containsExactly("complete");
        OrchestrationCheckpoint cp = service.completed.get(0);
        assertThat(cp.newRuntimeState().getNewEvents()).extracting(HistoryEvent::eventType).map(Enum::name)
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted");
        assertThat(cp.activityMessages()).singleElement().satisfies(m -> {
            assertThat(m.orchestrationInstance()).isEqualTo(INSTANCE);
            assertThat(((TaskScheduledEvent) m.event()).name()).isEqualTo("A");
            assertThat(m.event().eventId()).isZero();
        });
        assertThat(cp.newRuntimeState().getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
    }

    @Test
    void episodeTimestampsComeFromTheGivenClockTruncatedToHundredNanoseconds() {
        Clock fixed = Clock.fixed(Instant.parse("2031-02-03T04:05:06.123456789Z"), ZoneOffset.UTC);
        OrchestrationDispatcher clocked = new OrchestrationDispatcher(service, Map.of("TwoSteps", twoSteps),
                Map.of(), new JacksonDataConverter(), 1, Duration.ofDays(6), Duration.ofDays(3), Duration.ZERO,
                10, fixed);

        clocked.process(new WorkItem(List.of(), started()));

        assertThat(service.completed.get(0).newRuntimeState().getNewEvents())
                .filteredOn(e -> e instanceof OrchestratorStartedEvent || e instanceof OrchestratorCompletedEvent
                        || e instanceof TaskScheduledEvent)
                .hasSize(3).allSatisfy(e -> assertThat(e.timestamp())
                        .isEqualTo(Instant.parse("2031-02-03T04:05:06.1234567Z")));
    }

    @Test
    void episodeTimestampsHaveTheHundredNanosecondPrecisionThatHistoryStores() {
        // A finer OrchestratorStarted timestamp would give getCurrentInstant() and newUUID() other values on replay,
        // after the backend stored it as .NET ticks.
        for (int i = 0; i < 20; i++) {
            assertThat(OrchestrationDispatcher.historyNow().getNano() % 100).isZero();
        }
        dispatcher.process(new WorkItem(List.of(), started()));

        assertThat(service.completed.get(0).newRuntimeState().getNewEvents())
                .filteredOn(e -> e instanceof OrchestratorStartedEvent || e instanceof OrchestratorCompletedEvent
                        || e instanceof TaskScheduledEvent)
                .hasSize(3).allSatisfy(e -> assertThat(e.timestamp().getNano() % 100).isZero());
    }

    @Test
    void aDuplicateResultInTheSameBatchIsRecordedOnce() {
        TaskCompletedEvent result = new TaskCompletedEvent(-1, false, T0, 0, "\"a\"");

        dispatcher.process(new WorkItem(firstEpisode(), result, result));

        List<HistoryEvent> added = service.completed.get(0).newRuntimeState().getNewEvents();
        assertThat(added).filteredOn(e -> e instanceof TaskCompletedEvent).hasSize(1);
        assertThat(added).filteredOn(e -> e instanceof TaskScheduledEvent)
                .singleElement().extracting(e -> ((TaskScheduledEvent) e).name()).isEqualTo("B");
    }

    @Test
    void aResultAlreadyInHistoryIsNotRecordedAgain() {
        List<HistoryEvent> past = new ArrayList<>(firstEpisode());
        past.addAll(List.of(new OrchestratorStartedEvent(-1, false, T0),
                new TaskCompletedEvent(-1, false, T0, 0, "\"a\""),
                new TaskScheduledEvent(1, false, T0, "B", null, null, null, null),
                new OrchestratorCompletedEvent(-1, false, T0)));

        dispatcher.process(new WorkItem(past, new TaskCompletedEvent(-1, false, T0, 0, "\"a again\""),
                new TaskCompletedEvent(-1, false, T0, 1, "\"b\"")));

        List<HistoryEvent> added = service.completed.get(0).newRuntimeState().getNewEvents();
        assertThat(added).filteredOn(e -> e instanceof TaskCompletedEvent)
                .extracting(e -> ((TaskCompletedEvent) e).taskScheduledId()).containsExactly(1);
        assertThat(added).filteredOn(e -> e instanceof ExecutionCompletedEvent).singleElement()
                .extracting(e -> ((ExecutionCompletedEvent) e).result()).isEqualTo("\"ab\"");
    }

    @Test
    void aResultForATaskNotYetInHistoryIsAbandonedForALaterRetry() {
        dispatcher.process(new WorkItem(firstEpisode(), new TaskCompletedEvent(-1, false, T0, 1, "\"b\"")));

        assertThat(service.calls).containsExactly("abandon");
        assertThat(service.completed).isEmpty();
    }

    @Test
    void aDuplicateStartOfAStartedExecutionIsDropped() {
        dispatcher.process(new WorkItem(firstEpisode(), started()));

        List<HistoryEvent> added = service.completed.get(0).newRuntimeState().getNewEvents();
        assertThat(added).extracting(HistoryEvent::eventType).map(Enum::name)
                .containsExactly("OrchestratorStarted", "OrchestratorCompleted");
        assertThat(service.completed.get(0).activityMessages()).isEmpty();
    }

    @Test
    void messagesForAnInstanceThatNeverStartedAreDiscardedWithAReason() {
        dispatcher.process(new WorkItem(List.of(), new TaskCompletedEvent(-1, false, T0, 0, "1")));

        assertThat(service.calls).singleElement().asString().startsWith("discard: ");
    }

    @Test
    void messagesForACompletedExecutionAreDiscarded() {
        List<HistoryEvent> past = new ArrayList<>(firstEpisode());
        past.add(new ExecutionCompletedEvent(1, false, T0, OrchestrationRuntimeStatus.COMPLETED, "\"x\"", null));

        dispatcher.process(new WorkItem(past, new TaskCompletedEvent(-1, false, T0, 0, "1")));

        assertThat(service.calls).singleElement().asString().contains("already completed (Completed)");
    }

    @Test
    void aNewExecutionOfACompletedInstanceStartsFromAnEmptyHistory() {
        List<HistoryEvent> past = new ArrayList<>(firstEpisode());
        past.add(new ExecutionCompletedEvent(1, false, T0, OrchestrationRuntimeStatus.COMPLETED, "\"x\"", null));
        OrchestrationInstance second = new OrchestrationInstance(INSTANCE.instanceId(), "e2");
        ExecutionStartedEvent restart = new ExecutionStartedEvent(-1, false, T0, second, null, "TwoSteps", null,
                null, null, null, null, null, 1, false);

        dispatcher.process(new WorkItem(past, restart));

        OrchestrationCheckpoint cp = service.completed.get(0);
        assertThat(cp.newRuntimeState().getPastEvents()).isEmpty();
        assertThat(cp.newRuntimeState().getExecutionId()).isEqualTo("e2");
        assertThat(cp.activityMessages()).singleElement()
                .satisfies(m -> assertThat(m.orchestrationInstance()).isEqualTo(second));
    }

    @Test
    void continueAsNewWithTheRealExecutorCarriesUnconsumedEventsThroughEachNewExecution() {
        OrchestratorFunction<String> looper = ctx -> {
            int n = ctx.getInput(Integer.class);
            String tick = ctx.waitForExternalEvent("Tick", String.class).await();
            if (n < 2) {
                ctx.continueAsNew(n + 1);
            }
            return n + tick;
        };
        OrchestrationDispatcher loops = new OrchestrationDispatcher(service, Map.of("Looper", looper),
                new JacksonDataConverter(), 1);
        ExecutionStartedEvent start = new ExecutionStartedEvent(-1, false, T0, INSTANCE, null, "Looper", null, "0",
                null, null, null, null, 0, false);

        loops.process(new WorkItem(List.of(), start, new EventRaisedEvent(-1, false, T0, "Tick", "\"a\"", null),
                new EventRaisedEvent(-1, false, T0, "Tick", "\"b\"", null),
                new EventRaisedEvent(-1, false, T0, "Tick", "\"c\"", null)));

        OrchestrationRuntimeState last = service.completed.get(0).newRuntimeState();
        assertThat(last.getExecutionId()).isNotEqualTo(INSTANCE.executionId());
        assertThat(last.getExecutionStartedEvent().input()).isEqualTo("2");
        assertThat(last.getNewEvents()).extracting(HistoryEvent::eventType).map(Enum::name)
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "EventRaised", "ExecutionCompleted",
                        "OrchestratorCompleted");
        assertThat(last.getNewEvents()).filteredOn(e -> e instanceof ExecutionCompletedEvent).singleElement()
                .extracting(e -> ((ExecutionCompletedEvent) e).result()).isEqualTo("\"2c\"");
    }

    @Test
    void aCheckpointConflictAbandonsTheWorkItem() {
        service.conflictOnComplete = true;

        dispatcher.process(new WorkItem(List.of(), started()));

        assertThat(service.calls).containsExactly("abandon");
    }
}
