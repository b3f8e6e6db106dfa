package io.github.durablefunctions.testing.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.DistributedTraceContext;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.EventType;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionRewoundEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.HistoryStateEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.ParentInstance;
import io.github.durablefunctions.history.SubOrchestrationInstanceCompletedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryFileTest {
    private static final Instant T = Instant.parse("2024-05-01T12:00:00.1234567Z");
    private static final Instant T2 = Instant.parse("2024-05-01T12:05:00Z");

    /** One event of every class, every member set (and some left null). */
    static List<HistoryEvent> everyEventType() {
        DistributedTraceContext trace = new DistributedTraceContext("00-0af7651916cd43dd8448eb211c80319c-"
                + "b7ad6b7169203331-01", "congo=t61rcWkgMzE", "|0af7.b7ad.", "b7ad6b7169203331", T);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("code", "E42");
        properties.put("attempt", 3);
        FailureDetails failure = new FailureDetails("java.io.IOException", "disk full", "java.io.IOException: disk "
                + "full\n\tat Foo.bar(Foo.java:1)", new FailureDetails("java.lang.Error", "inner"), true, properties);
        OrchestrationInstance self = new OrchestrationInstance("order-42", "9f4c0000000000000000000000000001");
        return List.of(
                new OrchestratorStartedEvent(-1, true, T),
                new ExecutionStartedEvent(-1, true, T, self, new ParentInstance("Parent", "1.0",
                        new OrchestrationInstance("parent-1", "exec-p"), 7), "ProcessOrder", "2.0", "{\"id\":42}",
                        Map.of("team", "orders"), "corr", trace, T2, 3, true),
                new TaskScheduledEvent(0, true, T, "ChargeCard", "1", "42", trace, Map.of("k", "v")),
                new TimerCreatedEvent(1, true, T, T2),
                new SubOrchestrationInstanceCreatedEvent(2, true, T, "Ship", null, "order-42:0002", "{}", "span-1",
                        Map.of("a", "b")),
                new EventSentEvent(3, true, T, "@counter@c1", "op", "{\"op\":\"add\"}"),
                new OrchestratorCompletedEvent(-1, true, T),
                new OrchestratorStartedEvent(-1, false, T2),
                new TaskCompletedEvent(-1, false, T2, 0, "\"charged\""),
                new TaskFailedEvent(-1, false, T2, 0, "disk full", "details", failure),
                new TimerFiredEvent(-1, false, T2, 1, T2),
                new SubOrchestrationInstanceCompletedEvent(-1, false, T2, 2, "\"shipped\""),
                new SubOrchestrationInstanceFailedEvent(-1, false, T2, 2, "reason", null, failure),
                new EventRaisedEvent(-1, false, T2, "Approval", "true", trace),
                new EventRaisedEvent(-1, false, T2, "NoData", null, null),
                new ExecutionSuspendedEvent(-1, false, T2, "pause"),
                new ExecutionResumedEvent(-1, false, T2, null),
                new ExecutionRewoundEvent(-1, false, T2, "retry", "exec-p", "order-42", null),
                new GenericEvent(5, false, T2, "Rewound: TaskFailed"),
                new HistoryStateEvent(-1, false, T2, "{\"state\":1}"),
                new ExecutionTerminatedEvent(-1, false, T2, "\"stop\""),
                new ContinueAsNewEvent(6, false, T2, OrchestrationRuntimeStatus.CONTINUED_AS_NEW, "{\"n\":2}", null),
                new ExecutionCompletedEvent(6, false, T2, OrchestrationRuntimeStatus.FAILED, null, failure),
                new ExecutionCompletedEvent(7, false, T2, OrchestrationRuntimeStatus.COMPLETED, "\"ok\"", null),
                new OrchestratorCompletedEvent(-1, false, T2));
    }

    @Test
    void roundTripsEveryEventType(@TempDir Path dir) {
        List<HistoryEvent> events = everyEventType();
        Set<EventType> covered = EnumSet.noneOf(EventType.class);
        events.forEach(e -> covered.add(e.eventType()));
        assertThat(covered).as("every type but ExecutionFailed, which DTFx never writes")
                .isEqualTo(EnumSet.complementOf(EnumSet.of(EventType.ExecutionFailed)));

        RecordedHistory history = new RecordedHistory("order-42", "9f4c0000000000000000000000000001",
                "ProcessOrder", events);
        Path file = dir.resolve("order-42.json");
        HistoryFile.write(file, history);
        RecordedHistory read = HistoryFile.read(file);

        assertThat(read).isEqualTo(history);
        for (int i = 0; i < events.size(); i++) {
            assertThat(read.events().get(i)).as("event [%d]", i).isEqualTo(events.get(i));
        }
    }

    @Test
    void writesTheDocumentedShape() throws Exception {
        RecordedHistory history = new RecordedHistory("order-42", "exec-1", "ProcessOrder", List.of(
                new TaskScheduledEvent(0, false, T, "ChargeCard", null, "42", null, null),
                new ExecutionCompletedEvent(1, false, T, OrchestrationRuntimeStatus.COMPLETED, "\"ok\"", null)));
        JsonNode root = new ObjectMapper().readTree(HistoryFile.toJson(history));

        assertThat(root.get("formatVersion").intValue()).isEqualTo(1);
        assertThat(root.get("instanceId").textValue()).isEqualTo("order-42");
        assertThat(root.get("executionId").textValue()).isEqualTo("exec-1");
        assertThat(root.get("name").textValue()).isEqualTo("ProcessOrder");
        JsonNode scheduled = root.get("events").get(0);
        assertThat(scheduled.get("EventType").textValue()).isEqualTo("TaskScheduled");
        assertThat(scheduled.get("EventId").intValue()).isZero();
        assertThat(scheduled.get("IsPlayed").booleanValue()).isFalse();
        assertThat(scheduled.get("Timestamp").textValue()).isEqualTo("2024-05-01T12:00:00.123456700Z");
        assertThat(scheduled.get("Name").textValue()).isEqualTo("ChargeCard");
        assertThat(scheduled.get("Input").textValue()).isEqualTo("42");
        assertThat(scheduled.has("Version")).as("null members are left out").isFalse();
        assertThat(root.get("events").get(1).get("OrchestrationStatus").textValue()).isEqualTo("Completed");
    }

    @Test
    void readsDtfxIntegersAndIgnoresTypeNames() {
        String json = """
                {"events": [
                  {"$type": "DurableTask.Core.History.TaskCompletedEvent, DurableTask.Core", "EventType": 5,
                   "EventId": -1, "IsPlayed": true, "Timestamp": "2024-05-01T12:00:00Z", "TaskScheduledId": 3,
                   "Result": "1"},
                  {"EventType": 1, "EventId": 4, "Timestamp": "2024-05-01T12:00:00Z", "OrchestrationStatus": 3}
                ]}""";
        RecordedHistory read = HistoryFile.fromJson(json);
        assertThat(read.instanceId()).isNull();
        assertThat(read.events()).containsExactly(
                new TaskCompletedEvent(-1, true, Instant.parse("2024-05-01T12:00:00Z"), 3, "1"),
                new ExecutionCompletedEvent(4, false, Instant.parse("2024-05-01T12:00:00Z"),
                        OrchestrationRuntimeStatus.FAILED, null, null));
    }

    @Test
    void badFilesGetClearErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> HistoryFile.fromJson("{\"instanceId\": \"x\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"events\"");
        assertThatThrownBy(() -> HistoryFile.fromJson("[1, 2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> HistoryFile.fromJson("{\"formatVersion\": 9, \"events\": []}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("formatVersion");
        assertThatThrownBy(() -> HistoryFile.fromJson("{\"events\": [{\"EventType\": \"OrchestratorStarted\"}, "
                + "{\"EventType\": \"TaskLaunched\"}]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event [1]")
                .hasMessageContaining("TaskLaunched");
        assertThatThrownBy(() -> HistoryFile.fromJson("{\"events\": [{\"EventType\": \"TaskCompleted\", "
                + "\"Result\": \"1\"}]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TaskScheduledId");
        assertThatThrownBy(() -> HistoryFile.fromJson("{\"events\": [{\"EventType\": \"TimerCreated\", "
                + "\"FireAt\": \"tomorrow\"}]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FireAt");

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{}");
        assertThatThrownBy(() -> HistoryFile.read(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad.toString());
    }

    @Test
    void aRecordedHistoryReplaysAfterARoundTrip(@TempDir Path dir) {
        RecordedHistory recorded = new HistoryRecorder(ReplayCheckTest.NAME, ReplayCheckTest::forecastV1)
                .start("forecast-9", "\"Oslo\"")
                .completeActivities(t -> "\"x\"")
                .completeActivities(t -> "\"y\"")
                .recorded();
        Path file = dir.resolve("forecast-9.json");
        HistoryFile.write(file, recorded);
        RecordedHistory read = HistoryFile.read(file);
        assertThat(read).isEqualTo(recorded);
        assertThat(ReplayCheck.of(Map.of(ReplayCheckTest.NAME, ReplayCheckTest::forecastV1)).check(read).isOk())
                .isTrue();
    }
}
