package io.github.durablefunctions.azurestorage;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.durablefunctions.CompositeTaskFailedException;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.RetryHandler;
import io.github.durablefunctions.RetryPolicy;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskCanceledException;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOptions;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Orchestration patterns end to end, through core's {@link DurableTaskWorker} and {@link BackendDurableTaskClient}
 * over the Azure Storage backend on a real Azurite: event timeouts and buffering, {@code anyOf} / {@code allOf}
 * semantics, replay-safe UUIDs and logging, non-determinism detection, retries under fan-out, timer chaining and
 * sub-orchestration instance IDs. Complements {@link OrchestrationFeaturesTest} and {@link EndToEndTest}.
 */
@ExtendWith(AzuriteExtension.class)
class OrchestrationPatternsTest {
    static final String HUB = "PatternsHub";
    static final Duration DONE_WITHIN = Duration.ofSeconds(60);
    /** The logger the replay-safe logger wraps, captured by {@link #STEP_LINES}. */
    static final Logger STEP_LOGGER = LoggerFactory.getLogger(OrchestrationPatternsTest.class.getName() + ".steps");
    static final ListAppender<ILoggingEvent> STEP_LINES = new ListAppender<>();
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    static final CountDownLatch HOLD_ENTERED = new CountDownLatch(1);
    static final CountDownLatch HOLD_RELEASE = new CountDownLatch(1);
    static final CountDownLatch STEP_A_ENTERED = new CountDownLatch(1);
    static final CountDownLatch STEP_A_RELEASE = new CountDownLatch(1);
    /** Flipped by the non-determinism test while its instance waits for activity "StepA": the "new code". */
    static volatile boolean evolvedCode;
    /** Retries only failures caused by an IllegalStateException, up to 3 attempts. */
    static final RetryHandler ONLY_ILLEGAL_STATE = rc -> rc.getLastFailure().isCausedBy(IllegalStateException.class)
            && rc.getLastAttemptNumber() < 3;
    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableTaskClient client;

