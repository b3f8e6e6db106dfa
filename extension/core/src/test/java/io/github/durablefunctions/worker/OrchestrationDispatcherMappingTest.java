package io.github.durablefunctions.worker;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.ParentInstance;
import io.github.durablefunctions.history.SubOrchestrationInstanceCompletedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import io.github.durablefunctions.replay.OrchestratorAction;
import io.github.durablefunctions.replay.OrchestratorResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dispatcher's mapping of orchestrator actions to history events and messages (storage-layout.md §6.3), its
 * continue-as-new loop and its message acceptance rules (§8.2), with scripted orchestrator results in place of the
 * replay executor.
 */
class OrchestrationDispatcherMappingTest {
    private static final OrchestrationInstance SELF = new OrchestrationInstance("parent-1", "exec-1");
    private static final OrchestrationInstance PARENT = new OrchestrationInstance("grandparent", "gp-exec");
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Map<String, String> TAGS = Map.of("team", "blue");

    private final RecordingService service = new RecordingService();
    /** What the executor saw, per call: all events (past + new). */
    private final List<List<HistoryEvent>> executorCalls = new ArrayList<>();
    private BiFunction<Integer, List<HistoryEvent>, OrchestratorResult> script = (call, events) ->
            new OrchestratorResult(List.of(), null);
    private final OrchestrationDispatcher dispatcher = new OrchestrationDispatcher(service, (past, added) -> {
        List<HistoryEvent> all = new ArrayList<>(past);
        all.addAll(added);
        executorCalls.add(all);
        return script.apply(executorCalls.size(), all);
    });

    private static final class WorkItem extends OrchestrationWorkItem {
        WorkItem(List<HistoryEvent> past, TaskMessage... messages) {
            super(SELF.instanceId(), new OrchestrationRuntimeState(past), Arrays.asList(messages));
        }
    }

    private static TaskMessage toSelf(HistoryEvent e) {
        return new TaskMessage(e, SELF);
    }

    private static ExecutionStartedEvent started(ParentInstance parent) {
        return new ExecutionStartedEvent(-1, false, T0, SELF, parent, "Parent", "v1", "\"in\"", TAGS, null, null,
                null, 3, false);
    }

    private static List<HistoryEvent> history(ParentInstance parent, HistoryEvent... scheduled) {
        List<HistoryEvent> events = new ArrayList<>();
        events.add(new OrchestratorStartedEvent(-1, false, T0));
        events.add(started(parent));
        events.addAll(Arrays.asList(scheduled));
        events.add(new OrchestratorCompletedEvent(-1, false, T0));
        return events;
    }

    private void respond(OrchestratorAction... actions) {
        script = (call, events) -> new OrchestratorResult(List.of(actions), null);
    }

    private OrchestrationCheckpoint onlyCheckpoint() {
        assertThat(service.calls).containsExactly("complete");
        return service.completed.get(0);
    }

    private static List<String> types(List<HistoryEvent> events) {
        return events.stream().map(e -> e.eventType().name()).toList();
    }

    // ------------------------------------------------------------------------------------------ action mapping

