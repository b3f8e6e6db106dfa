package io.github.durablefunctions.azurestorage;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.TaskMessage;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Queue message JSON of storage-layout.md §6.2, checked character by character. */
class MessageCodecTest {
    static final Instant T = Instant.parse("2024-01-01T00:00:00.1234567Z");
    static final UUID ACTIVITY_ID = UUID.fromString("0c2f6b6e-1c1d-4f65-8e64-502d6112f967");
    static final OrchestrationInstance ABC = new OrchestrationInstance("abc", "5f3c0e9ab9a44b6c8d2e1f0a9b8c7d6e");
    static final String ABC_JSON = "{\"$type\":\"DurableTask.Core.OrchestrationInstance\",\"InstanceId\":\"abc\","
            + "\"ExecutionId\":\"5f3c0e9ab9a44b6c8d2e1f0a9b8c7d6e\"}";
    static final String SENDER_JSON = "{\"InstanceId\":\"abc\",\"ExecutionId\":\"5f3c0e9ab9a44b6c8d2e1f0a9b8c7d6e\"}";
    static final String DICT = "System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],"
            + "[System.String, System.Private.CoreLib]]";

    /** Joins the lines of a text block, dropping the indentation: pretty JSON in, compact JSON out. */
    static String compact(String block) {
        return block.lines().map(String::strip).collect(Collectors.joining());
    }

    static String envelope(String taskMessageJson, long sequence, String episodeAndSender) {
        return "{\"$type\":\"DurableTask.AzureStorage.MessageData\",\"ActivityId\":\"" + ACTIVITY_ID + "\","
                + "\"TaskMessage\":" + taskMessageJson + ",\"CompressedBlobName\":null,\"SequenceNumber\":" + sequence
                + episodeAndSender + ",\"SerializableTraceContext\":null}";
    }

    static String taskMessage(String eventJson, String context) {
        return "{\"$type\":\"DurableTask.Core.TaskMessage\",\"Event\":" + eventJson + ",\"SequenceNumber\":0,"
                + "\"OrchestrationInstance\":" + ABC_JSON + ",\"OrchestrationExecutionContext\":" + context + "}";
    }

    @Test
    void executionStartedFromAClient() {
        ExecutionStartedEvent e = new ExecutionStartedEvent(-1, false, T, ABC, null, "HelloCities", null,
                "\"Tokyo\"", null, null, null, null, 0, false);
        MessageData data = new MessageData(ACTIVITY_ID, new TaskMessage(e, ABC), null, 7, null,
                new OrchestrationInstance("", ""), null);
        String event = compact("""
                {"$type":"DurableTask.Core.History.ExecutionStartedEvent","EventType":0,
                "OrchestrationInstance":%s,
                "ParentInstance":null,"Name":"HelloCities","Version":null,"Input":"\\"Tokyo\\"","Tags":null,
                "Correlation":null,"ParentTraceContext":null,"ScheduledStartTime":null,"Generation":0,
                "GenerateNewTrace":false,"EventId":-1,"IsPlayed":false,"Timestamp":"2024-01-01T00:00:00.1234567Z"}
                """.formatted(ABC_JSON));
        String expected = envelope(taskMessage(event, "null"), 7, ",\"Sender\":{\"InstanceId\":\"\",\"ExecutionId\":\"\"}");
        assertThat(MessageCodec.encode(data)).isEqualTo(expected);
        assertThat(MessageCodec.decode(expected)).isEqualTo(data);
    }

    @Test
    void taskScheduledCarriesTheOrchestrationExecutionContextWithTypedTags() {
        TaskScheduledEvent e = new TaskScheduledEvent(0, false, T, "SayHello", "", "\"Tokyo\"", null, null);
        MessageData data = new MessageData(ACTIVITY_ID, new TaskMessage(e, ABC, Map.of()), null, 6, 1, ABC, null);
        String event = compact("""
                {"$type":"DurableTask.Core.History.TaskScheduledEvent","EventType":4,
                "Name":"SayHello","Version":"","Input":"\\"Tokyo\\"","ParentTraceContext":null,"Tags":null,
                "EventId":0,"IsPlayed":false,"Timestamp":"2024-01-01T00:00:00.1234567Z"}
                """);
        String context = "{\"$type\":\"DurableTask.Core.OrchestrationExecutionContext\",\"OrchestrationTags\":"
                + "{\"$type\":\"" + DICT + "\"}}";
        String expected = envelope(taskMessage(event, context), 6, ",\"Episode\":1,\"Sender\":" + SENDER_JSON);
        assertThat(MessageCodec.encode(data)).isEqualTo(expected);
        MessageData back = MessageCodec.decode(expected);
        assertThat(back.taskMessage().event()).isEqualTo(e);
        assertThat(back.taskMessage().orchestrationTags()).isEmpty();
        assertThat(back.episode()).isEqualTo(1);
    }

