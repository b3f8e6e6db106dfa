package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes instances with everything stored for them (storage-layout.md §7.2 "Purge"): every row of the instance's
 * History partition (all executions and the sentinel) in table transactions of 100 deletes, the blobs in
 * {@code {h}-largemessages} whose name starts with the unescaped instance ID (message blobs, §7.1; the prefix has no
 * trailing {@code /}, so IDs that extend another ID over-match, as in DTFx) or with its escaped PartitionKey (table
 * property blobs, §7.2, whose names start with the escaped key; DTFx leaves those behind for IDs that need escaping),
 * then the Instances row (ETag {@code *}).
 */
final class InstancePurger {
    private static final Logger log = LoggerFactory.getLogger(InstancePurger.class);
    /** Most operations per table transaction. */
    static final int MAX_DELETES_PER_BATCH = 100;

    private final TrackingStore tracking;
    private final InstanceQuery query;
    private final BlobContainerClient largeMessages;

    InstancePurger(TrackingStore tracking, InstanceQuery query, BlobContainerClient largeMessages) {
        this.tracking = tracking;
        this.query = query;
        this.largeMessages = largeMessages;
    }

    /**
     * Purges one instance, whatever its status. History rows and blobs are deleted even when there is no Instances
     * row (left-overs of an interrupted purge).
     *
     * @return 1 if the instance had an Instances row, else 0
     */
    int purge(String instanceId) {
        boolean existed = tracking.readInstanceRow(instanceId) != null;
        int rows = deleteHistory(instanceId);
        int blobs = deleteBlobs(instanceId);
        deleteInstanceRow(instanceId);
        log.info("Instance '{}': purged ({} history rows, {} blobs{})", instanceId, rows, blobs,
                existed ? "" : "; it had no Instances row");
        return existed ? 1 : 0;
    }

    /**
     * Purges every instance created in {@code [from, to]} whose status is one of {@code statuses}.
     *
     * @return how many instances were purged
     */
    int purge(Instant from, Instant to, Set<OrchestrationRuntimeStatus> statuses) {
        int count = 0;
        for (String instanceId : query.instanceIds(from, to, statuses)) {
            count += purge(instanceId);
        }
        return count;
    }

    /** Deletes every row of the instance's History partition; returns how many. */
    private int deleteHistory(String instanceId) {
        TableClient history = tracking.historyTable();
        String partitionKey = KeySanitation.escapePartitionKey(instanceId);
        List<TableEntity> keys = new ArrayList<>();
        try {
            history.listEntities(new ListEntitiesOptions()
                    .setFilter("PartitionKey eq " + TrackingStore.odataString(partitionKey))
                    .setSelect(List.of("PartitionKey", "RowKey")), null, null).forEach(keys::add);
        } catch (TableServiceException e) {
            if (status(e) == 404) {
                return 0; // no History table yet
            }
            throw e;
        }
        for (int start = 0; start < keys.size(); start += MAX_DELETES_PER_BATCH) {
            List<TableEntity> batch = keys.subList(start, Math.min(keys.size(), start + MAX_DELETES_PER_BATCH));
            List<TableTransactionAction> actions = new ArrayList<>(batch.size());
            for (TableEntity row : batch) {
                actions.add(new TableTransactionAction(TableTransactionActionType.DELETE, row, false));
            }
            try {
                history.submitTransaction(actions);
            } catch (TableServiceException e) {
                // A row deleted meanwhile (a concurrent purge) fails the whole transaction: delete one by one.
                for (TableEntity row : batch) {
                    deleteRow(history, row.getPartitionKey(), row.getRowKey());
                }
            }
        }
        return keys.size();
    }

    private void deleteInstanceRow(String instanceId) {
        deleteRow(tracking.instancesTable(), KeySanitation.escapePartitionKey(instanceId), "");
    }

    private static void deleteRow(TableClient table, String partitionKey, String rowKey) {
        try {
            table.deleteEntity(partitionKey, rowKey);
        } catch (TableServiceException e) {
            if (status(e) != 404) {
                throw e;
            }
        }
    }

    /**
     * Deletes the instance's large-message blobs; returns how many. The listing's prefix is echoed in the service's
     * XML answer, so a prefix holding a character XML 1.0 cannot carry (control characters other than tab, line feed
     * and carriage return) is cut before that character and the names are matched here instead.
     */
    private int deleteBlobs(String instanceId) {
        Set<String> prefixes = new LinkedHashSet<>(List.of(instanceId, KeySanitation.escapePartitionKey(instanceId)));
        int deleted = 0;
        try {
            for (String prefix : prefixes) {
                String listed = prefix.substring(0, xmlSafeLength(prefix));
                for (BlobItem blob : largeMessages.listBlobs(new ListBlobsOptions().setPrefix(listed), null)) {
                    if (blob.getName().startsWith(prefix)
                            && largeMessages.getBlobClient(blob.getName()).deleteIfExists()) {
                        deleted++;
                    }
                }
            }
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 404) {
                throw e;
            }
            // no large-message container yet
        }
        return deleted;
    }

    /** The length of the longest start of {@code text} that XML 1.0 can carry. */
    static int xmlSafeLength(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD)
                    || (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1)));
            if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1))) {
                allowed = true;
            }
            if (!allowed) {
                return i;
            }
        }
        return text.length();
    }

    private static int status(TableServiceException e) {
        return e.getResponse() == null ? -1 : e.getResponse().getStatusCode();
    }
}
