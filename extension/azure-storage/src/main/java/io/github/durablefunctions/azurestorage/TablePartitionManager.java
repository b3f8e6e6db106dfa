package io.github.durablefunctions.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableServiceException;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.data.tables.models.TableTransactionFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Control-queue ownership through the {@code {H}Partitions} table, DTFx's table partition manager
 * (storage-layout.md §5.1). One row per control queue: PartitionKey {@code ""}, RowKey = the queue name, columns
 * {@code CurrentOwner}, {@code NextOwner} (worker IDs), {@code OwnedSince}, {@code LastRenewal}, {@code ExpiresAt}
 * (UTC DateTime) and {@code IsDraining} (bool). Every change is a Replace with If-Match, so concurrent workers never
 * overwrite each other: a 412 means someone else changed the row, and the table is read again at once.
 *
 * <p>One pass ({@link #runOnce()}) reads the whole table and, for each row:
 * <ul>
 *   <li><b>drops a lost queue</b>: a queue this worker still listens to whose row now names another owner (its lease
 *       expired while this process was paused) is no longer read; its buffered messages are handed back and a
 *       warning is logged. Work items of it already handed out may still try to checkpoint; the sentinel ETag makes
 *       a second commit fail with a {@code SessionAbortedException} (§8.3), and the dispatcher abandons it;</li>
 *   <li><b>claims</b> a row that is empty (no owner, no next owner), expired ({@code now >= ExpiresAt}) or released to
 *       this worker ({@code CurrentOwner} null, {@code NextOwner} = me): CurrentOwner = me, NextOwner null,
 *       OwnedSince = LastRenewal = now, {@code ExpiresAt = now + 1 min}, IsDraining false; then listens to it;</li>
 *   <li><b>renews</b> an own row nobody asks for: LastRenewal = now, {@code ExpiresAt = now + 30 s}. All such
 *       renewals of a pass go in one entity group transaction (one storage transaction instead of one per row; if
 *       a row changed meanwhile, the transaction is refused as a whole and the rows are renewed one by one);</li>
 *   <li><b>drains</b> an own row another worker asks for ({@code NextOwner} set): stops listening to the queue, hands
 *       the messages buffered for it back to the queue at once (visibility 0, so the new owner does not wait for the
 *       5-minute visibility timeout), and waits up to 60 s for its work items in flight to complete or be abandoned,
 *       renewing the row with IsDraining true meanwhile; then <b>releases</b> it (CurrentOwner null, IsDraining
 *       false), and the next owner claims it;</li>
 *   <li><b>steals</b> (NextOwner = me) a row whose owner is shutting down (IsDraining true, NextOwner null).</li>
 * </ul>
 * Then it <b>balances</b> by stealing (see {@link #stealCounts}): with {@code n} other owners (workers named by live,
 * unexpired rows; a row being stolen counts for its next owner), the target is {@code floor(#partitions / (n + 1))};
 * a worker below the target steals up to the target, only from workers above it, and a worker at the target steals
 * one more from a worker more than one above it. Every steal strictly narrows the gap between two workers, so
 * ownership settles (4 partitions on 3 workers: 2/1/1) and then stays put.
 *
 * <p>The loop runs every 10 s, every 1 s while this worker drains a row or waits for a row to be released to it. A
 * failed pass is retried at once, and after 10 consecutive failures every 10 s. Each table call has a 2 s timeout.
 *
 * <p>{@link #stop()} is the graceful shutdown of §5.1: no more claims or steals, pending steals are withdrawn, and
 * every owned row is drained (buffered messages handed back at once, in-flight work items waited for up to 60 s) and
 * released, so another worker takes over within seconds instead of after the lease expires. It gives up after
 * 1 minute (for instance when the table cannot be reached; DTFx waits 10): the queues are then no longer read, and
 * their rows expire, as each would have within a minute of its last renewal anyway.
 */
final class TablePartitionManager {
    private static final Logger log = LoggerFactory.getLogger(TablePartitionManager.class);
    static final String PARTITION_KEY = "";
    /** Failed passes retried at once before the loop backs off to the acquire interval (§5.1). */
    static final int MAX_IMMEDIATE_RETRIES = 10;

    /**
     * The timing of the loop; {@link #DEFAULT} holds the values of storage-layout.md §5.1.
     *
     * @param leaseInterval    a renewal sets {@code ExpiresAt = now + leaseInterval} (30 s)
     * @param claimLease       a claim sets {@code ExpiresAt = now + claimLease} (1 min)
     * @param acquireInterval  the pause between passes (DTFx {@code LeaseAcquireInterval}, 10 s)
     * @param fastPollInterval the pause while draining or waiting for a release (1 s)
     * @param operationTimeout the timeout of each table call (DTFx {@code PartitionTableOperationTimeout}, 2 s)
     * @param drainTimeout     how long a drain waits for in-flight work items of the queue (60 s)
     * @param shutdownTimeout  how long {@link #stop()} keeps trying to release the owned rows (1 min; DTFx waits
     *                         10 min, but by then every lease of this worker has expired anyway, and a host being
     *                         stopped while storage is unreachable should not hang for 10 minutes)
     */
    record Timing(Duration leaseInterval, Duration claimLease, Duration acquireInterval, Duration fastPollInterval,
                  Duration operationTimeout, Duration drainTimeout, Duration shutdownTimeout) {
        static final Timing DEFAULT = new Timing(Duration.ofSeconds(30), Duration.ofMinutes(1),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(60),
                Duration.ofMinutes(1));

        Timing {
            Objects.requireNonNull(leaseInterval);
            Objects.requireNonNull(claimLease);
            Objects.requireNonNull(acquireInterval);
            Objects.requireNonNull(fastPollInterval);
            Objects.requireNonNull(operationTimeout);
            Objects.requireNonNull(drainTimeout);
            Objects.requireNonNull(shutdownTimeout);
        }

        /** This timing with another drain timeout. */
        Timing withDrainTimeout(Duration value) {
            return new Timing(leaseInterval, claimLease, acquireInterval, fastPollInterval, operationTimeout, value,
                    shutdownTimeout);
        }
    }

    /** Told when this worker gains or gives up reading control queues. Called on the manager's thread. */
    interface Listener {
        /** Start (or resume) listening to the queue. */
        void acquired(String queueName);

        /**
         * Stop listening to the queues and hand the messages buffered for them (not handed out as work items) back to
         * the queues at once. Called when a drain starts and when a queue is lost.
         */
        void stopListening(Collection<String> queueNames);

        /** How many work items of the queue are in flight (handed out, not yet completed or abandoned). */
        int inFlight(String queueName);
    }

    /** What one pass found, for the loop's pace. */
    record Pass(int owned, boolean fast, boolean conflict) {
    }

    /** A drain under way: since when, and why (a next owner, or shutdown). */
    private record Drain(Instant started, String reason) {
    }

    private final TableClient table;
    private final List<String> controlQueues;
    private final String workerId;
    private final Listener listener;
    /** Rows whose CurrentOwner is this worker (as of the last pass), draining ones included. */
    private final Set<String> owned = ConcurrentHashMap.newKeySet();
    /** Own rows being drained (not listened to any more). */
    private final Map<String, Drain> drains = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();
    private volatile Timing timing = Timing.DEFAULT;
    private Thread loop;
    private volatile boolean running;
    private volatile boolean shuttingDown;
    private volatile boolean suspended;
    private boolean wakeUp;

    TablePartitionManager(TableClient table, List<String> controlQueues, String workerId, Listener listener) {
        this.table = table;
        this.controlQueues = List.copyOf(controlQueues);
        this.workerId = workerId;
        this.listener = listener;
    }

    /** Overrides the §5.1 timing (for tests); takes effect from the next pass. */
    void timing(Timing value) {
        this.timing = Objects.requireNonNull(value);
    }

    Timing timing() {
        return timing;
    }

    /** Inserts one row per control queue; rows that exist already are left alone (409 ignored). */
    void createLeases() {
        for (String queue : controlQueues) {
            TableEntity row = new TableEntity(PARTITION_KEY, queue);
            row.addProperty("IsDraining", false);
            try {
                table.createEntityWithResponse(row, timing.operationTimeout(), null);
            } catch (TableServiceException e) {
                if (status(e) != 409) {
                    throw e;
                }
            }
        }
    }

    /** Runs a first pass now (claiming what is free), then keeps running the loop on its own thread. Idempotent. */
    void start() {
        synchronized (lifecycle) {
            if (loop != null) {
                return;
            }
            running = true;
            shuttingDown = false;
            suspended = false;
        }
        Pass first = null;
        try {
            first = runOnce();
        } catch (RuntimeException e) {
            log.warn("Worker {}: first partition table pass failed; retrying: {}", workerId, e.toString());
        }
        Pass initial = first;
        synchronized (lifecycle) {
            loop = new Thread(() -> loop(initial), "partition-manager-" + workerId);
            loop.setDaemon(true);
            loop.start();
        }
    }

    /**
     * Graceful shutdown (§5.1): stops claiming and stealing, withdraws pending steals, drains every owned row (its
     * queue is no longer read, its buffered messages are handed back at once, its in-flight work items are waited for
     * up to the drain timeout) and releases it. Returns when every owned row is released, or after the shutdown
     * timeout (logged; the rows then expire by themselves). Idempotent.
     */
    void stop() {
        Thread t;
        synchronized (lifecycle) {
            t = loop;
            if (t == null) {
                return;
            }
            shuttingDown = true;
            suspended = false;
            wake();
        }
        Timing time = timing;
        try {
            t.join(time.shutdownTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lifecycle) {
            running = false;
            wake();
        }
        if (t.isAlive()) {
            log.warn("Worker {}: could not release partitions {} within {} s; they are no longer read and expire by "
                    + "themselves", workerId, ownedQueues(), time.shutdownTimeout().toSeconds());
            try {
                t.join(time.operationTimeout().toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            List<String> left = new ArrayList<>(owned);
            left.removeAll(drains.keySet());
            if (!left.isEmpty()) {
                listener.stopListening(left);
            }
            owned.clear();
            drains.clear();
        }
        synchronized (lifecycle) {
            loop = null;
            shuttingDown = false;
        }
    }

    /**
     * Test hook simulating a frozen process: the loop stops running passes (no renewals, no release) until
     * {@link #resume()}; the queues keep being read.
     */
    void suspend() {
        suspended = true;
    }

    /** Ends {@link #suspend()}: the next pass runs at once. */
    void resume() {
        synchronized (lifecycle) {
            suspended = false;
            wake();
        }
    }

    /** The control queues whose rows this worker owns now (draining ones included). */
    Set<String> ownedQueues() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(owned));
    }

    /** The own control queues being drained now. */
    Set<String> drainingQueues() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(drains.keySet()));
    }

    private void wake() {
        synchronized (lifecycle) {
            wakeUp = true;
            lifecycle.notifyAll();
        }
    }

    private void loop(Pass first) {
        int failures = first == null ? 1 : 0;
        Pass last = first;
        while (true) {
            Timing time = timing;
            long delayMillis;
            if (last == null) {
                delayMillis = failures < MAX_IMMEDIATE_RETRIES ? 0 : time.acquireInterval().toMillis();
            } else if (last.conflict()) {
                delayMillis = failures < MAX_IMMEDIATE_RETRIES ? 0 : time.fastPollInterval().toMillis();
            } else if (last.fast() || shuttingDown) {
                delayMillis = time.fastPollInterval().toMillis();
            } else {
                delayMillis = time.acquireInterval().toMillis();
            }
            if (!await(delayMillis)) {
                return;
            }
            boolean shutdown = shuttingDown;
            try {
                last = runOnce();
                failures = last.conflict() ? failures + 1 : 0;
            } catch (RuntimeException e) {
                last = null;
                failures++;
                if (failures == 1 || failures % MAX_IMMEDIATE_RETRIES == 0) {
                    log.warn("Worker {}: partition table pass failed ({} in a row); retrying {}: {}", workerId,
                            failures, failures < MAX_IMMEDIATE_RETRIES ? "at once"
                                    : "in " + time.acquireInterval().toSeconds() + " s", e.toString());
                }
            }
            if (shutdown && last != null && last.owned() == 0 && !last.conflict()) {
                log.info("Worker {} drained and released all its partitions", workerId);
                return;
            }
        }
    }

    /**
     * Waits {@code millis} (ended early by {@link #wake()}), and while suspended.
     *
     * @return false if the loop must end
     */
    private boolean await(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (lifecycle) {
            try {
                while (running) {
                    if (suspended && !shuttingDown) {
                        lifecycle.wait();
                        continue;
                    }
                    if (wakeUp) {
                        wakeUp = false;
                        return true;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return true;
                    }
                    lifecycle.wait(Math.max(1, left / 1_000_000L));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    /**
     * One pass over the Partitions table: drop lost queues, claim, renew, drain and release, steal; during shutdown
     * only drain and release. Package-private so that tests can run passes at will.
     *
     * @throws RuntimeException if the table cannot be read (a failed write of one row is logged and retried later)
     */
    synchronized Pass runOnce() {
        Timing time = timing;
        Map<String, TableEntity> rows = new LinkedHashMap<>();
        for (TableEntity row : table.listEntities(new ListEntitiesOptions().setFilter("PartitionKey eq ''"),
                time.operationTimeout(), null)) {
            if (controlQueues.contains(row.getRowKey())) {
                rows.put(row.getRowKey(), row);
            }
        }
        Map<String, TableEntity> sorted = new TreeMap<>(rows);
        Instant now = Instant.now();
        boolean shutdown = shuttingDown;

        // 1. Lost queues (DTFx DropLostControlQueue): another worker owns a row this worker still reads.
        List<String> lost = new ArrayList<>();
        for (TableEntity row : sorted.values()) {
            String queue = row.getRowKey();
            String currentOwner = TrackingStore.stringOf(row.getProperty("CurrentOwner"));
            if (owned.contains(queue) && !workerId.equals(currentOwner)) {
                lost.add(queue);
                log.warn("Worker {} lost partition {}: the row now names owner {} (expires {}); no longer reading "
                        + "it and handing its buffered messages back", workerId, queue, currentOwner,
                        row.getProperty("ExpiresAt"));
            }
        }
        if (!lost.isEmpty()) {
            List<String> listened = new ArrayList<>(lost);
            listened.removeAll(drains.keySet());
            lost.forEach(q -> {
                owned.remove(q);
                drains.remove(q);
            });
            if (!listened.isEmpty()) {
                listener.stopListening(listened);
            }
        }

        // 2. Drains to start: own rows another worker asks for, or all own rows when shutting down.
        List<String> toDrain = new ArrayList<>();
        for (TableEntity row : sorted.values()) {
            String queue = row.getRowKey();
            String currentOwner = TrackingStore.stringOf(row.getProperty("CurrentOwner"));
            String nextOwner = TrackingStore.stringOf(row.getProperty("NextOwner"));
            boolean askedFor = nextOwner != null && !nextOwner.equals(workerId);
            if (workerId.equals(currentOwner) && (askedFor || shutdown) && !drains.containsKey(queue)) {
                toDrain.add(queue);
                drains.put(queue, new Drain(now, shutdown ? "shutdown" : "stolen by " + nextOwner));
                if (shutdown) {
                    log.debug("Worker {} is draining partition {} (shutting down)", workerId, queue);
                } else {
                    log.info("Worker {} is draining partition {} (requested by {})", workerId, queue, nextOwner);
                }
            }
        }
        if (!toDrain.isEmpty()) {
            listener.stopListening(toDrain);
        }

        // 3. Row by row: renew, drain/release, claim, count the other owners, steal from shutting-down owners.
        int mine = 0;
        boolean fast = false;
        boolean conflict = false;
        Map<String, List<TableEntity>> othersRows = new TreeMap<>();
        Map<String, List<TableEntity>> stealable = new TreeMap<>();
        Map<TableEntity, Map<String, Object>> renewals = new LinkedHashMap<>();
        for (TableEntity row : sorted.values()) {
            String queue = row.getRowKey();
            String currentOwner = TrackingStore.stringOf(row.getProperty("CurrentOwner"));
            String nextOwner = TrackingStore.stringOf(row.getProperty("NextOwner"));
            boolean draining = Boolean.TRUE.equals(row.getProperty("IsDraining"));
            Instant expiresAt = TrackingStore.instantOf(row.getProperty("ExpiresAt"));
            boolean expired = expiresAt != null && !now.isBefore(expiresAt);
            Map<String, Object> p = new HashMap<>(row.getProperties());

            if (workerId.equals(currentOwner)) {
                Drain drain = drains.get(queue);
                if (drain != null && (shutdown || (nextOwner != null && !nextOwner.equals(workerId)))) {
                    fast = true;
                    int inFlight = listener.inFlight(queue);
                    boolean timedOut = !now.isBefore(drain.started().plus(time.drainTimeout()));
                    if (inFlight == 0 || timedOut) {
                        if (inFlight > 0) {
                            log.warn("Worker {}: {} work item(s) of partition {} still in flight after {} s of "
                                    + "draining ({}); releasing it anyway (a late checkpoint that conflicts with the "
                                    + "next owner's is refused by the history ETag)", workerId, inFlight, queue,
                                    time.drainTimeout().toSeconds(), drain.reason());
                        }
                        p.remove("CurrentOwner");
                        p.put("IsDraining", false);
                        if (replace(row, p)) {
                            owned.remove(queue);
                            drains.remove(queue);
                            if (nextOwner == null) {
                                log.debug("Worker {} released partition {}", workerId, queue);
                            } else {
                                log.info("Worker {} released partition {} to {}", workerId, queue, nextOwner);
                            }
                        } else {
                            conflict = true;
                            mine++;
                        }
                    } else {
                        renew(p, now, time);
                        p.put("IsDraining", true);
                        if (!replace(row, p)) {
                            conflict = true;
                        }
                        mine++;
                    }
                    continue;
                }
                // An own row nobody asks for (any more): renew it (all such rows together, below) and read it.
                renew(p, now, time);
                p.put("IsDraining", false);
                if (nextOwner != null) {
                    p.remove("NextOwner"); // NextOwner = me: nothing to hand over
                }
                renewals.put(row, p);
                continue;
            }

            if (shutdown) {
                if (workerId.equals(nextOwner)) {
                    // Withdraw a pending steal: the row goes back to its owner, or becomes free.
                    p.remove("NextOwner");
                    if (replace(row, p)) {
                        log.info("Worker {} withdrew its request for partition {} (shutting down)", workerId, queue);
                    } else {
                        conflict = true;
                    }
                }
                continue;
            }

            boolean empty = currentOwner == null && nextOwner == null;
            boolean releasedToMe = currentOwner == null && workerId.equals(nextOwner);
            if (empty || expired || releasedToMe) {
                p.put("CurrentOwner", workerId);
                p.remove("NextOwner");
                p.put("OwnedSince", HistoryEntityCodec.dateTime(now));
                p.put("LastRenewal", HistoryEntityCodec.dateTime(now));
                p.put("ExpiresAt", HistoryEntityCodec.dateTime(now.plus(time.claimLease())));
                p.put("IsDraining", false);
                if (replace(row, p)) {
                    log.info("Worker {} claimed partition {}{}", workerId, queue, releasedToMe ? " (released to it)"
                            : expired && currentOwner != null ? " (the lease of " + currentOwner + " expired)" : "");
                    mine++;
                    owned.add(queue);
                    listener.acquired(queue);
                } else {
                    conflict = true;
                }
                continue;
            }

            // A live row of another worker.
            if (nextOwner != null) {
                if (workerId.equals(nextOwner)) {
                    mine++; // stolen by me, waiting for its release
                    fast = true;
                } else {
                    othersRows.computeIfAbsent(nextOwner, k -> new ArrayList<>()).add(row);
                }
            } else if (draining) {
                // Its owner is shutting down: steal it so that it comes to this worker when released.
                p.put("NextOwner", workerId);
                if (replace(row, p)) {
                    log.info("Worker {} is taking over partition {} from {}, which is shutting down", workerId, queue,
                            currentOwner);
                    mine++;
                    fast = true;
                } else {
                    conflict = true;
                }
            } else {
                othersRows.computeIfAbsent(currentOwner, k -> new ArrayList<>()).add(row);
                stealable.computeIfAbsent(currentOwner, k -> new ArrayList<>()).add(row);
            }
        }

        // 3b. The plain renewals: one table transaction for all of them (one billed transaction instead of one per
        // row; every row is in PartitionKey "", each change is still a Replace with If-Match).
        for (Map.Entry<TableEntity, Boolean> renewed : replaceAll(renewals).entrySet()) {
            String queue = renewed.getKey().getRowKey();
            if (!renewed.getValue()) {
                conflict = true;
                continue;
            }
            mine++;
            boolean resumed = drains.remove(queue) != null;
            if (owned.add(queue) || resumed) {
                if (resumed) {
                    log.info("Worker {}: nobody asks for partition {} any more; reading it again", workerId, queue);
                }
                listener.acquired(queue);
            }
        }

        // 4. Balance by stealing.
        if (!shutdown && !conflict) {
            Map<String, Integer> counts = new TreeMap<>();
            othersRows.forEach((owner, list) -> counts.put(owner, list.size()));
            Map<String, Integer> plan = stealCounts(sorted.size(), mine, counts);
            for (Map.Entry<String, Integer> e : plan.entrySet()) {
                List<TableEntity> candidates = stealable.getOrDefault(e.getKey(), List.of());
                int n = Math.min(e.getValue(), candidates.size());
                for (int i = 0; i < n && !conflict; i++) {
                    TableEntity row = candidates.get(i);
                    Map<String, Object> p = new HashMap<>(row.getProperties());
                    p.put("NextOwner", workerId);
                    if (replace(row, p)) {
                        log.info("Worker {} is stealing partition {} from {} to balance the load ({} partitions, {} "
                                + "other owner(s))", workerId, row.getRowKey(), e.getKey(), sorted.size(),
                                counts.size());
                        mine++;
                        fast = true;
                    } else {
                        conflict = true;
                    }
                }
            }
        }
        return new Pass(mine, fast, conflict);
    }

    /**
     * How many partitions to steal from which worker (storage-layout.md §5.1 balancing).
     *
     * @param partitions the number of partitions (rows)
     * @param mine       how many rows this worker owns or is about to own (stolen, waiting for release)
     * @param others     the other owners and how many live rows each owns or is about to own
     * @return per victim, how many rows to steal (only positive entries); empty when balanced
     */
    static Map<String, Integer> stealCounts(int partitions, int mine, Map<String, Integer> others) {
        Map<String, Integer> plan = new LinkedHashMap<>();
        if (others.isEmpty()) {
            return plan;
        }
        int target = partitions / (others.size() + 1);
        if (mine > target) {
            return plan;
        }
        List<Map.Entry<String, Integer>> victims = new ArrayList<>(others.entrySet());
        victims.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        int planned = mine;
        for (Map.Entry<String, Integer> victim : victims) {
            int toSteal = target - planned;
            if (toSteal < 0) {
                break;
            }
            int excess = victim.getValue() - target;
            if (excess <= 0) {
                continue;
            }
            if (toSteal == 0 && excess > 1) {
                toSteal = 1; // the other worker is more than one above the target: take one more
            }
            toSteal = Math.min(toSteal, excess);
            if (toSteal > 0) {
                plan.put(victim.getKey(), toSteal);
                planned += toSteal;
            }
        }
        return plan;
    }

    private static void renew(Map<String, Object> p, Instant now, Timing time) {
        p.put("LastRenewal", HistoryEntityCodec.dateTime(now));
        p.put("ExpiresAt", HistoryEntityCodec.dateTime(now.plus(time.leaseInterval())));
    }

    /**
     * Replace-If-Match of several rows in one entity group transaction (they all have PartitionKey {@code ""}); if the
     * transaction is refused because an action failed (typically one row changed meanwhile: a transaction is all or
     * nothing), each row is replaced on its own, so the others are still written.
     *
     * @return per row, whether it was written (false: someone else changed it), in the given order
     */
    Map<TableEntity, Boolean> replaceAll(Map<TableEntity, Map<String, Object>> changes) {
        Map<TableEntity, Boolean> written = new LinkedHashMap<>();
        if (changes.size() > 1) {
            List<TableTransactionAction> actions = new ArrayList<>();
            changes.forEach((row, p) -> actions.add(new TableTransactionAction(TableTransactionActionType.UPDATE_REPLACE,
                    replacement(row, p), true)));
            try {
                table.submitTransactionWithResponse(actions, timing.operationTimeout(), null);
                changes.keySet().forEach(row -> written.put(row, true));
                return written;
            } catch (TableTransactionFailedException e) {
                // One action failed (the batch response is 202 with the action's 412/404 inside): write row by row,
                // where a changed row is told apart from a real failure, which is thrown.
                log.debug("Worker {}: the renewal transaction was refused ({}); renewing row by row", workerId,
                        e.getMessage());
            }
        }
        changes.forEach((row, p) -> written.put(row, replace(row, p)));
        return written;
    }

    /** Replace-If-Match of a row with new columns; false on 412/404 (someone else changed it). */
    private boolean replace(TableEntity current, Map<String, Object> properties) {
        TableEntity updated = replacement(current, properties);
        try {
            table.updateEntityWithResponse(updated, TableEntityUpdateMode.REPLACE, true, timing.operationTimeout(),
                    null);
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

    /** The row with new columns, carrying the ETag it was read with (for If-Match). */
    private static TableEntity replacement(TableEntity current, Map<String, Object> properties) {
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
        return updated;
    }

    private static int status(TableServiceException e) {
        return e.getResponse() == null ? -1 : e.getResponse().getStatusCode();
    }
}