    @Test
    void taskScheduledWithoutTagsStillWritesAnEmptyContext() {
        TaskScheduledEvent e = new TaskScheduledEvent(3, false, T, "A", null, null, null, Map.of("k", "v"));
        String json = MessageCodec.encode(new MessageData(ACTIVITY_ID, new TaskMessage(e, ABC), null, 1, 1, ABC,
                null));
        assertThat(json).contains("\"Tags\":{\"$type\":\"" + DICT + "\",\"k\":\"v\"}");
        assertThat(json).contains("\"OrchestrationExecutionContext\":{\"$type\":\"DurableTask.Core."
                + "OrchestrationExecutionContext\",\"OrchestrationTags\":{\"$type\":\"" + DICT + "\"}}");
    }

    @Test
    void taskCompleted() {
        TaskCompletedEvent e = new TaskCompletedEvent(-1, false, T, 0, "\"Hello Tokyo!\"");
        MessageData data = new MessageData(ACTIVITY_ID, new TaskMessage(e, ABC), null, 12, 1, ABC, null);
        String event = compact("""
                {"$type":"DurableTask.Core.History.TaskCompletedEvent","EventType":5,"TaskScheduledId":0,
                "Result":"\\"Hello Tokyo!\\"","EventId":-1,"IsPlayed":false,"Timestamp":"2024-01-01T00:00:00.1234567Z"}
                """);
        String expected = envelope(taskMessage(event, "null"), 12, ",\"Episode\":1,\"Sender\":" + SENDER_JSON);
        assertThat(MessageCodec.encode(data)).isEqualTo(expected);
        assertThat(MessageCodec.decode(expected)).isEqualTo(data);
    }

    @Test
    void taskFailedWithFailureDetails() {
        FailureDetails inner = new FailureDetails("java.io.IOException", "disk", null, null, false, null);
        FailureDetails details = new FailureDetails("java.lang.IllegalStateException", "boom", "at X.y(X.java:1)",
                inner, true, null);
        TaskFailedEvent e = new TaskFailedEvent(-1, false, T, 2, "boom", null, details);
        MessageData data = new MessageData(ACTIVITY_ID, new TaskMessage(e, ABC), null, 3, 2, ABC, null);
        String event = compact("""
                {"$type":"DurableTask.Core.History.TaskFailedEvent","EventType":6,"TaskScheduledId":2,
                "Reason":"boom","Details":null,
                "FailureDetails":{"$type":"DurableTask.Core.FailureDetails","ErrorType":"java.lang.IllegalStateException",
                "ErrorMessage":"boom","StackTrace":"at X.y(X.java:1)",
                "InnerFailure":{"$type":"DurableTask.Core.FailureDetails","ErrorType":"java.io.IOException",
                "ErrorMessage":"disk","StackTrace":null,"InnerFailure":null,"IsNonRetriable":false,"Properties":null},
                "IsNonRetriable":true,"Properties":null},
                "EventId":-1,"IsPlayed":false,"Timestamp":"2024-01-01T00:00:00.1234567Z"}
                """);
        String expected = envelope(taskMessage(event, "null"), 3, ",\"Episode\":2,\"Sender\":" + SENDER_JSON);
        assertThat(MessageCodec.encode(data)).isEqualTo(expected);
        assertThat(MessageCodec.decode(expected)).isEqualTo(data);
    }

    @Test
    void eventRaisedFromAClientHasNoExecutionId() {
        OrchestrationInstance target = new OrchestrationInstance("abc", null);
        EventRaisedEvent e = new EventRaisedEvent(-1, false, Instant.parse("2024-01-01T00:00:00Z"), "Approval",
                "true", null);
        MessageData data = new MessageData(ACTIVITY_ID, new TaskMessage(e, target), null, 1, null,
                new OrchestrationInstance("", ""), null);
        String expected = compact("""
                {"$type":"DurableTask.AzureStorage.MessageData","ActivityId":"0c2f6b6e-1c1d-4f65-8e64-502d6112f967",
                "TaskMessage":{"$type":"DurableTask.Core.TaskMessage",
                "Event":{"$type":"DurableTask.Core.History.EventRaisedEvent","EventType":15,"Name":"Approval",
                "Input":"true","ParentTraceContext":null,"EventId":-1,"IsPlayed":false,
                "Timestamp":"2024-01-01T00:00:00Z"},
                "SequenceNumber":0,
                "OrchestrationInstance":{"$type":"DurableTask.Core.OrchestrationInstance","InstanceId":"abc",
                "ExecutionId":null},
                "OrchestrationExecutionContext":null},
                "CompressedBlobName":null,"SequenceNumber":1,"Sender":{"InstanceId":"","ExecutionId":""},
                "SerializableTraceContext":null}
                """);
        assertThat(MessageCodec.encode(data)).isEqualTo(expected);
        assertThat(MessageCodec.decode(expected)).isEqualTo(data);
    }

