package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableItem;
import com.azure.storage.blob.models.BlobContainerItem;
import com.azure.storage.queue.models.QueueStorageException;
import io.github.durablefunctions.azurestorage.azurite.Azurite;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Task hub resources with the exact names and creation contents of storage-layout.md §1.2 and §5.1. */
@ExtendWith(AzuriteExtension.class)
class TaskHubCreationTest {

    @Test
    void azuriteListensOnTheThreePortsOfItsConnectionString() {
        Azurite azurite = AzuriteExtension.instance();
        assertThat(Azurite.isListening("127.0.0.1", azurite.blobPort())).isTrue();
        assertThat(Azurite.isListening("127.0.0.1", azurite.queuePort())).isTrue();
        assertThat(Azurite.isListening("127.0.0.1", azurite.tablePort())).isTrue();
        assertThat(azurite.connectionString()).isEqualTo("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
                + "AccountKey=" + Azurite.ACCOUNT_KEY
                + ";BlobEndpoint=http://127.0.0.1:" + azurite.blobPort() + "/devstoreaccount1"
                + ";QueueEndpoint=http://127.0.0.1:" + azurite.queuePort() + "/devstoreaccount1"
                + ";TableEndpoint=http://127.0.0.1:" + azurite.tablePort() + "/devstoreaccount1;");
    }

    @Test
    void createsEveryResourceWithItsExactName() {
        try (AzureStorageOrchestrationService service = new AzureStorageOrchestrationService(
                StorageTestSupport.settings("CreationHub").partitionCount(3).build())) {
            service.createTaskHubIfNotExists();
            service.createTaskHubIfNotExists(); // idempotent
            assertThat(service.getStorageEndpoint()).isEqualTo("http://127.0.0.1:"
                    + AzuriteExtension.instance().queuePort() + "/devstoreaccount1");
        }

        // (Azurite 3.37 answers List Queues from this SDK with 400, so each queue is checked by name.)
        for (String queue : List.of("creationhub-control-00", "creationhub-control-01", "creationhub-control-02",
                "creationhub-workitems")) {
            assertThat(queueExists(queue)).as(queue).isTrue();
        }
        assertThat(queueExists("creationhub-control-03")).isFalse();

        List<String> tables = StorageTestSupport.tables().listTables().stream().map(TableItem::getName)
                .filter(n -> n.startsWith("CreationHub")).sorted().toList();
        assertThat(tables).containsExactly("CreationHubHistory", "CreationHubInstances", "CreationHubPartitions");

        List<String> containers = StorageTestSupport.blobs().listBlobContainers().stream()
                .map(BlobContainerItem::getName).filter(n -> n.startsWith("creationhub")).toList();
        assertThat(containers).containsExactly("creationhub-applease"); // no -leases with the table manager
        assertThat(StorageTestSupport.blobs().getBlobContainerClient("creationhub-applease")
                .getBlobClient("creationhub-appleaseinfo").downloadContent().toString()).isEqualTo("{}");

        List<TableEntity> partitions = StorageTestSupport.rows("CreationHubPartitions", "");
        assertThat(partitions).extracting(TableEntity::getRowKey)
                .containsExactly("creationhub-control-00", "creationhub-control-01", "creationhub-control-02");
        assertThat(partitions).allSatisfy(row -> {
            assertThat(row.getProperty("IsDraining")).isEqualTo(false);
            assertThat(row.getProperty("CurrentOwner")).isNull();
            assertThat(row.getProperty("NextOwner")).isNull();
        });
    }

    private static boolean queueExists(String name) {
        try {
            StorageTestSupport.queues().getQueueClient(name).getProperties();
            return true;
        } catch (QueueStorageException e) {
            if (e.getStatusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
