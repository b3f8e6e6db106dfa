package io.github.durablefunctions.azurestorage;

import com.azure.core.util.BinaryData;
import com.azure.data.tables.models.TableEntity;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.queue.models.QueueStorageException;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.backend.ActivityWorkItem;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationService;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.EntityStateQuery;
import io.github.durablefunctions.backend.OrchestrationStateQueryResult;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.OutOfOrderCheck;
import io.github.durablefunctions.backend.SessionAbortedException;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.entities.EntityMessageNames;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.ParentInstance;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The backend SPI over Azure Storage, in exactly the layout of the Durable Task Framework's Azure Storage provider
 * (storage-layout.md): control queues {@code {h}-control-NN} and the work-item queue {@code {h}-workitems}
 * carrying {@code MessageData} JSON (§6), the {@code {H}History} table with its sentinel row (§3), the
 * {@code {H}Instances} table (§4), partition ownership through the {@code {H}Partitions} table (§5.1), and the
 * app-lease container with its info blob (§5.4; created, but not leased: this worker behaves as DTFx does with
 * {@code UseAppLease=false}).
 *
 * <p>Worker side ({@link OrchestrationService}): {@link #start()} creates the task hub, claims partitions and listens
 * to the owned control queues; {@link #lockNextOrchestrationWorkItem(Duration)} hands out one batch per instance
 * at a time with its history (§8.1, §8.2); {@link #completeOrchestrationWorkItem} checkpoints in the order of §8.3;
 * activities follow §8.4. Client side ({@link OrchestrationServiceClient}): create, send, read state and history;
 * query instances ({@link InstanceQuery}, §4 "Queries"), purge them ({@link InstancePurger}, §7.2 "Purge") and rewind
 * failed ones ({@link HistoryRewinder}, §3.3, §6.3).
 *
 * <p>Large payloads (§7, {@link LargePayloadStore}): a queue message over 45 KiB of JSON is gzipped to the
 * {@code {h}-largemessages} container and sent as a wrapper naming its blob, on every send path (client create and
 * management messages, a checkpoint's activity, orchestrator and timer messages, activity responses); table
 * properties over 60 KiB are offloaded the same way by {@link TrackingStore}. Reads resolve both.
 *
 * <p>Poison messages (README "Poison messages"): a queue message received for the {@code maxDequeueCount}-th time
 * that cannot be read or whose earlier deliveries all failed is moved to {@code <queue>-poison}; its orchestration
 * fails with {@code PoisonMessage} failure details, an activity work item becomes a {@code TaskFailed} for its
 * orchestration (see {@link PoisonMessages}). Thread-safe.
 */
public final class AzureStorageOrchestrationService implements OrchestrationService, OrchestrationServiceClient {
    private static final Logger log = LoggerFactory.getLogger(AzureStorageOrchestrationService.class);
    /** Sender of client messages (§6.2). */
    private static final OrchestrationInstance CLIENT_SENDER = new OrchestrationInstance("", "");
    /** Responses to an instance without history are "zombies" after this many deliveries (§8.2). */
    private static final int ZOMBIE_DEQUEUE_COUNT = 5;
    /** ExecutionStarted messages that cannot be matched to the Instances row are dropped after this (§8.1.3). */
    private static final int EXECUTION_STARTED_MAX_DEQUEUE = 10;
    /** The tag of an orchestration started by an entity: it reports no completion to its parent (§6.3). */
    private static final String FIRE_AND_FORGET_TAG = "FireAndForget";
    /**
     * Scheduled entity requests are made visible at most this far ahead (DTFx {@code EntityBackendProperties
     * .MaximumSignalDelayTime}, storage-layout.md §8.6); the entity re-sends a request that arrives early.
     */
    static final Duration MAX_ENTITY_SIGNAL_DELAY = Duration.ofDays(6);
    /** Threads of the pool that sends and deletes a checkpoint's messages in parallel. */
    static final int STORAGE_CALL_THREADS = 16;
    /** How long stopping a control-queue listener waits for a receive call under way. */
    private static final Duration LISTENER_STOP_WAIT = Duration.ofSeconds(5);

    private final AzureStorageOrchestrationServiceSettings settings;
    private final TaskHubNames names;
    private final StorageClients clients;
    private final Map<String, TaskHubQueue> controlQueues = new LinkedHashMap<>();
    private final WorkItemQueue workItems;
    private final TrackingStore tracking;
    private final BlobContainerClient largeMessages;
    private final LargePayloadStore payloads;
    private final OrchestrationSessionManager sessions = new OrchestrationSessionManager();
    /** Extended sessions: instance states after their last checkpoint here (see {@link ExtendedSessionCache}). */
    private final ExtendedSessionCache sessionCache;
    private final TablePartitionManager partitions;
    private final InstanceQuery instanceQuery;
    private final InstancePurger purger;
    private final HistoryRewinder rewinder;
    private final Map<String, ControlQueueListener> listeners = new ConcurrentHashMap<>();
    /** Runs independent storage calls of a checkpoint in parallel ({@link #runAll}); daemon threads, closed in close. */
    private final ExecutorService storageCalls;
    private volatile boolean taskHubCreated;
    private volatile boolean started;
    private volatile boolean closed;

    /**
     * Creates the service; no storage call is made until it is used.
     *
     * @throws IllegalArgumentException if the connection string cannot be parsed
     */
    public AzureStorageOrchestrationService(AzureStorageOrchestrationServiceSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sessionCache = new ExtendedSessionCache(settings.getExtendedSessionCacheEvents());
        AtomicInteger threadCount = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(STORAGE_CALL_THREADS, STORAGE_CALL_THREADS, 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "storage-calls-" + settings.getTaskHubName() + "-"
                            + threadCount.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.storageCalls = pool;
        this.names = new TaskHubNames(settings.getTaskHubName(), settings.getPartitionCount());
        this.clients = new StorageClients(settings.getConnectionString());
        this.largeMessages = clients.blobs().getBlobContainerClient(names.largeMessagesContainer());
        this.payloads = new LargePayloadStore(largeMessages);
        for (String name : names.controlQueues()) {
            controlQueues.put(name, newQueue(name, true));
        }
        this.workItems = new WorkItemQueue(newQueue(names.workItemQueue(), false), settings);
        this.tracking = new TrackingStore(names, clients.tables(), payloads);
        this.instanceQuery = new InstanceQuery(tracking, names.taskHubName());
        this.purger = new InstancePurger(tracking, instanceQuery, largeMessages);
        this.rewinder = new HistoryRewinder(tracking);
        this.partitions = new TablePartitionManager(
                clients.tables().getTableClient(names.partitionsTable()), names.controlQueues(),
                settings.getWorkerId(), new TablePartitionManager.Listener() {
                    @Override
                    public void acquired(String queueName) {
                        startListening(queueName);
                    }

                    @Override
                    public void stopListening(Collection<String> queueNames) {
                        AzureStorageOrchestrationService.this.stopListening(queueNames);
                    }

                    @Override
                    public int inFlight(String queueName) {
                        return sessions.activeCount(queueName);
                    }
                });
    }

    /** A queue of the task hub with its poison queue {@code <name>-poison} (see {@link PoisonMessages}). */
    private TaskHubQueue newQueue(String name, boolean controlQueue) {
        return new TaskHubQueue(name, clients.queues().getQueueClient(name), payloads,
                clients.queues().getQueueClient(PoisonMessages.poisonQueueName(name)),
                settings.getMaxDequeueCount(), controlQueue);
    }

    /** The task hub name, as configured. */
    public String getTaskHubName() {
        return settings.getTaskHubName();
    }

    /** The queue service endpoint URL of the storage account, e.g. {@code http://127.0.0.1:10001/devstoreaccount1}. */
    public String getStorageEndpoint() {
        return clients.queues().getQueueServiceUrl();
    }

    /** The settings this service runs with. */
    public AzureStorageOrchestrationServiceSettings getSettings() {
        return settings;
    }

    // --------------------------------------------------------------------------------------------- lifecycle

    /**
     * Creates every resource of the task hub that is missing, in DTFx's order (storage-layout.md §1.2 "Creation
     * order"): the app-lease container with its {@code {}} info blob, the Partitions table, the History and
     * Instances tables, the work-item queue, every control queue, and one Partitions row per control queue.
     * The large-message container is created when first needed. Idempotent.
     */
    @Override
    public void createTaskHubIfNotExists() {
        if (taskHubCreated) {
            return;
        }
        synchronized (this) {
            if (taskHubCreated) {
                return;
            }
            BlobContainerClient appLease = clients.blobs().getBlobContainerClient(names.appLeaseContainer());
            appLease.createIfNotExists();
            try {
                appLease.getBlobClient(names.appLeaseInfoBlob()).upload(BinaryData.fromString("{}"), false);
            } catch (BlobStorageException e) {
                if (e.getStatusCode() != 409) {
                    throw e;
                }
            }
            clients.tables().createTableIfNotExists(names.partitionsTable());
            tracking.createTables();
            workItems.queue().createIfNotExists();
            for (TaskHubQueue queue : controlQueues.values()) {
                queue.createIfNotExists();
            }
            partitions.createLeases();
            taskHubCreated = true;
            log.info("Task hub '{}' is ready in {} ({} partitions)", names.taskHubName(), getStorageEndpoint(),
                    names.partitionCount());
        }
    }

    /**
     * Creates the task hub if needed, then manages partition ownership through the Partitions table (see
     * {@link TablePartitionManager}, storage-layout.md §5.1): claims free and expired partitions, steals toward a
     * balanced share from workers that own more, drains and hands over partitions other workers steal, and listens
     * to the control queues it owns.
     */
    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("This service is closed");
        }
        if (started) {
            return;
        }
        createTaskHubIfNotExists();
        partitions.start();
        started = true;
        log.info("Worker '{}' started on task hub '{}'; owns {}", settings.getWorkerId(), names.taskHubName(),
                partitions.ownedQueues());
    }

    /**
     * Graceful shutdown of the worker side (storage-layout.md §5.1 "Shutdown"): stops reading every control queue,
     * hands the messages buffered in memory back to their queues at once (visibility 0), waits for the work items in
     * flight of each queue to be completed or abandoned (at most 60 s per queue; then it logs and goes on), and
     * releases each Partitions row ({@code CurrentOwner} null), so another worker takes the partitions over within
     * seconds instead of after the lease expires. {@code DurableTaskWorker.stop} calls this after it has stopped
     * taking new work and waited for running functions. Work items still out may be completed or abandoned until
     * {@link #close()}.
     */
    @Override
    public synchronized void stop() {
        if (!started) {
            return;
        }
        started = false;
        partitions.stop();
        stopListening(List.copyOf(listeners.keySet()));
        log.info("Worker '{}' stopped on task hub '{}'", settings.getWorkerId(), names.taskHubName());
    }

    /** Stops (as {@link #stop()}) and ends every thread of this service. */
    @Override
    public void close() {
        stop();
        closed = true;
        workItems.wake();
        sessionCache.clear();
        storageCalls.shutdown();
    }

    /** The control queues this worker owns now (for diagnostics and tests). */
    Set<String> ownedControlQueues() {
        return partitions.ownedQueues();
    }

    /** The control queues being polled now (for tests). */
    Set<String> listeningQueues() {
        return Set.copyOf(listeners.keySet());
    }

    TablePartitionManager partitionManager() {
        return partitions;
    }

    /** How many control-queue messages are buffered in memory, not handed out (for tests). */
    int bufferedMessageCount(String queueName) {
        return sessions.bufferedCount(queueName);
    }

    /** How many orchestration work items of a control queue are handed out now (for tests). */
    int inFlightWorkItems(String queueName) {
        return sessions.activeCount(queueName);
    }

    TaskHubNames names() {
        return names;
    }

    /** The extended-session cache (for tests). */
    ExtendedSessionCache sessionCache() {
        return sessionCache;
    }

    TrackingStore tracking() {
        return tracking;
    }

    private void startListening(String queueName) {
        TaskHubQueue queue = controlQueues.get(queueName);
        if (queue == null || closed) {
            return;
        }
        listeners.computeIfAbsent(queueName, q -> {
            ControlQueueListener listener = new ControlQueueListener(queue, sessions, settings);
            listener.start();
            return listener;
        });
    }

    /**
     * Stops reading the control queues (their listeners stop in parallel; a batch received meanwhile is handed back by
     * the listener itself), then hands the messages buffered for them back to the queues at once, so that the next
     * owner receives them without waiting for the visibility timeout (storage-layout.md §5.1 "drain"). Work items
     * already handed out are not touched.
     */
    private void stopListening(Collection<String> queueNames) {
        List<ControlQueueListener> stopping = new ArrayList<>();
        for (String queueName : queueNames) {
            ControlQueueListener listener = listeners.remove(queueName);
            if (listener != null) {
                listener.requestStop();
                stopping.add(listener);
            }
        }
        for (ControlQueueListener listener : stopping) {
            listener.stop(LISTENER_STOP_WAIT);
        }
        // Another worker may own these instances next: their cached states are no longer ours to trust.
        Set<String> released = Set.copyOf(queueNames);
        sessionCache.evictIf(instanceId -> released.contains(names.controlQueueFor(instanceId)));
        for (String queueName : queueNames) {
            List<ReceivedMessage> buffered = sessions.removeQueue(queueName);
            if (!buffered.isEmpty()) {
                int handedBack = ControlQueueListener.handBack(buffered);
                log.info("Worker '{}': handed {} buffered message(s) of {} back to the queue", settings.getWorkerId(),
                        handedBack, queueName);
            }
        }
    }

    private void nudgeControlQueue(String queueName) {
        ControlQueueListener listener = listeners.get(queueName);
        if (listener != null) {
            listener.nudge();
        }
    }

    // ------------------------------------------------------------------------------- orchestration work items

    /**
     * Waits for the next batch of control-queue messages of an instance that is not busy, loads its history and
     * applies the checks of storage-layout.md §8.1–8.2 (ExecutionStarted de-duplication, out-of-order responses of
     * the current execution put back with back-off, messages for unknown or finished instances or for older
     * executions deleted with a log line). A batch with a poison message (one that cannot be read, or is delivered
     * for the {@code maxDequeueCount}-th time) is not handed out: the message is set aside and the orchestration
     * failed (README "Poison messages").
     *
     * @return a locked work item, or null if none was ready within {@code timeout}
     */
    @Override
    public OrchestrationWorkItem lockNextOrchestrationWorkItem(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            long remaining = deadline - System.nanoTime();
            OrchestrationSessionManager.Batch batch = sessions.take(Duration.ofNanos(Math.max(0, remaining)));
            if (batch == null) {
                return null;
            }
            try {
                AzureStorageOrchestrationWorkItem workItem = prepare(batch);
                if (workItem != null) {
                    return workItem;
                }
            } catch (InterruptedException e) {
                sessionCache.evict(batch.instanceId());
                abandonAll(batch.messages());
                sessions.release(batch.instanceId());
                throw e;
            } catch (RuntimeException e) {
                log.error("Instance '{}': preparing a work item failed; putting its {} message(s) back with back-off",
                        batch.instanceId(), batch.messages().size(), e);
                sessionCache.evict(batch.instanceId());
                abandonAll(batch.messages());
                sessions.release(batch.instanceId());
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
        }
        return null;
    }

    /**
     * Turns a batch into a work item, or handles it entirely (abandon/discard + release) and returns null. The
     * history comes from the extended-session cache when it holds the instance and the batch is an ordinary one
     * (see {@link #prepareFromCache}); otherwise from the History table.
     */
    private AzureStorageOrchestrationWorkItem prepare(OrchestrationSessionManager.Batch batch)
            throws InterruptedException {
        String instanceId = batch.instanceId();
        List<ReceivedMessage> messages = new ArrayList<>(batch.messages());
        ReceivedMessage first = messages.get(0);
        ExecutionStartedEvent start = first.data().taskMessage().event() instanceof ExecutionStartedEvent s
                ? s : null;
        if (start == null) {
            ExtendedSessionCache.Entry cached = sessionCache.get(instanceId);
            if (cached != null) {
                AzureStorageOrchestrationWorkItem item = prepareFromCache(instanceId, messages, cached);
                if (item != null) {
                    return item;
                }
            }
        }
        // A new execution, or a batch that needs one of the decisions below: they are taken on what storage holds.
        sessionCache.evict(instanceId);
        // A top-level start delivered for the first time, whose Instances row is Pending for this very execution of
        // the instance's first generation, has no history yet: no older execution left one, any earlier processing
        // of this message would have raised its dequeue count (it is deleted only after its checkpoint), and a
        // processed duplicate would have set the row to Running. So the history read is skipped. Should history exist
        // after all (a duplicate start whose first copy crashed between the history write and the Instances update),
        // creating the sentinel fails with 409, the work item is abandoned and the next delivery (dequeue count 2)
        // reads history.
        StartVerdict earlyVerdict = null;
        if (start != null && start.parentInstance() == null && first.dequeueCount() == 1
                && first.unreadable() == null) {
            earlyVerdict = checkExecutionStarted(instanceId, start, first);
        }
        TrackingStore.HistoryLoad history;
        if (earlyVerdict != null && earlyVerdict.pendingForThisExecution()) {
            history = new TrackingStore.HistoryLoad(List.of(), null, null, null);
        } else {
            try {
                history = tracking.readHistory(instanceId,
                        start == null ? null : start.orchestrationInstance().executionId());
            } catch (RuntimeException e) {
                if (failForPoisonWithoutHistory(instanceId, messages, e)) {
                    return null;
                }
                throw e; // put back with back-off by the caller
            }
        }

        // ExecutionStarted de-duplication (§8.1 step 3), for top-level starts not yet in history.
        if (start != null && start.parentInstance() == null && history.events().isEmpty()) {
            StartVerdict verdict = earlyVerdict != null ? earlyVerdict : checkExecutionStarted(instanceId, start, first);
            if (verdict.action() == StartAction.DISCARD) {
                discard(instanceId, messages, verdict.reason());
                return null;
            }
            if (verdict.action() == StartAction.RETRY_LATER) {
                log.info("Instance '{}': {}; putting the batch back with back-off", instanceId, verdict.reason());
                abandonAll(messages);
                sessions.release(instanceId);
                return null;
            }
        }

        // Out-of-order responses (§8.2 step 1): put back until the scheduling event is in history. Only messages of
        // the execution this batch runs (or addressed to no execution): a response for an older execution is stale
        // and discarded below, not held forever.
        String batchExecution = start != null ? start.orchestrationInstance().executionId() : history.executionId();
        List<ReceivedMessage> outOfOrder = new ArrayList<>();
        for (ReceivedMessage m : messages) {
            String target = m.data().taskMessage().orchestrationInstance().executionId();
            if (target != null && batchExecution != null && !target.equals(batchExecution)) {
                continue;
            }
            String missing = missingSchedulingEvent(m, instanceId, history.events());
            if (missing != null) {
                if (history.events().isEmpty() && m.dequeueCount() > ZOMBIE_DEQUEUE_COUNT) {
                    continue; // a zombie: falls through to be discarded below
                }
                if (!history.events().isEmpty() && isPoison(m)) {
                    continue; // its scheduling event never appeared: a poison message, handled below
                }
                log.info("Instance '{}': {} arrived before its {} is in history; putting it back with back-off",
                        instanceId, m, missing);
                outOfOrder.add(m);
            }
        }
        if (!outOfOrder.isEmpty()) {
            abandonAll(outOfOrder);
            messages.removeAll(outOfOrder);
        }
        if (messages.isEmpty()) {
            sessions.release(instanceId);
            return null;
        }

        // Poison messages of an entity are only set aside (an entity is never failed); the others go on.
        if (EntityInstanceId.isEntityInstanceId(instanceId)) {
            for (ReceivedMessage m : poisonOf(messages)) {
                m.queue().setAside(m, instanceId, poisonReason(m, history.events())
                        + "; the entity is not failed, only this message is set aside");
                messages.remove(m);
            }
            if (messages.isEmpty()) {
                sessions.release(instanceId);
                return null;
            }
        }

        // Executable check (§8.2 step 2).
        boolean startedInHistory = history.events().stream().anyMatch(e -> e instanceof ExecutionStartedEvent);
        boolean startInBatch = messages.stream()
                .anyMatch(m -> m.data().taskMessage().event() instanceof ExecutionStartedEvent);
        if (!startedInHistory && !startInBatch && isEntityAutoStart(instanceId, messages.get(0))) {
            // An entity's first message: the worker starts it with an empty scheduler state (§8.2, §9 "Auto-start").
            log.debug("Entity '{}': no history; auto-starting it with {} message(s)", instanceId, messages.size());
            return new AzureStorageOrchestrationWorkItem(instanceId, new OrchestrationRuntimeState(List.of()),
                    messages, history.executionId(), history.etag());
        }
        if (!startedInHistory && !startInBatch) {
            ExecutionTerminatedEvent terminate = messages.stream()
                    .map(m -> m.data().taskMessage().event())
                    .filter(e -> e instanceof ExecutionTerminatedEvent)
                    .map(e -> (ExecutionTerminatedEvent) e).findFirst().orElse(null);
            if (terminate != null) {
                tracking.updateStatusForTermination(instanceId, terminate.input(), terminate.timestamp());
                discard(instanceId, messages, "the instance was terminated before it started (no history)");
            } else {
                discard(instanceId, messages, "no such instance: no ExecutionStarted event in its history or "
                        + "messages");
            }
            return null;
        }
        OrchestrationRuntimeState past = new OrchestrationRuntimeState(history.events());
        if (startedInHistory) {
            List<ReceivedMessage> stale = new ArrayList<>();
            for (ReceivedMessage m : messages) {
                String target = m.data().taskMessage().orchestrationInstance().executionId();
                if (target != null && !target.equals(history.executionId())
                        && !(m.data().taskMessage().event() instanceof ExecutionStartedEvent)) {
                    stale.add(m);
                }
            }
            if (!stale.isEmpty()) {
                discard(instanceId, stale, "they are for an execution other than the current one ("
                        + history.executionId() + ")", false);
                messages.removeAll(stale);
            }
            if (past.isCompleted() && !messages.isEmpty()) {
                repairInstanceRow(instanceId, past);
                discard(instanceId, messages, "the execution " + past.getExecutionId() + " has already finished ("
                        + past.getRuntimeStatus().statusName() + ")", false);
                messages.clear();
            }
            if (messages.isEmpty()) {
                sessions.release(instanceId);
                return null;
            }
        }
        List<ReceivedMessage> poison = poisonOf(messages);
        if (!poison.isEmpty()) {
            failForPoison(instanceId, history, past, messages, poison);
            return null;
        }
        return new AzureStorageOrchestrationWorkItem(instanceId, past, messages, history.executionId(),
                history.etag());
    }

    /**
     * The work item of a batch from the instance's cached state, if the batch needs none of the decisions of
     * {@link #prepare} that delete, hold back or set aside messages: the cached execution is running (not finished),
     * and every message is readable, not poison, addressed to that execution (or to none) and not a response whose
     * scheduling event is missing. Whatever the cached state lets the episode do is validated by the checkpoint's
     * conditional history write (sentinel ETag); what it does not validate (deleting or holding back messages) is
     * left to the storage path.
     *
     * @return the work item, or null to prepare the batch from storage
     */
    private AzureStorageOrchestrationWorkItem prepareFromCache(String instanceId, List<ReceivedMessage> messages,
                                                               ExtendedSessionCache.Entry cached) {
        for (ReceivedMessage m : messages) {
            if (m.unreadable() != null || isPoison(m)
                    || m.data().taskMessage().event() instanceof ExecutionStartedEvent) {
                return null;
            }
            String target = m.data().taskMessage().orchestrationInstance().executionId();
            if (target != null && !target.equals(cached.executionId())) {
                return null;
            }
            if (missingSchedulingEvent(m, instanceId, cached.events()) != null) {
                return null;
            }
        }
        OrchestrationRuntimeState past = new OrchestrationRuntimeState(cached.events());
        if (past.getExecutionStartedEvent() == null || past.isCompleted()) {
            return null;
        }
        return new AzureStorageOrchestrationWorkItem(instanceId, past, messages, cached.executionId(),
                cached.etag());
    }

    // ------------------------------------------------------------------------------------------ poison messages

    /**
     * True for a poison message (README "Poison messages"): the placeholder of a message that cannot be read (see
     * {@link TaskHubQueue#receive}), or a message received for the {@code maxDequeueCount}-th time (or later), whose
     * earlier deliveries all failed or were put back.
     */
    private boolean isPoison(ReceivedMessage m) {
        return m.unreadable() != null || m.dequeueCount() >= settings.getMaxDequeueCount();
    }

    private List<ReceivedMessage> poisonOf(List<ReceivedMessage> messages) {
        return messages.stream().filter(this::isPoison).toList();
    }

    /** Why a control-queue message is poison, for the log and the failure details. */
    private static String poisonReason(ReceivedMessage m, List<HistoryEvent> history) {
        if (m.unreadable() != null) {
            return m.unreadable();
        }
        String missing = history.isEmpty() ? null : missingSchedulingEvent(m, m.data().instanceId(), history);
        if (missing != null) {
            return "the " + missing + " it responds to never appeared in the history";
        }
        return "each earlier delivery failed or was put back (its episode or checkpoint failed, or the worker "
                + "stopped)";
    }

    /** The event type of a control-queue message: read, or as far as the raw JSON tells for a placeholder. */
    private static String eventTypeOf(ReceivedMessage m) {
        if (m.unreadable() == null) {
            return m.data().taskMessage().event().eventType().name();
        }
        String type = PoisonMessages.peek(m.body()).eventType();
        return type == null ? "unknown event" : type;
    }

    /**
     * The failure message naming the (first) poison message: ID, event type, source queue, dequeue count, poison
     * queue and reason.
     */
    private String poisonFailureMessage(List<ReceivedMessage> poison, Function<ReceivedMessage, String> reason) {
        ReceivedMessage m = poison.get(0);
        String text = "Message " + m.messageId() + " (" + eventTypeOf(m) + ") in queue " + m.queue().name()
                + " was dequeued " + m.dequeueCount() + " times without being processed (maxDequeueCount "
                + settings.getMaxDequeueCount() + "): " + reason.apply(m) + ". It was moved to the poison queue "
                + m.queue().poisonQueueName() + ".";
        if (poison.size() > 1) {
            text += " " + (poison.size() - 1) + " more poison message(s) of the same batch were moved with it.";
        }
        return text;
    }

    /**
     * Sets aside the poison messages of an orchestration's batch and fails its execution (README "Poison messages"),
     * as a checkpoint under the sentinel ETag (§8.3): {@code OrchestratorStarted}, {@code ExecutionCompleted(Failed)}
     * with {@link PoisonMessages#failureDetails} and {@code OrchestratorCompleted} (after the batch's
     * {@code ExecutionStarted}, for an execution that had not started yet); the Instances row becomes Failed with
     * Output {@code "PoisonMessage: <message>"}; the parent of a sub-orchestration gets a
     * {@code SubOrchestrationInstanceFailed} as for any failure. Order: the poison messages are copied to their
     * poison queues first, then the checkpoint is committed, then every message of the batch is deleted (the other
     * messages belong to the execution that just failed). If a step fails, the whole batch is put back with back-off
     * (and may be copied again later: a duplicate in the poison queue, never a loss). Releases the session.
     */
    private void failForPoison(String instanceId, TrackingStore.HistoryLoad history, OrchestrationRuntimeState past,
                               List<ReceivedMessage> messages, List<ReceivedMessage> poison) {
        sessionCache.evict(instanceId);
        ExecutionStartedEvent started = past.getExecutionStartedEvent();
        boolean newExecution = started == null;
        if (newExecution) {
            started = messages.stream().map(m -> m.data().taskMessage().event())
                    .filter(e -> e instanceof ExecutionStartedEvent).map(e -> (ExecutionStartedEvent) e)
                    .findFirst().orElseThrow(() -> new IllegalStateException("Instance '" + instanceId
                            + "': no execution to fail"));
        }
        String message = poisonFailureMessage(poison, m -> poisonReason(m, history.events()));
        FailureDetails failure = PoisonMessages.failureDetails(message);
        Instant now = historyNow();
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(newExecution ? List.of()
                : past.getPastEvents());
        state.addEvent(new OrchestratorStartedEvent(-1, false, now));
        if (newExecution) {
            state.addEvent(started);
        } else {
            state.setCustomStatus(customStatusOf(instanceId));
        }
        state.addEvent(new ExecutionCompletedEvent(-1, false, now, OrchestrationRuntimeStatus.FAILED, null, failure));
        state.addEvent(new OrchestratorCompletedEvent(-1, false, now));
        List<TaskMessage> toParent = new ArrayList<>();
        ParentInstance parent = started.parentInstance();
        if (parent != null && (started.tags() == null || !started.tags().containsKey(FIRE_AND_FORGET_TAG))) {
            toParent.add(new TaskMessage(new SubOrchestrationInstanceFailedEvent(-1, false, now,
                    parent.taskScheduleId(), failure.getErrorMessage(), null, failure),
                    parent.orchestrationInstance()));
        }
        for (ReceivedMessage m : poison) {
            if (!m.queue().copyToPoisonQueue(m, instanceId, poisonReason(m, history.events()))) {
                abandonAll(messages);
                sessions.release(instanceId);
                return;
            }
        }
        AzureStorageOrchestrationWorkItem item = new AzureStorageOrchestrationWorkItem(instanceId, past, messages,
                history.executionId(), history.etag());
        for (ReceivedMessage m : messages) {
            if (!poison.contains(m)) {
                log.warn("Instance '{}': {} is consumed by the failing episode; its execution ends Failed",
                        instanceId, m);
            }
        }
        try {
            completeOrchestrationWorkItem(item, new OrchestrationCheckpoint(state, List.of(), toParent, List.of()));
        } catch (RuntimeException e) {
            log.error("Instance '{}': failing execution {} because of a poison message did not complete ({}); "
                    + "putting its {} message(s) back with back-off", instanceId, started.orchestrationInstance()
                    .executionId(), e.toString(), messages.size());
            abandonAll(messages);
            sessions.release(instanceId);
            return;
        }
        log.error("Instance '{}' ({}): execution {} failed because of a poison message: {}", instanceId,
                started.name(), started.orchestrationInstance().executionId(), message);
    }

    /**
     * Handles a batch whose instance's history cannot be read (e.g. a row that cannot be decoded), if a message of
     * it is poison: the poison messages are copied to their poison queues; for an orchestration, an Instances row
     * that is not already terminal is marked Failed with Output {@code "PoisonMessage: <message>"} (the history is
     * left as it is, and the log says so); then the poison messages are deleted and the others put back with
     * back-off (each is set aside in turn when it reaches {@code maxDequeueCount}). An entity is not marked.
     *
     * @return false if no message of the batch is poison (nothing was done; the caller puts the batch back)
     */
    private boolean failForPoisonWithoutHistory(String instanceId, List<ReceivedMessage> messages,
                                                RuntimeException error) {
        List<ReceivedMessage> poison = poisonOf(messages);
        if (poison.isEmpty()) {
            return false;
        }
        String historyProblem = "the instance's history cannot be read (" + error.getMessage() + ")";
        Function<ReceivedMessage, String> reason = m -> m.unreadable() == null ? historyProblem
                : m.unreadable() + "; and " + historyProblem;
        for (ReceivedMessage m : poison) {
            if (!m.queue().copyToPoisonQueue(m, instanceId, reason.apply(m))) {
                abandonAll(messages);
                sessions.release(instanceId);
                return true;
            }
        }
        if (!EntityInstanceId.isEntityInstanceId(instanceId)) {
            String message = poisonFailureMessage(poison, reason);
            try {
                boolean marked = tracking.markFailedWithoutHistory(instanceId,
                        PoisonMessages.failureDetails(message).toString());
                log.error("Instance '{}': {}; {} its Instances row; the history was left as it is. {}", instanceId,
                        historyProblem, marked ? "marked Failed in" : "did not change (missing or already terminal)",
                        message);
            } catch (RuntimeException e) {
                log.error("Instance '{}': marking its Instances row Failed after a poison message failed ({}); "
                        + "putting its {} message(s) back with back-off", instanceId, e.toString(), messages.size());
                abandonAll(messages);
                sessions.release(instanceId);
                return true;
            }
        }
        for (ReceivedMessage m : messages) {
            if (!poison.contains(m)) {
                m.queue().abandon(m);
                continue;
            }
            try {
                m.queue().delete(m);
            } catch (QueueStorageException e) {
                log.warn("Instance '{}': deleting poison message {} after copying it failed ({}); it will be "
                        + "delivered again", instanceId, m, TaskHubQueue.describe(e));
            }
        }
        sessions.release(instanceId);
        return true;
    }

    /** The custom status in the Instances row (null if none), kept by a checkpoint that fails the instance. */
    private String customStatusOf(String instanceId) {
        TableEntity row = tracking.readInstanceRow(instanceId);
        String customStatus = row == null ? null : TrackingStore.stringOf(row.getProperty("CustomStatus"));
        return HistoryEntityCodec.NULL_LITERAL.equals(customStatus) ? null : customStatus;
    }

    /** The current time at the precision of history timestamps (100 ns .NET ticks, §6.2). */
    private static Instant historyNow() {
        Instant now = Instant.now();
        return Instant.ofEpochSecond(now.getEpochSecond(), now.getNano() / 100 * 100);
    }

    /**
     * History and Instances are written without a cross-table transaction, so a crash between them can leave the
     * Instances row behind a finished history. When messages arrive for a finished execution, the row is brought in
     * line with the history (§8.2 "repair the Instances row if needed").
     */
    private void repairInstanceRow(String instanceId, OrchestrationRuntimeState past) {
        TableEntity row = tracking.readInstanceRow(instanceId);
        String status = past.getRuntimeStatus().statusName();
        if (row != null && status.equals(TrackingStore.stringOf(row.getProperty("RuntimeStatus")))
                && Objects.equals(past.getExecutionId(), TrackingStore.stringOf(row.getProperty("ExecutionId")))) {
            return;
        }
        log.warn("Instance '{}': its Instances row ({}) disagrees with its finished history ({}); repairing it",
                instanceId, row == null ? "missing" : row.getProperty("RuntimeStatus"), status);
        tracking.updateInstanceState(instanceId, past, past.getPastEvents());
    }

    private enum StartAction { ACCEPT, DISCARD, RETRY_LATER }

    /**
     * @param pendingForThisExecution the Instances row is Pending, of generation 0, and names the start's execution
     *                                (only with ACCEPT)
     */
    private record StartVerdict(StartAction action, String reason, boolean pendingForThisExecution) {
        StartVerdict(StartAction action, String reason) {
            this(action, reason, false);
        }
    }

    /** Checks a top-level ExecutionStarted message against the Instances row (§8.1 step 3). */
    private StartVerdict checkExecutionStarted(String instanceId, ExecutionStartedEvent start, ReceivedMessage message)
            throws InterruptedException {
        String executionId = start.orchestrationInstance().executionId();
        TableEntity row = null;
        // The client sends the message before it writes the row: give a racing client a moment.
        for (long pause : new long[]{0, 50, 100, 200}) {
            if (pause > 0) {
                Thread.sleep(pause);
            }
            row = tracking.readInstanceRow(instanceId);
            if (row != null) {
                Object rowExecution = row.getProperty("ExecutionId");
                if (rowExecution == null || executionId.equals(rowExecution.toString())) {
                    // A first create (Generation 0): no older execution can have left a history (a purge deletes
                    // the row too, so a create after it is generation 0 again over no history).
                    Object rowGeneration = row.getProperty("Generation");
                    boolean firstGeneration = rowGeneration == null
                            || (rowGeneration instanceof Number g && g.intValue() == 0);
                    boolean pending = rowExecution != null && firstGeneration
                            && OrchestrationRuntimeStatus.PENDING.statusName().equals(
                                    TrackingStore.stringOf(row.getProperty("RuntimeStatus")));
                    return new StartVerdict(StartAction.ACCEPT, null, pending);
                }
            }
        }
        if (row != null) {
            Object generation = row.getProperty("Generation");
            boolean sameGeneration = generation instanceof Number n && start.generation() != null
                    && n.intValue() == start.generation();
            Instant created = TrackingStore.instantOf(row.getProperty("CreatedTime"));
            boolean pending = OrchestrationRuntimeStatus.PENDING.statusName().equals(
                    TrackingStore.stringOf(row.getProperty("RuntimeStatus")));
            if (sameGeneration && pending && created != null && created.isBefore(start.timestamp())) {
                return new StartVerdict(StartAction.DISCARD, "its ExecutionStarted (execution " + executionId
                        + ") lost to a newer create of the same generation (execution "
                        + row.getProperty("ExecutionId") + ")");
            }
        }
        if (message.dequeueCount() >= EXECUTION_STARTED_MAX_DEQUEUE) {
            return new StartVerdict(StartAction.DISCARD, "its ExecutionStarted (execution " + executionId
                    + ") does not match the Instances row after " + message.dequeueCount() + " deliveries");
        }
        return new StartVerdict(StartAction.RETRY_LATER, row == null ? "its Instances row is not written yet"
                : "its Instances row holds execution " + row.getProperty("ExecutionId") + ", not " + executionId
                + " yet");
    }

    /**
     * Whether a batch without any ExecutionStarted is an entity's auto-start (§8.2 step 2): the instance is an entity
     * ({@code @name@key}) and its first message is an EventRaised addressed to no execution.
     */
    private static boolean isEntityAutoStart(String instanceId, ReceivedMessage first) {
        TaskMessage message = first.data().taskMessage();
        return EntityInstanceId.isEntityInstanceId(instanceId) && message.event() instanceof EventRaisedEvent
                && message.orchestrationInstance().executionId() == null;
    }

    /** {@link OutOfOrderCheck#missingSchedulingEvent} for a received message (its envelope names the sender). */
    private static String missingSchedulingEvent(ReceivedMessage m, String instanceId, List<HistoryEvent> history) {
        OrchestrationInstance sender = m.data().sender();
        return OutOfOrderCheck.missingSchedulingEvent(m.data().taskMessage().event(),
                sender == null ? null : sender.instanceId(), instanceId, history);
    }

    /**
     * Checkpoints an episode in the order of storage-layout.md §8.3: (1) send the outbound messages (activities to
     * {@code {h}-workitems}, orchestrator messages to their targets' control queues, timers to the own control
     * queue with a visibility delay of {@code fireAt − now}, clamped to [0, 7 days)), in parallel except that the
     * messages to one target instance are sent one after the other, in order, and all are sent before (2) write the
     * new history rows with the sentinel under its ETag; (3) merge the Instances row; (4) delete the inbound messages,
     * in parallel. When parallel calls fail, the first call's failure (in the order above) is thrown after all have
     * finished.
     *
     * <p>Outbound messages over 45 KiB go through their blobs (§7.1), history properties and Instances columns over
     * 60 KiB too (§7.2).
     *
     * <p>Afterwards the instance's new state (execution ID, events, the sentinel's new ETag) is kept in the
     * extended-session cache while the execution is running and its control queue is still read here; any failure
     * drops it, so the next episode reads the history from storage.
     *
     * @throws SessionAbortedException if another worker or client changed the history first (409/412/404); nothing
     *                                 was written to history, the work item stays locked until abandoned
     */
    @Override
    public void completeOrchestrationWorkItem(OrchestrationWorkItem workItem, OrchestrationCheckpoint checkpoint) {
        AzureStorageOrchestrationWorkItem item = cast(workItem);
        try {
            checkpoint(item, checkpoint);
        } catch (RuntimeException e) {
            sessionCache.evict(item.getInstanceId());
            throw e;
        }
    }

    private void checkpoint(AzureStorageOrchestrationWorkItem item, OrchestrationCheckpoint checkpoint) {
        OrchestrationRuntimeState state = checkpoint.newRuntimeState();
        String instanceId = item.getInstanceId();
        if (state.getExecutionStartedEvent() == null) {
            throw new IllegalArgumentException("Checkpoint of instance '" + instanceId + "' has no ExecutionStarted "
                    + "event");
        }
        OrchestrationInstance self = state.getExecutionStartedEvent().orchestrationInstance();
        int episode = (int) state.getEvents().stream().filter(e -> e instanceof OrchestratorStartedEvent).count();

        // 1. Outbound messages: serialize (and offload the large ones, §7.1) all before sending any.
        /** {@code target}: the instance a control-queue message goes to; null for an activity. */
        record Outbound(TaskHubQueue queue, String json, Duration delay, String target) {
        }
        List<Outbound> outbound = new ArrayList<>();
        Instant now = Instant.now();
        for (TaskMessage m : checkpoint.activityMessages()) {
            outbound.add(new Outbound(workItems.queue(),
                    TaskHubQueue.encode(TaskHubQueue.envelope(m, episode, self), payloads).json(), null, null));
        }
        for (TaskMessage m : checkpoint.orchestratorMessages()) {
            outbound.add(new Outbound(controlQueueFor(m.instanceId()),
                    TaskHubQueue.encode(TaskHubQueue.envelope(m, episode, self), payloads).json(),
                    visibilityDelay(m, now), m.instanceId()));
        }
        for (TaskMessage m : checkpoint.timerMessages()) {
            outbound.add(new Outbound(controlQueueFor(instanceId),
                    TaskHubQueue.encode(TaskHubQueue.envelope(m, episode, self), payloads).json(),
                    visibilityDelay(m, now), instanceId));
        }
        // Sent in parallel, except that the messages to one instance keep their order (e.g. signals from this
        // orchestration to one entity): each target's messages go one after the other. All are sent before the history
        // is written.
        List<Runnable> sends = new ArrayList<>();
        Map<String, List<Outbound>> byTarget = new LinkedHashMap<>();
        for (Outbound o : outbound) {
            if (o.target() == null) {
                sends.add(() -> o.queue().send(o.json(), o.delay()));
            } else {
                byTarget.computeIfAbsent(o.target(), k -> new ArrayList<>()).add(o);
            }
        }
        for (List<Outbound> group : byTarget.values()) {
            sends.add(() -> group.forEach(o -> o.queue().send(o.json(), o.delay())));
        }
        runAll(sends);
        if (!checkpoint.activityMessages().isEmpty()) {
            workItems.nudge();
        }
        for (Outbound o : outbound) {
            if (o.delay() == null && o.queue() != workItems.queue()) {
                nudgeControlQueue(o.queue().name());
            }
        }

        // 2. History with the sentinel, under its ETag.
        String executionId = state.getExecutionId();
        boolean newExecution = !executionId.equals(item.loadedExecutionId());
        List<HistoryEvent> rows = newExecution ? state.getEvents() : state.getNewEvents();
        long firstPosition = newExecution ? 0 : state.getPastEvents().size();
        Map<HistoryEvent, Map<String, String>> offloaded = new IdentityHashMap<>();
        String newEtag = item.etag();
        if (!rows.isEmpty()) {
            newEtag = tracking.commitHistory(instanceId, executionId, rows, firstPosition, item.etag(), offloaded);
        }

        // 3. Instances row (large values point at the history rows' blobs, §7.2).
        tracking.updateInstanceState(instanceId, state, rows, offloaded);

        // 4. Inbound messages, in parallel.
        List<Runnable> deletes = new ArrayList<>(item.messages().size());
        for (ReceivedMessage m : item.messages()) {
            deletes.add(() -> m.queue().delete(m));
        }
        runAll(deletes);
        cacheState(instanceId, state, newEtag);
        sessions.release(instanceId);
    }

    /**
     * Keeps an instance's state after its checkpoint for its next episode, or drops it: a finished execution is not
     * kept (the decisions taken for messages to a finished execution, such as discarding them, are not validated by
     * a checkpoint, so they are taken on what storage holds; and the memory is better spent on running instances),
     * nor a state without an ETag to validate it by, nor one whose control queue this worker no longer reads (checked
     * after the put: {@link #stopListening} stops the listener before it evicts, so one of the two drops it).
     */
    private void cacheState(String instanceId, OrchestrationRuntimeState state, String etag) {
        if (etag == null || state.isCompleted()) {
            sessionCache.evict(instanceId);
            return;
        }
        sessionCache.put(instanceId, new ExtendedSessionCache.Entry(state.getExecutionId(), state.getEvents(), etag));
        if (!listeners.containsKey(names.controlQueueFor(instanceId))) {
            sessionCache.evict(instanceId);
        }
    }

    /** Puts the work item's messages back with back-off ({@code min(2^dequeueCount, 600)} s) and releases it. */
    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem) {
        AzureStorageOrchestrationWorkItem item = cast(workItem);
        sessionCache.evict(item.getInstanceId());
        abandonAll(item.messages());
        sessions.release(item.getInstanceId());
    }

    /** Deletes the work item's messages, logging why, and releases it. */
    @Override
    public void discardOrchestrationWorkItem(OrchestrationWorkItem workItem, String reason) {
        AzureStorageOrchestrationWorkItem item = cast(workItem);
        sessionCache.evict(item.getInstanceId());
        discard(item.getInstanceId(), item.messages(), reason);
    }

    private void discard(String instanceId, List<ReceivedMessage> messages, String reason) {
        discard(instanceId, messages, reason, true);
    }

    /**
     * Deletes messages that can never be processed, logging why (the discards of §8.1-8.2). A placeholder of an
     * unreadable message is never deleted but set aside ({@link TaskHubQueue#setAside}).
     */
    private void discard(String instanceId, List<ReceivedMessage> messages, String reason, boolean release) {
        for (ReceivedMessage m : messages) {
            if (m.unreadable() != null) {
                m.queue().setAside(m, instanceId, m.unreadable() + "; and " + reason);
                continue;
            }
            log.warn("Instance '{}': discarding {} because {}", instanceId, m, reason);
            try {
                m.queue().delete(m);
            } catch (QueueStorageException e) {
                log.warn("Instance '{}': deleting {} failed ({}); it will be delivered again", instanceId, m,
                        TaskHubQueue.describe(e));
            }
        }
        if (release) {
            sessions.release(instanceId);
        }
    }

    private static void abandonAll(List<ReceivedMessage> messages) {
        for (ReceivedMessage m : messages) {
            m.queue().abandon(m);
        }
    }

    /**
     * Runs independent storage calls in parallel on the service's pool (the first one on the calling thread; all of
     * them there once the pool is shut down) and waits for all of them. If any failed, the failure of the first call
     * in list order is thrown once all have finished, with the other failures added as suppressed.
     */
    private void runAll(List<Runnable> calls) {
        if (calls.size() == 1) {
            calls.get(0).run();
            return;
        }
        List<Future<?>> futures = new ArrayList<>(calls.size());
        for (int i = 1; i < calls.size(); i++) {
            Runnable call = calls.get(i);
            try {
                futures.add(storageCalls.submit(call));
            } catch (RejectedExecutionException e) {
                futures.add(CompletableFuture.runAsync(call, Runnable::run)); // closing: run it here
            }
        }
        Throwable first = null;
        if (!calls.isEmpty()) {
            try {
                calls.get(0).run();
            } catch (RuntimeException | Error e) {
                first = e;
            }
        }
        boolean interrupted = false;
        for (Future<?> future : futures) {
            Throwable failure = null;
            while (true) {
                try {
                    future.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the calls are under way: wait for them all the same
                } catch (ExecutionException e) {
                    failure = e.getCause();
                    break;
                }
            }
            if (failure != null) {
                if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
    }

    private static AzureStorageOrchestrationWorkItem cast(OrchestrationWorkItem workItem) {
        if (workItem instanceof AzureStorageOrchestrationWorkItem item) {
            return item;
        }
        throw new IllegalArgumentException("Not a work item of this backend: " + workItem);
    }

    // ---------------------------------------------------------------------------------- activity work items

    /**
     * Waits for the next {@code {h}-workitems} message (storage-layout.md §8.4). A message received for the
     * {@code maxDequeueCount}-th time is not handed out but set aside, and its orchestration gets a
     * {@code TaskFailed} instead (README "Poison messages").
     *
     * @return a locked work item, or null if none arrived within {@code timeout}
     */
    @Override
    public ActivityWorkItem lockNextActivityWorkItem(Duration timeout) throws InterruptedException {
        List<ActivityWorkItem> items = lockNextActivityWorkItems(1, timeout);
        return items.isEmpty() ? null : items.get(0);
    }

    /**
     * Waits for {@code {h}-workitems} messages and takes up to {@code max} (at most 32) in one receive call, one per
     * free activity slot of the caller: fewer receive calls under load, and never more messages locked than this
     * worker runs at once (other workers compete for the queue). Each is a work item with its own pop receipt.
     * Poison messages are handled as in {@link #lockNextActivityWorkItem}.
     *
     * @return 0..{@code max} locked work items; empty if none arrived within {@code timeout}
     */
    @Override
    public List<ActivityWorkItem> lockNextActivityWorkItems(int max, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            List<ReceivedMessage> messages = workItems.receive(max,
                    Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (messages.isEmpty()) {
                return List.of();
            }
            if (closed) {
                ControlQueueListener.handBack(messages);
                return List.of();
            }
            List<ActivityWorkItem> items = new ArrayList<>(messages.size());
            for (ReceivedMessage message : messages) {
                if (message.dequeueCount() < settings.getMaxDequeueCount()) {
                    items.add(new AzureStorageActivityWorkItem(message));
                } else {
                    failActivityForPoison(message);
                }
            }
            if (!items.isEmpty() || System.nanoTime() - deadline >= 0) {
                return items;
            }
        }
        return List.of();
    }

    /**
     * A work item received for the {@code maxDequeueCount}-th time: each earlier delivery ended without a result (the
     * activity crashed or stopped its worker, or reporting failed), so it is not run again (README "Poison
     * messages"). It is copied to {@code {h}-workitems-poison}; then the orchestration gets a {@code TaskFailed} for
     * its {@code TaskScheduled} ID with {@link PoisonMessages#failureDetails} naming the message, sent and the work
     * item deleted as a completion is ({@link #completeActivityWorkItem}), so the orchestration fails with those
     * details unless it handles the failure (e.g. with a retry policy). A message that holds no
     * {@code TaskScheduled} is only set aside. If a step fails, the work item is put back with back-off.
     */
    private void failActivityForPoison(ReceivedMessage message) {
        TaskMessage request = message.data().taskMessage();
        String instanceId = request.instanceId();
        if (!(request.event() instanceof TaskScheduledEvent scheduled)) {
            message.queue().setAside(message, instanceId, "it holds a " + request.event().eventType()
                    + " event instead of TaskScheduled and was never processed");
            return;
        }
        String reason = "each earlier delivery ended without a result (the activity crashed or stopped its worker, "
                + "or its result could not be sent)";
        String text = "Activity '" + scheduled.name() + "' (task #" + scheduled.eventId() + "): its work item, "
                + "message " + message.messageId() + " in queue " + message.queue().name() + ", was dequeued "
                + message.dequeueCount() + " times without completing (maxDequeueCount "
                + settings.getMaxDequeueCount() + "): " + reason + ". It was moved to the poison queue "
                + message.queue().poisonQueueName() + ".";
        FailureDetails details = PoisonMessages.failureDetails(text);
        TaskMessage response = new TaskMessage(new TaskFailedEvent(-1, false, Instant.now(), scheduled.eventId(),
                text, null, details), request.orchestrationInstance());
        if (!message.queue().copyToPoisonQueue(message, instanceId, reason)) {
            message.queue().abandon(message);
            return;
        }
        try {
            completeActivityWorkItem(new AzureStorageActivityWorkItem(message), response);
        } catch (RuntimeException e) {
            log.error("Instance '{}': sending the TaskFailed for poison activity work item {} failed ({}); putting it "
                    + "back with back-off", instanceId, message.messageId(), e.toString());
            message.queue().abandon(message);
            return;
        }
        log.error("Instance '{}': activity '{}' (task #{}) failed because its work item is a poison message: {}",
                instanceId, scheduled.name(), scheduled.eventId(), text);
    }

    /** Extends the work item's invisibility by {@code workItemQueueVisibilityTimeout} (UpdateMessage). */
    @Override
    public void renewActivityWorkItem(ActivityWorkItem workItem) {
        ReceivedMessage message = castActivity(workItem).message();
        message.queue().renew(message, settings.getWorkItemQueueVisibilityTimeout());
    }

    /**
     * Sends the activity's response to the orchestration's control queue (Episode from the request, Sender = the
     * orchestration), then deletes the work item (storage-layout.md §8.4). A response over 45 KiB goes through its
     * blob (§7.1).
     */
    @Override
    public void completeActivityWorkItem(ActivityWorkItem workItem, TaskMessage response) {
        ReceivedMessage request = castActivity(workItem).message();
        OrchestrationInstance orchestration = request.data().taskMessage().orchestrationInstance();
        MessageData data = TaskHubQueue.envelope(response, request.data().episode(), orchestration);
        String json = TaskHubQueue.encode(data, payloads).json();
        TaskHubQueue target = controlQueueFor(response.instanceId());
        target.send(json, null);
        nudgeControlQueue(target.name());
        request.queue().delete(request);
    }

    /** Puts the work item back with back-off ({@code min(2^dequeueCount, 600)} s). */
    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem) {
        ReceivedMessage message = castActivity(workItem).message();
        message.queue().abandon(message);
    }

    private static AzureStorageActivityWorkItem castActivity(ActivityWorkItem workItem) {
        if (workItem instanceof AzureStorageActivityWorkItem item) {
            return item;
        }
        throw new IllegalArgumentException("Not a work item of this backend: " + workItem);
    }

    // ------------------------------------------------------------------------------------------------ client

    /**
     * Creates an instance (storage-layout.md §4 "Client create"): reads the existing Instances row (if its status is
     * one of {@code dedupeStatuses}, nothing happens and the exception below is thrown), sets the event's
     * {@code Generation} to the old one + 1 (0 for a new ID), sends the {@code ExecutionStarted} message to the
     * instance's control queue first, then writes the Instances row as Pending. A message over 45 KiB goes through
     * its blob (§7.1); an input over 60 KiB is then stored in the Instances row as the URL of that blob (§7.2).
     *
     * @throws OrchestrationAlreadyExistsException if the instance exists in one of {@code dedupeStatuses}
     * @throws IllegalArgumentException            if the message is not an ExecutionStarted with instance and
     *                                             execution IDs
     */
    @Override
    public void createOrchestrationInstance(TaskMessage executionStartedMessage,
                                            Set<OrchestrationRuntimeStatus> dedupeStatuses) {
        if (!(executionStartedMessage.event() instanceof ExecutionStartedEvent started)) {
            throw new IllegalArgumentException("createOrchestrationInstance needs an ExecutionStarted message, got "
                    + executionStartedMessage.event().eventType());
        }
        OrchestrationInstance instance = started.orchestrationInstance();
        if (instance == null || instance.instanceId() == null || instance.executionId() == null) {
            throw new IllegalArgumentException("The ExecutionStarted event needs an instance ID and an execution ID");
        }
        createTaskHubIfNotExists();
        String instanceId = instance.instanceId();
        TableEntity existing = tracking.readInstanceRow(instanceId);
        int generation = 0;
        if (existing != null) {
            String statusName = TrackingStore.stringOf(existing.getProperty("RuntimeStatus"));
            OrchestrationRuntimeStatus status = statusName == null ? null
                    : OrchestrationRuntimeStatus.fromStatusName(statusName);
            if (status != null && dedupeStatuses != null && dedupeStatuses.contains(status)) {
                throw new OrchestrationAlreadyExistsException(instanceId, status);
            }
            Object oldGeneration = existing.getProperty("Generation");
            generation = oldGeneration instanceof Number n ? n.intValue() + 1 : 1;
        }
        ExecutionStartedEvent event = new ExecutionStartedEvent(started.eventId(), started.isPlayed(),
                started.timestamp(), instance, started.parentInstance(), started.name(), started.version(),
                started.input(), started.tags(), started.correlation(), started.parentTraceContext(),
                started.scheduledStartTime(), generation, started.generateNewTrace());
        TaskMessage message = new TaskMessage(event, instance, executionStartedMessage.orchestrationTags());
        String messageBlobName = sendToControlQueue(message);
        tracking.setNewExecution(event, existing, messageBlobName);
    }

    /**
     * Sends a message to its instance's control queue (Sender {@code {"",""}}, no Episode). TimerFired, scheduled
     * ExecutionStarted messages and scheduled entity requests ({@code op@<time>}, at most 6 days ahead) are delayed
     * until their time. A message over 45 KiB goes through its blob (§7.1).
     */
    @Override
    public void sendTaskOrchestrationMessage(TaskMessage message) {
        createTaskHubIfNotExists();
        sendToControlQueue(message);
    }

    /** Sends a client message; returns the blob it was offloaded to (§7.1), or null. */
    private String sendToControlQueue(TaskMessage message) {
        TaskHubQueue.Encoded encoded = TaskHubQueue.encode(TaskHubQueue.envelope(message, null, CLIENT_SENDER),
                payloads);
        TaskHubQueue queue = controlQueueFor(message.instanceId());
        Duration delay = visibilityDelay(message, Instant.now());
        queue.send(encoded.json(), delay);
        if (delay == null) {
            nudgeControlQueue(queue.name());
        }
        return encoded.blobName();
    }

    /**
     * The instance's state from its Instances row (storage-layout.md §4); for a failed instance the FailureDetails
     * (type, message, stack trace) come from its ExecutionCompleted history row.
     *
     * @return the state, or null for an unknown instance
     */
    @Override
    public OrchestrationState getOrchestrationState(String instanceId, boolean fetchInputsAndOutputs) {
        return tracking.getState(instanceId, fetchInputsAndOutputs);
    }

    /** The events of the instance's current execution, in order; empty if it has no history. */
    @Override
    public List<HistoryEvent> getOrchestrationHistory(String instanceId) {
        return tracking.readHistory(instanceId, null).events();
    }

    /**
     * One page of orchestration instances from the Instances table (storage-layout.md §4 "Queries"; see
     * {@link InstanceQuery}): entities are never returned; without inputs and outputs those columns are not read.
     *
     * @throws IllegalArgumentException if the continuation token is not one this backend issued
     */
    @Override
    public OrchestrationStateQueryResult queryOrchestrationStates(OrchestrationStatusQuery query) {
        return instanceQuery.page(query);
    }

    /**
     * One page of entity instances from the Instances table (storage-layout.md §9 "Entity queries"; see
     * {@link InstanceQuery#page(EntityStateQuery)}): a range scan over the escaped ID prefix, ordered by instance ID,
     * with {@code LastUpdatedTime} bounds; each state's input is the scheduler state JSON (only with
     * {@code fetchInput}) and its custom status the entity status JSON ({@code {"entityExists":true,...}}).
     *
     * @throws IllegalArgumentException if the continuation token is not one this backend issued
     */
    @Override
    public OrchestrationStateQueryResult queryEntityStates(EntityStateQuery query) {
        return instanceQuery.page(query);
    }

    /**
     * Deletes the instance's History rows, its large-message blobs and its Instances row (storage-layout.md §7.2
     * "Purge"; see {@link InstancePurger}), whatever its status.
     *
     * @return 1 if it had an Instances row, else 0
     */
    @Override
    public int purgeInstanceState(String instanceId) {
        sessionCache.evict(instanceId);
        try {
            return purger.purge(instanceId);
        } finally {
            sessionCache.evict(instanceId);
        }
    }

    /**
     * Purges every instance created in {@code [createdTimeFrom, createdTimeTo]} whose status is one of
     * {@code statuses} (entities included, as DTFx does).
     *
     * @return how many instances were purged
     */
    @Override
    public int purgeInstanceStates(Instant createdTimeFrom, Instant createdTimeTo,
                                   Set<OrchestrationRuntimeStatus> statuses) {
        try {
            return purger.purge(createdTimeFrom, createdTimeTo, statuses);
        } finally {
            sessionCache.clear();
        }
    }

    /**
     * Rewinds a Failed instance (the legacy Azure Storage rewind; see {@link HistoryRewinder} for the rows): rewrites
     * the failure rows of its current execution and, recursively, of its Failed sub-orchestrations under the sentinel
     * ETag, sets each rewound instance's row to Pending, then sends a {@code GenericEvent} (EventId -1,
     * {@code Data = reason}) to the control queue of each rewound instance that has no rewound child (a parent wakes
     * up when its child completes), addressed to its current execution (storage-layout.md §6.3).
     *
     * @throws IllegalArgumentException if the instance does not exist
     * @throws IllegalStateException    if it is not Failed, or its history kept changing while being rewritten
     */
    @Override
    public void rewindTaskOrchestration(String instanceId, String reason) {
        OrchestrationState state = tracking.getState(instanceId, false);
        if (state == null) {
            throw new IllegalArgumentException("An orchestration instance with ID '" + instanceId
                    + "' was not found.");
        }
        if (state.runtimeStatus() != OrchestrationRuntimeStatus.FAILED) {
            throw new IllegalStateException("The orchestration instance '" + instanceId + "' cannot be rewound: its "
                    + "status is " + state.runtimeStatus().statusName() + ", only Failed instances can be rewound.");
        }
        createTaskHubIfNotExists();
        sessionCache.evict(instanceId);
        List<HistoryRewinder.Rewound> rewoundInstances = rewinder.rewind(instanceId);
        for (HistoryRewinder.Rewound rewound : rewoundInstances) {
            sessionCache.evict(rewound.instanceId());
        }
        for (HistoryRewinder.Rewound rewound : rewoundInstances) {
            if (rewound.leaf()) {
                sendToControlQueue(new TaskMessage(new GenericEvent(-1, false, Instant.now(), reason),
                        new OrchestrationInstance(rewound.instanceId(), rewound.executionId())));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private TaskHubQueue controlQueueFor(String instanceId) {
        return controlQueues.get(names.controlQueueFor(instanceId));
    }

    /**
     * The initial invisibility of a message (§6.1): timers until FireAt, scheduled starts until their time, scheduled
     * entity requests (an EventRaised named {@code op@<time>} to an {@code @name@key} instance, §9) until that time
     * but at most {@link #MAX_ENTITY_SIGNAL_DELAY} (§8.6); null when that time has passed. Queues take whole
     * seconds, so the delay is rounded up: a timer never fires early. {@link TaskHubQueue#send} caps it below the
     * 7-day queue limit (§8.6).
     */
    static Duration visibilityDelay(TaskMessage message, Instant now) {
        Instant at = null;
        Duration cap = null;
        if (message.event() instanceof TimerFiredEvent fired) {
            at = fired.fireAt();
        } else if (message.event() instanceof ExecutionStartedEvent started) {
            at = started.scheduledStartTime();
        } else if (message.event() instanceof EventRaisedEvent raised
                && EntityInstanceId.isEntityInstanceId(message.instanceId())) {
            at = EntityMessageNames.scheduledTimeOf(raised.name());
            cap = MAX_ENTITY_SIGNAL_DELAY;
        }
        if (at == null || !at.isAfter(now)) {
            return null;
        }
        Duration delay = Duration.between(now, at);
        delay = delay.getNano() == 0 ? delay : Duration.ofSeconds(delay.getSeconds() + 1);
        return cap != null && delay.compareTo(cap) > 0 ? cap : delay;
    }

    /**
     * The storage transactions this service has made since it was created (every HTTP request to the account, retries
     * included), per service. The difference of two readings over a minute of an idle worker is its standing cost.
     */
    public StorageTransactionCount getStorageTransactionCount() {
        return clients.transactions();
    }

    /** For tests: the Instances row. */
    Map<String, Object> instanceRow(String instanceId) {
        TableEntity row = tracking.readInstanceRow(instanceId);
        return row == null ? null : new HashMap<>(row.getProperties());
    }
}
