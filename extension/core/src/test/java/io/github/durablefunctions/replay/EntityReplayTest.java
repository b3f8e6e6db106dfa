package io.github.durablefunctions.replay;

import io.github.durablefunctions.EntityCriticalSection;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityOperationFailedException;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.entities.EntityMessageNames;
import io.github.durablefunctions.entities.RequestMessage;
import io.github.durablefunctions.entities.ResponseMessage;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.replay.OrchestratorAction.CompleteOrchestration;
import io.github.durablefunctions.replay.OrchestratorAction.ScheduleTask;
import io.github.durablefunctions.replay.OrchestratorAction.SendEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The entity members of the orchestration context (storage-layout.md §9) over history fixtures: the request messages
 * they send, the responses they consume, critical sections and their rules, and replay.
 */
class EntityReplayTest {
    private static final EntityInstanceId A = new EntityInstanceId("Counter", "a");
    private static final EntityInstanceId B = new EntityInstanceId("counter", "b");
    private static final EntityInstanceId C = new EntityInstanceId("counter", "c");
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final String RELEASE_JSON_PREFIX = "{\"parent\":\"" + HistoryBuilder.INSTANCE_ID + "\",\"id\":\"";

    /** The deterministic request ID {@code ctx.newUUID()} gives as the {@code n}-th UUID of an episode at {@code at}. */
    private static String requestId(Instant at, int n) {
        return NameBasedUuid.v5(ReplayContext.UUID_NAMESPACE, HistoryBuilder.INSTANCE_ID + "-" + at + "-" + n)
                .toString();
    }

    private static RequestMessage request(OrchestratorAction action) {
        return RequestMessage.fromJson(((SendEvent) action).data());
    }

    private static String release(String lockRequestId) {
        return RELEASE_JSON_PREFIX + lockRequestId + "\"}";
    }

    private static String lockGranted() {
        return ResponseMessage.success(EntityMessageNames.LOCK_ACQUISITION_COMPLETED).toJson();
    }

    // ---- signals ----

