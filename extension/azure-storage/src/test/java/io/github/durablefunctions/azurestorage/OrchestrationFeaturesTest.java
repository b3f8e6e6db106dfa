package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.DurableTaskClient;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.RetryPolicy;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOptions;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.client.BackendDurableTaskClient;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import io.github.durablefunctions.worker.DurableTaskWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Orchestration features end to end: core's {@link DurableTaskWorker} (dispatcher + replay executor) and
 * {@link BackendDurableTaskClient} over the Azure Storage backend on a real Azurite. Each test checks the outcome a
 * user sees and what the task hub holds for it (storage-layout.md §3, §4, §6.3).
 */
@ExtendWith(AzuriteExtension.class)
class OrchestrationFeaturesTest {
    static final String HUB = "FeaturesHub";
    static final Duration DONE_WITHIN = Duration.ofSeconds(60);
    static final Map<String, AtomicInteger> FLAKY_CALLS = new ConcurrentHashMap<>();
    static AzureStorageOrchestrationService service;
    static DurableTaskWorker worker;
    static DurableTaskClient client;

    @BeforeAll
    static void startWorker() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        worker = DurableTaskWorker.builder().service(service)
                .addOrchestrator("ShortTimer", ctx -> {
                    Instant before = ctx.getCurrentInstant();
                    ctx.createTimer(Duration.ofSeconds(2)).await();
                    return Duration.between(before, ctx.getCurrentInstant()).toMillis();
                })
                .addOrchestrator("Parent", ctx -> {
                    int input = ctx.getInput(Integer.class);
                    return ctx.callSubOrchestrator("Child", input, ctx.getInstanceId() + "-child", Integer.class)
                            .await();
                })
                .addOrchestrator("Child", ctx -> ctx.callActivity("Double", ctx.getInput(Integer.class),
                        Integer.class).await() + 1)
                .addOrchestrator("ParentOfFailing", ctx -> {
                    try {
                        ctx.callSubOrchestrator("FailingChild", null, ctx.getInstanceId() + "-child", String.class)
                                .await();
                        return "no failure";
                    } catch (TaskFailedException e) {
                        return e.getErrorDetails().getErrorType() + ": " + e.getErrorDetails().getErrorMessage();
                    }
                })
                .addOrchestrator("FailingChild", ctx -> {
                    throw new IllegalStateException("child exploded");
                })
                .addOrchestrator("ParentOfWaiting", ctx -> {
                    try {
                        ctx.callSubOrchestrator("WaitForever", null, ctx.getInstanceId() + "-child", String.class)
                                .await();
                        return "no failure";
                    } catch (TaskFailedException e) {
                        return e.getErrorDetails().getErrorMessage();
                    }
                })
                .addOrchestrator("WaitForever", ctx -> ctx.waitForExternalEvent("Never", String.class).await())
                .addOrchestrator("Waiter", ctx -> ctx.waitForExternalEvent("Ping", Integer.class).await() + 1)
                .addOrchestrator("Sender", ctx -> {
                    ctx.sendEvent(ctx.getInput(String.class), "Ping", 41);
                    return "sent";
                })
                .addOrchestrator("Counter", ctx -> {
                    int n = ctx.getInput(Integer.class);
                    // The first execution does more work, so its rows outnumber the later executions'.
                    for (int i = 0; i < (n == 0 ? 3 : 1); i++) {
                        ctx.callActivity("Double", n, Integer.class).await();
                    }
                    if (n < 5) {
                        ctx.continueAsNew(n + 1);
                    }
                    return n;
                })
                .addOrchestrator("Spinner", ctx -> {
                    int n = ctx.getInput(Integer.class);
                    if (n < 25) {
                        ctx.continueAsNew(n + 1);
                    }
                    return n;
                })
                .addOrchestrator("Approval", ctx -> ctx.waitForExternalEvent("Approved", Boolean.class).await()
                        ? "approved" : "rejected")
                .addOrchestrator("Gate", ctx -> "got " + ctx.waitForExternalEvent("Go", String.class).await())
                .addOrchestrator("Staged", ctx -> {
                    ctx.setCustomStatus(Map.of("stage", "waiting"));
                    ctx.waitForExternalEvent("Continue").await();
                    ctx.setCustomStatus("done");
                    return "ok";
                })
                .addOrchestrator("Retrying", ctx -> ctx.callActivity("Flaky", ctx.getInstanceId(),
                        new TaskOptions(new RetryPolicy(3, Duration.ofSeconds(1))), String.class).await())
                .addOrchestrator("Rewindable", ctx -> ctx.callActivity("FailsOnce", ctx.getInstanceId(),
                        String.class).await())
                .addActivity("Double", ctx -> ctx.getInput(Integer.class) * 2)
                .addActivity("FailsOnce", ctx -> {
                    int call = FLAKY_CALLS.computeIfAbsent(ctx.getInput(String.class), k -> new AtomicInteger())
                            .incrementAndGet();
                    if (call == 1) {
                        throw new IllegalStateException("not yet");
                    }
                    return "worked on call " + call;
                })
                .addActivity("Flaky", ctx -> {
                    int call = FLAKY_CALLS.computeIfAbsent(ctx.getInput(String.class), k -> new AtomicInteger())
                            .incrementAndGet();
                    if (call < 3) {
                        throw new IllegalStateException("attempt " + call + " failed");
                    }
                    return "succeeded on attempt " + call;
                })
                .build();
        worker.start();
        client = new BackendDurableTaskClient(service, new JacksonDataConverter());
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
        }
    }

    static OrchestrationMetadata completed(String id) throws Exception {
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, DONE_WITHIN, true);
        assertThat(done).as("instance %s finished", id).isNotNull();
        return done;
    }

    static void raiseThroughBackend(String id, String name, String json) {
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, Instant.now(), name,
                json, null), new OrchestrationInstance(id, null)));
    }

    static Map<String, Object> instanceRow(String id) {
        return service.instanceRow(id);
    }

    static List<String> historyTypes(String id) {
        return service.getOrchestrationHistory(id).stream().map(e -> e.eventType().name()).toList();
    }

    @Test
    void aDurableTimerCompletesTheOrchestrationAfterItsFireTime() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("ShortTimer");

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(Long.class)).isGreaterThanOrEqualTo(2000L);
        List<HistoryEvent> history = service.getOrchestrationHistory(id);
        TimerCreatedEvent created = history.stream().filter(e -> e instanceof TimerCreatedEvent)
                .map(e -> (TimerCreatedEvent) e).findFirst().orElseThrow();
        int firedAt = -1;
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i) instanceof TimerFiredEvent fired && fired.timerId() == created.eventId()) {
                firedAt = i;
            }
        }
        assertThat(firedAt).as("TimerFired for timer #%s", created.eventId()).isPositive();
        // The episode that received the TimerFired began no earlier than the fire time.
        HistoryEvent episodeStart = null;
        for (int i = firedAt - 1; i >= 0 && episodeStart == null; i--) {
            if (history.get(i) instanceof OrchestratorStartedEvent) {
                episodeStart = history.get(i);
            }
        }
        assertThat(episodeStart).isNotNull();
        assertThat(episodeStart.timestamp()).isAfterOrEqualTo(created.fireAt());
    }

    @Test
    void aSubOrchestrationRunsOnItsOwnInstanceAndReturnsItsResultToTheParent() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Parent", 20);

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(Integer.class)).isEqualTo(41);
        OrchestrationMetadata child = client.getInstanceMetadata(id + "-child", true);
        assertThat(child.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(child.getName()).isEqualTo("Child");
        assertThat(child.readOutputAs(Integer.class)).isEqualTo(41);
        ExecutionStartedEvent childStart = (ExecutionStartedEvent) service.getOrchestrationHistory(id + "-child")
                .stream().filter(e -> e instanceof ExecutionStartedEvent).findFirst().orElseThrow();
        assertThat(childStart.parentInstance().orchestrationInstance())
                .isEqualTo(new OrchestrationInstance(id, done.getExecutionId()));
        assertThat(childStart.orchestrationInstance().executionId()).matches("[0-9a-f]{32}");
        assertThat(historyTypes(id)).containsSubsequence("SubOrchestrationInstanceCreated",
                "SubOrchestrationInstanceCompleted", "ExecutionCompleted");
    }

    @Test
    void aFailedSubOrchestrationSurfacesInTheParentAsTaskFailedExceptionWithTheChildsDetails() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("ParentOfFailing");

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("java.lang.IllegalStateException: child exploded");
        OrchestrationMetadata child = client.getInstanceMetadata(id + "-child", true);
        assertThat(child.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(child.getFailureDetails().getErrorMessage()).isEqualTo("child exploded");
        assertThat(historyTypes(id)).contains("SubOrchestrationInstanceFailed");
    }

    @Test
    void aTerminatedSubOrchestrationFailsTheParentsTaskSayingSoAndWhy() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("ParentOfWaiting");
        String child = id + "-child";
        await().atMost(DONE_WITHIN).until(() -> {
            OrchestrationMetadata m = client.getInstanceMetadata(child, false);
            return m != null && m.getRuntimeStatus() == OrchestrationRuntimeStatus.RUNNING;
        });

        client.terminate(child, "parent no longer needs it");

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).contains(child).contains("terminated")
                .contains("parent no longer needs it");
        assertThat(client.getInstanceMetadata(child, false).getRuntimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
    }

    @Test
    void sendEventDeliversToAnotherOrchestrationWaitingForIt() throws Exception {
        String waiter = client.scheduleNewOrchestrationInstance("Waiter");
        client.waitForInstanceStart(waiter, DONE_WITHIN, false);

        String sender = client.scheduleNewOrchestrationInstance("Sender", waiter);

        assertThat(completed(sender).readOutputAs(String.class)).isEqualTo("sent");
        OrchestrationMetadata done = completed(waiter);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(Integer.class)).isEqualTo(42);
        assertThat(historyTypes(sender)).contains("EventSent");
        assertThat(historyTypes(waiter)).contains("EventRaised");
    }

    @Test
    void continueAsNewLoopsToTheEndAndLeavesOnlyTheLastExecutionValid() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Counter", 0);

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(Integer.class)).isEqualTo(5);
        assertThat(done.readInputAs(Integer.class)).isEqualTo(5);

        List<TableEntity> rows = StorageTestSupport.rows(HUB + "History", id);
        TableEntity sentinel = rows.get(rows.size() - 1);
        String lastExecution = (String) sentinel.getProperty("ExecutionId");
        assertThat(done.getExecutionId()).isEqualTo(lastExecution);
        List<TableEntity> events = rows.subList(0, rows.size() - 1);
        int valid = (int) events.stream().takeWhile(r -> lastExecution.equals(r.getProperty("ExecutionId"))).count();
        assertThat(valid).isLessThan(events.size()); // rows of the longer first execution lie beyond
        assertThat(events.subList(valid, events.size()))
                .allSatisfy(r -> assertThat(r.getProperty("ExecutionId")).isNotEqualTo(lastExecution));
        assertThat(events.get(0).getProperty("EventType")).isEqualTo("OrchestratorStarted");
        assertThat(events.get(1).getProperty("EventType")).isEqualTo("ExecutionStarted");
        assertThat(events.get(1).getProperty("Input")).isEqualTo("5");

        List<HistoryEvent> history = service.getOrchestrationHistory(id);
        assertThat(history).hasSize(valid);
        assertThat(history).filteredOn(e -> e instanceof ExecutionStartedEvent).singleElement()
                .satisfies(e -> assertThat(((ExecutionStartedEvent) e).input()).isEqualTo("5"));
        assertThat(instanceRow(id)).containsEntry("ExecutionId", lastExecution)
                .containsEntry("RuntimeStatus", "Completed").containsEntry("Output", "5");
    }

    @Test
    void continueAsNewWithoutEverWaitingCheckpointsAfterTheBoundAndCarriesOnToTheEnd() throws Exception {
        // 25 executions: the first work item runs 20 of them, checkpoints the 21st and wakes it with the -100 timer.
        String id = client.scheduleNewOrchestrationInstance("Spinner", 0);

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(Integer.class)).isEqualTo(25);
        List<HistoryEvent> history = service.getOrchestrationHistory(id);
        assertThat(history).filteredOn(e -> e instanceof ExecutionStartedEvent).singleElement()
                .satisfies(e -> assertThat(((ExecutionStartedEvent) e).input()).isEqualTo("25"));
        assertThat(history).noneMatch(e -> e instanceof TimerFiredEvent);
    }

    @Test
    void anExternalEventSentThroughTheBackendCompletesTheWait() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Approval");
        client.waitForInstanceStart(id, DONE_WITHIN, false);

        raiseThroughBackend(id, "Approved", "true");

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("approved");
    }

    @Test
    void terminatingARunningInstanceEndsItAsTerminatedWithTheReasonAsOutput() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("WaitForever");
        client.waitForInstanceStart(id, DONE_WITHIN, false);

        client.terminate(id, "enough");

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("enough");
        assertThat(done.getCompletedAt()).isNotNull();
        assertThat(instanceRow(id)).containsEntry("RuntimeStatus", "Terminated").containsEntry("Output",
                "\"enough\"");
        assertThat(historyTypes(id)).containsSubsequence("ExecutionTerminated", "ExecutionCompleted");
    }

    @Test
    void anEventRaisedWhileSuspendedIsProcessedOnlyAfterResume() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Gate");
        client.waitForInstanceStart(id, DONE_WITHIN, false);

        client.suspendInstance(id, "hold on");
        await().atMost(DONE_WITHIN).until(() -> client.getInstanceMetadata(id, false).getRuntimeStatus()
                == OrchestrationRuntimeStatus.SUSPENDED);
        assertThat(instanceRow(id)).containsEntry("Output", "hold on");

        raiseThroughBackend(id, "Go", "\"green\"");
        await().atMost(DONE_WITHIN).until(() -> historyTypes(id).contains("EventRaised"));
        // The event is in history, but held: still suspended, not completed.
        OrchestrationMetadata held = client.getInstanceMetadata(id, true);
        assertThat(held.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.SUSPENDED);
        assertThat(historyTypes(id)).doesNotContain("ExecutionCompleted");

        client.resumeInstance(id, "go ahead");

        OrchestrationMetadata done = completed(id);
        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("got green");
        assertThat(historyTypes(id)).containsSubsequence("ExecutionSuspended", "EventRaised", "ExecutionResumed",
                "ExecutionCompleted");
    }

    @Test
    void customStatusIsVisibleInTheInstancesRowWhileRunningAndAtTheEnd() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Staged");
        await().atMost(DONE_WITHIN).until(() -> "{\"stage\":\"waiting\"}".equals(
                instanceRow(id) == null ? null : instanceRow(id).get("CustomStatus")));
        assertThat(client.getInstanceMetadata(id, false).readCustomStatusAs(Map.class))
                .isEqualTo(Map.of("stage", "waiting"));

        raiseThroughBackend(id, "Continue", null);

        OrchestrationMetadata done = completed(id);
        assertThat(done.readOutputAs(String.class)).isEqualTo("ok");
        assertThat(instanceRow(id)).containsEntry("CustomStatus", "\"done\"");
        assertThat(done.readCustomStatusAs(String.class)).isEqualTo("done");
    }

    @Test
    void aRetryPolicyRetriesAFailingActivityAfterDurableTimersUntilItSucceeds() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Retrying",
                new NewOrchestrationInstanceOptions().setInstanceId("retrying-" + System.nanoTime()));

        OrchestrationMetadata done = completed(id);

        assertThat(done.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("succeeded on attempt 3");
        assertThat(FLAKY_CALLS.get(id).get()).isEqualTo(3);
        List<String> types = historyTypes(id);
        assertThat(types).containsSubsequence("TaskScheduled", "TaskFailed", "TimerCreated", "TimerFired",
                "TaskScheduled", "TaskFailed", "TimerCreated", "TimerFired", "TaskScheduled", "TaskCompleted",
                "ExecutionCompleted");
    }

    @Test
    void aRewoundFailedInstanceRunsItsFailedActivityAgainAndCompletes() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Rewindable");
        OrchestrationMetadata failed = completed(id);
        assertThat(failed.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);

        // The rewind rewrites the failure rows and sends a GenericEvent: the history no longer looks finished, so
        // the message is processed instead of being discarded as one for a finished execution.
        client.rewindInstance(id, "the dependency is fixed");

        await().atMost(DONE_WITHIN).until(() -> client.getInstanceMetadata(id, false).getRuntimeStatus()
                == OrchestrationRuntimeStatus.COMPLETED);
        OrchestrationMetadata done = client.getInstanceMetadata(id, true);
        assertThat(done.readOutputAs(String.class)).isEqualTo("worked on call 2");
        assertThat(FLAKY_CALLS.get(id).get()).isEqualTo(2);
    }
}
