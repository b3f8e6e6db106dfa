package io.github.durablefunctions.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.durablefunctions.CleanEntityStorageRequest;
import io.github.durablefunctions.CleanEntityStorageResult;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityMetadata;
import io.github.durablefunctions.EntityQuery;
import io.github.durablefunctions.EntityQueryResult;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.backend.EntityStateQuery;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationStateQueryResult;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.entities.EntityJson;
import io.github.durablefunctions.entities.EntityStatus;
import io.github.durablefunctions.entities.ReleaseMessage;
import io.github.durablefunctions.entities.RequestMessage;
import io.github.durablefunctions.entities.SchedulerState;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The entity client over an in-test fake of the backend SPI: the exact signal messages, how metadata is read from
 * scheduler states and entity statuses, query prefixes and filtering, and the clean-up decisions
 * (storage-layout.md §9).
 */
class BackendDurableEntityClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WINDOW = Duration.ofMinutes(30);

    private final FakeBackend backend = new FakeBackend();
    private final BackendDurableEntityClient client = new BackendDurableEntityClient(backend,
            new JacksonDataConverter(), WINDOW);

    // ------------------------------------------------------------------------------------------------ signals

    @Test
    void signalSendsAnOpEventWithAClientRequestMessageToTheEntitysCurrentExecution() throws Exception {
        Instant before = Instant.now();
        client.signalEntity(new EntityInstanceId("Counter", "k1"), "add", Map.of("amount", 5));

        TaskMessage m = backend.sent.get(0);
        assertThat(m.orchestrationInstance().instanceId()).isEqualTo("@counter@k1");
        assertThat(m.orchestrationInstance().executionId()).isNull();
        EventRaisedEvent e = (EventRaisedEvent) m.event();
        assertThat(e.eventId()).isEqualTo(-1);
        assertThat(e.name()).isEqualTo("op");
        assertThat(e.timestamp()).isBetween(before, Instant.now());

        JsonNode request = JSON.readTree(e.input());
        List<String> members = new ArrayList<>();
        request.fieldNames().forEachRemaining(members::add);
        // parent and parentExecution are null for client signals: written as null or left out (read the same)
        assertThat(members).containsSubsequence("op", "signal", "input", "id", "requestTime")
                .isSubsetOf("op", "signal", "input", "id", "parent", "parentExecution", "requestTime");
        assertThat(request.get("op").asText()).isEqualTo("add");
        assertThat(request.get("signal").asBoolean()).isTrue();
        assertThat(request.get("input").asText()).isEqualTo("{\"amount\":5}");
        assertThat(request.get("id").asText()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(request.path("parent").isNull() || request.path("parent").isMissingNode()).isTrue();
        assertThat(request.path("parentExecution").isNull() || request.path("parentExecution").isMissingNode())
                .isTrue();
        assertThat(request.get("requestTime").asText()).endsWith("+00:00");
        RequestMessage parsed = RequestMessage.fromJson(e.input());
        assertThat(parsed.parentInstanceId).isNull();
        assertThat(parsed.parentExecutionId).isNull();
        assertThat(parsed.requestTime).isBetween(EntityJson.toTicks(before), Instant.now());
    }

    @Test
    void signalWithoutInputLeavesInputOutAndEachSignalHasItsOwnId() throws Exception {
        EntityInstanceId id = new EntityInstanceId("counter", "k");
        client.signalEntity(id, "reset");
        client.signalEntity(id, "reset");

        JsonNode first = JSON.readTree(((EventRaisedEvent) backend.sent.get(0).event()).input());
        JsonNode second = JSON.readTree(((EventRaisedEvent) backend.sent.get(1).event()).input());
        assertThat(first.has("input")).isFalse();
        assertThat(first.get("id").asText()).isNotEqualTo(second.get("id").asText());
    }

    @Test
    void aSignalScheduledForTheFutureIsNamedOpAtTheTimeAndCarriesDue() throws Exception {
        Instant due = Instant.now().plus(Duration.ofHours(1)).plusNanos(1234500);
        client.signalEntity(new EntityInstanceId("counter", "k"), "add", 1,
                new SignalEntityOptions().setScheduledTime(due));

        EventRaisedEvent e = (EventRaisedEvent) backend.sent.get(0).event();
        assertThat(e.name()).isEqualTo("op@" + EntityJson.formatRoundTrip(due));
        assertThat(e.name()).matches("op@\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z");
        RequestMessage request = RequestMessage.fromJson(e.input());
        assertThat(request.scheduledTime).isEqualTo(EntityJson.toTicks(due));
        assertThat(request.signal).isTrue();
    }

    @Test
    void aSignalScheduledInThePastGoesNow() throws Exception {
        client.signalEntity(new EntityInstanceId("counter", "k"), "add", 1,
                new SignalEntityOptions().setScheduledTime(Instant.now().minusSeconds(60)));

        EventRaisedEvent e = (EventRaisedEvent) backend.sent.get(0).event();
        assertThat(e.name()).isEqualTo("op");
        assertThat(JSON.readTree(e.input()).has("due")).isFalse();
    }

    @Test
    void anEmptyOperationNameIsAllowed() {
        client.signalEntity(new EntityInstanceId("counter", "k"), "");
        assertThat(RequestMessage.fromJson(((EventRaisedEvent) backend.sent.get(0).event()).input()).operation)
                .isEmpty();
    }

    @Test
    void signalNeedsAnEntityIdAndAnOperationName() {
        assertThatThrownBy(() -> client.signalEntity(null, "add"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entity ID");
        assertThatThrownBy(() -> client.signalEntity(new EntityInstanceId("counter", "k"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operation name");
        assertThat(backend.sent).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ metadata

    @Test
    void metadataWithStateComesFromTheSchedulerState() {
        Instant updated = Instant.parse("2026-03-01T10:00:00Z");
        SchedulerState scheduler = scheduler("{\"value\":7}", "orch-1", 2);
        backend.put(entityRow("@counter@k", scheduler, updated));

        EntityMetadata m = client.getEntityMetadata(new EntityInstanceId("counter", "k"));

        assertThat(backend.fetchedInputs).containsExactly(true);
        assertThat(m.getEntityInstanceId()).isEqualTo(new EntityInstanceId("counter", "k"));
        assertThat(m.getLastModifiedTime()).isEqualTo(updated);
        assertThat(m.getBacklogQueueSize()).isEqualTo(2);
        assertThat(m.getLockedBy()).isEqualTo("orch-1");
        assertThat(m.isIncludesState()).isTrue();
        assertThat(m.getSerializedState()).isEqualTo("{\"value\":7}");
        assertThat(m.readStateAs(Map.class)).containsEntry("value", 7);
    }

    @Test
    void metadataWithoutStateReadsOnlyTheEntityStatus() {
        SchedulerState scheduler = scheduler("5", "orch-1", 1);
        backend.put(entityRow("@counter@k", scheduler, Instant.parse("2026-03-01T10:00:00Z")));

        EntityMetadata m = client.getEntityMetadata(new EntityInstanceId("counter", "k"), false);

        assertThat(backend.fetchedInputs).containsExactly(false);
        assertThat(m.getBacklogQueueSize()).isEqualTo(1);
        assertThat(m.getLockedBy()).isEqualTo("orch-1");
        assertThat(m.isIncludesState()).isFalse();
        assertThat(m.getSerializedState()).isNull();
        assertThatThrownBy(() -> m.readStateAs(Integer.class)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anEntityWithoutARowOrWithoutStateDoesNotExist() {
        assertThat(client.getEntityMetadata(new EntityInstanceId("counter", "none"))).isNull();

        backend.put(entityRow("@counter@deleted", null, Instant.now()));
        assertThat(client.getEntityMetadata(new EntityInstanceId("counter", "deleted"), true)).isNull();
        assertThat(client.getEntityMetadata(new EntityInstanceId("counter", "deleted"), false)).isNull();

        backend.put(entityRow("@counter@locked", scheduler(null, "orch-1", 0), Instant.now()));
        assertThat(client.getEntityMetadata(new EntityInstanceId("counter", "locked"), true)).isNull();
        assertThat(client.getEntityMetadata(new EntityInstanceId("counter", "locked"), false)).isNull();
    }

    @Test
    void anUnreadableSchedulerStateReadsAsNoEntity() {
        backend.put(row("@counter@bad", "{not json", "{\"entityExists\":true}", Instant.now()));
        assertThat(client.getEntityMetadata(new EntityInstanceId("counter", "bad"), true)).isNull();
    }

    @Test
    void metadataNeedsAnEntityId() {
        assertThatThrownBy(() -> client.getEntityMetadata(null, true)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------------ queries

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            "NULL, @",
            "'', @",
            "@, @",
            "Counter, @counter",
            "@Counter, @counter",
            "counter@, @counter@",
            "@Counter@Key, @counter@Key",
            "Counter@Ke@Y, @counter@Ke@Y"})
    void queryPrefixesGetTheirAtAndALowerCaseName(String given, String expected) {
        assertThat(BackendDurableEntityClient.normalizePrefix(given)).isEqualTo(expected);
    }

    @Test
    void queryPassesPrefixBoundsPageSizeAndTokenAndReadsInputsOnlyForState() {
        Instant from = Instant.parse("2026-01-01T00:00:00Z");
        Instant to = Instant.parse("2026-02-01T00:00:00Z");
        client.queryEntities(new EntityQuery().setInstanceIdStartsWith("Counter@").setLastModifiedFrom(from)
                .setLastModifiedTo(to).setPageSize(7).setContinuationToken("@counter@x"));
        client.queryEntities(new EntityQuery().setIncludeState(true));

        assertThat(backend.queries.get(0)).isEqualTo(new EntityStateQuery("@counter@", from, to, false, 7,
                "@counter@x"));
        assertThat(backend.queries.get(1)).isEqualTo(new EntityStateQuery("@", null, null, true, 100, null));
    }

    @Test
    void queryLeavesOutTransientEntitiesUnlessAskedAndMapsTheRest() {
        Instant t = Instant.parse("2026-03-01T10:00:00Z");
        backend.put(entityRow("@counter@a", scheduler("1", null, 0), t));
        backend.put(entityRow("@counter@b", null, t));
        backend.put(entityRow("@counter@c", scheduler(null, "orch-9", 3), t));
        backend.put(entityRow("@player@x", scheduler("{\"hp\":3}", null, 0), t));

        EntityQueryResult withState = client.queryEntities(new EntityQuery().setIncludeState(true));
        assertThat(withState.getEntities()).extracting(e -> e.getEntityInstanceId().toString())
                .containsExactly("@counter@a", "@player@x");
        assertThat(withState.getEntities().get(1).getSerializedState()).isEqualTo("{\"hp\":3}");
        assertThat(withState.getEntities().get(1).getLastModifiedTime()).isEqualTo(t);

        EntityQueryResult withoutState = client.queryEntities(new EntityQuery());
        assertThat(withoutState.getEntities()).extracting(e -> e.getEntityInstanceId().toString())
                .containsExactly("@counter@a", "@player@x");
        assertThat(withoutState.getEntities()).allSatisfy(e -> {
            assertThat(e.isIncludesState()).isFalse();
            assertThat(e.getSerializedState()).isNull();
        });

        EntityQueryResult transients = client.queryEntities(new EntityQuery().setInstanceIdStartsWith("counter")
                .setIncludeTransient(true).setIncludeState(true));
        assertThat(transients.getEntities()).extracting(e -> e.getEntityInstanceId().getKey())
                .containsExactly("a", "b", "c");
        EntityMetadata locked = transients.getEntities().get(2);
        assertThat(locked.getLockedBy()).isEqualTo("orch-9");
        assertThat(locked.getBacklogQueueSize()).isEqualTo(3);
        assertThat(locked.getSerializedState()).isNull();
    }

    @Test
    void queryPagesCarryTheBackendsTokenAndMayHoldFewerEntitiesThanThePageSize() {
        Instant t = Instant.parse("2026-03-01T10:00:00Z");
        backend.put(entityRow("@counter@a", null, t));
        backend.put(entityRow("@counter@b", scheduler("2", null, 0), t));
        backend.put(entityRow("@counter@c", scheduler("3", null, 0), t));

        EntityQueryResult first = client.queryEntities(new EntityQuery().setPageSize(2));
        assertThat(first.getEntities()).extracting(e -> e.getEntityInstanceId().getKey()).containsExactly("b");
        assertThat(first.getContinuationToken()).isNotNull();

        EntityQueryResult second = client.queryEntities(new EntityQuery().setPageSize(2)
                .setContinuationToken(first.getContinuationToken()));
        assertThat(second.getEntities()).extracting(e -> e.getEntityInstanceId().getKey()).containsExactly("c");
        assertThat(second.getContinuationToken()).isNull();
    }

    @Test
    void rowsThatAreNotEntityIdsAreLeftOut() {
        backend.put(row("@odd", scheduler("1", null, 0).toJson(), "{\"entityExists\":true}", Instant.now()));
        backend.put(entityRow("@counter@a", scheduler("1", null, 0), Instant.now()));

        assertThat(client.queryEntities(new EntityQuery().setIncludeTransient(true)).getEntities())
                .extracting(e -> e.getEntityInstanceId().toString()).containsExactly("@counter@a");
    }

    @Test
    void queryNeedsAQuery() {
        assertThatThrownBy(() -> client.queryEntities(null)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------------ clean-up

    @Test
    void cleanUpRemovesOnlyEmptyEntitiesIdleForLongerThanTheReorderWindow() {
        Instant old = Instant.now().minus(WINDOW).minusSeconds(60);
        Instant recent = Instant.now().minus(WINDOW).plusSeconds(60);
        backend.put(entityRow("@counter@empty-old", null, old));
        backend.put(entityRow("@counter@empty-recent", null, recent));
        backend.put(entityRow("@counter@state-old", scheduler("1", null, 0), old));
        backend.put(entityRow("@counter@queued-old", queued(), old));
        backend.putOrchestration("orch-live", OrchestrationRuntimeStatus.RUNNING);
        backend.put(entityRow("@counter@locked-old", scheduler(null, "orch-live", 0), old));

        CleanEntityStorageResult result = client.cleanEntityStorage(new CleanEntityStorageRequest());

        assertThat(result.emptyEntitiesRemoved()).isEqualTo(1);
        assertThat(result.orphanedLocksReleased()).isZero();
        assertThat(result.continuationToken()).isNull();
        assertThat(backend.purged).containsExactly("@counter@empty-old");
        assertThat(backend.sent).isEmpty();
    }

    @Test
    void cleanUpReleasesLocksOfOwnersThatAreGoneOrFinished() throws Exception {
        Instant t = Instant.now();
        backend.putOrchestration("orch-running", OrchestrationRuntimeStatus.RUNNING);
        backend.putOrchestration("orch-pending", OrchestrationRuntimeStatus.PENDING);
        backend.putOrchestration("orch-suspended", OrchestrationRuntimeStatus.SUSPENDED);
        backend.putOrchestration("orch-completed", OrchestrationRuntimeStatus.COMPLETED);
        backend.putOrchestration("orch-failed", OrchestrationRuntimeStatus.FAILED);
        backend.putOrchestration("orch-terminated", OrchestrationRuntimeStatus.TERMINATED);
        for (String owner : List.of("orch-running", "orch-pending", "orch-suspended", "orch-completed",
                "orch-failed", "orch-terminated", "orch-gone")) {
            backend.put(entityRow("@lock@" + owner, scheduler("0", owner, 1), t));
        }

        CleanEntityStorageResult result = client.cleanEntityStorage(new CleanEntityStorageRequest());

        assertThat(result.orphanedLocksReleased()).isEqualTo(4);
        assertThat(backend.sent).extracting(TaskMessage::instanceId).containsExactly("@lock@orch-completed",
                "@lock@orch-failed", "@lock@orch-gone", "@lock@orch-terminated");
        TaskMessage release = backend.sent.get(2);
        assertThat(release.orchestrationInstance().executionId()).isNull();
        EventRaisedEvent e = (EventRaisedEvent) release.event();
        assertThat(e.eventId()).isEqualTo(-1);
        assertThat(e.name()).isEqualTo("release");
        assertThat(e.input()).isEqualTo("{\"parent\":\"orch-gone\",\"id\":\"fix-orphaned-lock\"}");
        assertThat(ReleaseMessage.fromJson(e.input()).parentInstanceId).isEqualTo("orch-gone");
        assertThat(backend.purged).isEmpty();
    }

    @Test
    void cleanUpDoesOnlyWhatIsAsked() {
        Instant old = Instant.now().minus(WINDOW).minusSeconds(60);
        backend.put(entityRow("@counter@empty", null, old));
        backend.put(entityRow("@counter@orphan", scheduler("1", "orch-gone", 0), old));

        CleanEntityStorageResult none = client.cleanEntityStorage(new CleanEntityStorageRequest()
                .setRemoveEmptyEntities(false).setReleaseOrphanedLocks(false));
        assertThat(none).isEqualTo(new CleanEntityStorageResult(null, 0, 0));
        assertThat(backend.purged).isEmpty();
        assertThat(backend.sent).isEmpty();

        CleanEntityStorageResult locksOnly = client.cleanEntityStorage(new CleanEntityStorageRequest()
                .setRemoveEmptyEntities(false));
        assertThat(locksOnly).isEqualTo(new CleanEntityStorageResult(null, 0, 1));
        assertThat(backend.purged).isEmpty();
    }

    @Test
    void cleanUpReadsSchedulerStatesPageByPageUntilComplete() {
        Instant old = Instant.now().minus(WINDOW).minusSeconds(60);
        int count = BackendDurableEntityClient.CLEAN_PAGE_SIZE + 5;
        for (int i = 0; i < count; i++) {
            backend.put(entityRow("@counter@" + String.format("%04d", i), null, old));
        }

        CleanEntityStorageResult result = client.cleanEntityStorage(new CleanEntityStorageRequest());

        assertThat(result.emptyEntitiesRemoved()).isEqualTo(count);
        assertThat(result.continuationToken()).isNull();
        assertThat(backend.queries).hasSize(2).allSatisfy(q -> {
            assertThat(q.instanceIdPrefix()).isEqualTo("@");
            assertThat(q.fetchInput()).isTrue();
        });
    }

    @Test
    void cleanUpOfOnePageReturnsTheTokenToGoOnFrom() {
        Instant old = Instant.now().minus(WINDOW).minusSeconds(60);
        int count = BackendDurableEntityClient.CLEAN_PAGE_SIZE + 5;
        for (int i = 0; i < count; i++) {
            backend.put(entityRow("@counter@" + String.format("%04d", i), scheduler("1", "orch-gone", 0), old));
        }

        CleanEntityStorageResult first = client.cleanEntityStorage(new CleanEntityStorageRequest()
                .setContinueUntilComplete(false));
        assertThat(first.orphanedLocksReleased()).isEqualTo(BackendDurableEntityClient.CLEAN_PAGE_SIZE);
        assertThat(first.continuationToken()).isNotNull();

        CleanEntityStorageResult rest = client.cleanEntityStorage(new CleanEntityStorageRequest()
                .setContinueUntilComplete(false).setContinuationToken(first.continuationToken()));
        assertThat(rest.orphanedLocksReleased()).isEqualTo(5);
        assertThat(rest.continuationToken()).isNull();
        assertThat(backend.queries.get(1).continuationToken()).isEqualTo(first.continuationToken());
    }

    @Test
    void cleanUpSkipsRowsItCannotRead() {
        Instant old = Instant.now().minus(WINDOW).minusSeconds(60);
        backend.put(row("@counter@bad", "{not json", null, old));
        backend.put(entityRow("@counter@empty", null, old));

        assertThat(client.cleanEntityStorage(new CleanEntityStorageRequest()).emptyEntitiesRemoved()).isEqualTo(1);
        assertThat(backend.purged).containsExactly("@counter@empty");
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    private static SchedulerState scheduler(String state, String lockedBy, int queued) {
        SchedulerState s = new SchedulerState();
        s.entityState = state;
        s.lockedBy = lockedBy;
        for (int i = 0; i < queued; i++) {
            RequestMessage r = new RequestMessage();
            r.operation = "op" + i;
            r.id = "00000000-0000-0000-0000-00000000000" + i;
            s.enqueue(r);
        }
        return s;
    }

    private static SchedulerState queued() {
        return scheduler(null, null, 1);
    }

    /** An entity row as the entity executor writes it: Input = scheduler state (null if empty), custom status. */
    private static OrchestrationState entityRow(String id, SchedulerState scheduler, Instant lastUpdated) {
        SchedulerState s = scheduler == null ? new SchedulerState() : scheduler;
        return row(id, s.isEmpty() ? null : s.toJson(), EntityStatus.of(s).toJson(), lastUpdated);
    }

    private static OrchestrationState row(String id, String input, String customStatus, Instant lastUpdated) {
        return new OrchestrationState(id, "exec", id, "", OrchestrationRuntimeStatus.RUNNING, input, null,
                customStatus, lastUpdated, lastUpdated, null, null, null, null, 0);
    }

    /**
     * Instance rows in ID order; entity pages of {@code pageSize} rows whose token is the next row's ID (so rows
     * purged meanwhile do not shift pages, as with table continuation keys). Records
     * what the client asks.
     */
    private static final class FakeBackend implements OrchestrationServiceClient {
        final TreeMap<String, OrchestrationState> rows = new TreeMap<>();
        final List<TaskMessage> sent = new ArrayList<>();
        final List<EntityStateQuery> queries = new ArrayList<>();
        final List<Boolean> fetchedInputs = new ArrayList<>();
        final List<String> purged = new ArrayList<>();

        void put(OrchestrationState state) {
            rows.put(state.instanceId(), state);
        }

        void putOrchestration(String id, OrchestrationRuntimeStatus status) {
            Instant t = Instant.now();
            put(new OrchestrationState(id, "e", "Orch", null, status, null, null, null, t, t, null, null, null,
                    null, 0));
        }

        @Override
        public OrchestrationStateQueryResult queryEntityStates(EntityStateQuery query) {
            queries.add(query);
            List<OrchestrationState> matching = rows.values().stream()
                    .filter(s -> s.instanceId().startsWith(query.instanceIdPrefix()))
                    .filter(s -> query.lastModifiedFrom() == null
                            || !s.lastUpdatedTime().isBefore(query.lastModifiedFrom()))
                    .filter(s -> query.lastModifiedTo() == null
                            || !s.lastUpdatedTime().isAfter(query.lastModifiedTo()))
                    .map(s -> query.fetchInput() ? s : withoutInput(s))
                    .toList();
            String token = query.continuationToken();
            List<OrchestrationState> rest = matching.stream()
                    .filter(s -> token == null || s.instanceId().compareTo(token) >= 0).toList();
            int end = Math.min(rest.size(), query.pageSize());
            return new OrchestrationStateQueryResult(rest.subList(0, end),
                    end < rest.size() ? rest.get(end).instanceId() : null);
        }

        @Override
        public OrchestrationState getOrchestrationState(String instanceId, boolean fetchInputsAndOutputs) {
            if (instanceId.startsWith("@")) {
                fetchedInputs.add(fetchInputsAndOutputs);
            }
            OrchestrationState s = rows.get(instanceId);
            return s == null || fetchInputsAndOutputs ? s : withoutInput(s);
        }

        private static OrchestrationState withoutInput(OrchestrationState s) {
            return new OrchestrationState(s.instanceId(), s.executionId(), s.name(), s.version(), s.runtimeStatus(),
                    null, null, s.customStatus(), s.createdTime(), s.lastUpdatedTime(), s.completedTime(),
                    s.failureDetails(), s.tags(), s.scheduledStartTime(), s.generation());
        }

        @Override
        public void sendTaskOrchestrationMessage(TaskMessage message) {
            sent.add(message);
        }

        @Override
        public int purgeInstanceState(String instanceId) {
            purged.add(instanceId);
            return rows.remove(instanceId) == null ? 0 : 1;
        }

        @Override
        public void createOrchestrationInstance(TaskMessage message, Set<OrchestrationRuntimeStatus> dedupe) {
            throw new UnsupportedOperationException("not used by the entity client");
        }

        @Override
        public List<HistoryEvent> getOrchestrationHistory(String instanceId) {
            throw new UnsupportedOperationException("not used by the entity client");
        }

        @Override
        public OrchestrationStateQueryResult queryOrchestrationStates(OrchestrationStatusQuery query) {
            throw new UnsupportedOperationException("not used by the entity client");
        }

        @Override
        public int purgeInstanceStates(Instant createdTimeFrom, Instant createdTimeTo,
                                       Set<OrchestrationRuntimeStatus> statuses) {
            throw new UnsupportedOperationException("not used by the entity client");
        }

        @Override
        public void rewindTaskOrchestration(String instanceId, String reason) {
            throw new UnsupportedOperationException("not used by the entity client");
        }
    }
}
