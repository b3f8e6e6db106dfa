package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Control-queue ownership through the {@code {H}Partitions} table, DTFx's table partition manager
 * (storage-layout.md §5.1). One row per control queue: PartitionKey {@code ""}, RowKey = the queue name, columns
 * {@code CurrentOwner}, {@code NextOwner}, {@code OwnedSince}, {@code LastRenewal}, {@code ExpiresAt},
 * {@code IsDraining}. Every change is a Replace with If-Match, so concurrent workers never overwrite each other.
 *
 * <p>Every 10 s this worker reads the table and: claims rows that are free (no owner and no next owner), expired
 * ({@code now >= ExpiresAt}) or released to it ({@code CurrentOwner} null and {@code NextOwner} = me), with
 * {@code ExpiresAt = now + 1 min}; renews its own rows ({@code ExpiresAt = now + 30 s}); and when another worker
 * asks for one of its rows ({@code NextOwner} set), stops listening to that queue and releases the row to it
 * ({@code CurrentOwner} null). Stealing to balance load across workers is not done yet: a second worker takes
 * partitions only when they expire or are released. {@link #stop()} releases every owned row.
 */
final class TablePartitionManager {
    private static final Logger log = LoggerFactory.getLogger(TablePartitionManager.class);
    static final String PARTITION_KEY = "";
    static final Duration LEASE_INTERVAL = Duration.ofSeconds(30);
    static final Duration CLAIM_LEASE = Duration.ofMinutes(1);
    static final Duration RENEW_INTERVAL = Duration.ofSeconds(10);
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(2);

    /** Told when this worker gains or loses a control queue. */
    interface Listener {
        void acquired(String queueName);

        void lost(String queueName);
    }

    private final TableClient table;
    private final List<String> controlQueues;
    private final String workerId;
    private final Listener listener;
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService scheduler;

    TablePartitionManager(TableClient table, List<String> controlQueues, String workerId, Listener listener) {
        this.table = table;
        this.controlQueues = List.copyOf(controlQueues);
        this.workerId = workerId;
        this.listener = listener;
    }

    /** Inserts one row per control queue; rows that exist already are left alone (409 ignored). */
    void createLeases() {
        for (String queue : controlQueues) {
            TableEntity row = new TableEntity(PARTITION_KEY, queue);
            row.addProperty("IsDraining", false);
            try {
                table.createEntity(row);
            } catch (TableServiceException e) {
                if (status(e) != 409) {
                    throw e;
                }
            }
        }
    }

    /** Claims what can be claimed now, then keeps claiming and renewing every 10 s. Idempotent. */
    synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "partition-manager-" + workerId);
            t.setDaemon(true);
            return t;
        });
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Worker {}: first partition table read failed; retrying: {}", workerId, e.toString());
        }
        scheduler.scheduleWithFixedDelay(this::runSafely, RENEW_INTERVAL.toMillis(), RENEW_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Stops the loop, stops listening to every owned queue and releases their rows. Idempotent. */
    void stop() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
            scheduler = null;
        }
        if (s == null) {
            return;
        }
        s.shutdownNow();
        try {
            s.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String queue : Set.copyOf(owned)) {
            lose(queue);
            try {
                TableEntity row = table.getEntityWithResponse(PARTITION_KEY, queue, null, OPERATION_TIMEOUT, null)
                        .getValue();
                if (workerId.equals(TrackingStore.stringOf(row.getProperty("CurrentOwner")))) {
                    Map<String, Object> p = new HashMap<>(row.getProperties());
                    p.remove("CurrentOwner");
                    p.put("IsDraining", false);
                    replace(row, p);
                    log.info("Worker {} released partition {}", workerId, queue);
                }
            } catch (RuntimeException e) {
                log.warn("Worker {}: releasing partition {} failed (it expires by itself): {}", workerId, queue,
                        e.toString());
            }
        }
    }

    /** The control queues this worker owns now. */
    Set<String> ownedQueues() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(owned));
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Worker {}: partition table check failed; retrying in {} s: {}", workerId,
                    RENEW_INTERVAL.toSeconds(), e.toString());
        }
    }

    /** One pass over the Partitions table: claim, renew, release. */
    synchronized void runOnce() {
        Map<String, TableEntity> rows = new HashMap<>();
        for (TableEntity row : table.listEntities(new ListEntitiesOptions().setFilter("PartitionKey eq ''"),
                OPERATION_TIMEOUT, null)) {
            rows.put(row.getRowKey(), row);
        }
        Instant now = Instant.now();
        for (String queue : controlQueues) {
            TableEntity row = rows.get(queue);
            if (row == null) {
                continue; // created by createLeases(); a missing row is not ours to invent here
            }
            Map<String, Object> p = new HashMap<>(row.getProperties());
            String currentOwner = TrackingStore.stringOf(p.get("CurrentOwner"));
            String nextOwner = TrackingStore.stringOf(p.get("NextOwner"));
            Instant expiresAt = TrackingStore.instantOf(p.get("ExpiresAt"));
            boolean expired = expiresAt != null && !now.isBefore(expiresAt);
            if (workerId.equals(currentOwner) && !expired) {
                if (nextOwner != null && !nextOwner.equals(workerId)) {
                    // Another worker asked for it: stop listening, then hand it over.
                    lose(queue);
                    p.remove("CurrentOwner");
                    p.put("IsDraining", false);
                    if (replace(row, p)) {
                        log.info("Worker {} released partition {} to {}", workerId, queue, nextOwner);
                    }
                    continue;
                }
                p.put("LastRenewal", HistoryEntityCodec.dateTime(now));
                p.put("ExpiresAt", HistoryEntityCodec.dateTime(now.plus(LEASE_INTERVAL)));
                p.put("IsDraining", false);
                if (replace(row, p)) {
                    gain(queue);
                } else {
                    lose(queue);
                }
                continue;
            }
            if (owned.contains(queue)) {
                log.warn("Worker {} lost partition {} (owner now {}, expired {})", workerId, queue, currentOwner,
                        expired);
                lose(queue);
            }
            boolean free = currentOwner == null && nextOwner == null;
            boolean releasedToMe = currentOwner == null && workerId.equals(nextOwner);
            if (free || expired || releasedToMe) {
                p.put("CurrentOwner", workerId);
                p.remove("NextOwner");
                p.put("OwnedSince", HistoryEntityCodec.dateTime(now));
                p.put("LastRenewal", HistoryEntityCodec.dateTime(now));
                p.put("ExpiresAt", HistoryEntityCodec.dateTime(now.plus(CLAIM_LEASE)));
                p.put("IsDraining", false);
                if (replace(row, p)) {
                    log.info("Worker {} claimed partition {}", workerId, queue);
                    gain(queue);
                }
            }
        }
    }

    /** Replace-If-Match of a row with new columns; false on 412/404 (someone else changed it). */
    private boolean replace(TableEntity current, Map<String, Object> properties) {
        TableEntity updated = new TableEntity(current.getPartitionKey(), current.getRowKey());
        for (Map.Entry<String, Object> e : properties.entrySet()) {
            String key = e.getKey();
            if (key.equals("PartitionKey") || key.equals("RowKey") || key.equals("Timestamp")
                    || key.startsWith("odata.") || e.getValue() == null) {
                continue;
            }
            updated.addProperty(key, e.getValue());
        }
        updated.addProperty("odata.etag", current.getETag());
        try {
            table.updateEntityWithResponse(updated, TableEntityUpdateMode.REPLACE, true, OPERATION_TIMEOUT, null);
            return true;
        } catch (TableServiceException e) {
            int status = status(e);
            if (status == 412 || status == 404) {
                log.debug("Worker {}: partition row {} changed meanwhile ({})", workerId, current.getRowKey(), status);
                return false;
            }
            throw e;
        }
    }

    private void gain(String queue) {
        if (owned.add(queue)) {
            listener.acquired(queue);
        }
    }

    private void lose(String queue) {
        if (owned.remove(queue)) {
            listener.lost(queue);
        }
    }

    private static int status(TableServiceException e) {
        return e.getResponse() == null ? -1 : e.getResponse().getStatusCode();
    }
}
