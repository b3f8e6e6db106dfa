package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import io.github.durablefunctions.backend.SessionAbortedException;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** History commits and reads against Azurite (storage-layout.md §3.2, §3.4, §3.5). */
@ExtendWith(AzuriteExtension.class)
class TrackingStoreTest {
    static AzureStorageOrchestrationService service;
    static TrackingStore store;

    @BeforeAll
    static void create() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings("TrackingHub").build());
        service.createTaskHubIfNotExists();
        store = service.tracking();
    }

    @AfterAll
    static void close() {
        service.close();
    }

    static List<HistoryEvent> events(int count, String prefix) {
        return IntStream.range(0, count).<HistoryEvent>mapToObj(i ->
                new EventRaisedEvent(-1, false, Instant.parse("2024-01-01T00:00:00Z").plusSeconds(i), prefix + i,
                        Integer.toString(i), null)).toList();
    }

    @Test
    void aLargeCheckpointIsSplitIntoTransactionsOfNinetyNineEventsPlusTheSentinel() {
        String id = "large-checkpoint";
        List<HistoryEvent> events = events(250, "e");
        store.commitHistory(id, "x1", events, 0, null);

        List<TableEntity> rows = StorageTestSupport.rows("TrackingHubHistory", id);
        assertThat(rows).hasSize(251);
        assertThat(rows.get(0).getRowKey()).isEqualTo("0000000000000000");
        assertThat(rows.get(249).getRowKey()).isEqualTo("00000000000000F9");
        assertThat(rows.get(250).getProperties()).containsEntry("RowKey", "sentinel")
                .containsEntry("IsCheckpointComplete", true).containsKey("CheckpointCompletedTimestamp");
        TrackingStore.HistoryLoad load = store.readHistory(id, null);
        assertThat(load.events()).isEqualTo(events);
        assertThat(load.executionId()).isEqualTo("x1");
        assertThat(load.etag()).isNotBlank();
    }

    @Test
    void appendsContinueAtTheNextPositionUnderTheSentinelEtag() {
        String id = "appends";
        store.commitHistory(id, "x1", events(3, "a"), 0, null);
        TrackingStore.HistoryLoad first = store.readHistory(id, null);
        store.commitHistory(id, "x1", events(2, "b"), 3, first.etag());
        TrackingStore.HistoryLoad second = store.readHistory(id, null);
        assertThat(second.events()).hasSize(5);
        assertThat(second.etag()).isNotEqualTo(first.etag());

        // The first ETag is stale now: 412, nothing written.
        assertThatThrownBy(() -> store.commitHistory(id, "x1", events(1, "c"), 5, first.etag()))
                .isInstanceOf(SessionAbortedException.class).hasMessageContaining("412");
        // No ETag although a sentinel exists: 409, nothing written.
        assertThatThrownBy(() -> store.commitHistory(id, "x1", events(1, "d"), 5, null))
                .isInstanceOf(SessionAbortedException.class).hasMessageContaining("409");
        assertThat(StorageTestSupport.rows("TrackingHubHistory", id)).hasSize(6);
        assertThat(store.readHistory(id, null).events()).isEqualTo(second.events());
    }

    @Test
    void aNewExecutionOverwritesFromRowZeroAndReadsStopAtTheOldRows() {
        String id = "new-execution";
        store.commitHistory(id, "old", events(5, "old"), 0, null);
        String etag = store.readHistory(id, null).etag();
        List<HistoryEvent> fresh = List.of(new OrchestratorStartedEvent(-1, false, Instant.parse(
                "2024-02-01T00:00:00Z")), events(1, "new").get(0));
        store.commitHistory(id, "new", fresh, 0, etag);

        List<TableEntity> rows = StorageTestSupport.rows("TrackingHubHistory", id);
        assertThat(rows).extracting(r -> r.getProperty("ExecutionId"))
                .containsExactly("new", "new", "old", "old", "old", "new"); // rows 2..4 left behind, then sentinel
        TrackingStore.HistoryLoad load = store.readHistory(id, null);
        assertThat(load.executionId()).isEqualTo("new");
        assertThat(load.events()).isEqualTo(fresh);
        // Expecting another execution than the stored one reads as empty, with the sentinel's ETag kept.
        TrackingStore.HistoryLoad other = store.readHistory(id, "newer");
        assertThat(other.events()).isEmpty();
        assertThat(other.etag()).isEqualTo(load.etag());
    }

    @Test
    void instanceIdsWithReservedCharactersAreEscapedInThePartitionKey() {
        String id = "a/b#c?d\\e^f";
        store.commitHistory(id, "x", events(1, "z"), 0, null);
        assertThat(StorageTestSupport.rows("TrackingHubHistory", "a^0b^2c^3d^1e^^f")).hasSize(2);
        assertThat(store.readHistory(id, null).events()).hasSize(1);
    }
}
