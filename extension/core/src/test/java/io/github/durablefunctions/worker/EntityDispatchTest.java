package io.github.durablefunctions.worker;

import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.TaskEntity;
import io.github.durablefunctions.TaskEntityFactory;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.entities.EntityMessageNames;
import io.github.durablefunctions.entities.EntityStatus;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.entities.RequestMessage;
import io.github.durablefunctions.entities.ResponseMessage;
import io.github.durablefunctions.entities.SchedulerState;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.ParentInstance;
import io.github.durablefunctions.history.SubOrchestrationInstanceCompletedEvent;
import io.github.durablefunctions.replay.OrchestratorAction;
import io.github.durablefunctions.replay.OrchestratorResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entity work items through the {@link OrchestrationDispatcher} (storage-layout.md §9): the fresh three-event
 * execution, the {@code EntityStatus} custom status and the outbound messages; and fire-and-forget orchestrations.
 */
class EntityDispatchTest {
    private static final String ENTITY = "@counter@k";
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private static final TaskEntity COUNTER = op -> switch (op.getName()) {
        case "add" -> {
            int value = op.getState().getState(Integer.class, 0) + op.getInput(Integer.class);
            op.getState().setState(value);
            yield value;
        }
        case "relay" -> {
            op.getContext().signalEntity(io.github.durablefunctions.EntityInstanceId.fromString("@logger@x"), "log",
                    "hi");
            yield op.getContext().startNewOrchestration("Hello", "world", "child-1");
        }
        case "delete" -> {
            op.getState().deleteState();
            yield null;
        }
        default -> throw new UnsupportedOperationException(op.getName());
    };

    private final RecordingService service = new RecordingService();
    private final OrchestrationDispatcher dispatcher = new OrchestrationDispatcher(service, Map.of(),
            Map.<String, TaskEntityFactory>of("COUNTER", () -> COUNTER), new JacksonDataConverter(), 1,
            Duration.ofDays(6), Duration.ofDays(3), MessageSorter.DEFAULT_REORDER_WINDOW, 100);

    private static final class WorkItem extends OrchestrationWorkItem {
        WorkItem(String instanceId, List<HistoryEvent> past, HistoryEvent... messages) {
            super(instanceId, new OrchestrationRuntimeState(past), Arrays.stream(messages)
                    .map(e -> new TaskMessage(e, new OrchestrationInstance(instanceId, null))).toList());
        }
    }

    private static RequestMessage call(String op, String input) {
        RequestMessage m = new RequestMessage();
        m.operation = op;
        m.input = input;
        m.id = UUID.randomUUID().toString();
        m.parentInstanceId = "orch1";
        m.parentExecutionId = "orch1-exec";
        new MessageSorter().labelOutgoingMessage(m, ENTITY, T0, MessageSorter.DEFAULT_REORDER_WINDOW);
        return m;
    }

    private static EventRaisedEvent op(RequestMessage request) {
        return new EventRaisedEvent(-1, false, T0, EntityMessageNames.REQUEST, request.toJson(), null);
    }

    /** A previous batch's checkpoint: the fresh execution with the given scheduler state. */
    private static List<HistoryEvent> previousExecution(String schedulerStateJson) {
        return List.of(new OrchestratorStartedEvent(-1, false, T0),
                new ExecutionStartedEvent(-1, false, T0, new OrchestrationInstance(ENTITY, "0123456789abcdef0123456789abcdef"),
                        null, ENTITY, "", schedulerStateJson, null, null, null, null, null, false),
                new OrchestratorCompletedEvent(-1, false, T0));
    }

    private OrchestrationCheckpoint onlyCheckpoint() {
        assertThat(service.calls).containsExactly("complete");
        return service.completed.get(0);
    }

    private static ExecutionStartedEvent started(OrchestrationCheckpoint cp) {
        return cp.newRuntimeState().getExecutionStartedEvent();
    }

