package io.github.durablefunctions.client;

import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.NewOrchestrationInstanceOptions;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationMetadata;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.OrchestrationStatusQueryResult;
import io.github.durablefunctions.PurgeInstanceCriteria;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationStateQueryResult;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Argument checks and the messages the client hands the backend SPI, over an in-test fake of the SPI. */
class BackendDurableTaskClientTest {
    private final FakeBackend backend = new FakeBackend();
    private final BackendDurableTaskClient client = new BackendDurableTaskClient(backend, new JacksonDataConverter());

    // ---- instance ID rules

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "a\\b", "a#b", "a?b", "a\nb", "a\u0000b", "a^b", "a\u0085b"})
    void instanceIdsWithCharactersTheStorageEscapesAreAccepted(String id) {
        assertThatCode(() -> BackendDurableTaskClient.validateInstanceId(id)).doesNotThrowAnyException();
    }

    @Test
    void instanceIdsStartingWithAtAreReservedForEntities() {
        assertThatThrownBy(() -> BackendDurableTaskClient.validateInstanceId("@counter@k"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved for entities");
    }

    @Test
    void nullEmptyAndOverlongInstanceIdsAreRejected() {
        assertThatThrownBy(() -> BackendDurableTaskClient.validateInstanceId(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 256");
        assertThatThrownBy(() -> BackendDurableTaskClient.validateInstanceId(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 256");
        assertThatThrownBy(() -> BackendDurableTaskClient.validateInstanceId("x".repeat(257)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 256");
    }

    @Test
    void ordinaryInstanceIdsAreAccepted() {
        assertThatCode(() -> BackendDurableTaskClient.validateInstanceId("order-42_ü.2026")).doesNotThrowAnyException();
        assertThatCode(() -> BackendDurableTaskClient.validateInstanceId("x".repeat(256))).doesNotThrowAnyException();
    }

    @Test
    void scheduleWithAnEscapedCharacterIdCreatesTheInstanceUnderThatId() {
        String id = client.scheduleNewOrchestrationInstance("Hello",
                new NewOrchestrationInstanceOptions().setInstanceId("a/b#c?d\\e\n"));
        assertThat(id).isEqualTo("a/b#c?d\\e\n");
        assertThat(backend.created).hasSize(1);
        assertThat(backend.created.get(0).orchestrationInstance().instanceId()).isEqualTo("a/b#c?d\\e\n");
    }

    // ---- messages

    @Test
    void raiseEventSendsAnEventRaisedMessageToTheCurrentExecution() {
        client.raiseEvent("i1", "Approval", Map.of("ok", true));

        TaskMessage m = backend.sent.get(0);
        assertThat(m.orchestrationInstance().instanceId()).isEqualTo("i1");
        assertThat(m.orchestrationInstance().executionId()).isNull();
        EventRaisedEvent e = (EventRaisedEvent) m.event();
        assertThat(e.eventId()).isEqualTo(-1);
        assertThat(e.name()).isEqualTo("Approval");
        assertThat(e.input()).isEqualTo("{\"ok\":true}");
    }

    @Test
    void raiseEventWithoutPayloadSendsNullInput() {
        client.raiseEvent("i1", "Ping");
        assertThat(((EventRaisedEvent) backend.sent.get(0).event()).input()).isNull();
    }

    @Test
    void raiseEventNeedsAnInstanceIdAndAnEventName() {
        assertThatThrownBy(() -> client.raiseEvent("", "E", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.raiseEvent(null, "E", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.raiseEvent("i1", "", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.raiseEvent("i1", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(backend.sent).isEmpty();
    }

    @Test
    void terminateSendsExecutionTerminatedWithTheSerializedOutput() {
        client.terminate("i1", "enough");

        TaskMessage m = backend.sent.get(0);
        assertThat(m.orchestrationInstance().executionId()).isNull();
        ExecutionTerminatedEvent e = (ExecutionTerminatedEvent) m.event();
        assertThat(e.eventId()).isEqualTo(-1);
        assertThat(e.input()).isEqualTo("\"enough\"");
    }

    @Test
    void suspendAndResumeSendTheirEventsWithTheReason() {
        client.suspendInstance("i1", "pause");
        client.resumeInstance("i1");

        ExecutionSuspendedEvent suspended = (ExecutionSuspendedEvent) backend.sent.get(0).event();
        assertThat(suspended.eventId()).isEqualTo(-1);
        assertThat(suspended.reason()).isEqualTo("pause");
        ExecutionResumedEvent resumed = (ExecutionResumedEvent) backend.sent.get(1).event();
        assertThat(resumed.eventId()).isEqualTo(-1);
        assertThat(resumed.reason()).isNull();
        assertThat(backend.sent).allSatisfy(m -> assertThat(m.instanceId()).isEqualTo("i1"));
    }

    // ---- restart

    @Test
    void restartWithTheSameIdSchedulesTheSameNameVersionInputAndTags() {
        backend.states.put("i1", state("i1", OrchestrationRuntimeStatus.COMPLETED, "[1,2]", Map.of("t", "v")));

        String id = client.restartInstance("i1", false);

        assertThat(id).isEqualTo("i1");
        ExecutionStartedEvent started = backend.created.get(0);
        assertThat(started.name()).isEqualTo("Calc");
        assertThat(started.version()).isEqualTo("v2");
        assertThat(started.input()).isEqualTo("[1,2]");
        assertThat(started.tags()).containsEntry("t", "v");
        assertThat(started.scheduledStartTime()).isNull();
        assertThat(started.orchestrationInstance().executionId()).isNotEqualTo("e-i1").matches("[0-9a-f]{32}");
        assertThat(backend.dedupe).containsExactlyInAnyOrder(OrchestrationRuntimeStatus.PENDING,
                OrchestrationRuntimeStatus.RUNNING, OrchestrationRuntimeStatus.SUSPENDED);
    }

    @Test
    void restartWithANewIdUsesARandomId() {
        backend.states.put("i1", state("i1", OrchestrationRuntimeStatus.RUNNING, "3", null));

        String id = client.restartInstance("i1", true);

        assertThat(id).isNotEqualTo("i1").matches("[0-9a-f]{32}");
        assertThat(backend.created.get(0).orchestrationInstance().instanceId()).isEqualTo(id);
        assertThat(backend.created.get(0).input()).isEqualTo("3");
    }

    @Test
    void restartOfARunningInstanceUnderTheSameIdIsRefused() {
        backend.states.put("i1", state("i1", OrchestrationRuntimeStatus.RUNNING, null, null));
        assertThatThrownBy(() -> client.restartInstance("i1", false))
                .isInstanceOf(OrchestrationAlreadyExistsException.class);
    }

    @Test
    void restartOfAnUnknownInstanceIsAnIllegalArgument() {
        assertThatThrownBy(() -> client.restartInstance("nope", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found");
    }

    // ---- rewind

    @Test
    void rewindAsksTheBackend() {
        client.rewindInstance("i1", "fixed it");
        assertThat(backend.rewound).containsExactly("i1:fixed it");
    }

    // ---- queries

    @Test
    void queryMapsStatesToMetadataAndPassesTheContinuationTokenOn() {
        backend.states.put("i1", state("i1", OrchestrationRuntimeStatus.FAILED, "\"in\"", Map.of("k", "v")));
        backend.nextToken = "next";

        OrchestrationStatusQueryResult page = client.queryInstances(new OrchestrationStatusQuery()
                .setFetchInputsAndOutputs(true));

        assertThat(page.getContinuationToken()).isEqualTo("next");
        OrchestrationMetadata m = page.getOrchestrationState().get(0);
        assertThat(m.getInstanceId()).isEqualTo("i1");
        assertThat(m.getName()).isEqualTo("Calc");
        assertThat(m.getRuntimeStatus()).isEqualTo(OrchestrationRuntimeStatus.FAILED);
        assertThat(m.readInputAs(String.class)).isEqualTo("in");
        assertThat(m.getFailureDetails().getErrorType()).isEqualTo("E");
        assertThat(m.getTags()).containsEntry("k", "v");
        assertThat(m.isInputsAndOutputsFetched()).isTrue();
    }

    @Test
    void queryWithoutInputsAndOutputsLeavesThemOut() {
        backend.states.put("i1", state("i1", OrchestrationRuntimeStatus.COMPLETED, "\"in\"", null));
        OrchestrationMetadata m = client.queryInstances(new OrchestrationStatusQuery()).getOrchestrationState().get(0);
        assertThat(m.getSerializedInput()).isNull();
        assertThat(m.isInputsAndOutputsFetched()).isFalse();
    }

    // ---- purge

    @Test
    void purgeInstanceReturnsTheBackendsCount() {
        backend.states.put("i1", state("i1", OrchestrationRuntimeStatus.RUNNING, null, null));
        assertThat(client.purgeInstance("i1").getDeletedInstanceCount()).isEqualTo(1);
        assertThat(client.purgeInstance("i1").getDeletedInstanceCount()).isZero();
        assertThatThrownBy(() -> client.purgeInstance("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void purgeInstancesNeedsCreatedTimeFrom() {
        assertThatThrownBy(() -> client.purgeInstances(new PurgeInstanceCriteria()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("createdTimeFrom");
        assertThatThrownBy(() -> client.purgeInstances(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("createdTimeFrom");
    }

    @Test
    void purgeInstancesWithoutStatusesPurgesTheFourFinishedStatusesUpToNow() {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        Instant before = Instant.now();
        client.purgeInstances(new PurgeInstanceCriteria().setCreatedTimeFrom(from));

        assertThat(backend.purgeFrom).isEqualTo(from);
        assertThat(backend.purgeTo).isBetween(before, Instant.now());
        assertThat(backend.purgeStatuses).containsExactlyInAnyOrder(OrchestrationRuntimeStatus.COMPLETED,
                OrchestrationRuntimeStatus.FAILED, OrchestrationRuntimeStatus.TERMINATED,
                OrchestrationRuntimeStatus.CANCELED);
    }

    @Test
    void purgeInstancesReducesTheStatusListToFinishedStatuses() {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        Instant to = Instant.parse("2026-02-01T00:00:00Z");
        client.purgeInstances(new PurgeInstanceCriteria().setCreatedTimeFrom(from).setCreatedTimeTo(to)
                .setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.RUNNING, OrchestrationRuntimeStatus.FAILED)));
        assertThat(backend.purgeTo).isEqualTo(to);
        assertThat(backend.purgeStatuses).containsExactly(OrchestrationRuntimeStatus.FAILED);
    }

    @Test
    void purgeInstancesNamingOnlyUnfinishedStatusesPurgesNothing() {
        int count = client.purgeInstances(new PurgeInstanceCriteria().setCreatedTimeFrom(Instant.EPOCH)
                .setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.RUNNING))).getDeletedInstanceCount();
        assertThat(count).isZero();
        assertThat(backend.purgeStatuses).isNull();
    }

    private static OrchestrationState state(String id, OrchestrationRuntimeStatus status, String input,
                                            Map<String, String> tags) {
        Instant t = Instant.parse("2026-03-01T00:00:00Z");
        return new OrchestrationState(id, "e-" + id, "Calc", "v2", status, input, null, null, t, t, null,
                status == OrchestrationRuntimeStatus.FAILED ? new FailureDetails("E", "boom") : null, tags, null, 0);
    }

    /** Records what the client asks of the SPI; states are kept in a map. */
    private static final class FakeBackend implements OrchestrationServiceClient {
        final Map<String, OrchestrationState> states = new HashMap<>();
        final List<ExecutionStartedEvent> created = new ArrayList<>();
        final List<TaskMessage> sent = new ArrayList<>();
        final List<String> rewound = new ArrayList<>();
        Set<OrchestrationRuntimeStatus> dedupe;

        @Override
        public io.github.durablefunctions.backend.OrchestrationStateQueryResult queryEntityStates(
                io.github.durablefunctions.backend.EntityStateQuery query) {
            throw new UnsupportedOperationException("entity queries are not used by these tests");
        }
        String nextToken;
        Instant purgeFrom;
        Instant purgeTo;
        Set<OrchestrationRuntimeStatus> purgeStatuses;

        @Override
        public void createOrchestrationInstance(TaskMessage message, Set<OrchestrationRuntimeStatus> dedupeStatuses) {
            ExecutionStartedEvent started = (ExecutionStartedEvent) message.event();
            OrchestrationState old = states.get(message.instanceId());
            if (old != null && dedupeStatuses.contains(old.runtimeStatus())) {
                throw new OrchestrationAlreadyExistsException(message.instanceId(), old.runtimeStatus());
            }
            dedupe = EnumSet.copyOf(dedupeStatuses);
            created.add(started);
        }

        @Override
        public void sendTaskOrchestrationMessage(TaskMessage message) {
            sent.add(message);
        }

        @Override
        public OrchestrationState getOrchestrationState(String instanceId, boolean fetchInputsAndOutputs) {
            return states.get(instanceId);
        }

        @Override
        public List<HistoryEvent> getOrchestrationHistory(String instanceId) {
            return List.of();
        }

        @Override
        public OrchestrationStateQueryResult queryOrchestrationStates(OrchestrationStatusQuery query) {
            return new OrchestrationStateQueryResult(List.copyOf(states.values()), nextToken);
        }

        @Override
        public int purgeInstanceState(String instanceId) {
            return states.remove(instanceId) == null ? 0 : 1;
        }

        @Override
        public int purgeInstanceStates(Instant createdTimeFrom, Instant createdTimeTo,
                                       Set<OrchestrationRuntimeStatus> statuses) {
            purgeFrom = createdTimeFrom;
            purgeTo = createdTimeTo;
            purgeStatuses = statuses;
            return 0;
        }

        @Override
        public void rewindTaskOrchestration(String instanceId, String reason) {
            rewound.add(instanceId + ":" + reason);
        }
    }
}
