package io.github.durablefunctions.azurestorage;

import com.azure.core.util.BinaryData;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableEntity;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
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

/** Purge (storage-layout.md §7.2 "Purge"): history rows, large-message blobs and the Instances row. */
@ExtendWith(AzuriteExtension.class)
class PurgeTest {
    static final String HUB = "PurgeHub";
    static final Set<OrchestrationRuntimeStatus> RUNNING = EnumSet.of(OrchestrationRuntimeStatus.PENDING,
            OrchestrationRuntimeStatus.RUNNING, OrchestrationRuntimeStatus.SUSPENDED);
    static final Set<OrchestrationRuntimeStatus> FINISHED = EnumSet.of(OrchestrationRuntimeStatus.COMPLETED,
            OrchestrationRuntimeStatus.FAILED, OrchestrationRuntimeStatus.TERMINATED,
            OrchestrationRuntimeStatus.CANCELED);
    static AzureStorageOrchestrationService service;
    static TableClient instances;
    static BlobContainerClient largeMessages;

    @BeforeAll
    static void createService() {
        service = new AzureStorageOrchestrationService(StorageTestSupport.settings(HUB).build());
        service.createTaskHubIfNotExists();
        instances = StorageTestSupport.tables().getTableClient(HUB + "Instances");
        largeMessages = StorageTestSupport.blobs().getBlobContainerClient("purgehub-largemessages");
        largeMessages.createIfNotExists();
    }

    @AfterAll
    static void closeService() {
        service.close();
    }

    /** An instance with a Pending row, {@code historyRows} history rows (plus the sentinel) and a given status. */
    static void instance(String instanceId, Instant created, int historyRows, OrchestrationRuntimeStatus status) {
        OrchestrationInstance instance = new OrchestrationInstance(instanceId, "e1");
        service.createOrchestrationInstance(new TaskMessage(new ExecutionStartedEvent(-1, false, created, instance,
                null, "Purged", null, null, null, null, null, null, 0, false), instance), RUNNING);
        if (historyRows > 0) {
            List<HistoryEvent> events = new ArrayList<>();
            for (int i = 0; i < historyRows; i++) {
                events.add(new GenericEvent(-1, false, Instant.now(), "row " + i));
            }
            service.tracking().commitHistory(instanceId, "e1", events, 0, null);
        }
        TableEntity row = new TableEntity(KeySanitation.escapePartitionKey(instanceId), "");
        row.addProperty("RuntimeStatus", status.statusName());
        instances.upsertEntity(row);
    }

    static void blob(String name) {
        largeMessages.getBlobClient(name).upload(BinaryData.fromString("x"), true);
    }

    static List<String> blobNames() {
        return largeMessages.listBlobs().stream().map(BlobItem::getName).toList();
    }

    @Test
    void purgingAnInstanceDeletesAllItsHistoryRowsItsBlobsAndItsRow() {
        String id = "purge/one#1";
        String escaped = KeySanitation.escapePartitionKey(id);
        instance(id, Instant.now(), 250, OrchestrationRuntimeStatus.COMPLETED);
        instance("purge-other", Instant.now(), 3, OrchestrationRuntimeStatus.COMPLETED);
        blob(id + "/message-0123456789abcdef0123456789abcdef-ExecutionStarted.json.gz");
        blob(escaped + "/history-0000000000000002-TaskCompleted-0A1B2C3D-Result.json.gz");
        blob("purge-other/message-00000000000000000000000000000000-ExecutionStarted.json.gz");
        assertThat(StorageTestSupport.rows(HUB + "History", escaped)).hasSize(251);

        assertThat(service.purgeInstanceState(id)).isEqualTo(1);

        assertThat(StorageTestSupport.rows(HUB + "History", escaped)).isEmpty();
        assertThat(StorageTestSupport.rows(HUB + "Instances", escaped)).isEmpty();
        assertThat(blobNames()).noneMatch(n -> n.startsWith(id) || n.startsWith(escaped))
                .contains("purge-other/message-00000000000000000000000000000000-ExecutionStarted.json.gz");
        assertThat(service.getOrchestrationState(id, false)).isNull();
        assertThat(service.getOrchestrationHistory(id)).isEmpty();
        assertThat(StorageTestSupport.rows(HUB + "History", "purge-other")).hasSize(4);
        assertThat(service.getOrchestrationState("purge-other", false)).isNotNull();
    }

    @Test
    void anIdWithACharacterXmlCannotCarryIsPurgedWithoutTouchingBlobsOfOtherIds() {
        String id = "ctl\u0001id";
        instance(id, Instant.now(), 2, OrchestrationRuntimeStatus.FAILED);
        blob("ctl-other/message-00000000000000000000000000000001-ExecutionStarted.json.gz");

        assertThat(service.purgeInstanceState(id)).isEqualTo(1);

        assertThat(StorageTestSupport.rows(HUB + "History", KeySanitation.escapePartitionKey(id))).isEmpty();
        assertThat(blobNames()).contains("ctl-other/message-00000000000000000000000000000001-ExecutionStarted.json.gz");
        assertThat(InstancePurger.xmlSafeLength("ab\u0001c")).isEqualTo(2);
        assertThat(InstancePurger.xmlSafeLength("a\tb\nc\u007f\uD83D\uDE00")).isEqualTo(8);
        assertThat(InstancePurger.xmlSafeLength("a\uD83D")).isEqualTo(1);
    }

    @Test
    void purgingAnUnknownInstanceCountsZero() {
        assertThat(service.purgeInstanceState("purge-never-existed")).isZero();
    }

    @Test
    void purgingTwiceCountsOnce() {
        instance("purge-twice", Instant.now(), 2, OrchestrationRuntimeStatus.RUNNING);
        assertThat(service.purgeInstanceState("purge-twice")).isEqualTo(1);
        assertThat(service.purgeInstanceState("purge-twice")).isZero();
    }

    @Test
    void purgeByFilterTakesTheCreatedTimeRangeAndTheStatuses() {
        Instant base = Instant.parse("2025-03-01T00:00:00Z");
        instance("range-completed", base.plusSeconds(10), 2, OrchestrationRuntimeStatus.COMPLETED);
        instance("range-failed", base.plusSeconds(20), 2, OrchestrationRuntimeStatus.FAILED);
        instance("range-terminated", base.plusSeconds(30), 0, OrchestrationRuntimeStatus.TERMINATED);
        instance("range-running", base.plusSeconds(40), 2, OrchestrationRuntimeStatus.RUNNING);
        instance("range-too-early", base.minusSeconds(10), 2, OrchestrationRuntimeStatus.COMPLETED);
        instance("range-too-late", base.plusSeconds(3600), 2, OrchestrationRuntimeStatus.COMPLETED);

        int purged = service.purgeInstanceStates(base, base.plusSeconds(60),
                EnumSet.of(OrchestrationRuntimeStatus.COMPLETED, OrchestrationRuntimeStatus.TERMINATED));

        assertThat(purged).isEqualTo(2);
        assertThat(service.getOrchestrationState("range-completed", false)).isNull();
        assertThat(service.getOrchestrationState("range-terminated", false)).isNull();
        assertThat(StorageTestSupport.rows(HUB + "History", "range-completed")).isEmpty();
        for (String kept : List.of("range-failed", "range-running", "range-too-early", "range-too-late")) {
            assertThat(service.getOrchestrationState(kept, false)).as(kept).isNotNull();
        }

        assertThat(service.purgeInstanceStates(base, base.plusSeconds(60), FINISHED)).isEqualTo(1); // range-failed
        assertThat(service.getOrchestrationState("range-running", false)).isNotNull();
    }
}
