package io.github.durablefunctions.azurestorage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The storage resource names of one task hub (storage-layout.md §1.2). Queue and container names use the
 * lower-cased hub name, table names the hub name as given.
 *
 * @param taskHubName    the hub name as configured, e.g. {@code MyHub}
 * @param partitionCount the number of control queues (1..16)
 */
record TaskHubNames(String taskHubName, int partitionCount) {

    private String lower() {
        return taskHubName.toLowerCase(Locale.ROOT);
    }

    /** {@code {H}History}. */
    String historyTable() {
        return taskHubName + "History";
    }

    /** {@code {H}Instances}. */
    String instancesTable() {
        return taskHubName + "Instances";
    }

    /** {@code {H}Partitions}. */
    String partitionsTable() {
        return taskHubName + "Partitions";
    }

    /** {@code {h}-control-NN}, index zero-padded to two digits. */
    String controlQueue(int index) {
        return String.format(Locale.ROOT, "%s-control-%02d", lower(), index);
    }

    /** All control queue names, by index. */
    List<String> controlQueues() {
        List<String> names = new ArrayList<>(partitionCount);
        for (int i = 0; i < partitionCount; i++) {
            names.add(controlQueue(i));
        }
        return names;
    }

    /** {@code {h}-workitems}. */
    String workItemQueue() {
        return lower() + "-workitems";
    }

    /** {@code {h}-applease}. */
    String appLeaseContainer() {
        return lower() + "-applease";
    }

    /** {@code {h}-appleaseinfo}, the blob in {@link #appLeaseContainer()}. */
    String appLeaseInfoBlob() {
        return lower() + "-appleaseinfo";
    }

    /** {@code {h}-largemessages}. */
    String largeMessagesContainer() {
        return lower() + "-largemessages";
    }

    /** The control queue of an instance ID: FNV-1a(id) mod partitionCount (storage-layout.md §2). */
    String controlQueueFor(String instanceId) {
        return controlQueue(Fnv1aHash.partitionIndex(instanceId, partitionCount));
    }
}
