package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;

import io.github.durablefunctions.backend.OrchestrationWorkItem;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Direct access to Azurite for assertions, through the plain Azure SDK (independent of the code under test), and
 * settings for a test's own task hub.
 */
final class StorageTestSupport {
    private StorageTestSupport() {
    }

    static AzureStorageOrchestrationServiceSettings.Builder settings(String hub) {
        return AzureStorageOrchestrationServiceSettings.builder(AzuriteExtension.connectionString(), hub)
                .maxQueuePollingInterval(Duration.ofSeconds(1));
    }

    static QueueServiceClient queues() {
        return new QueueServiceClientBuilder().connectionString(AzuriteExtension.connectionString())
                .messageEncoding(QueueMessageEncoding.NONE).buildClient();
    }

    static TableServiceClient tables() {
        return new TableServiceClientBuilder().connectionString(AzuriteExtension.connectionString()).buildClient();
    }

    static BlobServiceClient blobs() {
        return new BlobServiceClientBuilder().connectionString(AzuriteExtension.connectionString()).buildClient();
    }

    /** Every row of a table partition, in RowKey order. */
    static List<TableEntity> rows(String table, String partitionKey) {
        List<TableEntity> rows = new ArrayList<>();
        tables().getTableClient(table).listEntities(new ListEntitiesOptions()
                .setFilter("PartitionKey eq '" + partitionKey.replace("'", "''") + "'"), null, null).forEach(rows::add);
        rows.sort((a, b) -> a.getRowKey().compareTo(b.getRowKey()));
        return rows;
    }

    /** Approximate number of messages in a queue (visible or not). */
    static int messageCount(String queue) {
        return (int) queues().getQueueClient(queue).getProperties().getApproximateMessagesCountLong();
    }

    /** Polls the service for a work item for up to {@code wait}; null if none came. */
    static OrchestrationWorkItem lockWithin(AzureStorageOrchestrationService service, Duration wait)
            throws InterruptedException {
        return lockFor(service, null, wait, null);
    }

    /**
     * Polls the service for a work item of {@code instanceId} (any instance when null) for up to {@code wait};
     * work items of other instances are handed to {@code others} (to abandon or discard them). Null if none came.
     */
    static OrchestrationWorkItem lockFor(AzureStorageOrchestrationService service, String instanceId, Duration wait,
                                         Consumer<OrchestrationWorkItem> others) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            OrchestrationWorkItem item = service.lockNextOrchestrationWorkItem(Duration.ofMillis(500));
            if (item == null) {
                continue;
            }
            if (instanceId == null || item.getInstanceId().equals(instanceId)) {
                return item;
            }
            others.accept(item);
        }
        return null;
    }
}