    @Test
    void aFirstMessageAutoStartsTheEntityAsAFreshThreeEventExecution() {
        RequestMessage add = call("add", "5");

        dispatcher.process(new WorkItem(ENTITY, List.of(), op(add)));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        OrchestrationRuntimeState state = cp.newRuntimeState();
        assertThat(state.getPastEvents()).isEmpty();
        assertThat(state.getNewEvents()).extracting(e -> e.eventType().name())
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "OrchestratorCompleted");
        ExecutionStartedEvent started = started(cp);
        assertThat(started.name()).isEqualTo(ENTITY);
        assertThat(started.version()).isEmpty();
        assertThat(started.parentInstance()).isNull();
        assertThat(started.orchestrationInstance().instanceId()).isEqualTo(ENTITY);
        assertThat(started.orchestrationInstance().executionId()).matches("[0-9a-f]{32}");
        SchedulerState schedulerState = SchedulerState.fromJson(started.input());
        assertThat(schedulerState.entityState).isEqualTo("5");
        assertThat(started.input()).startsWith("{\"exists\":true,\"state\":\"5\",");
        assertThat(state.getCustomStatus()).isEqualTo("{\"entityExists\":true}");
        assertThat(state.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.RUNNING);
        assertThat(state.getNewEvents()).allSatisfy(e -> assertThat(e.timestamp().getNano() % 100).isZero());

