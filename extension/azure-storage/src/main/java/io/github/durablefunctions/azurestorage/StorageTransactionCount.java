package io.github.durablefunctions.azurestorage;

/**
 * How many storage transactions (HTTP requests to the storage account, retries included; a table batch counts once,
 * as Azure bills it) a {@link AzureStorageOrchestrationService} has made since it was created, per service. These are
 * what a task hub costs: an idle worker's count per minute is its standing cost (issue #5 "Idle cost").
 *
 * @param queues requests to the queue service (control queues, work-item queue, poison queues)
 * @param tables requests to the table service (History, Instances, Partitions)
 * @param blobs  requests to the blob service (large messages, app lease)
 */
public record StorageTransactionCount(long queues, long tables, long blobs) {

    /** All requests. */
    public long total() {
        return queues + tables + blobs;
    }

    /** The requests made between {@code earlier} and this count, per service. */
    public StorageTransactionCount minus(StorageTransactionCount earlier) {
        return new StorageTransactionCount(queues - earlier.queues, tables - earlier.tables, blobs - earlier.blobs);
    }

    @Override
    public String toString() {
        return total() + " (queues " + queues + ", tables " + tables + ", blobs " + blobs + ")";
    }
}
