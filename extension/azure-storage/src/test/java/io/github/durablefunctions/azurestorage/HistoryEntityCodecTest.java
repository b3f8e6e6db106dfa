package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** History table rows of storage-layout.md §3.1 and §3.3. */
class HistoryEntityCodecTest {
    static final Instant T = MessageCodecTest.T;
    static final OrchestrationInstance ABC = MessageCodecTest.ABC;

    @Test
    void rowKeysAreSixteenUppercaseHexDigits() {
        assertThat(HistoryEntityCodec.rowKey(0)).isEqualTo("0000000000000000");
        assertThat(HistoryEntityCodec.rowKey(10)).isEqualTo("000000000000000A");
        assertThat(HistoryEntityCodec.rowKey(255)).isEqualTo("00000000000000FF");
        assertThat("sentinel").isGreaterThan(HistoryEntityCodec.rowKey(Long.MAX_VALUE));
    }

    @Test
    void executionStartedRowHasTheCommonColumnsAndPlainJsonMembers() {
        ExecutionStartedEvent e = new ExecutionStartedEvent(-1, false, T, ABC, null, "HelloCities", null, "[1]",
                null, null, null, null, 0, false);
        TableEntity row = HistoryEntityCodec.toEntity("a/b", 1, ABC.executionId(), e);
        assertThat(row.getPartitionKey()).isEqualTo("a^0b");
        assertThat(row.getRowKey()).isEqualTo("0000000000000001");
        assertThat(row.getProperties()).contains(
                entry("ExecutionId", ABC.executionId()),
                entry("EventType", "ExecutionStarted"),
                entry("EventId", -1),
                entry("IsPlayed", false),
                entry("_Timestamp", OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 123_456_700, ZoneOffset.UTC)),
                entry("OrchestrationInstance", "{\"InstanceId\":\"abc\",\"ExecutionId\":\""
                        + ABC.executionId() + "\"}"),
                entry("ParentInstance", "null"),
                entry("Name", "HelloCities"),
                entry("Input", "[1]"),
                entry("Tags", "null"),
                entry("ParentTraceContext", "null"),
                entry("Generation", 0),
                entry("GenerateNewTrace", false));
        // Null strings and null nullable primitives are left out; no Timestamp column of our own.
        assertThat(row.getProperties()).doesNotContainKeys("Version", "Correlation", "ScheduledStartTime",
                "Timestamp");
    }

    @Test
    void rowRewoundByDtfxReadsAsGenericEventWhoseDataIsTheReasonMarker() {
        // DTFx's rewind turns a TaskFailed row into a GenericEvent row and marks it only in Reason (§3.3)
        TableEntity row = new TableEntity("abc", "0000000000000005")
                .addProperty("ExecutionId", "e1").addProperty("EventType", "GenericEvent").addProperty("EventId", -1)
                .addProperty("IsPlayed", false).addProperty("_Timestamp", OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0,
                        ZoneOffset.UTC))
                .addProperty("TaskScheduledId", 2).addProperty("Reason", "Rewound: TaskFailed");

        assertThat(HistoryEntityCodec.fromEntity(row)).isInstanceOfSatisfying(
                io.github.durablefunctions.history.GenericEvent.class,
                e -> assertThat(e.data()).isEqualTo("Rewound: TaskFailed"));
    }

    @Test
    void taskScheduledRow() {
        TaskScheduledEvent e = new TaskScheduledEvent(0, false, T, "SayHello", null, "\"Tokyo\"", null,
                Map.of("k", "v"));
        TableEntity row = HistoryEntityCodec.toEntity("abc", 2, "e1", e);
        assertThat(row.getProperties()).contains(entry("EventType", "TaskScheduled"), entry("EventId", 0),
                entry("Name", "SayHello"), entry("Input", "\"Tokyo\""), entry("Tags", "{\"k\":\"v\"}"),
                entry("ParentTraceContext", "null"));
    }

    @Test
    void executionCompletedStoresTheStatusNameAndFailureDetailsAsJson() {
        FailureDetails details = new FailureDetails("java.lang.IllegalStateException", "boom", "trace", null, false,
                null);
        ExecutionCompletedEvent e = new ExecutionCompletedEvent(3, false, T, OrchestrationRuntimeStatus.FAILED,
                null, details);
        TableEntity row = HistoryEntityCodec.toEntity("abc", 5, "e1", e);
        assertThat(row.getProperties()).contains(entry("OrchestrationStatus", "Failed"), entry("FailureDetails",
                "{\"ErrorType\":\"java.lang.IllegalStateException\",\"ErrorMessage\":\"boom\",\"StackTrace\":\"trace\","
                        + "\"InnerFailure\":null,\"IsNonRetriable\":false,\"Properties\":null}"));
        assertThat(row.getProperties()).doesNotContainKey("Result");
    }

    @Test
    void timerFireAtIsAUtcDateTime() {
        TableEntity row = HistoryEntityCodec.toEntity("abc", 3, "e1",
                new TimerCreatedEvent(1, false, T, Instant.parse("2024-03-01T10:00:00Z")));
        assertThat(row.getProperty("FireAt")).isEqualTo(OffsetDateTime.of(2024, 3, 1, 10, 0, 0, 0, ZoneOffset.UTC));
    }

    static List<HistoryEvent> everyEventType() {
        return MessageCodecTest.everyEventType();
    }

    @ParameterizedTest
    @MethodSource("everyEventType")
    void everyEventTypeRoundTripsThroughARow(HistoryEvent event) {
        TableEntity row = HistoryEntityCodec.toEntity("abc", 0, "e1", event);
        assertThat(row.getProperty("EventType")).isEqualTo(event.eventType().name());
        assertThat(HistoryEntityCodec.fromEntity(row)).isEqualTo(event);
    }

    @Test
    void rowsWithoutAStringEventTypeAreRejectedClearly() {
        TableEntity row = new TableEntity("abc", "0000000000000000");
        row.addProperty("EventType", 5);
        assertThatThrownBy(() -> HistoryEntityCodec.fromEntity(row)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("abc/0000000000000000").hasMessageContaining("EventType");
    }
}
