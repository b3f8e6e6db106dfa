package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableServiceException;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.data.tables.models.TableTransactionFailedException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The history side of the legacy Azure Storage rewind (storage-layout.md §3.3 GenericEvent note, §4 write path 5,
 * §6.3 "Rewind"). For a Failed instance, the rows of its current execution are rewritten in place (same RowKeys, same
 * ExecutionId; rows turned into {@code GenericEvent} get {@code Reason} and {@code Data} set to the same
 * "Rewound: ..." marker, the other columns, such as {@code Details} and {@code FailureDetails}, are kept):
 * <ul>
 *   <li>each {@code TaskFailed} row → {@code EventType = "GenericEvent"}, {@code Data = "Rewound: TaskFailed"},
 *       {@code EventId = -1}; the {@code TaskScheduled} row it answers (EventId = its TaskScheduledId) →
 *       {@code GenericEvent}, {@code Data = "Rewound: TaskScheduled"}, EventId kept, so that replay schedules the
 *       activity again;</li>
 *   <li>each {@code SubOrchestrationInstanceFailed} row → {@code GenericEvent},
 *       {@code Data = "Rewound: SubOrchestrationInstanceFailed"}, {@code EventId = -1}; the
 *       {@code SubOrchestrationInstanceCreated} row it answers keeps its type and only gets
 *       {@code Reason = "Rewound: SubOrchestrationInstanceCreated"} (as DTFx does: the child keeps its instance ID and
 *       is itself rewound, recursively, so the parent must keep waiting for it rather than start it again);</li>
 *   <li>the failed {@code ExecutionCompleted} row → {@code GenericEvent}, {@code Data = "Rewound: ExecutionCompleted"},
 *       EventId kept.</li>
 * </ul>
 * The rows are written with the sentinel's ETag (an {@code UpdateMerge} of the sentinel with If-Match in every
 * transaction, as a checkpoint does, §3.2), at most 99 rows plus the sentinel per transaction, so a rewind never
 * interleaves with a worker's checkpoint of the same instance: whichever commits second gets a 412. Then the Instances
 * row is merged with {@code RuntimeStatus = Pending} and {@code LastUpdatedTime = now}.
 *
 * <p>Rows with offloaded properties (storage-layout.md §7.2) need nothing special: the rewind reads only
 * {@code EventType}, {@code EventId}, {@code TaskScheduledId}, {@code InstanceId}, {@code OrchestrationStatus},
 * {@code Data} and {@code Reason}, which are small or (for a {@code Reason} left as {@code ""} by an offload) not
 * needed, and it merges its markers into plain columns. A {@code ReasonBlobName} left next to a rewritten
 * {@code Reason} is ignored by readers, which follow a {@code <Prop>BlobName} only while {@code <Prop>} is empty.
 */
final class HistoryRewinder {
    private static final Logger log = LoggerFactory.getLogger(HistoryRewinder.class);
    /** The prefix of the {@code Data} (or {@code Reason}) of a rewound row. */
    static final String REWOUND_PREFIX = "Rewound: ";
    private static final String GENERIC_EVENT = "GenericEvent";
    private static final int MAX_ROWS_PER_BATCH = TrackingStore.MAX_EVENTS_PER_BATCH;
    private static final int MAX_ATTEMPTS = 3;

    /**
     * An instance that was rewound.
     *
     * @param instanceId  its ID
     * @param executionId its current execution
     * @param leaf        true if none of its failed sub-orchestrations was rewound with it: it is the one to wake
     *                    with a message (a parent wakes up when its rewound child completes)
     */
    record Rewound(String instanceId, String executionId, boolean leaf) {
    }

    private final TrackingStore tracking;

    HistoryRewinder(TrackingStore tracking) {
        this.tracking = tracking;
    }

    /**
     * Rewinds a Failed instance and, recursively, its Failed sub-orchestrations.
     *
     * @return every rewound instance, children before their parent; empty if the instance is not Failed
     * @throws IllegalStateException if the history kept changing under the sentinel ETag (three 412s in a row)
     */
    List<Rewound> rewind(String instanceId) {
        List<Rewound> rewound = new ArrayList<>();
        rewind(instanceId, new HashSet<>(), rewound);
        return rewound;
    }

