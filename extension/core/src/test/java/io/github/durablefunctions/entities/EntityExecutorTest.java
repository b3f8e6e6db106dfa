package io.github.durablefunctions.entities;

import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.TaskEntity;
import io.github.durablefunctions.TaskEntityFactory;
import io.github.durablefunctions.history.EventRaisedEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The entity executor's batch semantics (storage-layout.md §9), with a function-style counter entity. */
class EntityExecutorTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Duration WINDOW = MessageSorter.DEFAULT_REORDER_WINDOW;
    private static final EntityInstanceId SELF = new EntityInstanceId("counter", "k");
    private static final EntityInstanceId OTHER = new EntityInstanceId("logger", "x");
    private static final EntityInstanceId SECOND = new EntityInstanceId("counter", "z");

    /** A counter: add, get, fail (after changing state, signalling and starting), notify, start, delete (implicit). */
    private static final TaskEntity COUNTER = op -> switch (op.getName()) {
        case "add" -> {
            int value = op.getState().getState(Integer.class, 0) + op.getInput(Integer.class);
            op.getState().setState(value);
            yield value;
        }
        case "get" -> op.getState().getState(Integer.class, 0);
        case "fail" -> {
            op.getState().setState(999);
            op.getContext().signalEntity(OTHER, "log", "should not be sent");
            op.getContext().startNewOrchestration("ShouldNotStart", null);
            throw new IllegalStateException("boom");
        }
        case "notify" -> {
            op.getContext().signalEntity(OTHER, "log", op.getInput(Integer.class));
            yield null;
        }
        case "notifyLater" -> {
            op.getContext().signalEntity(OTHER, "log", null,
                    new SignalEntityOptions().setScheduledTime(T0.plusSeconds(3600)));
            yield null;
        }
        case "start" -> op.getContext().startNewOrchestration("Hello", op.getInput(String.class));
        case "startAs" -> op.getContext().startNewOrchestration("Hello", null, op.getInput(String.class));
        case "delete" -> {
            op.getState().deleteState();
            yield null;
        }
        default -> throw new UnsupportedOperationException(op.getName());
    };
    private static final TaskEntityFactory FACTORY = () -> COUNTER;

    private final MessageSorter orch1Sorter = new MessageSorter();
    private final MessageSorter orch2Sorter = new MessageSorter();
    private EntityExecutor executor = new EntityExecutor(new JacksonDataConverter(), WINDOW, 100);

    // ------------------------------------------------------------------------------------------ helpers

    /** A call from an orchestration, labelled by its sorter as a real orchestration labels it. */
    private RequestMessage call(String parent, String op, String input) {
        RequestMessage m = new RequestMessage();
        m.operation = op;
        m.input = input;
        m.id = UUID.randomUUID().toString();
        m.parentInstanceId = parent;
        m.parentExecutionId = parent + "-exec";
        (parent.equals("orch2") ? orch2Sorter : orch1Sorter).labelOutgoingMessage(m, SELF.toString(), T0, WINDOW);
        return m;
    }

    /** A signal from a client (no parent). */
    private static RequestMessage clientSignal(String op, String input) {
        RequestMessage m = new RequestMessage();
        m.operation = op;
        m.input = input;
        m.signal = true;
        m.id = UUID.randomUUID().toString();
        return m;
    }

    private static RequestMessage lockRequest(String parent, int position, EntityInstanceId... lockSet) {
        RequestMessage m = new RequestMessage();
        m.id = UUID.randomUUID().toString();
        m.parentInstanceId = parent;
        m.parentExecutionId = parent + "-exec";
        m.lockSet = java.util.Arrays.stream(lockSet).map(RequestMessage.EntityIdJson::of).toList();
        m.position = position;
        return m;
    }

    private static EventRaisedEvent op(RequestMessage request) {
        return event(EntityMessageNames.REQUEST, request.toJson());
    }

    private static EventRaisedEvent release(String parent) {
        return event(EntityMessageNames.RELEASE, ReleaseMessage.of(parent, "lock").toJson());
    }

    private static EventRaisedEvent event(String name, String input) {
        return new EventRaisedEvent(-1, false, T0, name, input, null);
    }

    private EntityExecutor.Result run(SchedulerState state, EventRaisedEvent... messages) {
        return executor.execute(SELF, state, List.of(messages), FACTORY, T0);
    }

    private static SchedulerState withState(String json) {
        SchedulerState s = new SchedulerState();
        s.entityState = json;
        return s;
    }

    private static List<EntityExecutor.EventMessage> events(EntityExecutor.Result result) {
        return result.outbound().stream().filter(o -> o instanceof EntityExecutor.EventMessage)
                .map(o -> (EntityExecutor.EventMessage) o).toList();
    }

    private static EntityExecutor.EventMessage responseTo(EntityExecutor.Result result, RequestMessage request) {
        List<EntityExecutor.EventMessage> matching = events(result).stream()
                .filter(e -> e.eventName().equals(request.id)).toList();
        assertThat(matching).as("responses to %s", request.id).hasSize(1);
        EntityExecutor.EventMessage response = matching.get(0);
        assertThat(response.targetInstanceId()).isEqualTo(request.parentInstanceId);
        assertThat(response.targetExecutionId()).isEqualTo(request.parentExecutionId);
        return response;
    }

    // ------------------------------------------------------------------------------------------ batches

    @Test
    void aBatchRunsItsOperationsInOrderOnTheStateAndAnswersEachCall() {
        RequestMessage add = call("orch1", "add", "3");
        RequestMessage get = call("orch1", "get", null);

        EntityExecutor.Result result = run(null, op(clientSignal("add", "5")), op(add), op(get));

        assertThat(result.state().entityState).isEqualTo("8");
        assertThat(result.operations()).extracting(EntityExecutor.OperationOutcome::operation)
                .containsExactly("add", "add", "get");
        assertThat(result.operations()).allMatch(EntityExecutor.OperationOutcome::succeeded);
        assertThat(result.outbound()).hasSize(2); // no response to the signal
        assertThat(responseTo(result, add).input()).isEqualTo("{\"result\":\"8\"}");
        assertThat(responseTo(result, get).input()).isEqualTo("{\"result\":\"8\"}");
        assertThat(EntityStatus.of(result.state()).toJson()).isEqualTo("{\"entityExists\":true}");
        assertThat(result.state().sorter.receivedFromInstance).containsKey("orch1");
    }

    @Test
    void theGivenSchedulerStateIsNotModified() {
        SchedulerState before = withState("1");
        String json = before.toJson();

        EntityExecutor.Result result = run(before, op(call("orch1", "add", "1")));

        assertThat(result.state().entityState).isEqualTo("2");
        assertThat(before.toJson()).isEqualTo(json);
    }

    @Test
    void aFailingOperationIsRolledBackWithItsSignalsAndStartsWhileTheNextOneRuns() {
        RequestMessage first = call("orch1", "add", "1");
        RequestMessage failing = call("orch1", "fail", null);
        RequestMessage next = call("orch1", "add", "1");

        EntityExecutor.Result result = run(withState("10"), op(first), op(failing), op(next));

        assertThat(result.state().entityState).isEqualTo("12");
        assertThat(result.outbound()).hasSize(3).allSatisfy(o -> assertThat(o)
                .isInstanceOf(EntityExecutor.EventMessage.class));
        assertThat(events(result)).noneMatch(e -> e.targetInstanceId().equals(OTHER.toString()));
        assertThat(result.state().sorter.lastSentToInstance).as("no label spent on the rolled-back signal")
                .isNull();
        assertThat(responseTo(result, first).input()).isEqualTo("{\"result\":\"11\"}");
        assertThat(responseTo(result, next).input()).isEqualTo("{\"result\":\"12\"}");

        ResponseMessage failure = ResponseMessage.fromJson(responseTo(result, failing).input());
        assertThat(failure.isFailure()).isTrue();
        assertThat(failure.result).isNull();
        assertThat(failure.errorMessage).isEqualTo("boom");
        assertThat(failure.failure().getErrorType()).isEqualTo("java.lang.IllegalStateException");
        assertThat(failure.failure().getStackTrace()).contains("IllegalStateException");
        assertThat(result.operations().get(1).failure().getErrorMessage()).isEqualTo("boom");
    }

    @Test
    void aFailingSignalIsNotAnswered() {
        EntityExecutor.Result result = run(withState("10"), op(clientSignal("fail", null)));

        assertThat(result.outbound()).isEmpty();
        assertThat(result.state().entityState).isEqualTo("10");
        assertThat(result.operations()).singleElement().satisfies(o -> {
            assertThat(o.signal()).isTrue();
            assertThat(o.succeeded()).isFalse();
        });
    }

    @Test
    void deleteMakesTheEntityNotExistAndItsStateNull() {
        EntityExecutor.Result result = run(withState("5"), op(clientSignal("delete", null)));

        assertThat(result.state().entityState).isNull();
        assertThat(EntityStatus.of(result.state()).entityExists).isFalse();
        assertThat(EntityStatus.of(result.state()).toJson()).isEqualTo("{}");
        assertThat(result.state().isEmpty()).isTrue();
    }

    @Test
    void aMessageThatIsNotValidJsonIsDroppedAndTheRestOfTheBatchRuns() {
        RequestMessage add = call("orch1", "add", "2");

        EntityExecutor.Result result = run(withState("1"), event("op", "not json"), event("op", "{\"op\":\"add\"}"),
                event("release", "[]"), event("unknown", null), op(add));

        assertThat(result.state().entityState).isEqualTo("3");
        assertThat(result.operations()).hasSize(1);
        assertThat(responseTo(result, add).input()).isEqualTo("{\"result\":\"3\"}");
    }

    @Test
    void duplicateAndOutOfOrderRequestsFromAnOrchestrationAreSortedOut() {
        RequestMessage first = call("orch1", "add", "1");
        RequestMessage second = call("orch1", "add", "10");

        EntityExecutor.Result held = run(withState("0"), op(second));
        assertThat(held.operations()).isEmpty();
        assertThat(held.state().entityState).isEqualTo("0");

        EntityExecutor.Result released = run(held.state(), op(first), op(first), op(second));
        assertThat(released.operations()).extracting(EntityExecutor.OperationOutcome::requestId)
                .containsExactly(first.id, second.id);
        assertThat(released.state().entityState).isEqualTo("11");
    }

    @Test
    void anUnknownEntityFunctionFailsEveryOperationNamingTheEntityAndKeepsTheState() {
        RequestMessage get = call("orch1", "get", null);

        EntityExecutor.Result result = executor.execute(SELF, withState("5"),
                List.of(op(clientSignal("add", "1")), op(get)), null, T0);

        assertThat(result.state().entityState).isEqualTo("5");
        assertThat(result.operations()).hasSize(2).noneMatch(EntityExecutor.OperationOutcome::succeeded);
        ResponseMessage failure = ResponseMessage.fromJson(responseTo(result, get).input());
        assertThat(failure.failure().getErrorMessage()).contains("No entity function named 'counter'")
                .contains("'get'").contains("@counter@k");
        assertThat(result.outbound()).hasSize(1);
    }

    @Test
    void aFullBatchLeavesTheRestQueuedAndSendsContinueToItself() {
        executor = new EntityExecutor(new JacksonDataConverter(), WINDOW, 2);

        EntityExecutor.Result first = run(withState("0"), op(clientSignal("add", "1")), op(clientSignal("add", "2")),
                op(clientSignal("add", "4")));

        assertThat(first.operations()).hasSize(2);
        assertThat(first.state().entityState).isEqualTo("3");
        assertThat(first.state().queue).hasSize(1);
        assertThat(EntityStatus.of(first.state()).toJson()).isEqualTo("{\"entityExists\":true,\"queueSize\":1}");
        assertThat(first.outbound()).containsExactly(new EntityExecutor.EventMessage(SELF.toString(), null,
                EntityMessageNames.CONTINUE, null));

        EntityExecutor.Result second = run(first.state(), event(EntityMessageNames.CONTINUE, null));

        assertThat(second.operations()).hasSize(1);
        assertThat(second.state().entityState).isEqualTo("7");
        assertThat(second.state().queue).isNull();
        assertThat(second.outbound()).isEmpty();
    }

    @Test
    void aBatchThatIsExactlyFullDoesNotContinue() {
        executor = new EntityExecutor(new JacksonDataConverter(), WINDOW, 2);

        EntityExecutor.Result result = run(withState("0"), op(clientSignal("add", "1")),
                op(clientSignal("add", "2")));

        assertThat(result.operations()).hasSize(2);
        assertThat(result.outbound()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ scheduled requests

    @Test
    void aScheduledRequestDeliveredTooEarlyIsSentAgainUnderTheSameName() {
        RequestMessage later = clientSignal("add", "1");
        later.scheduledTime = T0.plusSeconds(10);
        String name = EntityMessageNames.scheduledRequest(later.scheduledTime);

        EntityExecutor.Result result = run(withState("0"), event(name, later.toJson()));

        assertThat(result.operations()).isEmpty();
        assertThat(result.state().entityState).isEqualTo("0");
        assertThat(result.outbound()).containsExactly(new EntityExecutor.EventMessage(SELF.toString(), null, name,
                later.toJson()));
    }

    @Test
    void aScheduledRequestDueWithinTheToleranceRunsAtOnceWithoutTheSorter() {
        RequestMessage almost = new RequestMessage();
        almost.operation = "add";
        almost.input = "1";
        almost.signal = true;
        almost.id = UUID.randomUUID().toString();
        almost.parentInstanceId = SECOND.toString();
        almost.scheduledTime = T0.plusMillis(50);
        RequestMessage past = clientSignal("add", "2");
        past.scheduledTime = T0.minusSeconds(60);

        EntityExecutor.Result result = run(withState("0"),
                event(EntityMessageNames.scheduledRequest(almost.scheduledTime), almost.toJson()),
                event(EntityMessageNames.scheduledRequest(past.scheduledTime), past.toJson()));

        assertThat(result.state().entityState).isEqualTo("3");
        assertThat(result.outbound()).isEmpty();
        assertThat(result.state().sorter.isEmpty()).as("scheduled requests bypass the sorter").isTrue();
    }

    // ------------------------------------------------------------------------------------------ outbound actions

    @Test
    void signalsFromOperationsAreLabelledRequestsFromThisEntity() {
        EntityExecutor.Result result = run(withState("0"), op(clientSignal("notify", "7")),
                op(clientSignal("notify", "8")));

        List<EntityExecutor.EventMessage> sent = events(result);
        assertThat(sent).hasSize(2).allSatisfy(e -> {
            assertThat(e.targetInstanceId()).isEqualTo("@logger@x");
            assertThat(e.targetExecutionId()).isNull();
            assertThat(e.eventName()).isEqualTo("op");
        });
        RequestMessage first = RequestMessage.fromJson(sent.get(0).input());
        RequestMessage second = RequestMessage.fromJson(sent.get(1).input());
        assertThat(first.operation).isEqualTo("log");
        assertThat(first.input).isEqualTo("7");
        assertThat(first.signal).isTrue();
        assertThat(first.parentInstanceId).isEqualTo("@counter@k");
        assertThat(first.parentExecutionId).as("the sorter carries over between executions").isNull();
        assertThat(first.timestamp).isEqualTo(T0);
        assertThat(first.predecessor).isNull();
        assertThat(second.input).isEqualTo("8");
        assertThat(second.predecessor).isEqualTo(first.timestamp);
        assertThat(second.timestamp).isAfter(first.timestamp);
        assertThat(result.state().sorter.lastSentToInstance).containsEntry("@logger@x", second.timestamp);

        // The receiving entity delivers them in order, across its own batches too.
        MessageSorter receiver = new MessageSorter();
        assertThat(receiver.receiveInOrder(second, WINDOW)).isEmpty();
        assertThat(receiver.receiveInOrder(first, WINDOW)).extracting(m -> m.input).containsExactly("7", "8");
    }

    @Test
    void aScheduledSignalFromAnOperationIsNamedByItsTimeAndNotLabelled() {
        EntityExecutor.Result result = run(withState("0"), op(clientSignal("notifyLater", null)));

        EntityExecutor.EventMessage sent = events(result).get(0);
        assertThat(sent.eventName()).isEqualTo("op@2026-11-21T11:00:00.0000000Z");
        RequestMessage request = RequestMessage.fromJson(sent.input());
        assertThat(request.scheduledTime).isEqualTo(T0.plusSeconds(3600));
        assertThat(request.timestamp).isNull();
        assertThat(result.state().sorter.isEmpty()).isTrue();
    }

    @Test
    void operationsStartOrchestrationsWithAGivenOrRandomInstanceId() {
        RequestMessage start = call("orch1", "start", "\"world\"");

        EntityExecutor.Result result = run(withState("0"), op(start), op(clientSignal("startAs", "\"my-id\"")),
                op(clientSignal("startAs", "\"@reserved@id\"")));

        List<EntityExecutor.OrchestrationStart> starts = result.outbound().stream()
                .filter(o -> o instanceof EntityExecutor.OrchestrationStart)
                .map(o -> (EntityExecutor.OrchestrationStart) o).toList();
        assertThat(starts).hasSize(2);
        assertThat(starts.get(0).name()).isEqualTo("Hello");
        assertThat(starts.get(0).instanceId()).matches("[0-9a-f]{32}");
        assertThat(starts.get(0).input()).isEqualTo("\"world\"");
        assertThat(responseTo(result, start).input()).isEqualTo("{\"result\":\"\\\"" + starts.get(0).instanceId()
                + "\\\"\"}");
        assertThat(starts.get(1).instanceId()).isEqualTo("my-id");
        assertThat(starts.get(1).input()).isNull();
        assertThat(result.operations().get(2).failure().getErrorMessage()).contains("reserved for entities");
    }

    // ------------------------------------------------------------------------------------------ locks

    @Test
    void aLockRequestLocksTheEntityAndIsForwardedToTheNextEntityOfTheLockSet() {
        RequestMessage lock = lockRequest("orch1", 0, SELF, SECOND);

        EntityExecutor.Result result = run(withState("0"), op(lock));

        assertThat(result.state().lockedBy).isEqualTo("orch1");
        assertThat(EntityStatus.of(result.state()).toJson())
                .isEqualTo("{\"entityExists\":true,\"lockedBy\":\"orch1\"}");
        EntityExecutor.EventMessage forwarded = events(result).get(0);
        assertThat(result.outbound()).hasSize(1);
        assertThat(forwarded.targetInstanceId()).isEqualTo("@counter@z");
        assertThat(forwarded.targetExecutionId()).isNull();
        assertThat(forwarded.eventName()).isEqualTo("op");
        RequestMessage next = RequestMessage.fromJson(forwarded.input());
        assertThat(next.id).isEqualTo(lock.id);
        assertThat(next.position).isEqualTo(1);
        assertThat(next.parentInstanceId).isEqualTo("orch1");
        assertThat(next.parentExecutionId).isEqualTo("orch1-exec");
        assertThat(next.timestamp).as("not labelled: pos > 0 bypasses the sorters").isNull();
        assertThat(result.state().sorter.lastSentToInstance).isNull();
    }

    @Test
    void theLastEntityOfTheLockSetAnswersTheOrchestration() {
        RequestMessage forwarded = lockRequest("orch1", 1, SECOND, SELF);

        EntityExecutor.Result result = run(null, op(forwarded));

        assertThat(result.state().lockedBy).isEqualTo("orch1");
        assertThat(result.state().entityState).isNull();
        assertThat(responseTo(result, forwarded).input()).isEqualTo("{\"result\":\"Lock Acquisition Completed\"}");
        assertThat(result.outbound()).hasSize(1);
    }

    @Test
    void whileLockedOnlyTheLockHolderRunsAndOthersWaitUntilTheRelease() {
        SchedulerState locked = withState("0");
        locked.lockedBy = "orch1";
        RequestMessage other = call("orch2", "add", "100");
        RequestMessage holder = call("orch1", "add", "1");

        EntityExecutor.Result whileLocked = run(locked, op(other), op(holder), release("orch2"));

        assertThat(whileLocked.operations()).extracting(EntityExecutor.OperationOutcome::requestId)
                .containsExactly(holder.id);
        assertThat(whileLocked.state().entityState).isEqualTo("1");
        assertThat(whileLocked.state().lockedBy).as("a release from another orchestration is ignored")
                .isEqualTo("orch1");
        assertThat(whileLocked.state().queue).extracting(r -> r.id).containsExactly(other.id);
        assertThat(EntityStatus.of(whileLocked.state()).toJson())
                .isEqualTo("{\"entityExists\":true,\"queueSize\":1,\"lockedBy\":\"orch1\"}");
        assertThat(events(whileLocked)).extracting(EntityExecutor.EventMessage::eventName).containsExactly(holder.id);

        EntityExecutor.Result released = run(whileLocked.state(), release("orch1"));

        assertThat(released.state().lockedBy).isNull();
        assertThat(released.state().queue).isNull();
        assertThat(released.state().entityState).isEqualTo("101");
        assertThat(responseTo(released, other).input()).isEqualTo("{\"result\":\"101\"}");
    }

    @Test
    void aQueuedLockRequestIsGrantedAfterTheOperationsBeforeItAndHoldsBackTheOnesAfterIt() {
        RequestMessage before = call("orch2", "add", "1");
        RequestMessage lock = lockRequest("orch1", 0, SELF);
        RequestMessage after = clientSignal("add", "10");

        EntityExecutor.Result result = run(withState("0"), op(before), op(lock), op(after));

        assertThat(result.operations()).extracting(EntityExecutor.OperationOutcome::requestId)
                .containsExactly(before.id);
        assertThat(result.state().lockedBy).isEqualTo("orch1");
        assertThat(result.state().queue).extracting(r -> r.id).containsExactly(after.id);
        assertThat(events(result)).extracting(EntityExecutor.EventMessage::eventName)
                .containsExactly(before.id, lock.id);
        assertThat(result.outbound()).as("locked: no continue").hasSize(2);
    }

    @Test
    void theLockHoldersRequestsGoAheadOfTheQueue() {
        SchedulerState locked = withState("0");
        locked.lockedBy = "orch1";
        RequestMessage waiting = clientSignal("add", "100");
        locked.enqueue(waiting);
        RequestMessage holderCall = call("orch1", "get", null);

        EntityExecutor.Result result = run(locked, op(holderCall), release("orch1"));

        // The release in the same batch unlocks: the holder's request first, then the queue.
        assertThat(result.operations()).extracting(EntityExecutor.OperationOutcome::requestId)
                .containsExactly(holderCall.id, waiting.id);
        assertThat(responseTo(result, holderCall).input()).isEqualTo("{\"result\":\"0\"}");
        assertThat(result.state().entityState).isEqualTo("100");
    }

    @Test
    void reorderingCanBeTurnedOff() {
        executor = new EntityExecutor(new JacksonDataConverter(), Duration.ZERO, 100);
        RequestMessage first = call("orch1", "add", "1");
        RequestMessage second = call("orch1", "add", "10");

        EntityExecutor.Result result = run(withState("0"), op(second), op(first));

        assertThat(result.operations()).extracting(EntityExecutor.OperationOutcome::requestId)
                .containsExactly(second.id, first.id);
        assertThat(result.state().sorter.isEmpty()).isTrue();
    }

    @Test
    void outcomesListEveryOperation() {
        List<EventRaisedEvent> many = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.add(op(clientSignal("add", "1")));
        }
        EntityExecutor.Result result = executor.execute(SELF, null, many, FACTORY, T0);
        assertThat(result.operations()).hasSize(5).allSatisfy(o -> {
            assertThat(o.signal()).isTrue();
            assertThat(o.parentInstanceId()).isNull();
            assertThat(o.succeeded()).isTrue();
        });
        assertThat(result.state().entityState).isEqualTo("5");
    }
}
