package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationStateQueryResult;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Instance queries over the Instances table (storage-layout.md §4 "Queries"), without a worker. */
@ExtendWith(AzuriteExtension.class)
class InstanceQueryTest {
    static final String HUB = "InstanceQueryHub";
    static final Set<OrchestrationRuntimeStatus> RUNNING = EnumSet.of(OrchestrationRuntimeStatus.PENDING,
            OrchestrationRuntimeStatus.RUNNING, OrchestrationRuntimeStatus.SUSPENDED);
    static AzureStorageOrchestrationService service;
    static TableClient instances;

    @BeforeAll
    static void createService() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        service.createTaskHubIfNotExists();
        instances = StorageTestSupport.tables().getTableClient(HUB + "Instances");
    }

    @AfterAll
    static void closeService() {
        service.close();
    }

    static void create(String instanceId, Instant created, String input) {
        OrchestrationInstance instance = new OrchestrationInstance(instanceId, "e-" + Math.abs(instanceId.hashCode()));
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, created, instance,
                null, "Query", null, input, null, null, null, null, 0, false), instance), RUNNING);
    }

    static void setStatus(String instanceId, OrchestrationRuntimeStatus status) {
        TableEntity row = new TableEntity(KeySanitation.escapePartitionKey(instanceId), "");
        row.addProperty("RuntimeStatus", status.statusName());
        row.addProperty("Output", "\"out\"");
        instances.upsertEntity(row);
    }

    static List<String> ids(OrchestrationStateQueryResult page) {
        return page.states().stream().map(OrchestrationState::instanceId).toList();
    }

    static List<String> allIds(OrchestrationStatusQuery query) {
        List<String> ids = new ArrayList<>();
        String token = null;
        do {
            OrchestrationStateQueryResult page = service.queryOrchestrationStates(query.setContinuationToken(token));
            ids.addAll(ids(page));
            token = page.continuationToken();
        } while (token != null);
        return ids;
    }

    @Test
    void aPrefixSelectsTheInstancesWhoseIdStartsWithItIncludingEscapedCharacters() {
        Instant t = Instant.now();
        for (String id : List.of("prefix/a", "prefix/b", "prefix#c", "prefix", "prefiy", "prefi", "pre/fix")) {
            create(id, t, null);
        }

        assertThat(allIds(new OrchestrationStatusQuery().setInstanceIdPrefix("prefix/")))
                .containsExactlyInAnyOrder("prefix/a", "prefix/b");
        assertThat(allIds(new OrchestrationStatusQuery().setInstanceIdPrefix("prefix")))
                .containsExactlyInAnyOrder("prefix/a", "prefix/b", "prefix#c", "prefix");
        assertThat(allIds(new OrchestrationStatusQuery().setInstanceIdPrefix("pre/")))
                .containsExactly("pre/fix");
    }

    @Test
    void statusFiltersAreJoinedWithOr() {
        Instant t = Instant.now();
        create("status-1", t, null);
        create("status-2", t, null);
        create("status-3", t, null);
        setStatus("status-2", OrchestrationRuntimeStatus.COMPLETED);
        setStatus("status-3", OrchestrationRuntimeStatus.FAILED);

        OrchestrationStatusQuery q = new OrchestrationStatusQuery().setInstanceIdPrefix("status-");
        assertThat(allIds(q.setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.COMPLETED,
                OrchestrationRuntimeStatus.FAILED)))).containsExactlyInAnyOrder("status-2", "status-3");
        assertThat(allIds(q.setRuntimeStatusList(List.of(OrchestrationRuntimeStatus.PENDING))))
                .containsExactly("status-1");
        assertThat(allIds(q.setRuntimeStatusList(List.of()))).hasSize(3);
    }

    @Test
    void createdTimeBoundsAreInclusive() {
        Instant base = Instant.parse("2026-05-01T10:00:00.1234567Z");
        create("time-1", base.minusSeconds(60), null);
        create("time-2", base, null);
        create("time-3", base.plusSeconds(60), null);
        create("time-4", base.plusSeconds(120), null);

        OrchestrationStatusQuery q = new OrchestrationStatusQuery().setInstanceIdPrefix("time-");
        assertThat(allIds(q.setCreatedTimeFrom(base).setCreatedTimeTo(base.plusSeconds(60))))
                .containsExactlyInAnyOrder("time-2", "time-3");
        assertThat(allIds(new OrchestrationStatusQuery().setInstanceIdPrefix("time-")
                .setCreatedTimeFrom(base.plusSeconds(61)))).containsExactly("time-4");
        assertThat(allIds(new OrchestrationStatusQuery().setInstanceIdPrefix("time-")
                .setCreatedTimeTo(base.minusSeconds(1)))).containsExactly("time-1");
    }

    @Test
    void pagesHoldAtMostTheMaxInstanceCountAndTheTokensWalkThroughAll() {
        Instant t = Instant.now();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String id = "page-" + i + (i % 2 == 0 ? ";x" : "");
            create(id, t, null);
            created.add(id);
        }

        OrchestrationStatusQuery q = new OrchestrationStatusQuery().setInstanceIdPrefix("page-").setMaxInstanceCount(3);
        OrchestrationStateQueryResult first = service.queryOrchestrationStates(q);
        assertThat(first.states()).hasSize(3);
        assertThat(first.continuationToken()).isNotNull().matches("[A-Za-z0-9_-]+");

        List<String> seen = new ArrayList<>();
        int pages = 0;
        String token = null;
        do {
            OrchestrationStateQueryResult page = service.queryOrchestrationStates(q.setContinuationToken(token));
            assertThat(page.states().size()).isLessThanOrEqualTo(3);
            seen.addAll(ids(page));
            token = page.continuationToken();
            pages++;
        } while (token != null);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
        assertThat(pages).isGreaterThanOrEqualTo(3);
    }

    @Test
    void malformedContinuationTokensAreIllegalArguments() {
        OrchestrationStatusQuery q = new OrchestrationStatusQuery();
        assertThatThrownBy(() -> service.queryOrchestrationStates(q.setContinuationToken("not base64 !")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("continuation token");
        assertThatThrownBy(() -> service.queryOrchestrationStates(q.setContinuationToken("bm9zZXBhcmF0b3I")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("continuation token");
    }

    @Test
    void entitiesAreNeverReturned() {
        TableEntity entity = new TableEntity("@counter@k1", "");
        entity.addProperty("RuntimeStatus", "Running");
        entity.addProperty("Name", "@counter@k1");
        entity.addProperty("TaskHubName", HUB);
        entity.addProperty("CreatedTime", HistoryEntityCodec.dateTime(Instant.now()));
        instances.upsertEntity(entity);
        create("Az-not-an-entity", Instant.now(), null);

        List<String> all = allIds(new OrchestrationStatusQuery());
        assertThat(all).doesNotContain("@counter@k1").contains("Az-not-an-entity");
        assertThat(allIds(new OrchestrationStatusQuery().setInstanceIdPrefix("@"))).isEmpty();
    }

    @Test
    void rowsOfAnotherTaskHubInTheSameTableAreNotReturned() {
        TableEntity other = new TableEntity("other-hub-1", "");
        other.addProperty("RuntimeStatus", "Running");
        other.addProperty("TaskHubName", "SomeOtherHub");
        instances.upsertEntity(other);

        assertThat(allIds(new OrchestrationStatusQuery().setInstanceIdPrefix("other-hub-"))).isEmpty();
    }

    @Test
    void inputsAndOutputsAreReadOnlyWhenFetched() {
        create("io-1", Instant.now(), "\"in\"");
        setStatus("io-1", OrchestrationRuntimeStatus.COMPLETED);

        OrchestrationState without = service.queryOrchestrationStates(new OrchestrationStatusQuery()
                .setInstanceIdPrefix("io-1")).states().get(0);
        assertThat(without.input()).isNull();
        assertThat(without.output()).isNull();
        assertThat(without.name()).isEqualTo("Query");
        assertThat(without.runtimeStatus()).isEqualTo(OrchestrationRuntimeStatus.COMPLETED);
        assertThat(without.createdTime()).isNotNull();

        OrchestrationState with = service.queryOrchestrationStates(new OrchestrationStatusQuery()
                .setInstanceIdPrefix("io-1").setFetchInputsAndOutputs(true)).states().get(0);
        assertThat(with.input()).isEqualTo("\"in\"");
        assertThat(with.output()).isEqualTo("\"out\"");
    }
}
