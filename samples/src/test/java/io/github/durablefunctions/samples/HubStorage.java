package io.github.durablefunctions.samples;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Direct reads of one task hub's storage, in the layout of storage-layout.md (History §3, Instances §4, Partitions
 * §5.1, queues §6): what fault tests look at to judge the outcome independently of the host's HTTP API.
 */
final class HubStorage {
    private final String connectionString;
    private final String hub;

    HubStorage(String connectionString, String hub) {
        this.connectionString = connectionString;
        this.hub = hub;
    }

    TableClient table(String suffix) {
        return new TableClientBuilder().connectionString(connectionString).tableName(hub + suffix).buildClient();
    }

    /** A queue of the hub, e.g. {@code control-00} or {@code workitems}; bodies as plain text (§6.1). */
    QueueClient queue(String suffix) {
        return new QueueClientBuilder().connectionString(connectionString)
                .queueName(hub.toLowerCase(Locale.ROOT) + "-" + suffix)
                .messageEncoding(QueueMessageEncoding.NONE).buildClient();
    }

    /** The control queue of an instance: FNV-1a of the ID mod the partition count (storage-layout.md §2). */
    QueueClient controlQueueOf(String instanceId, int partitionCount) {
        int hash = 0x811C9DC5;
        for (byte b : instanceId.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x01000193;
        }
        long index = Integer.toUnsignedLong(hash) % partitionCount;
        return queue(String.format("control-%02d", index));
    }

    /** The history rows of an instance's partition (sentinel excluded), in RowKey order. */
    List<TableEntity> history(String instanceId) {
        List<TableEntity> rows = new ArrayList<>(table("History").listEntities(new ListEntitiesOptions()
                .setFilter("PartitionKey eq '" + instanceId.replace("'", "''") + "' and RowKey ne 'sentinel'"),
                null, null).stream().toList());
        rows.sort((a, b) -> a.getRowKey().compareTo(b.getRowKey()));
        return rows;
    }

    /** The Instances row of an instance, or null. */
    TableEntity instance(String instanceId) {
        return table("Instances").listEntities(new ListEntitiesOptions()
                .setFilter("PartitionKey eq '" + instanceId.replace("'", "''") + "'"), null, null)
                .stream().findFirst().orElse(null);
    }

    /** RuntimeStatus of every Instances row. */
    Map<String, String> statuses() {
        return table("Instances").listEntities(new ListEntitiesOptions()
                        .setSelect(List.of("PartitionKey", "RuntimeStatus")), null, null).stream()
                .collect(Collectors.toMap(TableEntity::getPartitionKey,
                        e -> String.valueOf(e.getProperty("RuntimeStatus"))));
    }

    /** The Partitions rows (§5.1), by control queue name. */
    Map<String, TableEntity> partitions() {
        Map<String, TableEntity> rows = new TreeMap<>();
        table("Partitions").listEntities().forEach(e -> rows.put(e.getRowKey(), e));
        return rows;
    }

    /** How many partitions each worker owns now (CurrentOwner of every row; null for unowned rows). */
    Map<String, Long> ownerCounts() {
        return partitions().values().stream().collect(Collectors.groupingBy(
                e -> String.valueOf(e.getProperty("CurrentOwner")), TreeMap::new, Collectors.counting()));
    }

    /** The number of messages in a queue (visible or not), from its approximate count. */
    int approximateMessageCount(QueueClient queue) {
        return queue.getProperties().getApproximateMessagesCount();
    }

    /**
     * Asserts that an instance's history is one valid execution: row keys 0..n-1 without gaps, one ExecutionStarted
     * first, exactly one ExecutionCompleted with the given status, each TaskScheduled ID once, each TaskCompleted once
     * and only for a scheduled ID, after it.
     *
     * @return the TaskCompleted results by TaskScheduledId
     */
    Map<Integer, String> assertValidCompletedHistory(String instanceId, int expectedTasks) {
        List<TableEntity> rows = history(instanceId);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i).getRowKey()).as("row keys of %s", instanceId)
                    .isEqualTo(String.format("%016X", i));
        }
        assertThat(rows).filteredOn(e -> "ExecutionStarted".equals(e.getProperty("EventType")))
                .as("ExecutionStarted of %s", instanceId).hasSize(1);
        assertThat(rows).filteredOn(e -> "ExecutionCompleted".equals(e.getProperty("EventType")))
                .as("ExecutionCompleted of %s", instanceId).hasSize(1)
                .allSatisfy(e -> assertThat(e.getProperty("OrchestrationStatus")).isEqualTo("Completed"));
        String executionId = String.valueOf(rows.get(0).getProperty("ExecutionId"));
        assertThat(rows).as("one execution in %s", instanceId)
                .allSatisfy(e -> assertThat(Objects.toString(e.getProperty("ExecutionId"))).isEqualTo(executionId));
        Map<Integer, Integer> scheduledAt = new TreeMap<>();
        Map<Integer, String> results = new TreeMap<>();
        for (int i = 0; i < rows.size(); i++) {
            TableEntity e = rows.get(i);
            if ("TaskScheduled".equals(e.getProperty("EventType"))) {
                int id = (Integer) e.getProperty("EventId");
                assertThat(scheduledAt.put(id, i)).as("TaskScheduled #%d of %s recorded twice", id, instanceId).isNull();
            } else if ("TaskCompleted".equals(e.getProperty("EventType"))) {
                int id = (Integer) e.getProperty("TaskScheduledId");
                assertThat(scheduledAt).as("TaskCompleted #%d of %s follows its TaskScheduled", id, instanceId)
                        .containsKey(id);
                assertThat(results.put(id, String.valueOf(e.getProperty("Result"))))
                        .as("TaskCompleted #%d of %s recorded twice", id, instanceId).isNull();
            }
        }
        assertThat(scheduledAt).as("tasks scheduled by %s", instanceId).hasSize(expectedTasks);
        assertThat(results.keySet()).as("task results of %s", instanceId).isEqualTo(scheduledAt.keySet());
        return results;
    }
}
