package io.github.durablefunctions.entities;

import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.FailureDetails;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JSON of the entity wire types, member by member as DTFx writes it (storage-layout.md §9): DTFx member names
 * (PascalCase {@code Timestamp} / {@code Predecessor} and sorter members), defaults left out, Newtonsoft date-times.
 * Each expected string is written out in full, and each one reads back to the same object and the same string.
 */
class EntityWireJsonTest {
    private static final String ID = "6b8b4567-1234-4abc-8def-0123456789ab";
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    @Test
    void aCallFromAnOrchestrationHasItsParentAndSorterLabelsAndARequestTime() {
        RequestMessage m = new RequestMessage();
        m.operation = "add";
        m.input = "5";
        m.id = ID;
        m.parentInstanceId = "orch1";
        m.parentExecutionId = "e1";
        m.timestamp = Instant.parse("2026-11-21T10:00:00.1234567Z");
        m.predecessor = T0;
        m.requestTime = Instant.parse("2026-11-21T10:00:00.123Z");

        String json = "{\"op\":\"add\",\"input\":\"5\",\"id\":\"" + ID + "\",\"parent\":\"orch1\","
                + "\"parentExecution\":\"e1\",\"Timestamp\":\"2026-11-21T10:00:00.1234567Z\","
                + "\"Predecessor\":\"2026-11-21T10:00:00Z\",\"requestTime\":\"2026-11-21T10:00:00.123+00:00\"}";
        assertThat(m.toJson()).isEqualTo(json);

        RequestMessage read = RequestMessage.fromJson(json);
        assertThat(read.operation).isEqualTo("add");
        assertThat(read.signal).isFalse();
        assertThat(read.input).isEqualTo("5");
        assertThat(read.parentInstanceId).isEqualTo("orch1");
        assertThat(read.parentExecutionId).isEqualTo("e1");
        assertThat(read.timestamp).isEqualTo(m.timestamp);
        assertThat(read.predecessor).isEqualTo(T0);
        assertThat(read.requestTime).isEqualTo(m.requestTime);
        assertThat(read.isLockRequest()).isFalse();
        assertThat(read.toJson()).isEqualTo(json);
    }

    @Test
    void aClientSignalLeavesOutParentExecutionAndEveryDefault() {
        RequestMessage m = new RequestMessage();
        m.operation = "reset";
        m.signal = true;
        m.id = ID;

        String json = "{\"op\":\"reset\",\"signal\":true,\"id\":\"" + ID + "\"}";
        assertThat(m.toJson()).isEqualTo(json);
        RequestMessage read = RequestMessage.fromJson(json);
        assertThat(read.parentInstanceId).isNull();
        assertThat(read.input).isNull();
        assertThat(read.toJson()).isEqualTo(json);
    }

    @Test
    void aScheduledSignalCarriesItsDueTime() {
        RequestMessage m = new RequestMessage();
        m.operation = "ping";
        m.signal = true;
        m.id = ID;
        m.parentInstanceId = "@counter@a";
        m.scheduledTime = Instant.parse("2026-11-21T10:05:00.5Z");

        String json = "{\"op\":\"ping\",\"signal\":true,\"id\":\"" + ID + "\",\"parent\":\"@counter@a\","
                + "\"due\":\"2026-11-21T10:05:00.5Z\"}";
        assertThat(m.toJson()).isEqualTo(json);
        assertThat(RequestMessage.fromJson(json).scheduledTime).isEqualTo(m.scheduledTime);
        assertThat(RequestMessage.fromJson(json).toJson()).isEqualTo(json);
    }

