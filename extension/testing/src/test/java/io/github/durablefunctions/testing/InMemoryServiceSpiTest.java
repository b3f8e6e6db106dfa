package io.github.durablefunctions.testing;

import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationState;
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
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The in-memory service driven through the backend SPI directly (no worker), and with a worker where the SPI
 * injects messages: out-of-order responses, duplicates, discards, one work item per instance, abandon, idleness.
 */
class InMemoryServiceSpiTest extends WorkerFixture {
    private static final Duration SHORT = Duration.ofMillis(50);
    private static final OrchestrationInstance I1 = new OrchestrationInstance("i1", "e1");

    private void create(OrchestrationInstance instance) {
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, clock.instant(),
                instance, null, "Spi", null, null, null, null, null, null, 0, false), instance), Set.of());
    }

    private static List<Class<?>> eventTypes(OrchestrationWorkItem item) {
        return item.getNewMessages().stream().<Class<?>>map(m -> m.event().getClass()).toList();
    }

    /** Commits the work item's messages plus {@code added} events as one episode. */
    private void checkpoint(OrchestrationWorkItem item, List<TaskMessage> timers, HistoryEvent... added) {
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(item.getRuntimeState().getPastEvents());
        state.addEvent(new OrchestratorStartedEvent(-1, false, clock.instant()));
        item.getNewMessages().forEach(m -> state.addEvent(m.event()));
        for (HistoryEvent e : added) {
            state.addEvent(e);
        }
        state.addEvent(new OrchestratorCompletedEvent(-1, false, clock.instant()));
        service.completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state, List.of(), List.of(), timers));
    }

    private TaskMessage completed(int taskId, String result) {
        return new TaskMessage(new TaskCompletedEvent(-1, false, clock.instant(), taskId, result), I1);
    }

    @Test
    void anEarlyResponseIsHeldBackWithoutSpinningUntilItsSchedulingEventIsInHistory() throws Exception {
        service.start();
        create(I1);
        service.sendTaskOrchestrationMessage(completed(0, "\"early\""));

        OrchestrationWorkItem first = service.lockNextOrchestrationWorkItem(SHORT);
        assertThat(eventTypes(first)).containsExactly(ExecutionStartedEvent.class);
        checkpoint(first, List.of()); // no TaskScheduled #0 yet
        assertThat(service.lockNextOrchestrationWorkItem(SHORT)).isNull();
        assertThat(service.isIdle()).isTrue();

        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, clock.instant(), "go",
                null, null), I1));
        OrchestrationWorkItem second = service.lockNextOrchestrationWorkItem(SHORT);
        assertThat(eventTypes(second)).containsExactly(EventRaisedEvent.class);
        checkpoint(second, List.of(), new TaskScheduledEvent(0, false, clock.instant(), "A", null, null, null,
                null));

        OrchestrationWorkItem third = service.lockNextOrchestrationWorkItem(SHORT);
        assertThat(eventTypes(third)).containsExactly(TaskCompletedEvent.class);
        assertThat(((TaskCompletedEvent) third.getNewMessages().get(0).event()).result()).isEqualTo("\"early\"");
    }

    @Test
    void onlyOneWorkItemPerInstanceIsLockedAtATime() throws Exception {
        service.start();
        create(I1);
        OrchestrationWorkItem first = service.lockNextOrchestrationWorkItem(SHORT);
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, clock.instant(), "x",
                null, null), I1));

        assertThat(service.lockNextOrchestrationWorkItem(SHORT)).isNull();
        checkpoint(first, List.of());
        assertThat(eventTypes(service.lockNextOrchestrationWorkItem(SHORT))).containsExactly(EventRaisedEvent.class);
    }

    @Test
    void anAbandonedWorkItemWaitsForTheNextMessageOfItsInstance() throws Exception {
        service.start();
        create(I1);
        service.abandonOrchestrationWorkItem(service.lockNextOrchestrationWorkItem(SHORT));

        assertThat(service.lockNextOrchestrationWorkItem(SHORT)).isNull();
        assertThat(service.isIdle()).isTrue();

        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, clock.instant(), "x",
                null, null), new OrchestrationInstance("i1", null)));
        assertThat(eventTypes(service.lockNextOrchestrationWorkItem(SHORT)))
                .containsExactly(ExecutionStartedEvent.class, EventRaisedEvent.class);
    }

    @Test
    void messagesForAFinishedExecutionOrAnUnknownInstanceAreDiscarded() throws Exception {
        service.start();
        create(I1);
        checkpoint(service.lockNextOrchestrationWorkItem(SHORT), List.of(), new ExecutionCompletedEvent(0, false,
                clock.instant(), OrchestrationRuntimeStatus.COMPLETED, "\"done\"", null));
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, clock.instant(), "late",
                null, null), new OrchestrationInstance("i1", null)));
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, clock.instant(), "x",
                null, null), new OrchestrationInstance("nobody", null)));

        assertThat(service.lockNextOrchestrationWorkItem(SHORT)).isNull();
        assertThat(service.isIdle()).isTrue();
        OrchestrationState state = service.getOrchestrationState("i1", true);
        assertThat(state.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(state.output()).isEqualTo("\"done\"");
        assertThat(service.getOrchestrationState("nobody", false)).isNull();
    }

    @Test
    void anEntityStartsOnItsFirstEventAddressedToNoExecution() throws Exception {
        service.start();
        service.sendTaskOrchestrationMessage(new TaskMessage(new EventRaisedEvent(-1, false, clock.instant(), "op",
                "{}", null), new OrchestrationInstance("@counter@k", null)));

        OrchestrationWorkItem item = service.lockNextOrchestrationWorkItem(SHORT);

        assertThat(item.getInstanceId()).isEqualTo("@counter@k");
        assertThat(item.getRuntimeState().getPastEvents()).isEmpty();
        assertThat(eventTypes(item)).containsExactly(EventRaisedEvent.class);
    }

    @Test
    void aTimerBecomesVisibleOnlyWhenTheVirtualClockReachesItsFireTime() throws Exception {
        service.start();
        create(I1);
        Instant fireAt = T0.plus(Duration.ofMinutes(10));
        checkpoint(service.lockNextOrchestrationWorkItem(SHORT), List.of(new TaskMessage(new TimerFiredEvent(-1,
                false, T0, 0, fireAt), I1)), new TimerCreatedEvent(0, false, T0, fireAt));

        assertThat(service.lockNextOrchestrationWorkItem(SHORT)).isNull();
        assertThat(service.nextDueTime()).isEqualTo(fireAt);
        clock.advance(Duration.ofMinutes(9));
        assertThat(service.lockNextOrchestrationWorkItem(SHORT)).isNull();
        clock.advance(Duration.ofMinutes(1));

        assertThat(eventTypes(service.lockNextOrchestrationWorkItem(SHORT))).containsExactly(TimerFiredEvent.class);
        assertThat(service.nextDueTime()).isNull();
    }

    @Test
    void anInjectedEarlyResponseWaitsAndIsUsedOnceItsTaskIsScheduledAndTheRealOneIsNotRecorded() throws Exception {
        builder.addActivity("Work", ctx -> "real");
        builder.addOrchestrator("Spi", ctx -> {
            ctx.waitForExternalEvent("go").await();
            return ctx.callActivity("Work", String.class).await();
        });
        create(I1);
        service.sendTaskOrchestrationMessage(completed(0, "\"early\"")); // before TaskScheduled #0 exists
        startWorker();
        service.awaitIdle(REAL_TIMEOUT);
        assertThat(service.getOrchestrationState("i1", false).runtimeStatus())
                .isEqualTo(OrchestrationRuntimeStatus.RUNNING);

        client.raiseEvent("i1", "go");
        OrchestrationState done = complete("i1");

        assertThat(output(done, String.class)).isEqualTo("early");
        assertThat(service.getOrchestrationHistory("i1")).filteredOn(e -> e instanceof TaskCompletedEvent)
                .hasSize(1);
    }

    @Test
    void aDuplicateResponseSentAfterTheFirstIsDropped() throws Exception {
        builder.addActivity("Work", ctx -> "real");
        builder.addOrchestrator("Spi", ctx -> ctx.callActivity("Work", String.class).await() + " + "
                + ctx.waitForExternalEvent("next", String.class).await());
        startWorker();
        create(I1);
        service.awaitIdle(REAL_TIMEOUT);

        service.sendTaskOrchestrationMessage(completed(0, "\"duplicate\""));
        service.awaitIdle(REAL_TIMEOUT);
        client.raiseEvent("i1", "next", "event");
        OrchestrationState done = complete("i1");

        assertThat(output(done, String.class)).isEqualTo("real + event");
        assertThat(service.getOrchestrationHistory("i1")).filteredOn(e -> e instanceof TaskCompletedEvent)
                .hasSize(1);
    }

    @Test
    void runUntilFailsAtOnceWhenNothingCanHappenAnyMore() throws Exception {
        builder.addOrchestrator("Spi", ctx -> ctx.waitForExternalEvent("never").await());
        startWorker();
        create(I1);

        assertThatThrownBy(() -> service.awaitCompletion("i1", REAL_TIMEOUT))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'i1' cannot complete")
                .hasMessageContaining("Running");
    }

    @Test
    void awaitIdleTimesOutWhileMessagesWaitForAWorker() {
        create(I1);

        assertThatThrownBy(() -> service.awaitIdle(SHORT)).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("not started");
    }

    @Test
    void theVirtualClockIsUtcAndNeverGoesBackwards() {
        clock.advance(Duration.ofSeconds(5));

        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(5));
        assertThat(clock.getZone()).isEqualTo(java.time.ZoneOffset.UTC);
        assertThat(clock.withZone(ZoneId.of("Asia/Tokyo")).instant()).isEqualTo(T0.plusSeconds(5));
        assertThatThrownBy(() -> clock.set(T0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
