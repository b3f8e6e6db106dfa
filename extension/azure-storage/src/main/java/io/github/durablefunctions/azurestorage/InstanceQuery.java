package io.github.durablefunctions.azurestorage;

import com.azure.core.http.rest.PagedIterable;
import com.azure.core.http.rest.PagedResponse;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.backend.EntityStateQuery;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationStateQueryResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Queries of the Instances table ({@code {H}Instances}), as storage-layout.md §4 "Queries" describes them: an OData
 * filter of {@code RowKey eq ''}, {@code TaskHubName eq '<hub>'}, {@code CreatedTime ge/le datetime'…'},
 * {@code RuntimeStatus eq '<Name>'} joined with {@code or}, an instance ID prefix as a range of the escaped
 * {@code PartitionKey} ({@code ge '<escaped prefix>' and lt '<escaped prefix with its last char + 1>'}), and, for
 * orchestration queries, entities left out ({@code PartitionKey lt '@' or PartitionKey ge 'A'}). Without inputs and
 * outputs the {@code Input} and {@code Output} columns are not selected. Pages are the service's pages of at most
 * {@code maxInstanceCount} rows; the continuation token is the SDK's, wrapped by {@link ContinuationTokens}.
 * Entity queries (storage-layout.md §9 "Entity queries") use the same prefix range, paging and tokens, with
 * {@code LastUpdatedTime} bounds and the {@code Input} column only on request. Inputs and outputs offloaded to blobs
 * (storage-layout.md §7.2; an entity's scheduler state can be large) are downloaded for the states of the page when
 * they are requested, and only then ({@link TrackingStore#stateOf}).
 */
final class InstanceQuery {
    private static final Logger log = LoggerFactory.getLogger(InstanceQuery.class);
    /**
     * The Instances columns read when inputs and outputs are not fetched (§4), with {@code TagsBlobName} for tags
     * offloaded to a blob (§7.2).
     */
    static final List<String> COLUMNS_WITHOUT_PAYLOADS = List.of("PartitionKey", "RowKey", "ExecutionId", "Name",
            "Version", "CustomStatus", "CreatedTime", "LastUpdatedTime", "CompletedTime", "RuntimeStatus",
            "ScheduledStartTime", "Generation", "Tags", "TaskHubName", "Tags" + LargePayloadStore.BLOB_NAME_SUFFIX);
    /** {@code datetime'…'} literals: UTC with 7 fractional digits (100 ns ticks). */
    private static final DateTimeFormatter DATETIME = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final TrackingStore tracking;
    private final String taskHubName;

    InstanceQuery(TrackingStore tracking, String taskHubName) {
        this.tracking = tracking;
        this.taskHubName = taskHubName;
    }

    /**
     * One page of orchestration instances (never entities) matching the query.
     *
     * @return the states of the page (rows with an unreadable status are skipped with a warning) and the opaque
     *         token of the next page, or null on the last page
     * @throws IllegalArgumentException if the query's continuation token is malformed or refused by the service
     */
    OrchestrationStateQueryResult page(OrchestrationStatusQuery query) {
        return page(filter(query.getCreatedTimeFrom(), query.getCreatedTimeTo(), query.getRuntimeStatusList(),
                        query.getInstanceIdPrefix(), true),
                query.isFetchInputsAndOutputs() ? null : COLUMNS_WITHOUT_PAYLOADS, query.getMaxInstanceCount(),
                query.getContinuationToken(), query.isFetchInputsAndOutputs());
    }

    /**
     * One page of entity instances (storage-layout.md §9 "Entity queries"): a range scan of the escaped
     * {@code PartitionKey} over the query's prefix (for {@code @}: {@code ge '@' and lt 'A'}), {@code RowKey eq ''},
     * the task hub, and {@code LastUpdatedTime ge/le datetime'…'} for the bounds that are set. Only the
     * {@code Input} column (the scheduler state) of the payloads is read, and only when {@code fetchInput}; the
     * {@code Output} column never. Rows come in {@code PartitionKey} order, i.e. by instance ID.
     *
     * @return the entity states of the page (input = the scheduler state JSON when fetched, custom status = the
     *         entity status JSON) and the opaque token of the next page, or null on the last page
     * @throws IllegalArgumentException if the query's continuation token is malformed or refused by the service
     */
    OrchestrationStateQueryResult page(EntityStateQuery query) {
        List<String> conditions = new ArrayList<>();
        conditions.add(filter(null, null, null, query.instanceIdPrefix(), false));
        if (query.lastModifiedFrom() != null) {
            conditions.add("LastUpdatedTime ge " + datetime(query.lastModifiedFrom()));
        }
        if (query.lastModifiedTo() != null) {
            conditions.add("LastUpdatedTime le " + datetime(query.lastModifiedTo()));
        }
        List<String> columns = COLUMNS_WITHOUT_PAYLOADS;
        if (query.fetchInput()) {
            columns = new ArrayList<>(COLUMNS_WITHOUT_PAYLOADS);
            columns.add("Input");
            columns.add("Input" + LargePayloadStore.BLOB_NAME_SUFFIX);
        }
        return page(String.join(" and ", conditions), columns, query.pageSize(), query.continuationToken(),
                query.fetchInput());
    }

    /**
     * One service page of Instances rows.
     *
     * @param columns the columns to select, or null for all
     * @param fetch   whether the states carry the Input (and Output, if selected) columns
     */
    private OrchestrationStateQueryResult page(String filter, List<String> columns, int top, String token,
                                               boolean fetch) {
        String sdkToken = ContinuationTokens.unwrap(token);
        ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter).setTop(top);
        if (columns != null) {
            options.setSelect(columns);
        }
        PagedResponse<TableEntity> page;
        try {
            PagedIterable<TableEntity> rows = tracking.instancesTable().listEntities(options, null, null);
            Iterator<PagedResponse<TableEntity>> pages = (sdkToken == null ? rows.iterableByPage()
                    : rows.iterableByPage(sdkToken)).iterator();
            if (!pages.hasNext()) {
                return new OrchestrationStateQueryResult(List.of(), null);
            }
            page = pages.next();
        } catch (TableServiceException e) {
            int status = e.getResponse() == null ? -1 : e.getResponse().getStatusCode();
            if (status == 404 && sdkToken == null) {
                return new OrchestrationStateQueryResult(List.of(), null); // no Instances table yet
            }
            if (status == 400 && sdkToken != null) {
                throw ContinuationTokens.invalid(token, e);
            }
            throw e;
        } catch (RuntimeException e) {
            if (sdkToken != null && !(e instanceof TableServiceException)) {
                throw ContinuationTokens.invalid(token, e); // the SDK could not parse it
            }
            throw e;
        }
        List<OrchestrationState> states = new ArrayList<>(page.getValue().size());
        for (TableEntity row : page.getValue()) {
            String instanceId = KeySanitation.unescapePartitionKey(row.getPartitionKey());
            try {
                states.add(tracking.stateOf(instanceId, row, fetch));
            } catch (IllegalStateException e) {
                log.warn("Instance '{}': left out of the query result: {}", instanceId, e.getMessage());
            }
        }
        return new OrchestrationStateQueryResult(states, ContinuationTokens.wrap(page.getContinuationToken()));
    }

    /**
     * The IDs of every instance (entities included, as DTFx's purge does) created in {@code [from, to]} whose status
     * is one of {@code statuses}, reading only the keys, page by page.
     */
    List<String> instanceIds(Instant from, Instant to, Collection<OrchestrationRuntimeStatus> statuses) {
        ListEntitiesOptions options = new ListEntitiesOptions()
                .setFilter(filter(from, to, statuses, null, false))
                .setSelect(List.of("PartitionKey", "RowKey"));
        List<String> ids = new ArrayList<>();
        try {
            for (TableEntity row : tracking.instancesTable().listEntities(options, null, null)) {
                ids.add(KeySanitation.unescapePartitionKey(row.getPartitionKey()));
            }
        } catch (TableServiceException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return List.of(); // no Instances table yet
            }
            throw e;
        }
        return ids;
    }

    /**
     * The OData filter of a query (§4 "Queries"); null or empty arguments add no condition.
     *
     * @param excludeEntities whether to leave out entity rows (IDs starting with {@code @})
     */
    String filter(Instant createdFrom, Instant createdTo, Collection<OrchestrationRuntimeStatus> statuses,
                  String instanceIdPrefix, boolean excludeEntities) {
        List<String> conditions = new ArrayList<>();
        conditions.add("RowKey eq ''");
        conditions.add("TaskHubName eq " + TrackingStore.odataString(taskHubName));
        if (createdFrom != null) {
            conditions.add("CreatedTime ge " + datetime(createdFrom));
        }
        if (createdTo != null) {
            conditions.add("CreatedTime le " + datetime(createdTo));
        }
        if (statuses != null && !statuses.isEmpty()) {
            StringJoiner anyStatus = new StringJoiner(" or ", "(", ")");
            for (OrchestrationRuntimeStatus status : statuses) {
                anyStatus.add("RuntimeStatus eq " + TrackingStore.odataString(status.statusName()));
            }
            conditions.add(anyStatus.toString());
        }
        if (instanceIdPrefix != null && !instanceIdPrefix.isEmpty()) {
            String low = KeySanitation.escapePartitionKey(instanceIdPrefix);
            conditions.add("PartitionKey ge " + TrackingStore.odataString(low));
            char last = low.charAt(low.length() - 1);
            if (last != Character.MAX_VALUE) {
                String high = low.substring(0, low.length() - 1) + (char) (last + 1);
                conditions.add("PartitionKey lt " + TrackingStore.odataString(high));
            }
        }
        if (excludeEntities) {
            conditions.add("(PartitionKey lt '@' or PartitionKey ge 'A')");
        }
        return String.join(" and ", conditions);
    }

    /** An OData {@code datetime'…'} literal of an instant (UTC, 7 fractional digits). */
    private static String datetime(Instant instant) {
        return "datetime'" + DATETIME.format(HistoryEntityCodec.dateTime(instant)) + "'";
    }
}