    @Test
    void signalIsAnEventSentOpWithTheRequestMessageAndReplaysWithoutNewActions() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.signalEntity(A, "add", 5);
            return ctx.callActivity("After", String.class).await();
        });

        OrchestratorResult first = driver.start(null);

        String id = requestId(T0, 0);
        assertThat(first.actions()).containsExactly(
                new SendEvent(0, "@counter@a", "op", "{\"op\":\"add\",\"signal\":true,\"input\":\"5\",\"id\":\"" + id
                        + "\",\"parent\":\"fixture-instance\",\"parentExecution\":\"exec1\","
                        + "\"Timestamp\":\"2026-11-21T10:00:00Z\",\"requestTime\":\"2026-11-21T10:00:00+00:00\"}"),
                new ScheduleTask(1, "After", null, null));
        assertThat(driver.tick(5).episode(h -> h.taskCompleted(1, "\"done\"")).actions()).containsExactly(
                new CompleteOrchestration(2, OrchestrationRuntimeStatus.COMPLETED, "\"done\"", null));
    }

    @Test
    void signalWithoutInputLeavesTheInputOut() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.signalEntity(A, "reset");
            return null;
        });

        RequestMessage sent = request(driver.start(null).actions().get(0));

        assertThat(sent.input).isNull();
        assertThat(((SendEvent) driver.allActions().get(0)).data()).doesNotContain("\"input\"");
        assertThat(sent.operation).isEqualTo("reset");
        assertThat(sent.signal).isTrue();
    }

    @Test
    void scheduledSignalIsNamedOpAtItsTimeCarriesItAsDueAndIsNotLabelled() {
        Instant due = T0.plus(Duration.ofHours(1)).plusNanos(1234500);
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.signalEntity(A, "add", 1, new SignalEntityOptions().setScheduledTime(due));
            ctx.signalEntity(A, "add", 2, new SignalEntityOptions().setScheduledTime(T0.minusSeconds(1)));
            return ctx.callActivity("After", String.class).await();
        });

        List<OrchestratorAction> actions = driver.start(null).actions();

        SendEvent scheduled = (SendEvent) actions.get(0);
        assertThat(scheduled.instanceId()).isEqualTo("@counter@a");
        assertThat(scheduled.name()).isEqualTo("op@2026-11-21T11:00:00.0012345Z");
        assertThat(scheduled.data()).contains("\"due\":\"2026-11-21T11:00:00.0012345Z\"")
                .doesNotContain("Timestamp", "Predecessor");
        assertThat(EntityMessageNames.scheduledTimeOf(scheduled.name())).isEqualTo(due);
        // a scheduled time not after the current time means now: a plain, labelled request
        SendEvent now = (SendEvent) actions.get(1);
        assertThat(now.name()).isEqualTo("op");
        assertThat(request(now).scheduledTime).isNull();
        assertThat(request(now).timestamp).isEqualTo(T0);
        assertThat(driver.episode(h -> h.taskCompleted(2, "\"x\"")).completion().status())
                .isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
    }

    @Test
    void twoSignalsToOneEntityInOneEpisodeGetIncreasingTimestampsAndTheSecondAPredecessor() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.signalEntity(A, "add", 1);
            ctx.signalEntity(B, "add", 1);
            ctx.signalEntity(A, "add", 2);
            return null;
        });

        List<OrchestratorAction> actions = driver.start(null).actions();

        RequestMessage first = request(actions.get(0));
        RequestMessage other = request(actions.get(1));
        RequestMessage second = request(actions.get(2));
        assertThat(first.timestamp).isEqualTo(T0);
        assertThat(first.predecessor).isNull();
        assertThat(other.timestamp).isEqualTo(T0);
        assertThat(other.predecessor).isNull();
        assertThat(second.timestamp).isEqualTo(T0.plusNanos(100));
        assertThat(second.predecessor).isEqualTo(T0);
        assertThat(((SendEvent) actions.get(2)).data()).contains("\"Timestamp\":\"2026-11-21T10:00:00.0000001Z\","
                + "\"Predecessor\":\"2026-11-21T10:00:00Z\"");
        assertThat(List.of(first.id, other.id, second.id))
                .containsExactly(requestId(T0, 0), requestId(T0, 1), requestId(T0, 2));
    }

    @Test
    void theSorterIsRebuiltByReplaySoALaterEpisodeLabelsAfterTheEarlierOnes() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.signalEntity(A, "add", 1);
            ctx.callActivity("Step", String.class).await();
            ctx.signalEntity(A, "add", 2);
            return null;
        });
        driver.start(null);

        List<OrchestratorAction> later = driver.tick(60).episode(h -> h.taskCompleted(1, "\"s\"")).actions();

        RequestMessage second = request(later.get(0));
        assertThat(second.timestamp).isEqualTo(T0.plusSeconds(60));
        assertThat(second.predecessor).isEqualTo(T0);
        assertThat(second.id).isEqualTo(requestId(T0.plusSeconds(60), 1));
        assertThat(later.get(1)).isInstanceOf(CompleteOrchestration.class);
    }

    @Test
    void aZeroReorderWindowSendsRequestsUnlabelled() {
        OrchestratorFunction<Void> fn = ctx -> {
            ctx.signalEntity(A, "add", 1);
            ctx.signalEntity(A, "add", 2);
            return null;
        };
        List<HistoryEvent> news = new HistoryBuilder().orchestratorStarted()
                .executionStarted(EpisodeDriver.NAME, null).take();

        OrchestratorResult result = new OrchestrationExecutor(EpisodeDriver.JSON, name -> fn,
                OrchestrationExecutor.DEFAULT_MAX_TIMER_INTERVAL, OrchestrationExecutor.DEFAULT_TIMER_PIECE_LENGTH,
                Duration.ZERO).execute(List.of(), news);

        assertThat(request(result.actions().get(1)).timestamp).isNull();
        assertThat(((SendEvent) result.actions().get(1)).data()).doesNotContain("Timestamp", "Predecessor");
    }

    @Test
    void entityArgumentsAreChecked() {
        List<String> errors = new ArrayList<>();
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            List<Runnable> calls = List.of(
                    () -> ctx.signalEntity(null, "add"),
                    () -> ctx.signalEntity(A, null),
                    () -> ctx.callEntity(null, "get", Integer.class),
                    () -> ctx.callEntity(A, " ", Integer.class),
                    () -> ctx.lockEntities(List.of()),
                    () -> ctx.lockEntities((List<EntityInstanceId>) null),
                    () -> ctx.lockEntities(Arrays.asList(A, null)));
            for (Runnable call : calls) {
                try {
                    call.run();
                } catch (IllegalArgumentException e) {
                    errors.add(e.getMessage());
                }
            }
            return null;
        });

        assertThat(driver.start(null).actions()).containsExactly(
                new CompleteOrchestration(0, OrchestrationRuntimeStatus.COMPLETED, null, null));
        assertThat(errors).containsExactly("signalEntity needs an entity ID", "signalEntity needs an operation name",
                "callEntity needs an entity ID", "callEntity needs an operation name",
                "lockEntities needs at least one entity ID", "lockEntities needs at least one entity ID",
                "lockEntities: the list of entity IDs holds null: [@counter@a, null]");
    }

    // ---- calls ----

    @Test
    void callEntitySendsARequestAndReturnsTheResultOfTheResponseNamedByItsId() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callEntity(A, "get", Map.of("x", 1), Integer.class)
                .await() + 1);

        List<OrchestratorAction> sent = driver.start(null).actions();

        String id = requestId(T0, 0);
        assertThat(sent).containsExactly(new SendEvent(0, "@counter@a", "op", "{\"op\":\"get\","
                + "\"input\":\"{\\\"x\\\":1}\",\"id\":\"" + id + "\",\"parent\":\"fixture-instance\","
                + "\"parentExecution\":\"exec1\",\"Timestamp\":\"2026-11-21T10:00:00Z\","
                + "\"requestTime\":\"2026-11-21T10:00:00+00:00\"}"));
        OrchestratorResult done = driver.tick(1).episode(h -> h.eventRaised(id, ResponseMessage.success("41").toJson()));
        assertThat(done.actions()).containsExactly(
                new CompleteOrchestration(1, OrchestrationRuntimeStatus.COMPLETED, "42", null));
    }

    @Test
    void callResultsAreStableUnderReplay() {
        List<Integer> seen = new ArrayList<>();
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            int value = ctx.callEntity(A, "get", Integer.class).await();
            seen.add(value);
            ctx.callActivity("Use", value, String.class).await();
            return ctx.callEntity(A, "get", Integer.class).await() + value;
        });
        driver.start(null);
        driver.tick(1).episode(h -> h.eventRaised(requestId(T0, 0), ResponseMessage.success("7").toJson()));
        List<OrchestratorAction> second = driver.tick(1).episode(h -> h.taskCompleted(1, "\"u\"")).actions();
        String secondId = requestId(T0.plusSeconds(2), 1); // the execution's second UUID
        assertThat(second).hasSize(1);
        assertThat(request(second.get(0)).id).isEqualTo(secondId);

        OrchestratorResult done = driver.tick(1).episode(h -> h.eventRaised(secondId,
                ResponseMessage.success("3").toJson()));

        assertThat(done.actions()).containsExactly(
                new CompleteOrchestration(3, OrchestrationRuntimeStatus.COMPLETED, "10", null));
        assertThat(seen).containsOnly(7).hasSize(3); // the first result, replayed in the later episodes
    }

    @Test
    void failedOperationThrowsEntityOperationFailedExceptionWithTheEntitysDetails() {
        List<EntityOperationFailedException> caught = new ArrayList<>();
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            try {
                return ctx.callEntity(A, "divide", 0, Integer.class).await();
            } catch (EntityOperationFailedException e) {
                caught.add(e);
                return -1;
            }
        });
        driver.start(null);
        FailureDetails details = new FailureDetails("java.lang.ArithmeticException", "/ by zero", "at Counter.divide",
                null, false, null);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(requestId(T0, 0),
                ResponseMessage.failure(details).toJson()));

        assertThat(done.completion().result()).isEqualTo("-1");
        EntityOperationFailedException e = caught.get(caught.size() - 1);
        assertThat(e.getEntityId()).isEqualTo(A);
        assertThat(e.getOperationName()).isEqualTo("divide");
        assertThat(e.getFailureDetails().getErrorType()).isEqualTo("java.lang.ArithmeticException");
        assertThat(e.getFailureDetails().getErrorMessage()).isEqualTo("/ by zero");
        assertThat(e.getFailureDetails().getStackTrace()).isEqualTo("at Counter.divide");
        assertThat(e.getMessage()).isEqualTo("Operation 'divide' of entity '@counter@a' failed: / by zero");
    }

    @Test
    void uncaughtEntityFailureFailsTheOrchestrationWithTheException() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callEntity(A, "divide", 0, Integer.class).await());
        driver.start(null);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(requestId(T0, 0),
                ResponseMessage.failure(new FailureDetails("java.lang.ArithmeticException", "/ by zero")).toJson()));

        assertThat(done.completion().status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(done.completion().failureDetails().getErrorType())
                .isEqualTo(EntityOperationFailedException.class.getName());
        assertThat(done.completion().failureDetails().getErrorMessage())
                .isEqualTo("Operation 'divide' of entity '@counter@a' failed: / by zero");
    }

    @Test
    void unreadableResponseFailsTheCallWithAClearError() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> ctx.callEntity(A, "get", Integer.class).await());
        driver.start(null);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(requestId(T0, 0), "[1,2"));

        assertThat(done.completion().failureDetails().getErrorMessage())
                .contains("Operation 'get' of entity '@counter@a' failed: The entity's response could not be read",
                        "[1,2");
    }

    @Test
    void theResponseGoesOnlyToItsCallAndMayArriveBeforeTheCallIsAwaited() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            Task<Integer> call = ctx.callEntity(A, "get", Integer.class);
            Task<String> other = ctx.waitForExternalEvent("approval", String.class);
            ctx.createTimer(Duration.ofMinutes(1)).await(); // the response arrives meanwhile
            int value = call.await();
            String approval = other.await();
            return approval + value;
        });
        String id = requestId(T0, 0);
        Instant fireAt = T0.plus(Duration.ofMinutes(1));
        driver.start(null);
        assertThat(driver.episode(h -> h.eventRaised(id, ResponseMessage.success("5").toJson())).actions())
                .isEmpty();
        assertThat(driver.at(fireAt).episode(h -> h.timerFired(1, fireAt)).actions()).isEmpty();

        OrchestratorResult done = driver.tick(1).episode(h -> h.eventRaised("approval", "\"ok\""));

        assertThat(done.completion().result()).isEqualTo("\"ok5\"");
    }

    @Test
    void aUsersWaitForTheRequestIdDoesNotStealTheResponse() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            Task<Integer> call = ctx.callEntity(A, "get", Integer.class);
            Task<String> spy = ctx.waitForExternalEvent(requestId(T0, 0), String.class);
            int value = call.await();
            return value + (spy.isDone() ? " stolen" : " kept");
        });
        driver.start(null);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(requestId(T0, 0),
                ResponseMessage.success("5").toJson()));

        assertThat(done.completion().result()).isEqualTo("\"5 kept\"");
    }

    @Test
    void outsideACriticalSectionCallsAndSignalsAreUnrestricted() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            Task<Integer> one = ctx.callEntity(A, "get", Integer.class);
            Task<Integer> two = ctx.callEntity(A, "get", Integer.class);
            ctx.signalEntity(A, "add", 1);
            ctx.callSubOrchestrator("Child");
            return one.await() + two.await() + (ctx.isInCriticalSection() ? 100 : 0);
        });

        List<OrchestratorAction> actions = driver.start(null).actions();

        assertThat(actions).hasSize(4);
        driver.episode(h -> h.eventRaised(requestId(T0, 0), ResponseMessage.success("1").toJson()));
        assertThat(driver.episode(h -> h.eventRaised(requestId(T0, 1), ResponseMessage.success("2").toJson()))
                .completion().result()).isEqualTo("3");
    }

    // ---- critical sections ----

    @Test
    void lockEntitiesSendsOneSortedDeduplicatedLockRequestToTheFirstEntityAndCompletesOnTheResponse() {
        List<String> observed = new ArrayList<>();
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            Task<EntityCriticalSection> lock = ctx.lockEntities(B, A, B);
            observed.add("pending in=" + ctx.isInCriticalSection() + " locked=" + ctx.getLockedEntities());
            EntityCriticalSection section = lock.await();
            observed.add("acquired in=" + ctx.isInCriticalSection() + " locked=" + ctx.getLockedEntities()
                    + " section=" + section.getLockedEntities());
            int a = ctx.callEntity(A, "get", Integer.class).await();
            int b = ctx.callEntity(B, "get", Integer.class).await();
            section.close();
            section.close(); // idempotent
            observed.add("released in=" + ctx.isInCriticalSection() + " locked=" + ctx.getLockedEntities());
            return a + b;
        });

        List<OrchestratorAction> lockRequest = driver.start(null).actions();

        String lockId = requestId(T0, 0);
        assertThat(lockRequest).containsExactly(new SendEvent(0, "@counter@a", "op", "{\"id\":\"" + lockId
                + "\",\"parent\":\"fixture-instance\",\"parentExecution\":\"exec1\","
                + "\"Timestamp\":\"2026-11-21T10:00:00Z\",\"lockset\":[{\"name\":\"counter\",\"key\":\"a\"},"
                + "{\"name\":\"counter\",\"key\":\"b\"}],\"requestTime\":\"2026-11-21T10:00:00+00:00\"}"));
        assertThat(request(lockRequest.get(0)).lockSetIds()).containsExactly(A, B);
        assertThat(request(lockRequest.get(0)).position).isZero();

        List<OrchestratorAction> callA = driver.tick(1).episode(h -> h.eventRaised(lockId, lockGranted())).actions();
        assertThat(callA).hasSize(1);
        assertThat(((SendEvent) callA.get(0)).instanceId()).isEqualTo("@counter@a");
        assertThat(request(callA.get(0)).operation).isEqualTo("get");
        // the lock request was the first message to A: the call follows it
        assertThat(request(callA.get(0)).predecessor).isEqualTo(T0);

        List<OrchestratorAction> callB = driver.tick(1).episode(h -> h.eventRaised(request(callA.get(0)).id,
                ResponseMessage.success("1").toJson())).actions();
        assertThat(((SendEvent) callB.get(0)).instanceId()).isEqualTo("@counter@b");

        OrchestratorResult done = driver.tick(1).episode(h -> h.eventRaised(request(callB.get(0)).id,
                ResponseMessage.success("2").toJson()));

        assertThat(done.actions()).containsExactly(
                new SendEvent(3, "@counter@a", "release", release(lockId)),
                new SendEvent(4, "@counter@b", "release", release(lockId)),
                new CompleteOrchestration(5, OrchestrationRuntimeStatus.COMPLETED, "3", null));
        assertThat(observed.subList(observed.size() - 3, observed.size())).containsExactly(
                "pending in=false locked=[]",
                "acquired in=true locked=[@counter@a, @counter@b] section=[@counter@a, @counter@b]",
                "released in=false locked=[]");
    }

    @Test
    void forbiddenOperationsInsideACriticalSectionThrowIllegalStateException() {
        List<String> errors = new ArrayList<>();
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            Task<EntityCriticalSection> lock = ctx.lockEntities(A, B);
            capture(errors, () -> ctx.lockEntities(C)); // while the lock request is pending
            try (EntityCriticalSection ignored = lock.await()) {
                capture(errors, () -> ctx.callEntity(C, "get", Integer.class));
                capture(errors, () -> ctx.signalEntity(A, "add", 1));
                capture(errors, () -> ctx.lockEntities(C));
                capture(errors, () -> ctx.callSubOrchestrator("Child"));
                capture(errors, () -> ctx.continueAsNew(null));
                Task<Integer> pending = ctx.callEntity(A, "get", Integer.class);
                capture(errors, () -> ctx.callEntity(A, "get", Integer.class));
                ctx.signalEntity(C, "add", 1); // signals to entities not locked are allowed
                ctx.callEntity(B, "get", Integer.class).await(); // a call to another locked entity is allowed
                int a = pending.await();
                return a + ctx.callEntity(A, "get", Integer.class).await(); // once answered, A can be called again
            }
        });
        driver.start(null);
        String lockId = requestId(T0, 0);
        List<OrchestratorAction> inside = driver.tick(1).episode(h -> h.eventRaised(lockId, lockGranted())).actions();

        assertThat(errors.subList(errors.size() - 7, errors.size())).satisfiesExactly(
                e -> assertThat(e).contains("lockEntities", "a lock request of this orchestration is still pending"),
                e -> assertThat(e).contains("callEntity('@counter@c', 'get')",
                        "only the entities it has locked ([@counter@a, @counter@b])"),
                e -> assertThat(e).contains("signalEntity('@counter@a', 'add')", "must not signal an entity it has "
                        + "locked"),
                e -> assertThat(e).contains("lockEntities([@counter@c])", "already in a critical section"),
                e -> assertThat(e).contains("callSubOrchestrator('Child')", "must not start a sub-orchestration "
                        + "inside a critical section"),
                e -> assertThat(e).contains("continueAsNew", "must not continue as new inside a critical section"),
                e -> assertThat(e).contains("callEntity('@counter@a', 'get')", "previous call", "still pending"));
        // call A, signal C, call B: nothing of the rejected operations
        assertThat(inside).extracting(a -> ((SendEvent) a).instanceId() + " " + ((SendEvent) a).name())
                .containsExactly("@counter@a op", "@counter@c op", "@counter@b op");
        String callA = request(inside.get(0)).id;
        String callB = request(inside.get(2)).id;
        driver.tick(1).episode(h -> h.eventRaised(callB, ResponseMessage.success("2").toJson()));
        List<OrchestratorAction> again = driver.tick(1).episode(h -> h.eventRaised(callA,
                ResponseMessage.success("1").toJson())).actions();
        assertThat(again).hasSize(1);
        OrchestratorResult done = driver.tick(1).episode(h -> h.eventRaised(request(again.get(0)).id,
                ResponseMessage.success("10").toJson()));
        assertThat(done.actions()).extracting(OrchestratorAction::getClass).containsExactly(SendEvent.class,
                SendEvent.class, CompleteOrchestration.class);
        assertThat(done.completion().result()).isEqualTo("11");
    }

    private static void capture(List<String> errors, Runnable call) {
        try {
            call.run();
            errors.add("no exception");
        } catch (IllegalStateException e) {
            errors.add(e.getMessage());
        }
    }

    @Test
    void anUncaughtCriticalSectionViolationFailsTheOrchestrationAndReleasesTheLocks() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.lockEntities(A).await();
            ctx.signalEntity(A, "add", 1);
            return null;
        });
        driver.start(null);
        String lockId = requestId(T0, 0);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(lockId, lockGranted()));

        assertThat(done.actions()).hasSize(2);
        assertThat(done.actions().get(0)).isEqualTo(new SendEvent(1, "@counter@a", "release", release(lockId)));
        assertThat(done.completion().status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(done.completion().failureDetails().getErrorType())
                .isEqualTo(IllegalStateException.class.getName());
        assertThat(done.completion().failureDetails().getErrorMessage())
                .contains("must not signal an entity it has locked");
    }

    @Test
    void completingInsideACriticalSectionReleasesTheLocksBeforeTheCompletion() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.lockEntities(B, A).await();
            ctx.signalEntity(C, "add", 1);
            return "done";
        });
        driver.start(null);
        String lockId = requestId(T0, 0);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(lockId, lockGranted()));

        assertThat(done.actions()).hasSize(4);
        assertThat(((SendEvent) done.actions().get(0)).instanceId()).isEqualTo("@counter@c");
        assertThat(done.actions().subList(1, 4)).containsExactly(
                new SendEvent(2, "@counter@a", "release", release(lockId)),
                new SendEvent(3, "@counter@b", "release", release(lockId)),
                new CompleteOrchestration(4, OrchestrationRuntimeStatus.COMPLETED, "\"done\"", null));
    }

    @Test
    void completeInsideTryWithResourcesReleasesOnce() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            try (EntityCriticalSection ignored = ctx.lockEntities(A).await()) {
                ctx.complete("early");
            }
            return "late";
        });
        driver.start(null);
        String lockId = requestId(T0, 0);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(lockId, lockGranted()));

        assertThat(done.actions()).containsExactly(new SendEvent(1, "@counter@a", "release", release(lockId)),
                new CompleteOrchestration(2, OrchestrationRuntimeStatus.COMPLETED, "\"early\"", null));
    }

    @Test
    void failingInsideACriticalSectionDropsOtherActionsButReleasesTheLocks() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            ctx.lockEntities(A, B).await();
            ctx.signalEntity(C, "add", 1); // dropped by the failure, as every action of a failing episode
            throw new IllegalArgumentException("boom");
        });
        driver.start(null);
        String lockId = requestId(T0, 0);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(lockId, lockGranted()));

        assertThat(done.actions()).hasSize(3);
        assertThat(done.actions().subList(0, 2)).containsExactly(
                new SendEvent(2, "@counter@a", "release", release(lockId)),
                new SendEvent(3, "@counter@b", "release", release(lockId)));
        assertThat(done.completion().status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(done.completion().failureDetails().getErrorMessage()).isEqualTo("boom");
    }

    @Test
    void failingAfterTryWithResourcesClosedTheSectionKeepsItsReleases() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            try (EntityCriticalSection ignored = ctx.lockEntities(A).await()) {
                throw new IllegalStateException("inside");
            }
        });
        driver.start(null);
        String lockId = requestId(T0, 0);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(lockId, lockGranted()));

        assertThat(done.actions()).hasSize(2);
        assertThat(done.actions().get(0)).isEqualTo(new SendEvent(1, "@counter@a", "release", release(lockId)));
        assertThat(done.completion().status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(done.completion().failureDetails().getErrorMessage()).isEqualTo("inside");
    }

    @Test
    void waitingInsideTryWithResourcesDoesNotReleaseUntilTheCodeLeavesTheBlock() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            int value;
            try (EntityCriticalSection ignored = ctx.lockEntities(A).await()) {
                value = ctx.callEntity(A, "get", Integer.class).await();
            }
            return ctx.callActivity("After", value, String.class).await();
        });
        driver.start(null);
        String lockId = requestId(T0, 0);

        List<OrchestratorAction> call = driver.tick(1).episode(h -> h.eventRaised(lockId, lockGranted())).actions();
        assertThat(call).hasSize(1);
        assertThat(((SendEvent) call.get(0)).name()).isEqualTo("op");

        List<OrchestratorAction> after = driver.tick(1).episode(h -> h.eventRaised(request(call.get(0)).id,
                ResponseMessage.success("4").toJson())).actions();
        assertThat(after).containsExactly(new SendEvent(2, "@counter@a", "release", release(lockId)),
                new ScheduleTask(3, "After", null, "4"));
        assertThat(driver.episode(h -> h.taskCompleted(3, "\"ok\"")).actions()).containsExactly(
                new CompleteOrchestration(4, OrchestrationRuntimeStatus.COMPLETED, "\"ok\"", null));
    }

    @Test
    void terminationInsideACriticalSectionSendsNothing() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            try (EntityCriticalSection ignored = ctx.lockEntities(A).await()) {
                return ctx.callEntity(A, "get", Integer.class).await();
            }
        });
        driver.start(null);
        driver.episode(h -> h.eventRaised(requestId(T0, 0), lockGranted()));

        OrchestratorResult done = driver.episode(h -> h.terminated("\"stop\""));

        assertThat(done.actions()).containsExactly(
                new CompleteOrchestration(2, OrchestrationRuntimeStatus.TERMINATED, "\"stop\"", null));
    }

    @Test
    void aNewCriticalSectionCanFollowAReleasedOne() {
        EpisodeDriver driver = new EpisodeDriver(ctx -> {
            try (EntityCriticalSection ignored = ctx.lockEntities(A).await()) {
                ctx.callEntity(A, "get", Integer.class).await();
            }
            try (EntityCriticalSection second = ctx.lockEntities(B).await()) {
                return second.getLockedEntities().toString();
            }
        });
        driver.start(null);
        List<OrchestratorAction> call = driver.episode(h -> h.eventRaised(requestId(T0, 0), lockGranted()))
                .actions();
        List<OrchestratorAction> next = driver.tick(1).episode(h -> h.eventRaised(request(call.get(0)).id,
                ResponseMessage.success("1").toJson())).actions();
        assertThat(next).hasSize(2);
        assertThat(((SendEvent) next.get(1)).instanceId()).isEqualTo("@counter@b");
        assertThat(request(next.get(1)).lockSetIds()).containsExactly(B);

        OrchestratorResult done = driver.episode(h -> h.eventRaised(request(next.get(1)).id, lockGranted()));

        assertThat(done.actions()).containsExactly(new SendEvent(4, "@counter@b", "release",
                release(request(next.get(1)).id)), new CompleteOrchestration(5, OrchestrationRuntimeStatus.COMPLETED,
                "\"[@counter@b]\"", null));
    }

    // ---- non-determinism ----

    @Test
    void callingAnotherEntityThanHistoryRecordsIsNonDeterministic() {
        OrchestratorFunction<Integer> changed = ctx -> ctx.callEntity(B, "get", Integer.class).await();
        HistoryBuilder h = new HistoryBuilder();
        List<HistoryEvent> past = h.orchestratorStarted().executionStarted(EpisodeDriver.NAME, null)
                .eventSent(0, "@counter@a", "op", "{}").orchestratorCompleted().take();
        List<HistoryEvent> news = h.orchestratorStarted().eventRaised(requestId(T0, 0),
                ResponseMessage.success("1").toJson()).take();

        OrchestratorResult result = new OrchestrationExecutor(EpisodeDriver.JSON, name -> changed)
                .execute(past, news);

        assertThat(result.actions()).hasSize(1);
        assertThat(result.completion().status()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(result.completion().failureDetails().getErrorMessage()).contains(
                "History holds entity message 'op' to entity '@counter@a' (EventSent) at position #0, but the "
                        + "orchestrator code scheduled entity message 'op' to entity '@counter@b'");
    }

    @Test
    void reorderedEntityMessagesAreNonDeterministic() {
        // history: the lock released (release) before a signal; the code now signals first
        EpisodeDriver original = new EpisodeDriver(ctx -> {
            try (EntityCriticalSection ignored = ctx.lockEntities(A).await()) {
                ctx.callEntity(A, "get", Integer.class).await();
            }
            ctx.signalEntity(B, "add", 1);
            return ctx.callActivity("After", String.class).await();
        });
        original.start(null);
        List<OrchestratorAction> call = original.episode(h -> h.eventRaised(requestId(T0, 0), lockGranted()))
                .actions();
        original.episode(h -> h.eventRaised(request(call.get(0)).id, ResponseMessage.success("1").toJson()));
        List<HistoryEvent> past = original.history();
        OrchestratorFunction<String> changed = ctx -> {
            EntityCriticalSection section = ctx.lockEntities(A).await();
            ctx.callEntity(A, "get", Integer.class).await();
            ctx.signalEntity(B, "add", 1);
            section.close();
            return ctx.callActivity("After", String.class).await();
        };
        List<HistoryEvent> news = new HistoryBuilder().orchestratorStarted().taskCompleted(4, "\"x\"").take();

        OrchestratorResult result = new OrchestrationExecutor(EpisodeDriver.JSON, name -> changed)
                .execute(past, news);

        assertThat(result.completion().failureDetails().getErrorMessage()).contains(
                "History holds entity message 'release' to entity '@counter@a' (EventSent) at position #2, but the "
                        + "orchestrator code scheduled entity message 'op' to entity '@counter@b'");
        // the failing execution still releases what it locked
        assertThat(result.actions()).hasSize(2);
        assertThat(result.actions().get(0)).isEqualTo(new SendEvent(3, "@counter@a", "release",
                release(requestId(T0, 0))));
    }

    @Test
    void executorRejectsANegativeReorderWindow() {
        assertThatThrownBy(() -> new OrchestrationExecutor(EpisodeDriver.JSON, name -> null,
                OrchestrationExecutor.DEFAULT_MAX_TIMER_INTERVAL, OrchestrationExecutor.DEFAULT_TIMER_PIECE_LENGTH,
                Duration.ofMinutes(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reorder window");
    }
}