    @BeforeAll
    static void startWorker() {
        STEP_LINES.start();
        ((ch.qos.logback.classic.Logger) STEP_LOGGER).addAppender(STEP_LINES);
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("AwaitAnswer", ctx -> {
                    try {
                        return "got " + ctx.waitForExternalEvent("Answer",
                                Duration.ofSeconds(ctx.getInput(Integer.class)), String.class).await();
                    } catch (TaskCanceledException e) {
                        return "timed out: " + e.getMessage();
                    }
                })
                .addOrchestrator("HoldThenAwaitEvents", ctx -> {
                    String held = ctx.callActivity("Hold", null, String.class).await();
                    String approval = ctx.waitForExternalEvent("APPROVAL", String.class).await();
                    String second = ctx.waitForExternalEvent("second", String.class).await();
                    return held + "|" + approval + "|" + second;
                })
                .addOrchestrator("EventOrTimer", ctx -> race(ctx, false))
                .addOrchestrator("TimerOrEvent", ctx -> race(ctx, true))
                .addOrchestrator("AllOfWithFailures", ctx -> {
                    List<Task<String>> tasks = List.of(
                            ctx.callActivity("Echo", "a", String.class),
                            ctx.callActivity("RejectFirst", "x", String.class),
                            ctx.callActivity("Echo", "b", String.class),
                            ctx.callActivity("RejectSecond", "y", String.class),
                            ctx.callActivity("Echo", "c", String.class));
                    try {
                        return ctx.allOf(tasks).await();
                    } catch (CompositeTaskFailedException e) {
                        List<String> seen = new ArrayList<>();
                        for (Exception failure : e.getExceptions()) {
                            seen.add(failure instanceof TaskFailedException f ? f.getTaskName() + ": "
                                    + f.getErrorDetails().getErrorType() + ": " + f.getErrorDetails().getErrorMessage()
                                    : failure.toString());
                        }
                        return seen;
                    }
                })
                .addOrchestrator("Uuids", ctx -> {
                    UUID first = ctx.newUUID();
                    UUID second = ctx.newUUID();
                    String echoedFirst = ctx.callActivity("Echo", first.toString(), String.class).await();
                    UUID third = ctx.newUUID();
                    String echoedThird = ctx.callActivity("Echo", third.toString(), String.class).await();
                    return List.of(first.toString(), second.toString(), third.toString(), echoedFirst, echoedThird);
                })
                .addOrchestrator("LoggedSteps", ctx -> {
                    Logger log = ctx.createReplaySafeLogger(STEP_LOGGER);
                    for (int step = 1; step <= 3; step++) {
                        String result = ctx.callActivity("Echo", "step " + step, String.class).await();
                        log.info("{}: {} done", ctx.getInstanceId(), result);
                    }
                    return "logged";
                })
                .addOrchestrator("Evolving", ctx -> {
                    if (!evolvedCode) {
                        ctx.callActivity("StepA", null, String.class).await();
                        return ctx.callActivity("StepB", null, String.class).await();
                    }
                    return ctx.callActivity("StepC", null, String.class).await();
                })
                .addOrchestrator("RetryFanOut", ctx -> {
                    TaskOptions retry = new TaskOptions(new RetryPolicy(3, Duration.ofSeconds(1)));
                    List<Task<String>> tasks = IntStream.range(0, 5).mapToObj(i -> ctx.callActivity(
                            "FailsOnFirstCall", ctx.getInstanceId() + "/" + i + (i == 1 || i == 3 ? "/fail" : ""),
                            retry, String.class)).toList();
                    return ctx.allOf(tasks).await();
                })
                .addOrchestrator("SelectiveRetry", ctx -> {
                    try {
                        return ctx.callActivity("ThrowsOnFirstCall", ctx.getInput(String.class),
                                new TaskOptions(ONLY_ILLEGAL_STATE), String.class).await();
                    } catch (TaskFailedException e) {
                        return "failed: " + e.getErrorDetails().getErrorType() + ": "
                                + e.getErrorDetails().getErrorMessage();
                    }
                })
                .addOrchestrator("ParentOfNamed", ctx -> ctx.callSubOrchestrator("Greeter", "named",
                        ctx.getInput(String.class), String.class).await())
                .addOrchestrator("ParentOfGenerated", ctx -> {
                    Task<String> first = ctx.callSubOrchestrator("Greeter", "one", String.class);
                    Task<String> second = ctx.callSubOrchestrator("Greeter", "two", String.class);
                    return ctx.allOf(first, second).await();
                })
                .addOrchestrator("Greeter", ctx -> "hello " + ctx.getInput(String.class) + " from "
                        + ctx.getInstanceId())
                .addActivity("Echo", ctx -> ctx.getInput(String.class))
                .addActivity("RejectFirst", ctx -> {
                    throw new IllegalStateException("first rejected " + ctx.getInput(String.class));
                })
                .addActivity("RejectSecond", ctx -> {
                    throw new UnsupportedOperationException("second rejected " + ctx.getInput(String.class));
                })
                .addActivity("Hold", ctx -> {
                    HOLD_ENTERED.countDown();
                    return HOLD_RELEASE.await(60, TimeUnit.SECONDS) ? "held" : "hold timed out";
                })
                .addActivity("StepA", ctx -> {
                    STEP_A_ENTERED.countDown();
                    return STEP_A_RELEASE.await(60, TimeUnit.SECONDS) ? "A" : "A timed out";
                })
                .addActivity("StepB", ctx -> "B")
                .addActivity("StepC", ctx -> "C")
                .addActivity("FailsOnFirstCall", ctx -> {
                    String input = ctx.getInput(String.class);
                    int call = CALLS.computeIfAbsent(input, k -> new AtomicInteger()).incrementAndGet();
                    if (input.endsWith("/fail") && call == 1) {
                        throw new IllegalStateException(input + " failed on call 1");
                    }
                    return input + " ok on call " + call;
                })
                .addActivity("ThrowsOnFirstCall", ctx -> {
                    // Input "<key>/<exception simple name>": throws that exception on the first call for the key.
                    String input = ctx.getInput(String.class);
                    int call = CALLS.computeIfAbsent(input, k -> new AtomicInteger()).incrementAndGet();
                    if (call == 1) {
                        throw input.endsWith("/IllegalStateException") ? new IllegalStateException("state " + call)
                                : new IllegalArgumentException("argument " + call);
                    }
                    return "ok on call " + call;
                })
                .build();
        worker.start();
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
    }

    /**
     * Waits for event "Signal" or a timer (listed in that order, or the timer first), then also awaits the other one,
     * so that both are in history when the last episode replays the {@code anyOf}. Returns the winner and the event.
     */
    static String race(TaskOrchestrationContext ctx, boolean timerFirst) {
        Task<String> event = ctx.waitForExternalEvent("Signal", String.class);
        Task<Void> timer = ctx.createTimer(Duration.ofSeconds(ctx.getInput(Integer.class)));
        Task<?> winner = (timerFirst ? ctx.anyOf(timer, event) : ctx.anyOf(event, timer)).await();
        timer.await();
        return (winner == timer ? "timer" : winner == event ? "event" : "neither") + ":" + event.await();
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
        ((ch.qos.logback.classic.Logger) STEP_LOGGER).detachAppender(STEP_LINES);
    }

