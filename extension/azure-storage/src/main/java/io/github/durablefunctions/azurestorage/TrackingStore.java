package io.github.durablefunctions.azurestorage;

import com.azure.core.util.Context;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableErrorCode;
import com.azure.data.tables.models.TableServiceError;
import com.azure.data.tables.models.TableServiceException;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.data.tables.models.TableTransactionFailedException;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.SessionAbortedException;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The History and Instances tables of a task hub (storage-layout.md §3, §4): reading and committing history under
 * the sentinel row's ETag, and the Instances row's create, checkpoint and read paths.
 *
 * <p>Large table properties (storage-layout.md §7.2, see {@link LargePayloadStore}): a history row's {@code Name,
 * Input, Result, Output, Reason, Details, Correlation, FailureDetails} or {@code Tags} over 60 KiB of UTF-16 is
 * gzipped to {@code {h}-largemessages} as {@code {PartitionKey}/history-{RowKey}-{EventType}-{R:X8}-{Property}.json.gz},
 * the column is set to {@code ""} and {@code <Property>BlobName} names the blob. An Instances row's large
 * {@code Input} or {@code Output} holds the absolute URL of a blob instead: the blob its history row was offloaded
 * to, the ExecutionStarted message blob at client create, or a blob of its own; its large {@code Tags} go to
 * {@code TagsBlobName} as in history rows. Every read resolves both forms; payloads are downloaded only when they
 * are asked for.
 */
final class TrackingStore {
    private static final Logger log = LoggerFactory.getLogger(TrackingStore.class);

    /** Most event rows per table transaction; the sentinel makes 100 (§3.5). */
    static final int MAX_EVENTS_PER_BATCH = 99;
    /** A batch is cut when its estimated size passes this (§3.5). */
    static final long MAX_BATCH_BYTES = 3L * 1024 * 1024;
    private final TaskHubNames names;
    private final TableServiceClient tableService;
    private final TableClient history;
    private final TableClient instances;
    private final LargePayloadStore payloads;
    private final LongAdder historyReads = new LongAdder();

    TrackingStore(TaskHubNames names, TableServiceClient tableService, LargePayloadStore payloads) {
        this.names = names;
        this.tableService = tableService;
        this.history = tableService.getTableClient(names.historyTable());
        this.instances = tableService.getTableClient(names.instancesTable());
        this.payloads = payloads;
    }

    /** How many times {@link #readHistory} queried an instance's history (for diagnostics and tests). */
    long historyReads() {
        return historyReads.sum();
    }

    /** Creates the History and Instances tables if they do not exist. */
    void createTables() {
        tableService.createTableIfNotExists(names.historyTable());
        tableService.createTableIfNotExists(names.instancesTable());
    }

    TableClient historyTable() {
        return history;
    }

    TableClient instancesTable() {
        return instances;
    }

    // ------------------------------------------------------------------------------------------------- history

    /**
     * The history of an instance's current execution (§3.4).
     *
     * @param events           the execution's events in order; empty if none, or if {@code expectedExecutionId}
     *                         differs from the stored execution
     * @param executionId      the stored execution ID (the sentinel's, else the first row's), or null if no rows
     * @param etag             the sentinel's ETag for the next checkpoint, or null if there is no sentinel
     * @param lastCheckpoint   the sentinel's {@code CheckpointCompletedTimestamp}, or null
     */
    record HistoryLoad(List<HistoryEvent> events, String executionId, String etag, Instant lastCheckpoint) {
    }