    @Test
    void aForwardedLockRequestHasItsSortedLockSetAndPositionButNoOperation() {
        RequestMessage m = new RequestMessage();
        m.id = ID;
        m.parentInstanceId = "orch1";
        m.parentExecutionId = "e1";
        m.lockSet = List.of(RequestMessage.EntityIdJson.of(new EntityInstanceId("counter", "a")),
                RequestMessage.EntityIdJson.of(new EntityInstanceId("Counter", "b")));
        m.position = 1;

        String json = "{\"id\":\"" + ID + "\",\"parent\":\"orch1\",\"parentExecution\":\"e1\",\"lockset\":"
                + "[{\"name\":\"counter\",\"key\":\"a\"},{\"name\":\"counter\",\"key\":\"b\"}],\"pos\":1}";
        assertThat(m.toJson()).isEqualTo(json);
        RequestMessage read = RequestMessage.fromJson(json);
        assertThat(read.isLockRequest()).isTrue();
        assertThat(read.position).isEqualTo(1);
        assertThat(read.lockSetIds()).containsExactly(new EntityInstanceId("counter", "a"),
                new EntityInstanceId("counter", "b"));
        assertThat(read.toJson()).isEqualTo(json);
    }

    @Test
    void aRequestAsDtfxWritesItReadsWithItsDefaultsAsNone() {
        // DTFx always writes Timestamp, Predecessor (DateTime.MinValue for none), IsLockRequest and createTrace,
        // and writes "op":null for a lock request.
        String dtfx = "{\"op\":null,\"id\":\"" + ID + "\",\"parent\":\"orch1\",\"parentExecution\":\"e1\","
                + "\"Timestamp\":\"2026-11-21T10:00:00.1234567Z\",\"Predecessor\":\"0001-01-01T00:00:00\","
                + "\"lockset\":[{\"name\":\"counter\",\"key\":\"a\"}],\"IsLockRequest\":true,\"createTrace\":false}";

        RequestMessage read = RequestMessage.fromJson(dtfx);

        assertThat(read.operation).isNull();
        assertThat(read.predecessor).isNull();
        assertThat(read.timestamp).isEqualTo(Instant.parse("2026-11-21T10:00:00.1234567Z"));
        assertThat(read.isLockRequest()).isTrue();
        assertThat(read.toJson()).isEqualTo("{\"id\":\"" + ID + "\",\"parent\":\"orch1\",\"parentExecution\":\"e1\","
                + "\"Timestamp\":\"2026-11-21T10:00:00.1234567Z\",\"lockset\":[{\"name\":\"counter\",\"key\":\"a\"}]}");
    }