    static OrchestrationMetadata completed(String id) throws Exception {
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, DONE_WITHIN, true);
        assertThat(done).as("instance %s finished", id).isNotNull();
        return done;
    }

    static String uniqueId(String prefix) {
        return prefix + "-" + System.nanoTime();
    }

    static List<String> historyTypes(String id) {
        return client.getOrchestrationHistory(id).stream().map(e -> e.eventType().name()).toList();
    }

    static <T extends HistoryEvent> List<T> historyOf(String id, Class<T> type) {
        return client.getOrchestrationHistory(id).stream().filter(type::isInstance).map(type::cast).toList();
    }

    // ---- 1. external events with a timeout ----

    @Test
    void anExternalEventWaitWhoseTimeoutFiresFirstThrowsTaskCanceledExceptionNamingTheEvent() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("AwaitAnswer", 1);

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).startsWith("timed out: ").contains("'Answer'");
        assertThat(historyTypes(id)).containsSubsequence("TimerCreated", "TimerFired", "ExecutionCompleted")
                .doesNotContain("EventRaised");
    }

    @Test
    void anExternalEventRaisedBeforeTheTimeoutCompletesTheWaitWithItsData() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("AwaitAnswer", 30);
        await().atMost(DONE_WITHIN).until(() -> historyTypes(id).contains("TimerCreated"));

        client.raiseEvent(id, "Answer", "yes");

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("got yes");
        assertThat(historyTypes(id)).containsSubsequence("TimerCreated", "EventRaised", "ExecutionCompleted")
                .doesNotContain("TimerFired");
    }

    // ---- 2. buffered events, case-insensitive names ----

    @Test
    void eventsRaisedBeforeTheOrchestrationWaitsAreBufferedAndMatchedIgnoringCase() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("HoldThenAwaitEvents");
        assertThat(HOLD_ENTERED.await(60, TimeUnit.SECONDS)).as("activity Hold started").isTrue();

        client.raiseEvent(id, "Approval", "approved");
        client.raiseEvent(id, "SECOND", "two");
        // Both events are recorded while the orchestration is still in its activity, before it waits for them.
        await().atMost(DONE_WITHIN).until(() -> historyOf(id, EventRaisedEvent.class).size() == 2);
        assertThat(historyTypes(id)).doesNotContain("TaskCompleted");
        HOLD_RELEASE.countDown();

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("held|approved|two");
        assertThat(historyTypes(id)).containsSubsequence("EventRaised", "EventRaised", "TaskCompleted",
                "ExecutionCompleted");
    }

    // ---- 3. anyOf: first in history wins ----

    @Test
    void anyOfReturnsTheTimerThatFiredFirstEvenWhenTheEventIsListedFirst() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("EventOrTimer", 1);
        await().atMost(DONE_WITHIN).until(() -> historyTypes(id).contains("TimerFired"));

        client.raiseEvent(id, "Signal", "late");

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        // The last episode replays both completions; the timer is first in history, the event first in the list.
        assertThat(done.readOutputAs(String.class)).isEqualTo("timer:late");
        assertThat(historyTypes(id)).containsSubsequence("TimerFired", "EventRaised", "ExecutionCompleted");
    }

    @Test
    void anyOfReturnsTheEventRaisedBeforeTheTimerFiresEvenWhenTheTimerIsListedFirst() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("TimerOrEvent", 2);

        client.raiseEvent(id, "Signal", "early");

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("event:early");
        assertThat(historyTypes(id)).containsSubsequence("EventRaised", "TimerFired", "ExecutionCompleted");
    }

    // ---- 4. allOf with failures ----

    @Test
    void allOfWithTwoFailingActivitiesThrowsCompositeTaskFailedExceptionHoldingBothFailures() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("AllOfWithFailures");

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String[].class)).containsExactly(
                "RejectFirst: java.lang.IllegalStateException: first rejected x",
                "RejectSecond: java.lang.UnsupportedOperationException: second rejected y");
        assertThat(historyTypes(id)).filteredOn("TaskCompleted"::equals).hasSize(3);
        assertThat(historyTypes(id)).filteredOn("TaskFailed"::equals).hasSize(2);
    }

    // ---- 5. newUUID ----

    @Test
    void newUuidIsDeterministicAcrossReplaysAndDistinctPerCall() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Uuids");

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        String[] out = done.readOutputAs(String[].class);
        assertThat(out).hasSize(5);
        // The activities received the UUIDs generated in the first and second episodes; the last episode's replay
        // generated the same ones.
        assertThat(out[0]).isEqualTo(out[3]);
        assertThat(out[2]).isEqualTo(out[4]);
        assertThat(new HashSet<>(List.of(out[0], out[1], out[2]))).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(UUID.fromString(out[i]).version()).as("UUID %s is name-based", out[i]).isEqualTo(5);
        }
        assertThat(historyTypes(id)).filteredOn("OrchestratorStarted"::equals).hasSize(3);
    }

    // ---- 6. replay-safe logger ----

    @Test
    void aReplaySafeLoggerWritesOneLinePerStepNotOnePerReplay() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("LoggedSteps");

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        List<String> lines;
        synchronized (STEP_LINES) {
            lines = STEP_LINES.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(line -> line.startsWith(id + ":")).toList();
        }
        assertThat(lines).containsExactly(id + ": step 1 done", id + ": step 2 done", id + ": step 3 done");
        // Four episodes: step 1 was replayed in two later ones, step 2 in one.
        assertThat(historyTypes(id)).filteredOn("OrchestratorStarted"::equals).hasSize(4);
    }

    // ---- 7. non-determinism ----

    @Test
    void codeThatChangesBetweenEpisodesFailsTheInstanceWithNonDeterministicOrchestratorException() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Evolving");
        assertThat(STEP_A_ENTERED.await(60, TimeUnit.SECONDS)).as("activity StepA started").isTrue();

        evolvedCode = true; // the next episode's code calls StepC where the first one called StepA
        STEP_A_RELEASE.countDown();

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(done.getFailureDetails().getErrorType())
                .isEqualTo("io.github.durablefunctions.NonDeterministicOrchestratorException");
        assertThat(done.getFailureDetails().getErrorMessage()).contains("'StepA'").contains("'StepC'");
        assertThat(historyOf(id, TaskScheduledEvent.class)).extracting(TaskScheduledEvent::name).containsExactly("StepA");
    }

    // ---- 8. retries ----

    @Test
    void retriesUnderFanOutCallEachFailingActivityExactlyOnceMore() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("RetryFanOut",
                new NewOrchestrationInstanceOptions().setInstanceId(uniqueId("fan-retry")));

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String[].class)).containsExactly(
                id + "/0 ok on call 1", id + "/1/fail ok on call 2", id + "/2 ok on call 1",
                id + "/3/fail ok on call 2", id + "/4 ok on call 1");
        assertThat(CALLS.get(id + "/1/fail")).hasValue(2);
        assertThat(CALLS.get(id + "/3/fail")).hasValue(2);
        for (int i : new int[]{0, 2, 4}) {
            assertThat(CALLS.get(id + "/" + i)).as("calls of input %s", i).hasValue(1);
        }
        assertThat(historyTypes(id)).filteredOn("TaskScheduled"::equals).hasSize(7);
        assertThat(historyTypes(id)).filteredOn("TimerCreated"::equals).hasSize(2);
    }

    @Test
    void aRetryHandlerRetriesTheFailureTypeItAccepts() throws Exception {
        String key = uniqueId("selective") + "/IllegalStateException";
        String id = client.scheduleNewOrchestrationInstance("SelectiveRetry", key);

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("ok on call 2");
        assertThat(CALLS.get(key)).hasValue(2);
    }

    @Test
    void aRetryHandlerDoesNotRetryAFailureTypeItRejects() throws Exception {
        String key = uniqueId("selective") + "/IllegalArgumentException";
        String id = client.scheduleNewOrchestrationInstance("SelectiveRetry", key);

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class))
                .isEqualTo("failed: java.lang.IllegalArgumentException: argument 1");
        assertThat(CALLS.get(key)).hasValue(1);
        assertThat(historyTypes(id)).filteredOn("TaskScheduled"::equals).hasSize(1);
    }

    // ---- 9. long-timer chaining ----

    @Test
    void aTimerLongerThanTheMaximumIntervalIsChainedAndFiresAtTheRequestedTime() throws Exception {
        String hub = "PatternsTimerHub";
        AzureStorageOrchestrationService timerService =
                new AzureStorageOrchestrationService(StorageTestSupport.settings(hub).build());
        // The worker closes the service.
        try (DurableTaskWorker timerWorker = DurableTaskWorker.builder().service(timerService)
                .maximumTimerInterval(Duration.ofSeconds(2), Duration.ofSeconds(1))
                .addOrchestrator("LongTimer", ctx -> {
                    Instant before = ctx.getCurrentInstant();
                    ctx.createTimer(Duration.ofMillis(3500)).await();
                    return Duration.between(before, ctx.getCurrentInstant()).toMillis();
                })
                .build()) {
            timerWorker.start();
            DurableTaskClient timerClient = new BackendDurableTaskClient(timerService, new JacksonDataConverter());
            Instant scheduledAt = Instant.now();
            String id = timerClient.scheduleNewOrchestrationInstance("LongTimer");

            OrchestrationMetadata done = timerClient.waitForInstanceCompletion(id, DONE_WITHIN, true);

            assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(done.readOutputAs(Long.class)).isGreaterThanOrEqualTo(3500L);
            assertThat(Duration.between(scheduledAt, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(3500));
            List<HistoryEvent> history = timerClient.getOrchestrationHistory(id);
            Instant start = history.stream().filter(e -> e instanceof OrchestratorStartedEvent).findFirst()
                    .orElseThrow().timestamp();
            Instant requested = start.plusMillis(3500);
            List<TimerCreatedEvent> pieces = history.stream().filter(e -> e instanceof TimerCreatedEvent)
                    .map(e -> (TimerCreatedEvent) e).toList();
            // 3.5 s > 2 s: a 1 s piece first; how many follow depends on how late each piece is processed.
            assertThat(pieces).as("timer pieces").hasSizeGreaterThanOrEqualTo(2);
            for (TimerCreatedEvent piece : pieces.subList(0, pieces.size() - 1)) {
                assertThat(piece.fireAt()).isBefore(requested);
            }
            assertThat(pieces.get(pieces.size() - 1).fireAt()).isCloseTo(requested, within(1, ChronoUnit.MILLIS));
            List<TimerFiredEvent> fired = history.stream().filter(e -> e instanceof TimerFiredEvent)
                    .map(e -> (TimerFiredEvent) e).toList();
            assertThat(fired).extracting(TimerFiredEvent::timerId)
                    .containsExactlyElementsOf(pieces.stream().map(TimerCreatedEvent::eventId).toList());
        }
    }

    // ---- 10. sub-orchestration instance IDs ----

    @Test
    void aSubOrchestrationWithAnExplicitInstanceIdCanBeQueriedByTheClientUnderThatId() throws Exception {
        String childId = uniqueId("named-child");
        String id = client.scheduleNewOrchestrationInstance("ParentOfNamed", childId);

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("hello named from " + childId);
        OrchestrationMetadata child = client.getInstanceMetadata(childId, true);
        assertThat(child.getInstanceId()).isEqualTo(childId);
        assertThat(child.getName()).isEqualTo("Greeter");
        assertThat(child.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(child.readInputAs(String.class)).isEqualTo("named");
        assertThat(child.readOutputAs(String.class)).isEqualTo("hello named from " + childId);
        assertThat(historyOf(id, SubOrchestrationInstanceCreatedEvent.class)).singleElement()
                .satisfies(e -> assertThat(e.instanceId()).isEqualTo(childId));
    }

    @Test
    void aSubOrchestrationWithoutAnInstanceIdGetsTheParentIdColonFourHexDigits() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("ParentOfGenerated");

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        List<SubOrchestrationInstanceCreatedEvent> created = historyOf(id, SubOrchestrationInstanceCreatedEvent.class);
        assertThat(created).hasSize(2);
        Pattern childIdForm = Pattern.compile(Pattern.quote(id) + ":[0-9A-F]{4}");
        for (SubOrchestrationInstanceCreatedEvent e : created) {
            assertThat(e.instanceId()).matches(childIdForm)
                    .isEqualTo(id + ":" + String.format("%04X", e.eventId()));
            OrchestrationMetadata child = client.getInstanceMetadata(e.instanceId(), true);
            assertThat(child.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
            assertThat(child.getName()).isEqualTo("Greeter");
            ExecutionStartedEvent childStart = historyOf(e.instanceId(), ExecutionStartedEvent.class).get(0);
            assertThat(childStart.parentInstance().orchestrationInstance().instanceId()).isEqualTo(id);
        }
        assertThat(created.get(0).instanceId()).isNotEqualTo(created.get(1).instanceId());
        assertThat(done.readOutputAs(String[].class)).containsExactly(
                "hello one from " + created.get(0).instanceId(), "hello two from " + created.get(1).instanceId());
    }
}
