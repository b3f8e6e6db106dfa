package io.github.durablefunctions.testing.replay;

import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.github.durablefunctions.testing.replay.ReplayCheckResult.Status.INVALID_HISTORY;
import static io.github.durablefunctions.testing.replay.ReplayCheckResult.Status.NON_DETERMINISTIC;
import static io.github.durablefunctions.testing.replay.ReplayCheckResult.Status.OK;
import static io.github.durablefunctions.testing.replay.ReplayCheckResult.Status.ORCHESTRATOR_FAILED;
import static io.github.durablefunctions.testing.replay.ReplayCheckResult.Status.UNKNOWN_ORCHESTRATOR;
import static org.assertj.core.api.Assertions.assertThat;

class ReplayCheckTest {
    static final String NAME = "Forecast";

    /** The recorded version: location, then weather for it, then a report of it. */
    static String forecastV1(TaskOrchestrationContext ctx) {
        String city = ctx.getInput(String.class);
        String location = ctx.callActivity("GetLocation", city, String.class).await();
        String weather = ctx.callActivity("GetWeather", location, String.class).await();
        return ctx.callActivity("Report", weather, String.class).await();
    }

    /** The weather activity renamed. */
    static String forecastRenamed(TaskOrchestrationContext ctx) {
        String city = ctx.getInput(String.class);
        String location = ctx.callActivity("GetLocation", city, String.class).await();
        String weather = ctx.callActivity("GetForecast", location, String.class).await();
        return ctx.callActivity("Report", weather, String.class).await();
    }

    /** The first two calls swapped. */
    static String forecastReordered(TaskOrchestrationContext ctx) {
        String city = ctx.getInput(String.class);
        String weather = ctx.callActivity("GetWeather", city, String.class).await();
        String location = ctx.callActivity("GetLocation", city, String.class).await();
        return ctx.callActivity("Report", weather + location, String.class).await();
    }

    /** One more step at the end: archive the report. */
    static String forecastExtended(TaskOrchestrationContext ctx) {
        String report = forecastV1(ctx);
        ctx.callActivity("Archive", report, String.class).await();
        return report;
    }

    /** Calls the weather activity and a second one in parallel where v1 called only the weather. */
    static String forecastFanOut(TaskOrchestrationContext ctx) {
        String city = ctx.getInput(String.class);
        String location = ctx.callActivity("GetLocation", city, String.class).await();
        Task<String> weather = ctx.callActivity("GetWeather", location, String.class);
        Task<String> pollen = ctx.callActivity("GetPollen", location, String.class);
        ctx.allOf(List.of(weather, pollen)).await();
        return ctx.callActivity("Report", weather.await(), String.class).await();
    }

    /** Throws once it has the weather. */
    static String forecastThrows(TaskOrchestrationContext ctx) {
        String city = ctx.getInput(String.class);
        String location = ctx.callActivity("GetLocation", city, String.class).await();
        ctx.callActivity("GetWeather", location, String.class).await();
        throw new IllegalStateException("weather service contract changed");
    }

    private static RecordedHistory completedV1() {
        HistoryRecorder recorder = new HistoryRecorder(NAME, ReplayCheckTest::forecastV1)
                .start("forecast-1", "\"Oslo\"")
                .completeActivities(t -> "\"" + t.name() + " done\"")
                .completeActivities(t -> "\"" + t.name() + " done\"")
                .completeActivities(t -> "\"" + t.name() + " done\"");
        assertThat(recorder.ended()).isTrue();
        return recorder.recorded();
    }

    /** v1 after GetLocation completed: waiting for GetWeather (#1). */
    private static RecordedHistory runningV1() {
        HistoryRecorder recorder = new HistoryRecorder(NAME, ReplayCheckTest::forecastV1)
                .start("forecast-2", "\"Oslo\"")
                .completeActivities(t -> "\"" + t.name() + " done\"");
        assertThat(recorder.ended()).isFalse();
        return recorder.recorded();
    }

    private static ReplayCheckResult check(OrchestratorFunction<?> code, RecordedHistory history) {
        return ReplayCheck.of(Map.of(NAME, code)).check(history);
    }

