package io.github.durablefunctions.azurestorage;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many storage transactions (HTTP requests to the storage account, retries included; a table batch counts once,
 * as Azure bills it) a {@link AzureStorageOrchestrationService} has made since it was created, per service and per
 * kind of operation. These are what a task hub costs: an idle worker's count per minute is its standing cost.
 *
 * @param queues requests to the queue service (control queues, work-item queue, poison queues)
 * @param tables requests to the table service (History, Instances, Partitions)
 * @param blobs  requests to the blob service (large messages, app lease)
 * @param byKind requests per kind, keyed {@code <service>.<operation>} such as {@code queue.put},
 *               {@code queue.get}, {@code queue.delete}, {@code table.batch}, {@code table.read},
 *               {@code table.query}, {@code table.upsert} (the names are listed in StorageOperationKind); sorted by
 *               name, kinds never used are absent
 */
public record StorageTransactionCount(long queues, long tables, long blobs, Map<String, Long> byKind) {

    public StorageTransactionCount {
        byKind = byKind == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(byKind));
    }

    /** A count without kinds. */
    public StorageTransactionCount(long queues, long tables, long blobs) {
        this(queues, tables, blobs, Map.of());
    }

    /** All requests. */
    public long total() {
        return queues + tables + blobs;
    }

    /** The requests of one kind (e.g. {@code queue.put}); 0 if none. */
    public long ofKind(String kind) {
        return byKind.getOrDefault(kind, 0L);
    }

    /** This count and {@code other} together (e.g. two services'), per service and per kind. */
    public StorageTransactionCount plus(StorageTransactionCount other) {
        Map<String, Long> kinds = new TreeMap<>(byKind);
        other.byKind.forEach((kind, count) -> kinds.merge(kind, count, Long::sum));
        return new StorageTransactionCount(queues + other.queues, tables + other.tables, blobs + other.blobs, kinds);
    }

    /** The requests made between {@code earlier} and this count, per service and per kind. */
    public StorageTransactionCount minus(StorageTransactionCount earlier) {
        Map<String, Long> kinds = new TreeMap<>();
        byKind.forEach((kind, count) -> {
            long delta = count - earlier.ofKind(kind);
            if (delta != 0) {
                kinds.put(kind, delta);
            }
        });
        return new StorageTransactionCount(queues - earlier.queues, tables - earlier.tables, blobs - earlier.blobs,
                kinds);
    }

    @Override
    public String toString() {
        return total() + " (queues " + queues + ", tables " + tables + ", blobs " + blobs + ")"
                + (byKind.isEmpty() ? "" : " " + byKind);
    }
}