        assertThat(cp.activityMessages()).isEmpty();
        assertThat(cp.timerMessages()).isEmpty();
        assertThat(cp.orchestratorMessages()).singleElement().satisfies(m -> {
            assertThat(m.orchestrationInstance()).isEqualTo(new OrchestrationInstance("orch1", "orch1-exec"));
            EventRaisedEvent response = (EventRaisedEvent) m.event();
            assertThat(response.eventId()).isEqualTo(-1);
            assertThat(response.name()).isEqualTo(add.id);
            assertThat(response.input()).isEqualTo("{\"result\":\"5\"}");
        });
    }

    @Test
    void eachBatchStartsANewExecutionFromThePreviousSchedulerState() {
        dispatcher.process(new WorkItem(ENTITY, previousExecution("{\"state\":\"5\"}"), op(call("add", "1"))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(cp.newRuntimeState().getPastEvents()).isEmpty();
        assertThat(cp.newRuntimeState().getNewEvents()).hasSize(3);
        assertThat(cp.newRuntimeState().getExecutionId()).isNotEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(SchedulerState.fromJson(started(cp).input()).entityState).isEqualTo("6");
    }

    @Test
    void aDeletedIdleEntityStoresNoSchedulerStateAndAnEmptyStatus() {
        RequestMessage delete = new RequestMessage();
        delete.operation = "delete";
        delete.signal = true;
        delete.id = UUID.randomUUID().toString();

        dispatcher.process(new WorkItem(ENTITY, previousExecution("{\"state\":\"5\"}"), op(delete)));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(started(cp).input()).isNull();
        assertThat(cp.newRuntimeState().getCustomStatus()).isEqualTo("{}");
        assertThat(EntityStatus.fromJson(cp.newRuntimeState().getCustomStatus()).entityExists).isFalse();
        assertThat(cp.orchestratorMessages()).isEmpty();
    }

    @Test
    void signalsGoToTheEntityAndStartedOrchestrationsAreFireAndForgetChildrenOfIt() {
        RequestMessage relay = call("relay", null);

        dispatcher.process(new WorkItem(ENTITY, List.of(), op(relay)));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        String executionId = cp.newRuntimeState().getExecutionId();
        List<TaskMessage> out = cp.orchestratorMessages();
        assertThat(out).hasSize(3);

        assertThat(out.get(0).orchestrationInstance()).isEqualTo(new OrchestrationInstance("@logger@x", null));
        EventRaisedEvent signal = (EventRaisedEvent) out.get(0).event();
        assertThat(signal.name()).isEqualTo("op");
        RequestMessage sent = RequestMessage.fromJson(signal.input());
        assertThat(sent.operation).isEqualTo("log");
        assertThat(sent.input).isEqualTo("\"hi\"");
        assertThat(sent.parentInstanceId).isEqualTo(ENTITY);
        assertThat(sent.timestamp).isNotNull();

        ExecutionStartedEvent child = (ExecutionStartedEvent) out.get(1).event();
        assertThat(out.get(1).orchestrationInstance()).isEqualTo(child.orchestrationInstance());
        assertThat(child.orchestrationInstance().instanceId()).isEqualTo("child-1");
        assertThat(child.orchestrationInstance().executionId()).matches("[0-9a-f]{32}");
        assertThat(child.name()).isEqualTo("Hello");
        assertThat(child.input()).isEqualTo("\"world\"");
        assertThat(child.parentInstance()).isEqualTo(new ParentInstance(ENTITY, "",
                new OrchestrationInstance(ENTITY, executionId), -1));
        assertThat(child.tags()).isEqualTo(Map.of("FireAndForget", ""));

        assertThat(out.get(2).orchestrationInstance()).isEqualTo(new OrchestrationInstance("orch1", "orch1-exec"));
        assertThat(((EventRaisedEvent) out.get(2).event()).input()).isEqualTo("{\"result\":\"\\\"child-1\\\"\"}");
    }

    @Test
    void messagesOtherThanEventRaisedAreDroppedAndAloneTheyAreDiscarded() {
        ExecutionTerminatedEvent terminate = new ExecutionTerminatedEvent(-1, false, T0, "\"stop\"");

        dispatcher.process(new WorkItem(ENTITY, previousExecution("{\"state\":\"5\"}"), terminate,
                op(call("add", "1"))));
        assertThat(SchedulerState.fromJson(started(onlyCheckpoint()).input()).entityState).isEqualTo("6");

        service.calls.clear();
        dispatcher.process(new WorkItem(ENTITY, previousExecution("{\"state\":\"5\"}"), terminate));
        assertThat(service.calls).singleElement().asString().startsWith("discard: ")
                .contains("only EventRaised");
    }

    @Test
    void anEntityWithoutAFunctionAnswersCallsWithAFailureNamingIt() {
        RequestMessage call = call("add", "1");

        dispatcher.process(new WorkItem("@missing@k", List.of(), op(call)));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(SchedulerState.fromJson(started(cp).input()).entityState).isNull();
        assertThat(cp.newRuntimeState().getCustomStatus()).isEqualTo("{}");
        ResponseMessage response = ResponseMessage.fromJson(((EventRaisedEvent) cp.orchestratorMessages().get(0)
                .event()).input());
        assertThat(response.failure().getErrorMessage()).contains("'missing'");
    }

    @Test
    void anUnreadableSchedulerStateIsAbandonedForALaterRetryAndAMalformedIdIsDiscarded() {
        dispatcher.process(new WorkItem(ENTITY, previousExecution("{not json"), op(call("add", "1"))));
        assertThat(service.calls).containsExactly("abandon");

        service.calls.clear();
        dispatcher.process(new WorkItem("@nokey", List.of(), op(call("add", "1"))));
        assertThat(service.calls).singleElement().asString().startsWith("discard: ");
    }

    // ------------------------------------------------------------------------------------------ fire and forget

    private static final OrchestrationInstance CHILD = new OrchestrationInstance("child-1", "child-exec");
    private static final OrchestrationInstance ENTITY_EXECUTION = new OrchestrationInstance(ENTITY, "entity-exec");

    private static ExecutionStartedEvent childStart(Map<String, String> tags) {
        return new ExecutionStartedEvent(-1, false, T0, CHILD, new ParentInstance(ENTITY, "", ENTITY_EXECUTION, -1),
                "Hello", null, "\"world\"", tags, null, null, null, 0, false);
    }

    private static OrchestrationDispatcher scripted(RecordingService service, OrchestratorAction... actions) {
        return new OrchestrationDispatcher(service, (past, added) -> new OrchestratorResult(List.of(actions), null));
    }

    @Test
    void aFireAndForgetOrchestrationSendsNoCompletionToItsParent() {
        scripted(service, new OrchestratorAction.CompleteOrchestration(0, OrchestrationRuntimeStatus.COMPLETED,
                "\"done\"", null))
                .process(new WorkItem(CHILD.instanceId(), List.of(), childStart(Map.of("FireAndForget", ""))));

        OrchestrationCheckpoint cp = onlyCheckpoint();
        assertThat(cp.newRuntimeState().getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(cp.orchestratorMessages()).isEmpty();

        // Without the tag the same child reports to its parent.
        RecordingService other = new RecordingService();
        scripted(other, new OrchestratorAction.CompleteOrchestration(0, OrchestrationRuntimeStatus.COMPLETED,
                "\"done\"", null))
                .process(new WorkItem(CHILD.instanceId(), List.of(), childStart(null)));
        assertThat(other.completed.get(0).orchestratorMessages()).singleElement()
                .satisfies(m -> assertThat(m.event()).isInstanceOf(SubOrchestrationInstanceCompletedEvent.class));
    }

    @Test
    void theFireAndForgetTagIsNotPassedOnToSubOrchestrations() {
        scripted(service, new OrchestratorAction.CreateSubOrchestration(0, "Grandchild", null, "gc-1", null))
                .process(new WorkItem(CHILD.instanceId(), List.of(),
                        childStart(Map.of("FireAndForget", "", "team", "blue"))));

        ExecutionStartedEvent grandchild = (ExecutionStartedEvent) onlyCheckpoint().orchestratorMessages().get(0)
                .event();
        assertThat(grandchild.tags()).isEqualTo(Map.of("team", "blue"));
    }
}
