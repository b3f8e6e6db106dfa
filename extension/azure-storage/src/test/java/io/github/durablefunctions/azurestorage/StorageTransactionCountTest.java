package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.core.util.BinaryData;
import io.github.durablefunctions.azurestorage.testing.AzuriteExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request of the storage clients is counted once per service and once under its kind
 * ({@link StorageOperationKind}), against a real Azurite.
 */
@ExtendWith(AzuriteExtension.class)
class StorageTransactionCountTest {

    @Test
    void eachOperationIsCountedUnderItsKind() {
        StorageClients clients = new StorageClients(AzuriteExtension.connectionString());
        QueueClient queue = clients.queues().getQueueClient("count-kinds");
        queue.createIfNotExists();
        TableClient table = clients.tables().getTableClient("CountKinds");
        table.createTable();
        BlobContainerClient container = clients.blobs().getBlobContainerClient("count-kinds");
        container.createIfNotExists();
        StorageTransactionCount before = clients.transactions();

        queue.sendMessage("one");
        queue.sendMessage("two");
        QueueMessageItem received = queue.receiveMessage();
        queue.updateMessage(received.getMessageId(), received.getPopReceipt(), null, Duration.ZERO);
        queue.peekMessage();
        List<QueueMessageItem> both = queue.receiveMessages(2).stream().toList();
        for (QueueMessageItem m : both) {
            queue.deleteMessage(m.getMessageId(), m.getPopReceipt());
        }
        table.submitTransaction(List.of(
                new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE, new TableEntity("p", "1")),
                new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE, new TableEntity("p", "2"))));
        table.getEntity("p", "1");
        table.listEntities(new ListEntitiesOptions().setFilter("PartitionKey eq 'p'"), null, null).stream().count();
        table.upsertEntity(new TableEntity("p", "3"));
        table.createEntity(new TableEntity("p", "4"));
        table.deleteEntity("p", "4");
        container.getBlobClient("b").upload(BinaryData.fromString("blob"), true);
        container.getBlobClient("b").downloadContent();
        container.getBlobClient("b").delete();

        StorageTransactionCount used = clients.transactions().minus(before);
        assertThat(used.byKind()).containsEntry("queue.put", 2L).containsEntry("queue.get", 2L)
                .containsEntry("queue.update", 1L).containsEntry("queue.peek", 1L).containsEntry("queue.delete", 2L)
                .containsEntry("table.batch", 1L).containsEntry("table.read", 1L).containsEntry("table.query", 1L)
                .containsEntry("table.upsert", 1L).containsEntry("table.insert", 1L).containsEntry("table.delete", 1L)
                .containsEntry("blob.put", 1L).containsEntry("blob.get", 1L).containsEntry("blob.delete", 1L)
                .doesNotContainKey("queue.admin").doesNotContainKey("table.admin");
        assertThat(used.queues()).isEqualTo(8);
        assertThat(used.tables()).isEqualTo(6);
        assertThat(used.blobs()).isEqualTo(3);
        assertThat(used.byKind().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(used.total());
    }
}