    @Test
    void timerFired() {
        TimerFiredEvent e = new TimerFiredEvent(-1, false, T, 4, Instant.parse("2024-01-01T00:05:00.5Z"));
        MessageData data = new MessageData(ACTIVITY_ID, new TaskMessage(e, ABC), null, 9, 3, ABC, null);
        String event = compact("""
                {"$type":"DurableTask.Core.History.TimerFiredEvent","EventType":11,"TimerId":4,
                "FireAt":"2024-01-01T00:05:00.5Z","EventId":-1,"IsPlayed":false,
                "Timestamp":"2024-01-01T00:00:00.1234567Z"}
                """);
        String expected = envelope(taskMessage(event, "null"), 9, ",\"Episode\":3,\"Sender\":" + SENDER_JSON);
        assertThat(MessageCodec.encode(data)).isEqualTo(expected);
        assertThat(MessageCodec.decode(expected)).isEqualTo(data);
    }

    @Test
    void executionCompletedWritesTheStatusAsAnInteger() {
        ExecutionCompletedEvent e = new ExecutionCompletedEvent(5, false, T, OrchestrationRuntimeStatus.FAILED,
                null, new FailureDetails("E", "m"));
        String json = MessageCodec.encodeEvent(e);
        assertThat(json).isEqualTo(compact("""
                {"$type":"DurableTask.Core.History.ExecutionCompletedEvent","EventType":1,"OrchestrationStatus":3,
                "Result":null,"FailureDetails":{"$type":"DurableTask.Core.FailureDetails","ErrorType":"E",
                "ErrorMessage":"m","StackTrace":null,"InnerFailure":null,"IsNonRetriable":false,"Properties":null},
                "EventId":5,"IsPlayed":false,"Timestamp":"2024-01-01T00:00:00.1234567Z"}
                """));
    }

    @Test
    void subOrchestrationStartCarriesTypedParentInstance() {
        ParentInstance parent = new ParentInstance("Parent", null, ABC, 2);
        OrchestrationInstance child = new OrchestrationInstance("child", "c1");
        ExecutionStartedEvent e = new ExecutionStartedEvent(-1, false, T, child, parent, "Child", null, null,
                null, null, null, null, 0, false);
        String json = MessageCodec.encode(new MessageData(ACTIVITY_ID, new TaskMessage(e, child), null, 1, 1, ABC,
                null));
        assertThat(json).contains("\"ParentInstance\":{\"$type\":\"DurableTask.Core.ParentInstance\",\"Name\":"
                + "\"Parent\",\"OrchestrationInstance\":" + ABC_JSON + ",\"TaskScheduleId\":2,\"Version\":null}");
        assertThat(json).contains("\"OrchestrationExecutionContext\":{\"$type\":");
    }

    @Test
    void dateTimesUseSevenDigitsWithTrailingZerosDropped() {
        assertThat(DotNetDateTime.format(Instant.parse("2023-04-05T03:31:23.6268922Z")))
                .isEqualTo("2023-04-05T03:31:23.6268922Z");
        assertThat(DotNetDateTime.format(Instant.parse("2023-04-05T03:31:23.120Z")))
                .isEqualTo("2023-04-05T03:31:23.12Z");
        assertThat(DotNetDateTime.format(Instant.parse("2023-04-05T03:31:23Z"))).isEqualTo("2023-04-05T03:31:23Z");
        assertThat(DotNetDateTime.format(Instant.parse("2023-04-05T03:31:23.123456789Z")))
                .isEqualTo("2023-04-05T03:31:23.1234567Z");
        assertThat(DotNetDateTime.parse("2023-04-05T03:31:23.6268922")).isEqualTo(
                Instant.parse("2023-04-05T03:31:23.6268922Z"));
        assertThat(DotNetDateTime.parse("2023-04-05T05:31:23.5+02:00")).isEqualTo(
                Instant.parse("2023-04-05T03:31:23.5Z"));
    }