    @Test
    void unchangedOrchestratorReplaysCompletedAndRunningHistories() {
        ReplayCheckResult completed = check(ReplayCheckTest::forecastV1, completedV1());
        assertThat(completed.status()).as(completed.describe()).isEqualTo(OK);
        assertThat(completed.replayedStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(completed.actionsBeyondHistory()).isEmpty();
        assertThat(completed.orchestratorName()).isEqualTo(NAME);
        assertThat(completed.instanceId()).isEqualTo("forecast-1");

        ReplayCheckResult running = check(ReplayCheckTest::forecastV1, runningV1());
        assertThat(running.status()).as(running.describe()).isEqualTo(OK);
        assertThat(running.replayedStatus()).as("waiting for GetWeather").isNull();
    }

    @Test
    void renamedActivityIsNonDeterministicAtItsStep() {
        RecordedHistory history = completedV1();
        ReplayCheckResult result = check(ReplayCheckTest::forecastRenamed, history);

        assertThat(result.status()).isEqualTo(NON_DETERMINISTIC);
        assertThat(result.eventId()).isEqualTo(1);
        assertThat(result.historyIndex()).isNotNull();
        HistoryEvent recorded = history.events().get(result.historyIndex());
        assertThat(recorded).isInstanceOf(TaskScheduledEvent.class);
        assertThat(((TaskScheduledEvent) recorded).name()).isEqualTo("GetWeather");
        assertThat(recorded.eventId()).isEqualTo(1);
        assertThat(result.recordedEvent()).isEqualTo("TaskScheduled #1 (activity 'GetWeather')");
        assertThat(result.message()).contains("'GetWeather'").contains("'GetForecast'");
        assertThat(result.describe()).contains("history event [" + result.historyIndex() + "]")
                .contains("GetWeather").contains("GetForecast");
    }

    @Test
    void renamedActivityIsNonDeterministicInARunningHistoryToo() {
        ReplayCheckResult result = check(ReplayCheckTest::forecastRenamed, runningV1());
        assertThat(result.status()).isEqualTo(NON_DETERMINISTIC);
        assertThat(result.eventId()).isEqualTo(1);
        assertThat(result.message()).contains("'GetWeather'").contains("'GetForecast'");
    }

    @Test
    void reorderedCallsAreNonDeterministicAtTheFirstOne() {
        RecordedHistory history = completedV1();
        ReplayCheckResult result = check(ReplayCheckTest::forecastReordered, history);

        assertThat(result.status()).isEqualTo(NON_DETERMINISTIC);
        assertThat(result.eventId()).isEqualTo(0);
        assertThat(result.recordedEvent()).isEqualTo("TaskScheduled #0 (activity 'GetLocation')");
        assertThat(result.message()).contains("'GetLocation'").contains("'GetWeather'");
    }

    @Test
    void codeThatGoesFurtherThanARunningHistoryPasses() {
        ReplayCheckResult result = check(ReplayCheckTest::forecastExtended, runningV1());
        assertThat(result.status()).as(result.describe()).isEqualTo(OK);
        assertThat(result.replayedStatus()).isNull();
    }

    @Test
    void codeThatGoesFurtherWhereTheCompletedHistoryEndedPasses() {
        ReplayCheckResult result = check(ReplayCheckTest::forecastExtended, completedV1());
        assertThat(result.status()).as(result.describe()).isEqualTo(OK);
        assertThat(result.replayedStatus()).as("waiting for Archive").isNull();
        assertThat(result.actionsBeyondHistory()).containsExactly("activity 'Archive' (#3)");
    }

    @Test
    void codeThatGoesFurtherAtTheEndOfARunningHistoryWithoutItsLastEpisodeEndPasses() {
        // A history cut after the last result was delivered (no OrchestratorCompleted yet): new calls after it are
        // beyond the history.
        RecordedHistory completed = completedV1();
        List<HistoryEvent> events = completed.events();
        int lastResult = events.size() - 1;
        while (!(events.get(lastResult) instanceof io.github.durablefunctions.history.TaskCompletedEvent)) {
            lastResult--;
        }
        RecordedHistory cut = RecordedHistory.of(events.subList(0, lastResult + 1));
        ReplayCheckResult result = check(ReplayCheckTest::forecastExtended, cut);
        assertThat(result.status()).as(result.describe()).isEqualTo(OK);
        assertThat(result.actionsBeyondHistory()).containsExactly("activity 'Archive' (#3)");
    }

    @Test
    void aCallAddedInARecordedEpisodeIsNonDeterministic() {
        // v1 scheduled only GetWeather after GetLocation; the episode is recorded (OrchestratorCompleted), so an
        // instance replaying it would find GetPollen (#2) where history holds nothing.
        ReplayCheckResult result = check(ReplayCheckTest::forecastFanOut, runningV1());
        assertThat(result.status()).isEqualTo(NON_DETERMINISTIC);
        assertThat(result.eventId()).isEqualTo(2);
        assertThat(result.historyIndex()).isNull();
        assertThat(result.message()).contains("'GetPollen'");
    }

    @Test
    void orchestratorThatThrowsDuringReplayIsReported() {
        ReplayCheckResult result = check(ReplayCheckTest::forecastThrows, completedV1());
        assertThat(result.status()).isEqualTo(ORCHESTRATOR_FAILED);
        assertThat(result.failure().getErrorType()).isEqualTo(IllegalStateException.class.getName());
        assertThat(result.message()).contains("weather service contract changed");
        assertThat(result.replayedStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
    }

    @Test
    void orchestratorThatThrowsWhereTheHistoryCompletedIsReported() {
        OrchestratorFunction<String> throwsAtEnd = ctx -> {
            forecastV1(ctx);
            throw new UnsupportedOperationException("reports are no longer returned");
        };
        ReplayCheckResult result = check(throwsAtEnd, completedV1());
        assertThat(result.status()).isEqualTo(ORCHESTRATOR_FAILED);
        assertThat(result.failure().getErrorType()).isEqualTo(UnsupportedOperationException.class.getName());
        assertThat(result.message()).contains("reports are no longer returned");
    }

    @Test
    void aFailureTheHistoryRecordsReplaysAsOk() {
        // Recorded: GetWeather failed, so the orchestration failed with TaskFailedException.
        RecordedHistory failed = new HistoryRecorder(NAME, ReplayCheckTest::forecastV1)
                .start("forecast-3", "\"Oslo\"")
                .completeActivities(t -> "\"here\"")
                .failActivities("java.io.IOException", "weather service down")
                .recorded();
        ReplayCheckResult result = check(ReplayCheckTest::forecastV1, failed);
        assertThat(result.status()).as(result.describe()).isEqualTo(OK);
        assertThat(result.replayedStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);

        ReplayCheckResult differentFailure = check(ReplayCheckTest::forecastThrows, new HistoryRecorder(NAME,
                ReplayCheckTest::forecastV1).start("forecast-4", "\"Oslo\"").completeActivities(t -> "\"here\"")
                .completeActivities(t -> "\"sunny\"").recorded());
        assertThat(differentFailure.status()).isEqualTo(ORCHESTRATOR_FAILED);
    }

    @Test
    void timersEventsAndSubOrchestrationsReplay() {
        OrchestratorFunction<String> approval = ctx -> {
            String child = ctx.callSubOrchestrator("Prepare", "doc", String.class).await();
            ctx.createTimer(Duration.ofMinutes(5)).await();
            ctx.sendEvent("audit-1", "Prepared", child);
            String decision = ctx.waitForExternalEvent("Approval", String.class).await();
            return child + ":" + decision;
        };
        RecordedHistory history = new HistoryRecorder("Approval", approval)
                .start("approval-1", "null")
                .completeSubOrchestrations("\"prepared\"")
                .fireTimers()
                .raiseEvent("Approval", "\"yes\"")
                .recorded();
        ReplayCheck check = ReplayCheck.builder().addOrchestrator("Approval", approval).build();
        ReplayCheckResult ok = check.check(history);
        assertThat(ok.status()).as(ok.describe()).isEqualTo(OK);
        assertThat(ok.replayedStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);

        OrchestratorFunction<String> noTimer = ctx -> {
            String child = ctx.callSubOrchestrator("Prepare", "doc", String.class).await();
            ctx.sendEvent("audit-1", "Prepared", child);
            String decision = ctx.waitForExternalEvent("Approval", String.class).await();
            return child + ":" + decision;
        };
        ReplayCheckResult changed = ReplayCheck.of(Map.of("Approval", noTimer)).check(history);
        assertThat(changed.status()).isEqualTo(NON_DETERMINISTIC);
        assertThat(changed.eventId()).isEqualTo(1);
        assertThat(changed.recordedEvent()).startsWith("TimerCreated #1");
    }

    @Test
    void terminatedHistoryReplaysUpToItsTermination() {
        List<HistoryEvent> events = new java.util.ArrayList<>(runningV1().events());
        java.time.Instant at = HistoryRecorder.START.plusSeconds(60);
        events.add(new io.github.durablefunctions.history.OrchestratorStartedEvent(-1, false, at));
        events.add(new io.github.durablefunctions.history.ExecutionTerminatedEvent(-1, false, at, "\"stop\""));
        events.add(new io.github.durablefunctions.history.ExecutionCompletedEvent(2, false, at,
                OrchestrationRuntimeStatus.TERMINATED, "\"stop\"", null));
        events.add(new OrchestratorCompletedEvent(-1, false, at));
        RecordedHistory terminated = RecordedHistory.of(events);

        ReplayCheckResult ok = check(ReplayCheckTest::forecastV1, terminated);
        assertThat(ok.status()).as(ok.describe()).isEqualTo(OK);
        assertThat(ok.replayedStatus()).isEqualTo(OrchestrationRuntimeStatus.TERMINATED);

        ReplayCheckResult renamed = check(ReplayCheckTest::forecastRenamed, terminated);
        assertThat(renamed.status()).isEqualTo(NON_DETERMINISTIC);
        assertThat(renamed.eventId()).isEqualTo(1);
    }

    @Test
    void unknownOrchestratorAndHistoryWithoutStartAreReported() {
        ReplayCheckResult unknown = ReplayCheck.of(Map.of("Other", ReplayCheckTest::forecastV1))
                .check(completedV1());
        assertThat(unknown.status()).isEqualTo(UNKNOWN_ORCHESTRATOR);
        assertThat(unknown.message()).contains("'" + NAME + "'").contains("Other");

        ReplayCheckResult invalid = check(ReplayCheckTest::forecastV1, new RecordedHistory("x", null, NAME,
                List.of(new OrchestratorCompletedEvent(-1, false, HistoryRecorder.START))));
        assertThat(invalid.status()).isEqualTo(INVALID_HISTORY);
    }

    @Test
    void orchestratorNamesMatchIgnoringCase() {
        ReplayCheckResult result = ReplayCheck.of(Map.of("forecast", ReplayCheckTest::forecastV1))
                .check(completedV1());
        assertThat(result.status()).isEqualTo(OK);
    }
}
