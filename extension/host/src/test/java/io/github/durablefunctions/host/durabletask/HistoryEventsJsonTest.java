package io.github.durablefunctions.host.durabletask;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryEventsJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-21T05:00:00.123456Z");

    private static Instant t(int seconds) {
        return T0.plusSeconds(seconds);
    }

    private static final List<HistoryEvent> HISTORY = List.of(
            new OrchestratorStartedEvent(-1, true, t(0)),
            new ExecutionStartedEvent(-1, true, t(0), new OrchestrationInstance("i", "e"), null, "Parent", null,
                    "{\"n\":1}", Map.of(), null, null, null, 0, false),
            new SubOrchestrationInstanceCreatedEvent(0, true, t(1), "Child", null, "i:0", "2", null, Map.of()),
            new TimerCreatedEvent(1, true, t(1), t(61)),
            new OrchestratorCompletedEvent(-1, true, t(1)),
            new OrchestratorStartedEvent(-1, true, t(2)),
            new SubOrchestrationInstanceFailedEvent(-1, true, t(2), 0, "child broke", "details",
                    new FailureDetails("java.lang.IllegalStateException", "child broke")),
            new ExecutionSuspendedEvent(-1, true, t(3), "hold"),
            new ExecutionResumedEvent(-1, true, t(4), "go"),
            new EventRaisedEvent(-1, true, t(5), "Approval", "\"yes\"", null),
            new TimerFiredEvent(-1, true, t(61), 1, t(61)),
            new TaskScheduledEvent(2, false, t(62), "StillRunning", null, "\"in\"", null, Map.of()),
            new ExecutionTerminatedEvent(-1, false, t(63), "\"stop\""),
            new ExecutionCompletedEvent(-1, false, t(63), OrchestrationRuntimeStatus.TERMINATED, "\"stop\"", null));

    @Test
    void foldsAnsweredSchedulingEventsAndLeavesOutReplayBookkeeping() {
        JsonNode events = HistoryEventsJson.toJson(HISTORY, false, JSON);

        assertThat(events).extracting(e -> e.path("EventType").asText()).containsExactly("ExecutionStarted",
                "TimerCreated", "SubOrchestrationInstanceFailed", "ExecutionSuspended", "ExecutionResumed",
                "EventRaised", "TimerFired", "TaskScheduled", "ExecutionTerminated", "ExecutionCompleted");
        JsonNode failed = events.get(2);
        assertThat(failed.path("FunctionName").asText()).isEqualTo("Child");
        assertThat(failed.path("InstanceId").asText()).isEqualTo("i:0");
        assertThat(failed.path("ScheduledTime").asText()).isEqualTo("2026-11-21T05:00:01.123456Z");
        assertThat(failed.path("Timestamp").asText()).isEqualTo("2026-11-21T05:00:02.123456Z");
        assertThat(failed.path("Reason").asText()).isEqualTo("child broke");
        assertThat(failed.path("FailureDetails").path("ErrorType").asText())
                .isEqualTo("java.lang.IllegalStateException");
        assertThat(events.get(1).path("FireAt").asText()).isEqualTo("2026-11-21T05:01:01.123456Z");
        assertThat(events.get(3).path("Reason").asText()).isEqualTo("hold");
        assertThat(events.get(5).path("Name").asText()).isEqualTo("Approval");
        assertThat(events.get(7).path("FunctionName").asText()).as("a task still waiting").isEqualTo("StillRunning");
        assertThat(events.get(9).path("OrchestrationStatus").asText()).isEqualTo("Terminated");
        for (JsonNode e : events) {
            assertThat(e.has("Input") || e.has("Result")).as("no payloads without showHistoryOutput").isFalse();
            assertThat(e.has("EventId") || e.has("IsPlayed")).isFalse();
        }
    }

    @Test
    void payloadsAppearAsJsonTokensWithShowHistoryOutput() throws Exception {
        JsonNode events = HistoryEventsJson.toJson(HISTORY, true, JSON);

        assertThat(events.get(0).path("Input")).isEqualTo(JSON.readTree("{\"n\":1}"));
        assertThat(events.get(5).path("Input").asText()).isEqualTo("yes");
        assertThat(events.get(8).path("Input").asText()).isEqualTo("stop");
        assertThat(events.get(9).path("Result").asText()).isEqualTo("stop");
    }
}