    @Test
    void aRequestWithoutAnIdIsRejectedWithTheReason() {
        assertThatThrownBy(() -> RequestMessage.fromJson("{\"op\":\"add\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"id\"");
        assertThatThrownBy(() -> RequestMessage.fromJson("not json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RequestMessage");
    }

    @Test
    void responsesCarryAResultOrAFailureWithPascalCaseDetails() {
        assertThat(ResponseMessage.success("42").toJson()).isEqualTo("{\"result\":\"42\"}");
        assertThat(ResponseMessage.success(null).toJson()).isEqualTo("{\"result\":null}");
        assertThat(ResponseMessage.success(EntityMessageNames.LOCK_ACQUISITION_COMPLETED).toJson())
                .isEqualTo("{\"result\":\"Lock Acquisition Completed\"}");

        FailureDetails details = new FailureDetails("java.lang.IllegalStateException", "boom", "at x", null, false,
                null);
        String json = "{\"result\":null,\"exceptionType\":\"boom\",\"failureDetails\":{\"ErrorType\":"
                + "\"java.lang.IllegalStateException\",\"ErrorMessage\":\"boom\",\"StackTrace\":\"at x\","
                + "\"InnerFailure\":null,\"IsNonRetriable\":false}}";
        assertThat(ResponseMessage.failure(details).toJson()).isEqualTo(json);

        ResponseMessage read = ResponseMessage.fromJson(json);
        assertThat(read.isFailure()).isTrue();
        assertThat(read.failure()).isEqualTo(details);
        assertThat(read.toJson()).isEqualTo(json);
        assertThat(ResponseMessage.fromJson("{\"result\":\"42\"}").isFailure()).isFalse();
    }

    @Test
    void aReleaseNamesTheLockOwnerAndTheRequest() {
        String json = "{\"parent\":\"orch1\",\"id\":\"" + ID + "\"}";
        assertThat(ReleaseMessage.of("orch1", ID).toJson()).isEqualTo(json);
        ReleaseMessage read = ReleaseMessage.fromJson(json);
        assertThat(read.parentInstanceId).isEqualTo("orch1");
        assertThat(read.id).isEqualTo(ID);
    }

    @Test
    void entityStatusLeavesOutDefaults() {
        SchedulerState state = new SchedulerState();
        assertThat(EntityStatus.of(state).toJson()).isEqualTo("{}");
        assertThat(EntityStatus.of(null).toJson()).isEqualTo("{}");

        state.entityState = "5";
        state.enqueue(new RequestMessage());
        state.enqueue(new RequestMessage());
        state.lockedBy = "orch1";
        String json = "{\"entityExists\":true,\"queueSize\":2,\"lockedBy\":\"orch1\"}";
        assertThat(EntityStatus.of(state).toJson()).isEqualTo(json);

        EntityStatus read = EntityStatus.fromJson(json);
        assertThat(read.entityExists).isTrue();
        assertThat(read.queueSize).isEqualTo(2);
        assertThat(read.lockedBy).isEqualTo("orch1");
        assertThat(EntityStatus.fromJson("null")).isNull();
        assertThat(EntityStatus.fromJson("\"some orchestration status\"")).isNull();
    }

    @Test
    void anEmptySchedulerStateIsEmptyJsonAndReadsFromNothing() {
        SchedulerState empty = new SchedulerState();
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.toJson()).isEqualTo("{}");
        assertThat(SchedulerState.fromJson(null).isEmpty()).isTrue();
        assertThat(SchedulerState.fromJson("null").isEmpty()).isTrue();
        assertThat(SchedulerState.fromJson("{}").sorter).isNotNull();
    }

    @Test
    void aFullSchedulerStateRoundTripsWithEveryMember() {
        RequestMessage queued = new RequestMessage();
        queued.operation = "add";
        queued.input = "1";
        queued.id = ID;
        queued.parentInstanceId = "orch2";
        queued.parentExecutionId = "e2";
        queued.timestamp = T0.plusSeconds(1);

        RequestMessage buffered = new RequestMessage();
        buffered.operation = "get";
        buffered.id = ID;
        buffered.parentInstanceId = "orch1";
        buffered.parentExecutionId = "e1";
        buffered.timestamp = T0.plusSeconds(2);
        buffered.predecessor = T0.plusMillis(1500);

        SchedulerState state = new SchedulerState();
        state.entityState = "{\"count\":5}";
        state.enqueue(queued);
        state.lockedBy = "orch1";
        state.sorter.lastSentToInstance = new TreeMap<>();
        state.sorter.lastSentToInstance.put("@counter@b", T0.plusMillis(500));
        MessageSorter.ReceiveBuffer receive = new MessageSorter.ReceiveBuffer();
        receive.last = T0;
        receive.executionId = "e1";
        receive.buffered = new TreeMap<>();
        receive.buffered.put(buffered.timestamp, buffered);
        state.sorter.receivedFromInstance = new TreeMap<>();
        state.sorter.receivedFromInstance.put("orch1", receive);
        state.sorter.receiveHorizon = T0.minusSeconds(1800);
        state.sorter.sendHorizon = T0.minusSeconds(1800);

        String json = "{\"exists\":true,\"state\":\"{\\\"count\\\":5}\",\"queue\":[{\"op\":\"add\",\"input\":\"1\","
                + "\"id\":\"" + ID + "\",\"parent\":\"orch2\",\"parentExecution\":\"e2\","
                + "\"Timestamp\":\"2026-11-21T10:00:01Z\"}],\"lockedBy\":\"orch1\",\"sorter\":{"
                + "\"LastSentToInstance\":{\"@counter@b\":\"2026-11-21T10:00:00.5Z\"},"
                + "\"ReceivedFromInstance\":{\"orch1\":{\"Last\":\"2026-11-21T10:00:00Z\",\"ExecutionId\":\"e1\","
                + "\"Buffered\":{\"2026-11-21T10:00:02Z\":{\"op\":\"get\",\"id\":\"" + ID + "\",\"parent\":\"orch1\","
                + "\"parentExecution\":\"e1\",\"Timestamp\":\"2026-11-21T10:00:02Z\","
                + "\"Predecessor\":\"2026-11-21T10:00:01.5Z\"}}}},"
                + "\"ReceiveHorizon\":\"2026-11-21T09:30:00Z\",\"SendHorizon\":\"2026-11-21T09:30:00Z\"}}";
        assertThat(state.toJson()).isEqualTo(json);

        SchedulerState read = SchedulerState.fromJson(json);
        assertThat(read.toJson()).isEqualTo(json);
        assertThat(read.entityState).isEqualTo("{\"count\":5}");
        assertThat(read.queue).singleElement().satisfies(r -> assertThat(r.operation).isEqualTo("add"));
        assertThat(read.lockedBy).isEqualTo("orch1");
        assertThat(read.isEmpty()).isFalse();
        // Instance IDs are matched ignoring case after a round trip too.
        assertThat(read.sorter.lastSentToInstance.get("@COUNTER@B")).isEqualTo(T0.plusMillis(500));
        assertThat(read.sorter.receivedFromInstance.get("ORCH1").buffered.firstKey())
                .isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void aDeletedEntityWithPendingBookkeepingKeepsItsSorterButNotExists() {
        SchedulerState state = new SchedulerState();
        state.sorter.lastSentToInstance = new TreeMap<>();
        state.sorter.lastSentToInstance.put("@counter@b", T0);

        assertThat(state.isEmpty()).isFalse();
        assertThat(state.toJson()).isEqualTo("{\"sorter\":{\"LastSentToInstance\":{\"@counter@b\":"
                + "\"2026-11-21T10:00:00Z\"}}}");
    }

    @Test
    void eventNamesOfScheduledRequestsUseTheRoundTripFormat() {
        Instant at = Instant.parse("2026-11-21T10:00:00.5Z");
        String name = EntityMessageNames.scheduledRequest(at);

        assertThat(name).isEqualTo("op@2026-11-21T10:00:00.5000000Z");
        assertThat(EntityMessageNames.isRequest(name)).isTrue();
        assertThat(EntityMessageNames.isRequest("op")).isTrue();
        assertThat(EntityMessageNames.isRequest("release")).isFalse();
        assertThat(EntityMessageNames.scheduledTimeOf(name)).isEqualTo(at);
        assertThat(EntityMessageNames.scheduledTimeOf("op")).isNull();
        assertThat(EntityMessageNames.scheduledTimeOf("op@yesterday")).isNull();
    }

    @Test
    void dateTimesAreWrittenAsNewtonsoftDoesAndReadWithAnyOffset() {
        assertThat(EntityJson.formatDateTime(T0)).isEqualTo("2026-11-21T10:00:00Z");
        assertThat(EntityJson.formatDateTime(Instant.parse("2026-11-21T10:00:00.1200000Z")))
                .isEqualTo("2026-11-21T10:00:00.12Z");
        assertThat(EntityJson.formatDateTime(Instant.parse("2026-11-21T10:00:00.123456789Z")))
                .isEqualTo("2026-11-21T10:00:00.1234567Z");
        assertThat(EntityJson.formatDateTimeOffset(T0)).isEqualTo("2026-11-21T10:00:00+00:00");
        assertThat(EntityJson.parseDateTime("2026-11-21T11:00:00+01:00")).isEqualTo(T0);
        assertThat(EntityJson.parseDateTime("2026-11-21T10:00:00")).isEqualTo(T0);
    }
}