    static List<HistoryEvent> everyEventType() {
        FailureDetails failure = new FailureDetails("java.lang.RuntimeException", "bad", "trace", null, false,
                Map.of("attempt", 3));
        DistributedTraceContext trace = new DistributedTraceContext("00-abc-def-01", "k=v", "id1", "span1",
                Instant.parse("2024-01-01T00:00:00.5Z"));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("a", "1");
        tags.put("b", "2");
        ParentInstance parent = new ParentInstance("P", "1.0", ABC, 7);
        return List.of(
                new ExecutionStartedEvent(-1, true, T, ABC, parent, "Orch", "1.0", "{\"x\":1}", tags, "corr", trace,
                        Instant.parse("2024-02-01T00:00:00Z"), 3, true),
                new ExecutionCompletedEvent(9, false, T, OrchestrationRuntimeStatus.COMPLETED, "\"done\"", null),
                new ExecutionTerminatedEvent(-1, false, T, "\"stop\""),
                new TaskScheduledEvent(1, false, T, "Act", "v", "1", trace, tags),
                new TaskCompletedEvent(-1, true, T, 1, "2"),
                new TaskFailedEvent(-1, false, T, 1, "bad", "details", failure),
                new SubOrchestrationInstanceCreatedEvent(2, false, T, "Sub", null, "sub-1", "null", "span", tags),
                new SubOrchestrationInstanceCompletedEvent(-1, false, T, 2, "\"r\""),
                new SubOrchestrationInstanceFailedEvent(-1, false, T, 2, "r", null, failure),
                new TimerCreatedEvent(3, false, T, Instant.parse("2024-01-02T00:00:00Z")),
                new TimerFiredEvent(-1, false, T, 3, Instant.parse("2024-01-02T00:00:00Z")),
                new OrchestratorStartedEvent(-1, false, T),
                new OrchestratorCompletedEvent(-1, false, T),
                new EventSentEvent(4, false, T, "other", "evt", "1"),
                new EventRaisedEvent(-1, false, T, "evt", "1", trace),
                new ContinueAsNewEvent(5, false, T, OrchestrationRuntimeStatus.CONTINUED_AS_NEW, "\"next\"", null),
                new GenericEvent(-1, false, T, "data"),
                new HistoryStateEvent(-1, false, T, "{\"OrchestrationStatus\":1}"),
                new ExecutionSuspendedEvent(-1, false, T, "pause"),
                new ExecutionResumedEvent(-1, false, T, "go"),
                new ExecutionRewoundEvent(-1, false, T, "rewind", "e0", "abc", trace));
    }

    @Test
    void theRoundTripListCoversEveryEventClass() {
        Set<EventType> covered = everyEventType().stream().map(HistoryEvent::eventType)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(EventType.class)));
        assertThat(covered).isEqualTo(EnumSet.complementOf(EnumSet.of(EventType.ExecutionFailed)));
    }

    @ParameterizedTest
    @MethodSource("everyEventType")
    void everyEventTypeRoundTripsWithItsDtfxTypeName(HistoryEvent event) {
        MessageData data = new MessageData(ACTIVITY_ID, new TaskMessage(event, ABC, Map.of("t", "x")), null, 5, 2,
                ABC, null);
        String json = MessageCodec.encode(data);
        assertThat(json).startsWith("{\"$type\":\"DurableTask.AzureStorage.MessageData\",");
        assertThat(json).contains("\"Event\":{\"$type\":\"DurableTask.Core.History."
                + EventFields.className(event.eventType()) + "\",\"EventType\":" + event.eventType().value());
        assertThat(MessageCodec.decode(json)).isEqualTo(data);
    }

    @Test
    void readerAcceptsBase64BodiesAndAssemblySuffixes() {
        TaskCompletedEvent e = new TaskCompletedEvent(-1, false, T, 0, "1");
        String json = MessageCodec.encode(new MessageData(ACTIVITY_ID, new TaskMessage(e, ABC), null, 1, 1, ABC,
                null));
        String withAssemblies = json
                .replace("\"DurableTask.AzureStorage.MessageData\"",
                        "\"DurableTask.AzureStorage.MessageData, DurableTask.AzureStorage\"")
                .replace("\"DurableTask.Core.TaskMessage\"", "\"DurableTask.Core.TaskMessage, DurableTask.Core\"")
                .replace("\"DurableTask.Core.History.TaskCompletedEvent\"",
                        "\"DurableTask.Core.History.TaskCompletedEvent, DurableTask.Core\"");
        String base64 = Base64.getEncoder().encodeToString(withAssemblies.getBytes(StandardCharsets.UTF_8));
        MessageData decoded = MessageCodec.decode(base64);
        assertThat(decoded.taskMessage().event()).isEqualTo(e);
        assertThat(decoded.sender()).isEqualTo(ABC);
    }

    @Test
    void badBodiesAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> MessageCodec.decode("not json, not base64!"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither JSON nor Base64");
        assertThatThrownBy(() -> MessageCodec.decode("{\"$type\":\"Other\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Expected $type");
        assertThatThrownBy(() -> MessageCodec.decode("{\"TaskMessage\":{\"Event\":{\"$type\":"
                + "\"DurableTask.Core.History.NoSuchEvent\"},\"OrchestrationInstance\":{\"InstanceId\":\"a\"}}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NoSuchEvent");
        assertThatThrownBy(() -> MessageCodec.decode("{\"TaskMessage\":{\"Event\":{\"EventType\":5},"
                + "\"OrchestrationInstance\":{\"InstanceId\":\"a\"}}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TaskScheduledId");
    }
}