    /**
     * Reads an instance's history: all rows of its partition in RowKey order; the valid execution is the sentinel's
     * ({@code ExecutionId}), reading stops at the first row of another execution (rows left over from older, longer
     * executions).
     *
     * @param expectedExecutionId if not null and different from the stored execution, the events are returned empty
     *                            (the caller is starting a new execution over the old rows)
     */
    HistoryLoad readHistory(String instanceId, String expectedExecutionId) {
        historyReads.increment();
        String partitionKey = KeySanitation.escapePartitionKey(instanceId);
        if (expectedExecutionId != null) {
            // Starting an execution: usually there is no history yet, or only an older execution's. The sentinel,
            // written in every history transaction from the first one on (§3.5), tells with one point read; only a
            // history of this very execution (a start delivered again) needs the partition query below. (Histories
            // without a sentinel, which DTFx 2.x and this backend never write, would be taken as empty here.)
            TableEntity sentinel = pointRead(history, partitionKey, HistoryEntityCodec.SENTINEL_ROW_KEY);
            if (sentinel == null) {
                return new HistoryLoad(List.of(), null, null, null);
            }
            String storedExecution = stringOf(sentinel.getProperty("ExecutionId"));
            if (storedExecution != null && !expectedExecutionId.equals(storedExecution)) {
                return new HistoryLoad(List.of(), storedExecution, sentinel.getETag(),
                        instantOf(sentinel.getProperty("CheckpointCompletedTimestamp")));
            }
        }
        List<TableEntity> rows = new ArrayList<>();
        TableEntity sentinel = null;
        try {
            for (TableEntity row : history.listEntities(new ListEntitiesOptions()
                    .setFilter("PartitionKey eq " + odataString(partitionKey)), null, null)) {
                if (HistoryEntityCodec.SENTINEL_ROW_KEY.equals(row.getRowKey())) {
                    sentinel = row;
                } else {
                    rows.add(row);
                }
            }
        } catch (TableServiceException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return new HistoryLoad(List.of(), null, null, null); // the table does not exist (yet)
            }
            throw e;
        }
        rows.sort((a, b) -> a.getRowKey().compareTo(b.getRowKey()));
        String executionId = sentinel != null ? stringOf(sentinel.getProperty("ExecutionId"))
                : rows.isEmpty() ? null : stringOf(rows.get(0).getProperty("ExecutionId"));
        String etag = sentinel == null ? null : sentinel.getETag();
        Instant lastCheckpoint = sentinel == null ? null : instantOf(sentinel.getProperty(
                "CheckpointCompletedTimestamp"));
        if (expectedExecutionId != null && executionId != null && !expectedExecutionId.equals(executionId)) {
            return new HistoryLoad(List.of(), executionId, etag, lastCheckpoint);
        }
        List<HistoryEvent> events = new ArrayList<>(rows.size());
        for (TableEntity row : rows) {
            if (executionId != null && !executionId.equals(stringOf(row.getProperty("ExecutionId")))) {
                break;
            }
            events.add(HistoryEntityCodec.fromProperties(resolveLargeProperties(row),
                    instanceId + "/" + row.getRowKey()));
        }
        return new HistoryLoad(events, executionId, etag, lastCheckpoint);
    }

    /** {@link #commitHistory(String, String, List, long, String, Map)} without reporting offloaded properties. */
    String commitHistory(String instanceId, String executionId, List<HistoryEvent> events, long firstPosition,
                         String etag) {
        return commitHistory(instanceId, executionId, events, firstPosition, etag, null);
    }

    /**
     * Writes history rows and the sentinel in table transactions of at most 99 events plus the sentinel (§3.2,
     * §3.5): events as upsert-replace; the sentinel as Add when {@code etag} is null, else as merge with If-Match.
     * Intermediate batches write {@code IsCheckpointComplete=false}, the last {@code true} with
     * {@code CheckpointCompletedTimestamp}. Large properties are offloaded to blobs first (§7.2), so the batches are
     * cut by the size of what is actually written.
     *
     * @param firstPosition the history position (RowKey) of {@code events.get(0)}
     * @param offloaded     if not null, receives the blob name of each offloaded property (by property name) of
     *                      each event that had one, keyed by the event instance (for {@link #updateInstanceState})
     * @return the sentinel's new ETag for the next checkpoint (read from the transaction's response, see
     *         {@link StorageClients.BatchEtags}), or null if the response did not report it; the caller then has no
     *         ETag to go on and must read the history again before the next checkpoint
     * @throws SessionAbortedException on 409 (sentinel exists although we had no ETag), 412 (ETag mismatch) or 404
     *                                 (the sentinel we had an ETag of is gone: the instance was purged): another
     *                                 worker or client changed the history; nothing of that batch was written
     */
    String commitHistory(String instanceId, String executionId, List<HistoryEvent> events, long firstPosition,
                         String etag, Map<HistoryEvent, Map<String, String>> offloaded) {
        String partitionKey = KeySanitation.escapePartitionKey(instanceId);
        List<TableEntity> rows = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            TableEntity row = HistoryEntityCodec.toEntity(instanceId, firstPosition + i, executionId, events.get(i));
            Map<String, String> blobs = payloads.offloadLargeProperties(row);
            if (!blobs.isEmpty() && offloaded != null) {
                offloaded.put(events.get(i), blobs);
            }
            rows.add(row);
        }
        String currentEtag = etag;
        int start = 0;
        do {
            int end = start;
            long bytes = 0;
            while (end < rows.size() && end - start < MAX_EVENTS_PER_BATCH) {
                long rowBytes = estimateSize(rows.get(end));
                if (end > start && bytes + rowBytes > MAX_BATCH_BYTES) {
                    break;
                }
                bytes += rowBytes;
                end++;
            }
            boolean last = end >= rows.size();
            List<TableTransactionAction> actions = new ArrayList<>(end - start + 1);
            for (int i = start; i < end; i++) {
                actions.add(new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE, rows.get(i)));
            }
            TableEntity sentinel = new TableEntity(partitionKey, HistoryEntityCodec.SENTINEL_ROW_KEY);
            sentinel.addProperty("ExecutionId", executionId);
            sentinel.addProperty("IsCheckpointComplete", last);
            if (last) {
                sentinel.addProperty("CheckpointCompletedTimestamp", HistoryEntityCodec.dateTime(Instant.now()));
            }
            if (currentEtag == null) {
                actions.add(new TableTransactionAction(TableTransactionActionType.CREATE, sentinel));
            } else {
                sentinel.addProperty("odata.etag", currentEtag);
                actions.add(new TableTransactionAction(TableTransactionActionType.UPDATE_MERGE, sentinel, true));
            }
            currentEtag = submit(instanceId, partitionKey, actions, currentEtag == null, !last);
            start = end;
        } while (start < rows.size());
        return currentEtag;
    }

    private String submit(String instanceId, String partitionKey, List<TableTransactionAction> actions,
                          boolean insertSentinel, boolean etagNeeded) {
        StorageClients.BatchEtags etags = new StorageClients.BatchEtags();
        try {
            history.submitTransactionWithResponse(actions, null, new Context(StorageClients.BATCH_ETAGS_KEY, etags));
        } catch (TableTransactionFailedException e) {
            int status = transactionStatus(e);
            if (status == 409 || status == 412 || status == 404) {
                throw new SessionAbortedException("History of instance '" + instanceId + "' was changed by another "
                        + "worker: " + (insertSentinel ? "the sentinel already exists (409)"
                        : status == 404 ? "the sentinel is gone (404: purged)"
                        : "the sentinel ETag no longer matches (412)") + "; this checkpoint was not written", e);
            }
            throw e;
        }
        // The SDK parses no sub-response headers (azure-data-tables 12.5): the ETags come from the response body.
        String newEtag = etags.etags().size() == actions.size() ? etags.last() : null; // the sentinel is last
        if (newEtag == null && etagNeeded) {
            // No sub-response ETag could be read: the next batch of this same checkpoint needs it, so read the
            // sentinel we just wrote.
            newEtag = history.getEntity(partitionKey, HistoryEntityCodec.SENTINEL_ROW_KEY).getETag();
        }
        return newEtag;
    }

    /**
     * The status of the failed action of a transaction: the batch response itself may carry another status (e.g.
     * 202 or 400), so the error code decides when it names a conflict or a failed condition.
     */
    static int transactionStatus(TableServiceException e) {
        TableServiceError error = e.getValue();
        TableErrorCode code = error == null ? null : error.getErrorCode();
        if (TableErrorCode.ENTITY_ALREADY_EXISTS.equals(code)) {
            return 409;
        }
        if (TableErrorCode.UPDATE_CONDITION_NOT_SATISFIED.equals(code)) {
            return 412;
        }
        if (TableErrorCode.RESOURCE_NOT_FOUND.equals(code)) {
            return 404;
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("EntityAlreadyExists")) {
            return 409;
        }
        if (message.contains("UpdateConditionNotSatisfied") || message.contains("ConditionNotMet")) {
            return 412;
        }
        if (message.contains("ResourceNotFound")) {
            return 404;
        }
        return e.getResponse() == null ? -1 : e.getResponse().getStatusCode();
    }

    /** A row's size for batching: 1 KiB plus its string columns as UTF-16 (offloaded ones are {@code ""}). */
    private static long estimateSize(TableEntity row) {
        long bytes = 1024;
        for (Object v : row.getProperties().values()) {
            if (v instanceof String s) {
                bytes += 2L * s.length();
            }
        }
        return bytes;
    }

    /** The ExecutionCompleted row of an execution's history, or null (used for FailureDetails). */
    private TableEntity findCompletionRow(String instanceId, String executionId) {
        String filter = "PartitionKey eq " + odataString(KeySanitation.escapePartitionKey(instanceId))
                + " and EventType eq 'ExecutionCompleted'"
                + (executionId == null ? "" : " and ExecutionId eq " + odataString(executionId));
        for (TableEntity row : history.listEntities(new ListEntitiesOptions().setFilter(filter), null, null)) {
            return row;
        }
        return null;
    }

    /**
     * Resolves {@code <Prop>BlobName} columns (large table properties offloaded to {@code {h}-largemessages},
     * §7.2): downloads and gunzips each blob into {@code <Prop>}, when {@code <Prop>} is empty or missing (a
     * non-empty {@code <Prop>} was rewritten after the offload, e.g. by a rewind, and wins).
     */
    private Map<String, Object> resolveLargeProperties(TableEntity row) {
        Map<String, Object> properties = row.getProperties();
        Map<String, Object> resolved = null;
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            String key = e.getKey();
            String suffix = LargePayloadStore.BLOB_NAME_SUFFIX;
            if (key.endsWith(suffix) && key.length() > suffix.length()
                    && e.getValue() instanceof String blobName && !blobName.isEmpty()) {
                String property = key.substring(0, key.length() - suffix.length());
                Object current = properties.get(property);
                if (current != null && !current.toString().isEmpty()) {
                    continue;
                }
                if (resolved == null) {
                    resolved = new HashMap<>(properties);
                }
                resolved.put(property, payloads.download(blobName));
            }
        }
        return resolved == null ? properties : resolved;
    }

    // ----------------------------------------------------------------------------------------------- instances

    /** The Instances row of an instance, or null if there is none (or no table yet). */
    TableEntity readInstanceRow(String instanceId) {
        return pointRead(instances, KeySanitation.escapePartitionKey(instanceId), "");
    }

    /**
     * One entity by its keys (a point read, not a partition query: storage finds it by index, where a query is a scan
     * on Azurite, and on Azure a point read is the cheapest request). The tables SDK logs the 404 of a missing entity
     * as an error; the host's logging configuration silences {@code com.azure.data.tables}.
     *
     * @return the entity, or null if it or its table does not exist
     */
    private static TableEntity pointRead(TableClient table, String partitionKey, String rowKey) {
        try {
            return table.getEntityWithResponse(partitionKey, rowKey, null, null, null).getValue();
        } catch (TableServiceException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return null; // no such entity, or no table yet
            }
            throw e;
        }
    }

    /** {@link #setNewExecution(ExecutionStartedEvent, TableEntity, String)} for a message sent as is. */
    void setNewExecution(ExecutionStartedEvent started, TableEntity existing) {
        setNewExecution(started, existing, null);
    }

    /**
     * Writes the Instances row of a newly created execution as Pending (§4 "Client create"): Insert when
     * {@code existing} is null, else Replace with its ETag. A 409 or 412 (another client won the race) is logged and
     * swallowed, as DTFx does. An input over 60 KiB of UTF-16 is stored as a blob URL (§7.2): of the
     * ExecutionStarted message's blob when the message was offloaded, else of a new blob; large tags go to
     * {@code TagsBlobName}.
     *
     * @param messageBlobName the blob the ExecutionStarted message was offloaded to (§7.1), or null
     */
    void setNewExecution(ExecutionStartedEvent started, TableEntity existing, String messageBlobName) {
        String instanceId = started.orchestrationInstance().instanceId();
        String partitionKey = KeySanitation.escapePartitionKey(instanceId);
        TableEntity row = new TableEntity(partitionKey, "");
        row.addProperty("ExecutionId", started.orchestrationInstance().executionId());
        putIfNotNull(row, "Name", started.name());
        putIfNotNull(row, "Version", started.version());
        putIfNotNull(row, "Input", payloads.instanceColumnValue(partitionKey, "Input", started.input(),
                messageBlobName));
        row.addProperty("CreatedTime", HistoryEntityCodec.dateTime(started.timestamp()));
        row.addProperty("LastUpdatedTime", HistoryEntityCodec.dateTime(Instant.now()));
        row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.PENDING.statusName());
        if (started.scheduledStartTime() != null) {
            row.addProperty("ScheduledStartTime", HistoryEntityCodec.dateTime(started.scheduledStartTime()));
        }
        row.addProperty("Generation", started.generation() == null ? 0 : started.generation());
        row.addProperty("Tags", tagsJson(started.tags()));
        row.addProperty("TaskHubName", names.taskHubName());
        payloads.offloadLargeProperties(row);
        try {
            if (existing == null) {
                instances.createEntity(row);
            } else {
                row.addProperty("odata.etag", existing.getETag());
                instances.updateEntityWithResponse(row, TableEntityUpdateMode.REPLACE, true, null, null);
            }
        } catch (TableServiceException e) {
            int status = transactionStatus(e);
            if (status == 409 || status == 412) {
                log.warn("Instance '{}': its Instances row was written by someone else meanwhile ({}); keeping theirs",
                        instanceId, status);
                return;
            }
            throw e;
        }
    }

    /**
     * Merges a checkpoint into the Instances row (§4 "Each checkpoint") with InsertOrMerge: CustomStatus
     * ({@code "null"} when none), ExecutionId, LastUpdatedTime, TaskHubName, and what the given events change:
     * <ul>
     *   <li>ExecutionStarted (also the new execution of a continue-as-new): Name, Version, CreatedTime, Input, Tags,
     *       Generation, ScheduledStartTime, {@code Running};</li>
     *   <li>ExecutionCompleted: its status, CompletedTime, Output = the result, or {@code "ErrorType: ErrorMessage"}
     *       when it has FailureDetails; for Terminated the reason (its result);</li>
     *   <li>ExecutionTerminated: {@code Terminated}, CompletedTime, Output = the reason;</li>
     *   <li>ExecutionSuspended: {@code Suspended}, ExecutionResumed: {@code Running}, both with Output = the reason
     *       (DTFx's quirk);</li>
     *   <li>ContinueAsNew: {@code ContinuedAsNew}, Output = the new input;</li>
     *   <li>GenericEvent (a rewind's message) in a running execution: {@code Running}, replacing the rewind's
     *       {@code Pending}.</li>
     * </ul>
     * An entity's fresh execution (an {@code @name@key} instance whose checkpoint holds an ExecutionStarted,
     * storage-layout.md §9) replaces the whole row instead of merging it, so that a null scheduler state (a deleted,
     * idle entity) leaves no {@code Input} behind: Name = the instance ID, Input = the scheduler state, CustomStatus =
     * the entity status, {@code Running}.
     *
     * <p>An {@code Input} or {@code Output} over 60 KiB of UTF-16 is stored as the absolute URL of the blob its
     * history row's property was offloaded to (as {@code offloaded} reports it), or of a new blob when there is none
     * (e.g. the repair of a finished instance); large tags go to {@code TagsBlobName} (§7.2).
     *
     * @param state     the runtime state after the episode
     * @param newEvents the events written by this checkpoint
     * @param offloaded the blob names of the history properties {@link #commitHistory} offloaded, by event instance
     *                  and property
     */
    void updateInstanceState(String instanceId, OrchestrationRuntimeState state, List<HistoryEvent> newEvents,
                             Map<HistoryEvent, Map<String, String>> offloaded) {
        String partitionKey = KeySanitation.escapePartitionKey(instanceId);
        TableEntity row = new TableEntity(partitionKey, "");
        row.addProperty("CustomStatus", state.getCustomStatus() == null ? HistoryEntityCodec.NULL_LITERAL
                : state.getCustomStatus());
        row.addProperty("ExecutionId", state.getExecutionId());
        Instant lastUpdated = newEvents.isEmpty() ? Instant.now() : newEvents.get(newEvents.size() - 1).timestamp();
        row.addProperty("LastUpdatedTime", HistoryEntityCodec.dateTime(lastUpdated));
        row.addProperty("TaskHubName", names.taskHubName());
        for (HistoryEvent e : newEvents) {
            if (e instanceof ExecutionStartedEvent started) {
                putIfNotNull(row, "Name", started.name());
                putIfNotNull(row, "Version", started.version());
                row.addProperty("CreatedTime", HistoryEntityCodec.dateTime(started.timestamp()));
                row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.RUNNING.statusName());
                putIfNotNull(row, "Input", instanceValue(partitionKey, "Input", started.input(), started, "Input",
                        offloaded));
                row.addProperty("Tags", tagsJson(started.tags()));
                if (started.generation() != null) {
                    row.addProperty("Generation", started.generation());
                }
                if (started.scheduledStartTime() != null) {
                    row.addProperty("ScheduledStartTime", HistoryEntityCodec.dateTime(started.scheduledStartTime()));
                }
            } else if (e instanceof ExecutionCompletedEvent completed) {
                row.addProperty("RuntimeStatus", completed.orchestrationStatus().statusName());
                row.addProperty("CompletedTime", HistoryEntityCodec.dateTime(Instant.now()));
                boolean terminatedWithReason = completed.orchestrationStatus()
                        == OrchestrationRuntimeStatus.TERMINATED && completed.result() != null;
                putIfNotNull(row, "Output", completed.failureDetails() != null && !terminatedWithReason
                        ? instanceValue(partitionKey, "Output", completed.failureDetails().toString(), null, null,
                        offloaded)
                        : instanceValue(partitionKey, "Output", completed.result(), completed, "Result", offloaded));
            } else if (e instanceof ContinueAsNewEvent continued) {
                row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.CONTINUED_AS_NEW.statusName());
                putIfNotNull(row, "Output", instanceValue(partitionKey, "Output", continued.result(), continued,
                        "Result", offloaded));
            } else if (e instanceof ExecutionTerminatedEvent terminated) {
                row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.TERMINATED.statusName());
                row.addProperty("CompletedTime", HistoryEntityCodec.dateTime(Instant.now()));
                putIfNotNull(row, "Output", instanceValue(partitionKey, "Output", terminated.input(), terminated,
                        "Input", offloaded));
            } else if (e instanceof ExecutionSuspendedEvent suspended) {
                row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.SUSPENDED.statusName());
                putIfNotNull(row, "Output", instanceValue(partitionKey, "Output", suspended.reason(), suspended,
                        "Reason", offloaded));
            } else if (e instanceof ExecutionResumedEvent resumed) {
                row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.RUNNING.statusName());
                putIfNotNull(row, "Output", instanceValue(partitionKey, "Output", resumed.reason(), resumed,
                        "Reason", offloaded));
            }
        }
        if (row.getProperty("RuntimeStatus") == null && state.getRuntimeStatus() == OrchestrationRuntimeStatus.RUNNING
                && newEvents.stream().anyMatch(e -> e instanceof GenericEvent)) {
            // A rewound instance (the rewind set its row to Pending, §4 write path 5) is running again.
            row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.RUNNING.statusName());
        }
        boolean entityExecution = instanceId.startsWith("@")
                && newEvents.stream().anyMatch(e -> e instanceof ExecutionStartedEvent);
        payloads.offloadLargeProperties(row);
        instances.upsertEntityWithResponse(row, entityExecution ? TableEntityUpdateMode.REPLACE
                : TableEntityUpdateMode.MERGE, null, null);
    }

    /** {@link #updateInstanceState(String, OrchestrationRuntimeState, List, Map)} with no offloaded history. */
    void updateInstanceState(String instanceId, OrchestrationRuntimeState state, List<HistoryEvent> newEvents) {
        updateInstanceState(instanceId, state, newEvents, Map.of());
    }

    /**
     * The value of an Instances {@code Input} / {@code Output} column (§7.2): {@code value} if it fits, else the URL
     * of the blob the event's {@code historyProperty} was offloaded to, or of a new blob.
     */
    private String instanceValue(String partitionKey, String column, String value, HistoryEvent event,
                                 String historyProperty, Map<HistoryEvent, Map<String, String>> offloaded) {
        Map<String, String> blobs = event == null ? null : offloaded.get(event);
        return payloads.instanceColumnValue(partitionKey, column, value,
                blobs == null ? null : blobs.get(historyProperty));
    }

    /**
     * Marks an instance that has no history as Terminated (§4 "Terminate of an instance that has no history"),
     * if it has an Instances row. A reason over 60 KiB of UTF-16 is stored as the URL of a new blob (§7.2).
     */
    void updateStatusForTermination(String instanceId, String reason, Instant timestamp) {
        String partitionKey = KeySanitation.escapePartitionKey(instanceId);
        TableEntity row = new TableEntity(partitionKey, "");
        row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.TERMINATED.statusName());
        row.addProperty("LastUpdatedTime", HistoryEntityCodec.dateTime(timestamp));
        row.addProperty("CompletedTime", HistoryEntityCodec.dateTime(Instant.now()));
        putIfNotNull(row, "Output", payloads.instanceColumnValue(partitionKey, "Output", reason, null));
        try {
            instances.updateEntityWithResponse(row, TableEntityUpdateMode.MERGE, false, null, null);
        } catch (TableServiceException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return;
            }
            throw e;
        }
    }

    /**
     * Marks an instance Failed in its Instances row alone, for an instance whose history cannot be read (README
     * "Poison messages"): a merge under the row's ETag of {@code RuntimeStatus = Failed}, {@code Output}, and
     * {@code CompletedTime} and {@code LastUpdatedTime} = now. Nothing is written if there is no row or its status
     * is already terminal (Completed, Failed, Terminated, Canceled).
     *
     * @param output the failure as {@code "ErrorType: message"}, as a failed checkpoint writes it (§4)
     * @return true if the row was changed
     * @throws TableServiceException if the write fails (e.g. 412: the row changed meanwhile)
     */
    boolean markFailedWithoutHistory(String instanceId, String output) {
        TableEntity existing = readInstanceRow(instanceId);
        if (existing == null) {
            return false;
        }
        String status = stringOf(existing.getProperty("RuntimeStatus"));
        for (OrchestrationRuntimeStatus s : OrchestrationRuntimeStatus.values()) {
            if (s.isTerminal() && s.statusName().equals(status)) {
                return false;
            }
        }
        TableEntity row = new TableEntity(existing.getPartitionKey(), existing.getRowKey());
        row.addProperty("RuntimeStatus", OrchestrationRuntimeStatus.FAILED.statusName());
        row.addProperty("Output", output);
        Instant now = Instant.now();
        row.addProperty("CompletedTime", HistoryEntityCodec.dateTime(now));
        row.addProperty("LastUpdatedTime", HistoryEntityCodec.dateTime(now));
        row.addProperty("odata.etag", existing.getETag());
        instances.updateEntityWithResponse(row, TableEntityUpdateMode.MERGE, true, null, null);
        return true;
    }

    /**
     * The state of an instance from its Instances row; for a Failed instance the FailureDetails come from the
     * ExecutionCompleted history row (type, message, stack trace).
     *
     * @return the state, or null if there is no row
     */
    OrchestrationState getState(String instanceId, boolean fetchInputsAndOutputs) {
        TableEntity row = readInstanceRow(instanceId);
        return row == null ? null : stateOf(instanceId, row, fetchInputsAndOutputs);
    }

    /**
     * The state held by an Instances row (also a row of a query, §4 "Queries"), as {@link #getState} reads it.
     * Offloaded values are resolved (§7.2): with {@code fetchInputsAndOutputs}, an {@code Input} / {@code Output}
     * that is a blob URL is downloaded (for the ExecutionStarted message blob of a client create, the message's
     * input), as is a blob named by {@code InputBlobName} / {@code OutputBlobName} next to an empty column; without
     * it neither is downloaded (except the output of a Failed instance without an ExecutionCompleted row, whose
     * {@code "ErrorType: message"} gives the failure details). Tags in {@code TagsBlobName} are always read.
     *
     * @param instanceId the unescaped instance ID of the row
     * @throws IllegalStateException if the row has an unknown status, or names a blob that is missing or unreadable
     */
    OrchestrationState stateOf(String instanceId, TableEntity row, boolean fetchInputsAndOutputs) {
        Map<String, Object> p = row.getProperties();
        String executionId = stringOf(p.get("ExecutionId"));
        String statusName = stringOf(p.get("RuntimeStatus"));
        OrchestrationRuntimeStatus status;
        try {
            status = statusName == null ? OrchestrationRuntimeStatus.PENDING
                    : OrchestrationRuntimeStatus.fromStatusName(statusName);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Instances row of '" + instanceId + "' has an unknown RuntimeStatus '"
                    + statusName + "'", e);
        }
        String output = fetchInputsAndOutputs ? payloads.resolveColumn(p, "Output") : null;
        FailureDetails failure = null;
        if (status == OrchestrationRuntimeStatus.FAILED) {
            TableEntity completion = findCompletionRow(instanceId, executionId);
            if (completion != null) {
                HistoryEvent event = HistoryEntityCodec.fromProperties(resolveLargeProperties(completion),
                        instanceId + "/" + completion.getRowKey());
                if (event instanceof ExecutionCompletedEvent completed) {
                    failure = completed.failureDetails();
                }
            }
            if (failure == null && output == null) {
                output = payloads.resolveColumn(p, "Output");
            }
            if (failure == null && output != null) {
                int colon = output.indexOf(": ");
                failure = colon > 0 ? new FailureDetails(output.substring(0, colon), output.substring(colon + 2))
                        : new FailureDetails("Unknown", output);
            }
        }
        String customStatus = stringOf(p.get("CustomStatus"));
        if (HistoryEntityCodec.NULL_LITERAL.equals(customStatus)) {
            customStatus = null;
        }
        String tagsText = payloads.resolveColumn(p, "Tags");
        Map<String, String> tags = tagsText == null || tagsText.isEmpty()
                || HistoryEntityCodec.NULL_LITERAL.equals(tagsText) ? null : DtfxJson.readTags(DtfxJson.parse(tagsText));
        Object generation = p.get("Generation");
        return new OrchestrationState(instanceId, executionId, stringOf(p.get("Name")), stringOf(p.get("Version")),
                status, fetchInputsAndOutputs ? payloads.resolveColumn(p, "Input") : null,
                fetchInputsAndOutputs ? output : null, customStatus, instantOf(p.get("CreatedTime")),
                instantOf(p.get("LastUpdatedTime")), instantOf(p.get("CompletedTime")), failure, tags,
                instantOf(p.get("ScheduledStartTime")), generation instanceof Number n ? n.intValue() : 0);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    static String tagsJson(Map<String, String> tags) {
        return DtfxJson.write(g -> DtfxJson.writeTags(g, tags, false));
    }

    /** An OData string literal: single quotes doubled. */
    static String odataString(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void putIfNotNull(TableEntity row, String name, Object value) {
        if (value != null) {
            row.addProperty(name, value);
        }
    }

    static String stringOf(Object value) {
        return value == null ? null : value.toString();
    }

    static Instant instantOf(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof Date date) {
            return date.toInstant();
        }
        return DotNetDateTime.parse(value.toString());
    }
}