    @Test
    void createTimerBecomesTimerCreatedAndATimerFiredMessageToItselfForTheFireTime() {
        Instant fireAt = Instant.parse("2026-11-21T10:05:00Z");
        respond(new OrchestratorAction.CreateTimer(0, fireAt));

        dispatcher.process(new WorkItem(List.of(), toSelf(started(null))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(types(cp.newRuntimeState().getNewEvents())).containsExactly("OrchestratorStarted",
                "ExecutionStarted", "TimerCreated", "OrchestratorCompleted");
        TimerCreatedEvent created = (TimerCreatedEvent) cp.newRuntimeState().getNewEvents().get(2);
        assertThat(created.eventId()).isZero();
        assertThat(created.fireAt()).isEqualTo(fireAt);
        assertThat(cp.timerMessages()).singleElement().satisfies(m -> {
            assertThat(m.orchestrationInstance()).isEqualTo(SELF);
            TimerFiredEvent fired = (TimerFiredEvent) m.event();
            assertThat(fired.eventId()).isEqualTo(-1);
            assertThat(fired.timerId()).isZero();
            assertThat(fired.fireAt()).isEqualTo(fireAt);
        });
        assertThat(cp.activityMessages()).isEmpty();
        assertThat(cp.orchestratorMessages()).isEmpty();
    }

    @Test
    void createSubOrchestrationBecomesCreatedEventAndAStartMessageToTheChildNamingItsParent() {
        respond(new OrchestratorAction.CreateSubOrchestration(0, "Child", "v2", "child-1", "42"));

        dispatcher.process(new WorkItem(List.of(), toSelf(started(null))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        SubOrchestrationInstanceCreatedEvent created = (SubOrchestrationInstanceCreatedEvent)
                cp.newRuntimeState().getNewEvents().get(2);
        assertThat(created.eventId()).isZero();
        assertThat(created.name()).isEqualTo("Child");
        assertThat(created.version()).isEqualTo("v2");
        assertThat(created.instanceId()).isEqualTo("child-1");
        assertThat(created.input()).isEqualTo("42");
        assertThat(cp.orchestratorMessages()).singleElement().satisfies(m -> {
            ExecutionStartedEvent start = (ExecutionStartedEvent) m.event();
            assertThat(m.orchestrationInstance()).isEqualTo(start.orchestrationInstance());
            assertThat(start.eventId()).isEqualTo(-1);
            assertThat(start.orchestrationInstance().instanceId()).isEqualTo("child-1");
            assertThat(start.orchestrationInstance().executionId()).matches("[0-9a-f]{32}");
            assertThat(start.name()).isEqualTo("Child");
            assertThat(start.version()).isEqualTo("v2");
            assertThat(start.input()).isEqualTo("42");
            assertThat(start.parentInstance()).isEqualTo(new ParentInstance("Parent", "v1", SELF, 0));
            assertThat(m.orchestrationTags()).isEqualTo(TAGS);
        });
        assertThat(cp.timerMessages()).isEmpty();
    }

    @Test
    void sendEventBecomesEventSentAndAnEventRaisedToTheTargetWithoutExecutionId() {
        respond(new OrchestratorAction.SendEvent(0, "other", "Approval", "true"));

        dispatcher.process(new WorkItem(List.of(), toSelf(started(null))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        EventSentEvent sent = (EventSentEvent) cp.newRuntimeState().getNewEvents().get(2);
        assertThat(sent.eventId()).isZero();
        assertThat(sent.instanceId()).isEqualTo("other");
        assertThat(sent.name()).isEqualTo("Approval");
        assertThat(sent.input()).isEqualTo("true");
        assertThat(cp.orchestratorMessages()).singleElement().satisfies(m -> {
            assertThat(m.orchestrationInstance()).isEqualTo(new OrchestrationInstance("other", null));
            EventRaisedEvent raised = (EventRaisedEvent) m.event();
            assertThat(raised.eventId()).isEqualTo(-1);
            assertThat(raised.name()).isEqualTo("Approval");
            assertThat(raised.input()).isEqualTo("true");
        });
    }

    @Test
    void completionOfATopLevelInstanceSendsNoMessage() {
        respond(new OrchestratorAction.CompleteOrchestration(0, OrchestrationRuntimeStatus.COMPLETED, "\"done\"",
                null));

        dispatcher.process(new WorkItem(List.of(), toSelf(started(null))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        ExecutionCompletedEvent completed = (ExecutionCompletedEvent) cp.newRuntimeState().getNewEvents().get(2);
        assertThat(completed.eventId()).isZero();
        assertThat(completed.orchestrationStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(completed.result()).isEqualTo("\"done\"");
        assertThat(cp.orchestratorMessages()).isEmpty();
        assertThat(cp.newRuntimeState().getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    }

    @Test
    void aCompletedSubOrchestrationSendsItsResultToTheParentExecution() {
        ParentInstance parent = new ParentInstance("GrandParent", null, PARENT, 7);
        respond(new OrchestratorAction.CompleteOrchestration(0, OrchestrationRuntimeStatus.COMPLETED, "\"r\"", null));

        dispatcher.process(new WorkItem(List.of(), toSelf(started(parent))));

        assertThat(onlyCheckpoint().orchestratorMessages()).singleElement().satisfies(m -> {
            assertThat(m.orchestrationInstance()).isEqualTo(PARENT);
            SubOrchestrationInstanceCompletedEvent done = (SubOrchestrationInstanceCompletedEvent) m.event();
            assertThat(done.eventId()).isEqualTo(-1);
            assertThat(done.taskScheduledId()).isEqualTo(7);
            assertThat(done.result()).isEqualTo("\"r\"");
        });
    }

    @Test
    void aFailedSubOrchestrationSendsItsFailureDetailsToTheParent() {
        ParentInstance parent = new ParentInstance("GrandParent", null, PARENT, 7);
        FailureDetails why = new FailureDetails("java.lang.IllegalStateException", "child broke");
        respond(new OrchestratorAction.CompleteOrchestration(0, OrchestrationRuntimeStatus.FAILED, null, why));

        dispatcher.process(new WorkItem(List.of(), toSelf(started(parent))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(((ExecutionCompletedEvent) cp.newRuntimeState().getNewEvents().get(2)).failureDetails())
                .isEqualTo(why);
        assertThat(cp.orchestratorMessages()).singleElement().satisfies(m -> {
            assertThat(m.orchestrationInstance()).isEqualTo(PARENT);
            SubOrchestrationInstanceFailedEvent failed = (SubOrchestrationInstanceFailedEvent) m.event();
            assertThat(failed.taskScheduledId()).isEqualTo(7);
            assertThat(failed.reason()).isEqualTo("child broke");
            assertThat(failed.failureDetails()).isEqualTo(why);
        });
    }

    @Test
    void aTerminatedSubOrchestrationReportsAFailureSayingItWasTerminatedAndWhy() {
        ParentInstance parent = new ParentInstance("GrandParent", null, PARENT, 7);
        List<HistoryEvent> past = history(parent);
        respond(new OrchestratorAction.CompleteOrchestration(0, OrchestrationRuntimeStatus.TERMINATED,
                "operator said stop", null));

        dispatcher.process(new WorkItem(past, toSelf(new ExecutionTerminatedEvent(-1, false, T0,
                "operator said stop"))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(types(cp.newRuntimeState().getNewEvents())).containsExactly("OrchestratorStarted",
                "ExecutionTerminated", "ExecutionCompleted", "OrchestratorCompleted");
        assertThat(cp.newRuntimeState().getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(cp.orchestratorMessages()).singleElement().satisfies(m -> {
            assertThat(m.orchestrationInstance()).isEqualTo(PARENT);
            SubOrchestrationInstanceFailedEvent failed = (SubOrchestrationInstanceFailedEvent) m.event();
            assertThat(failed.taskScheduledId()).isEqualTo(7);
            assertThat(failed.failureDetails().getErrorType())
                    .isEqualTo(OrchestrationDispatcher.TERMINATED_ERROR_TYPE);
            assertThat(failed.failureDetails().getErrorMessage()).contains("parent-1").contains("terminated")
                    .contains("operator said stop");
            assertThat(failed.failureDetails().isNonRetriable()).isTrue();
        });
    }

    // ---------------------------------------------------------------------------------------- continue-as-new

    @Test
    void continueAsNewRunsTheNextExecutionInTheSameWorkItemWithItsCarriedOverEvents() {
        ParentInstance parent = new ParentInstance("GrandParent", null, PARENT, 7);
        EventRaisedEvent unconsumed = new EventRaisedEvent(-1, false, T0, "Later", "\"x\"", null);
        script = (call, events) -> call == 1
                ? new OrchestratorResult(List.of(new OrchestratorAction.ScheduleTask(0, "Audit", null, "1"),
                new OrchestratorAction.CompleteOrchestration(1, OrchestrationRuntimeStatus.CONTINUED_AS_NEW, "2",
                        null, List.of(unconsumed))), "\"gen 1\"")
                : new OrchestratorResult(List.of(new OrchestratorAction.ScheduleTask(0, "Work", null, "2")), null);

        dispatcher.process(new WorkItem(List.of(), toSelf(started(parent))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        OrchestrationRuntimeState next = cp.newRuntimeState();
        assertThat(next.getPastEvents()).isEmpty();
        assertThat(types(next.getNewEvents())).containsExactly("OrchestratorStarted", "ExecutionStarted",
                "EventRaised", "TaskScheduled", "OrchestratorCompleted");
        ExecutionStartedEvent start = next.getExecutionStartedEvent();
        assertThat(start.orchestrationInstance().instanceId()).isEqualTo(SELF.instanceId());
        assertThat(start.orchestrationInstance().executionId()).matches("[0-9a-f]{32}")
                .isNotEqualTo(SELF.executionId());
        assertThat(start.input()).isEqualTo("2");
        assertThat(start.name()).isEqualTo("Parent");
        assertThat(start.version()).isEqualTo("v1");
        assertThat(start.tags()).isEqualTo(TAGS);
        assertThat(start.parentInstance()).isEqualTo(parent);
        assertThat(start.generation()).isEqualTo(3);
        assertThat(next.getNewEvents().get(2)).isEqualTo(unconsumed);
        assertThat(next.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
        assertThat(next.getCustomStatus()).isEqualTo("\"gen 1\""); // carried over: the new run set none

        // The executor ran the new execution over exactly its own events.
        assertThat(executorCalls).hasSize(2);
        assertThat(types(executorCalls.get(1))).containsExactly("OrchestratorStarted", "ExecutionStarted",
                "EventRaised");
        // Messages of both executions are sent; no completion goes to the parent.
        assertThat(cp.activityMessages()).extracting(m -> ((TaskScheduledEvent) m.event()).name())
                .containsExactly("Audit", "Work");
        assertThat(cp.activityMessages().get(0).orchestrationInstance()).isEqualTo(SELF);
        assertThat(cp.activityMessages().get(1).orchestrationInstance())
                .isEqualTo(start.orchestrationInstance());
        assertThat(cp.orchestratorMessages()).isEmpty();
    }

    @Test
    void continueAsNewInALoopStopsAfterTheBoundAndWakesTheNewestExecutionWithATimer() {
        script = (call, events) -> new OrchestratorResult(List.of(new OrchestratorAction.CompleteOrchestration(0,
                OrchestrationRuntimeStatus.CONTINUED_AS_NEW, String.valueOf(call), null)), null);

        dispatcher.process(new WorkItem(List.of(), toSelf(started(null))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(executorCalls).hasSize(OrchestrationDispatcher.MAX_GENERATIONS_PER_WORK_ITEM);
        OrchestrationRuntimeState next = cp.newRuntimeState();
        assertThat(types(next.getNewEvents())).containsExactly("OrchestratorStarted", "ExecutionStarted",
                "OrchestratorCompleted");
        assertThat(next.getExecutionStartedEvent().input())
                .isEqualTo(String.valueOf(OrchestrationDispatcher.MAX_GENERATIONS_PER_WORK_ITEM));
        assertThat(cp.timerMessages()).singleElement().satisfies(m -> {
            assertThat(m.orchestrationInstance()).isEqualTo(next.getExecutionStartedEvent().orchestrationInstance());
            assertThat(((TimerFiredEvent) m.event()).timerId()).isEqualTo(OrchestrationDispatcher.SPLIT_TIMER_ID);
        });

        // The wake-up timer runs the new execution without being recorded.
        service.calls.clear();
        service.completed.clear();
        executorCalls.clear();
        respond(new OrchestratorAction.CompleteOrchestration(0, OrchestrationRuntimeStatus.COMPLETED, "\"end\"",
                null));
        OrchestrationInstance nextInstance = next.getExecutionStartedEvent().orchestrationInstance();
        dispatcher.process(new OrchestrationWorkItem(SELF.instanceId(), new OrchestrationRuntimeState(
                next.getNewEvents()), List.of(cp.timerMessages().get(0))) {
        });

        OrchestrationCheckpoint last = onlyCheckpoint();
        assertThat(types(last.newRuntimeState().getNewEvents())).containsExactly("OrchestratorStarted",
                "ExecutionCompleted", "OrchestratorCompleted");
        assertThat(last.newRuntimeState().getExecutionId()).isEqualTo(nextInstance.executionId());
        assertThat(executorCalls).hasSize(1);
    }

    @Test
    void aContinuedExecutionThatCompletesIsCheckpointedAsTheNewExecutionOnly() {
        script = (call, events) -> call == 1
                ? new OrchestratorResult(List.of(new OrchestratorAction.CompleteOrchestration(0,
                OrchestrationRuntimeStatus.CONTINUED_AS_NEW, "1", null)), null)
                : new OrchestratorResult(List.of(new OrchestratorAction.CompleteOrchestration(0,
                OrchestrationRuntimeStatus.COMPLETED, "\"finished\"", null)), null);

        dispatcher.process(new WorkItem(List.of(), toSelf(started(null))));

        OrchestrationRuntimeState last = onlyCheckpoint().newRuntimeState();
        assertThat(last.getNewEvents()).noneMatch(e -> e instanceof ContinueAsNewEvent);
        assertThat(types(last.getNewEvents())).containsExactly("OrchestratorStarted", "ExecutionStarted",
                "ExecutionCompleted", "OrchestratorCompleted");
        assertThat(last.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    }

    // --------------------------------------------------------------------------------------- message acceptance

    @Test
    void aSubOrchestrationResultIsAcceptedOnlyForACreatedSubOrchestrationAndOnlyOnce() {
        List<HistoryEvent> past = history(null, new SubOrchestrationInstanceCreatedEvent(0, false, T0, "Child",
                null, "child-1", null, null, null));
        SubOrchestrationInstanceCompletedEvent result = new SubOrchestrationInstanceCompletedEvent(-1, false, T0, 0,
                "1");

        dispatcher.process(new WorkItem(past, toSelf(result), toSelf(result)));

        assertThat(types(onlyCheckpoint().newRuntimeState().getNewEvents())).containsExactly("OrchestratorStarted",
                "SubOrchestrationInstanceCompleted", "OrchestratorCompleted");
    }

    @Test
    void aSubOrchestrationResultBeforeItsCreatedEventIsInHistoryIsAbandoned() {
        dispatcher.process(new WorkItem(history(null), toSelf(new SubOrchestrationInstanceFailedEvent(-1, false, T0,
                0, "x", null, new FailureDetails("E", "x")))));

        assertThat(service.calls).containsExactly("abandon");
        assertThat(executorCalls).isEmpty();
    }

    @Test
    void aTaskResultForASubOrchestrationIdIsNotMistakenForItsCreatedEvent() {
        List<HistoryEvent> past = history(null, new SubOrchestrationInstanceCreatedEvent(0, false, T0, "Child",
                null, "child-1", null, null, null));

        dispatcher.process(new WorkItem(past, toSelf(new TaskCompletedEvent(-1, false, T0, 0, "1"))));

        assertThat(service.calls).containsExactly("abandon");
    }

    @Test
    void aTimerFiredIsAcceptedOnlyForACreatedTimerAndOnlyOnce() {
        Instant fireAt = T0.plusSeconds(2);
        List<HistoryEvent> past = history(null, new TimerCreatedEvent(0, false, T0, fireAt));
        TimerFiredEvent fired = new TimerFiredEvent(-1, false, fireAt, 0, fireAt);

        dispatcher.process(new WorkItem(past, toSelf(fired), toSelf(fired)));

        assertThat(onlyCheckpoint().newRuntimeState().getNewEvents()).filteredOn(e -> e instanceof TimerFiredEvent)
                .singleElement().isEqualTo(fired);

        service.calls.clear();
        dispatcher.process(new WorkItem(history(null), toSelf(fired)));
        assertThat(service.calls).containsExactly("abandon");
    }

    @Test
    void aTimerFiredAlreadyInHistoryIsDropped() {
        Instant fireAt = T0.plusSeconds(2);
        List<HistoryEvent> past = history(null, new TimerCreatedEvent(0, false, T0, fireAt));
        past.add(new OrchestratorStartedEvent(-1, false, fireAt));
        past.add(new TimerFiredEvent(-1, false, fireAt, 0, fireAt));
        past.add(new OrchestratorCompletedEvent(-1, false, fireAt));

        dispatcher.process(new WorkItem(past, toSelf(new TimerFiredEvent(-1, false, fireAt, 0, fireAt))));

        assertThat(types(onlyCheckpoint().newRuntimeState().getNewEvents())).containsExactly("OrchestratorStarted",
                "OrchestratorCompleted");
    }

    @Test
    void theSplitTimerIdIsNeverAbandonedNorRecorded() {
        dispatcher.process(new WorkItem(history(null), toSelf(new TimerFiredEvent(-1, false, T0,
                OrchestrationDispatcher.SPLIT_TIMER_ID, T0))));

        assertThat(types(onlyCheckpoint().newRuntimeState().getNewEvents())).containsExactly("OrchestratorStarted",
                "OrchestratorCompleted");
        assertThat(executorCalls).hasSize(1);
    }

    @Test
    void managementMessagesAndEventsAreAccepted() {
        TaskMessage[] messages = {
                new TaskMessage(new EventRaisedEvent(-1, false, T0, "E", "1", null),
                        new OrchestrationInstance(SELF.instanceId(), null)),
                toSelf(new ExecutionSuspendedEvent(-1, false, T0, "pause")),
                toSelf(new ExecutionResumedEvent(-1, false, T0, "go")),
                toSelf(new GenericEvent(-1, false, T0, "rewind")),
                toSelf(new ExecutionTerminatedEvent(-1, false, T0, "stop")),
        };

        dispatcher.process(new WorkItem(history(null), messages));

        assertThat(types(onlyCheckpoint().newRuntimeState().getNewEvents())).containsExactly("OrchestratorStarted",
                "EventRaised", "ExecutionSuspended", "ExecutionResumed", "GenericEvent", "ExecutionTerminated",
                "OrchestratorCompleted");
    }

    @Test
    void messagesForAnotherExecutionAndEventsOrchestrationsNeverReceiveAreDropped() {
        dispatcher.process(new WorkItem(history(null),
                new TaskMessage(new EventRaisedEvent(-1, false, T0, "Old", "1", null),
                        new OrchestrationInstance(SELF.instanceId(), "older-execution")),
                toSelf(new TaskScheduledEvent(0, false, T0, "A", null, null, null, null)),
                toSelf(new EventRaisedEvent(-1, false, T0, "Current", "2", null))));

        List<HistoryEvent> added = onlyCheckpoint().newRuntimeState().getNewEvents();
        assertThat(types(added)).containsExactly("OrchestratorStarted", "EventRaised", "OrchestratorCompleted");
        assertThat(((EventRaisedEvent) added.get(1)).name()).isEqualTo("Current");
    }

    @Test
    void aRewindMessageFlowsIntoAHistoryWhoseFailureRowsWereRewrittenAsGenericEvents() {
        // After a rewind, the failed ExecutionCompleted (and the TaskFailed) rows read back as GenericEvents, so the
        // execution is no longer finished; the GenericEvent message runs an episode.
        List<HistoryEvent> past = history(null, new TaskScheduledEvent(0, false, T0, "A", null, null, null, null));
        past.add(new OrchestratorStartedEvent(-1, false, T0));
        past.add(new GenericEvent(-1, false, T0, null));
        past.add(new GenericEvent(1, false, T0, null));
        past.add(new OrchestratorCompletedEvent(-1, false, T0));
        respond(new OrchestratorAction.ScheduleTask(2, "A", null, null));

        dispatcher.process(new WorkItem(past, new TaskMessage(new GenericEvent(-1, false, T0, "retry it"),
                new OrchestrationInstance(SELF.instanceId(), null))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(types(cp.newRuntimeState().getNewEvents())).containsExactly("OrchestratorStarted", "GenericEvent",
                "TaskScheduled", "OrchestratorCompleted");
        assertThat(cp.activityMessages()).hasSize(1);
        assertThat(cp.newRuntimeState().getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
    }

    @Test
    void customStatusOfTheRunIsCheckpointed() {
        script = (call, events) -> new OrchestratorResult(List.of(), "{\"step\":2}");

        dispatcher.process(new WorkItem(history(null), toSelf(new EventRaisedEvent(-1, false, T0, "E", null, null))));

        assertThat(onlyCheckpoint().newRuntimeState().getCustomStatus()).isEqualTo("{\"step\":2}");
    }
}