    private boolean rewind(String instanceId, Set<String> visited, List<Rewound> rewound) {
        if (!visited.add(instanceId)) {
            return false;
        }
        TableEntity instanceRow = tracking.readInstanceRow(instanceId);
        if (instanceRow == null || !OrchestrationRuntimeStatus.FAILED.statusName()
                .equals(TrackingStore.stringOf(instanceRow.getProperty("RuntimeStatus")))) {
            log.info("Instance '{}': not rewound, it is not Failed ({})", instanceId,
                    instanceRow == null ? "no Instances row" : instanceRow.getProperty("RuntimeStatus"));
            return false;
        }
        Plan plan = null;
        for (int attempt = 1; plan == null; attempt++) {
            Plan candidate = plan(instanceId);
            try {
                write(instanceId, candidate);
                plan = candidate;
            } catch (ConcurrentChangeException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new IllegalStateException("Instance '" + instanceId + "' could not be rewound: its history "
                            + "kept changing (" + attempt + " attempts)", e);
                }
                log.info("Instance '{}': history changed while rewinding (attempt {}); reading it again", instanceId,
                        attempt);
            }
        }
        boolean childRewound = false;
        for (String child : plan.failedChildren()) {
            childRewound |= rewind(child, visited, rewound);
        }
        markPending(instanceId);
        rewound.add(new Rewound(instanceId, plan.executionId(), !childRewound));
        log.info("Instance '{}': rewound execution {} ({} history rows rewritten{})", instanceId, plan.executionId(),
                plan.changes().size(), plan.failedChildren().isEmpty() ? ""
                        : "; failed sub-orchestrations " + plan.failedChildren());
        return true;
    }

    /**
     * What to rewrite in the current execution's rows.
     *
     * @param changes        the merged columns per RowKey
     * @param failedChildren instance IDs of the failed sub-orchestrations
     * @param sentinelEtag   the sentinel's ETag, or null if there is no sentinel
     */
    private record Plan(String executionId, Map<String, Map<String, Object>> changes, List<String> failedChildren,
                        String sentinelEtag) {
    }

    private Plan plan(String instanceId) {
        String partitionKey = KeySanitation.escapePartitionKey(instanceId);
        List<TableEntity> rows = new ArrayList<>();
        TableEntity sentinel = null;
        for (TableEntity row : tracking.historyTable().listEntities(new ListEntitiesOptions()
                .setFilter("PartitionKey eq " + TrackingStore.odataString(partitionKey)), null, null)) {
            if (HistoryEntityCodec.SENTINEL_ROW_KEY.equals(row.getRowKey())) {
                sentinel = row;
            } else {
                rows.add(row);
            }
        }
        rows.sort((a, b) -> a.getRowKey().compareTo(b.getRowKey()));
        String executionId = sentinel != null ? TrackingStore.stringOf(sentinel.getProperty("ExecutionId"))
                : rows.isEmpty() ? null : TrackingStore.stringOf(rows.get(0).getProperty("ExecutionId"));
        List<TableEntity> current = new ArrayList<>();
        for (TableEntity row : rows) {
            if (executionId != null && !executionId.equals(TrackingStore.stringOf(row.getProperty("ExecutionId")))) {
                break; // rows of an older, longer execution (§3.4)
            }
            current.add(row);
        }

        Map<String, Map<String, Object>> changes = new LinkedHashMap<>();
        Set<Integer> failedTasks = new HashSet<>();
        Set<Integer> failedSubOrchestrations = new HashSet<>();
        for (TableEntity row : current) {
            String type = originalType(row);
            Integer scheduledId = intOf(row.getProperty("TaskScheduledId"));
            if ("TaskFailed".equals(type)) {
                if (scheduledId != null) {
                    failedTasks.add(scheduledId);
                }
                rewriteAsGeneric(row, type, true, changes);
            } else if ("SubOrchestrationInstanceFailed".equals(type)) {
                if (scheduledId != null) {
                    failedSubOrchestrations.add(scheduledId);
                }
                rewriteAsGeneric(row, type, true, changes);
            } else if ("ExecutionCompleted".equals(type) && OrchestrationRuntimeStatus.FAILED.statusName()
                    .equals(TrackingStore.stringOf(row.getProperty("OrchestrationStatus")))) {
                rewriteAsGeneric(row, type, false, changes);
            }
        }
        List<String> failedChildren = new ArrayList<>();
        for (TableEntity row : current) {
            String type = originalType(row);
            Integer eventId = intOf(row.getProperty("EventId"));
            if ("TaskScheduled".equals(type) && failedTasks.contains(eventId)) {
                rewriteAsGeneric(row, type, false, changes);
            } else if ("SubOrchestrationInstanceCreated".equals(type) && failedSubOrchestrations.contains(eventId)) {
                String marker = REWOUND_PREFIX + type;
                if (!marker.equals(row.getProperty("Reason"))) {
                    changes.put(row.getRowKey(), Map.of("Reason", marker));
                }
                String child = TrackingStore.stringOf(row.getProperty("InstanceId"));
                if (child != null && !child.isEmpty()) {
                    failedChildren.add(child);
                }
            }
        }
        return new Plan(executionId, changes, failedChildren, sentinel == null ? null : sentinel.getETag());
    }

    /**
     * The event type a row had before any rewind: its {@code EventType}, or for a row already rewound (a retry after
     * a partial rewind) the type named by its {@code Data}.
     */
    private static String originalType(TableEntity row) {
        String type = TrackingStore.stringOf(row.getProperty("EventType"));
        String data = TrackingStore.stringOf(row.getProperty("Data"));
        if (data == null) {
            data = TrackingStore.stringOf(row.getProperty("Reason"));
        }
        if (GENERIC_EVENT.equals(type) && data != null && data.startsWith(REWOUND_PREFIX)) {
            return data.substring(REWOUND_PREFIX.length());
        }
        return type;
    }

    private static void rewriteAsGeneric(TableEntity row, String originalType, boolean clearEventId,
                                         Map<String, Map<String, Object>> changes) {
        if (GENERIC_EVENT.equals(row.getProperty("EventType"))) {
            return; // already rewound
        }
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("EventType", GENERIC_EVENT);
        // DTFx marks a rewound row by its Reason; the Data column carries the same marker so the row also reads as
        // a GenericEvent whose data says what it was.
        columns.put("Reason", REWOUND_PREFIX + originalType);
        columns.put("Data", REWOUND_PREFIX + originalType);
        if (clearEventId) {
            columns.put("EventId", -1);
        }
        changes.put(row.getRowKey(), columns);
    }

    /** Writes the plan's row changes under the sentinel ETag, 99 rows plus the sentinel per transaction. */
    private void write(String instanceId, Plan plan) {
        TableClient history = tracking.historyTable();
        String partitionKey = KeySanitation.escapePartitionKey(instanceId);
        List<Map.Entry<String, Map<String, Object>>> changes = new ArrayList<>(plan.changes().entrySet());
        String etag = plan.sentinelEtag();
        // At least one transaction, so that the sentinel's ETag moves on even when no row needs rewriting.
        for (int start = 0; start == 0 || start < changes.size(); start += MAX_ROWS_PER_BATCH) {
            List<TableTransactionAction> actions = new ArrayList<>();
            for (Map.Entry<String, Map<String, Object>> change
                    : changes.subList(start, Math.min(changes.size(), start + MAX_ROWS_PER_BATCH))) {
                TableEntity row = new TableEntity(partitionKey, change.getKey());
                change.getValue().forEach(row::addProperty);
                actions.add(new TableTransactionAction(TableTransactionActionType.UPDATE_MERGE, row, false));
            }
            if (etag != null) {
                TableEntity sentinel = new TableEntity(partitionKey, HistoryEntityCodec.SENTINEL_ROW_KEY);
                sentinel.addProperty("ExecutionId", plan.executionId());
                sentinel.addProperty("odata.etag", etag);
                actions.add(new TableTransactionAction(TableTransactionActionType.UPDATE_MERGE, sentinel, true));
            }
            if (actions.isEmpty()) {
                return; // no sentinel and nothing to rewrite
            }
            try {
                history.submitTransaction(actions);
            } catch (TableTransactionFailedException e) {
                int status = TrackingStore.transactionStatus(e);
                if (status == 412 || status == 404) {
                    throw new ConcurrentChangeException(e);
                }
                throw e;
            }
            if (etag != null && start + MAX_ROWS_PER_BATCH < changes.size()) {
                etag = history.getEntity(partitionKey, HistoryEntityCodec.SENTINEL_ROW_KEY).getETag();
            }
        }
    }

    /** §4 write path 5: merge {@code RuntimeStatus = Pending}, {@code LastUpdatedTime = now}. */
    private void markPending(String instanceId) {
        TableEntity row = new TableEntity(KeySanitation.escapePartitionKey(instanceId), "");
        row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.PENDING.statusName());
        row.addProperty("LastUpdatedTime", HistoryEntityCodec.dateTime(Instant.now()));
        try {
            tracking.instancesTable().updateEntityWithResponse(row, TableEntityUpdateMode.MERGE, false, null, null);
        } catch (TableServiceException e) {
            if (e.getResponse() == null || e.getResponse().getStatusCode() != 404) {
                throw e;
            }
            log.warn("Instance '{}': its Instances row disappeared while rewinding (purged?)", instanceId);
        }
    }

    private static Integer intOf(Object value) {
        if (value instanceof Number n) {
            return n.intValue();
        }
        return value == null ? null : Integer.valueOf(value.toString());
    }

    /** The sentinel's ETag no longer matched (a worker committed meanwhile), or a row vanished. */
    private static final class ConcurrentChangeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ConcurrentChangeException(Throwable cause) {
            super(cause);
        }
    }
}
