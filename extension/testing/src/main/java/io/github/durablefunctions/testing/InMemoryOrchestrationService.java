package io.github.durablefunctions.testing;

import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationAlreadyExistsException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestrationStatusQuery;
import io.github.durablefunctions.backend.ActivityWorkItem;
import io.github.durablefunctions.backend.EntityStateQuery;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationService;
import io.github.durablefunctions.backend.OrchestrationServiceClient;
import io.github.durablefunctions.backend.OrchestrationState;
import io.github.durablefunctions.backend.OrchestrationStateQueryResult;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.OutOfOrderCheck;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.entities.EntityMessageNames;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A backend that keeps everything in memory and runs on a {@link VirtualClock}: the core worker runs on it unchanged
 * ({@code DurableTaskWorker.builder().service(service).clock(service.getClock())}), and so do the clients
 * ({@code new BackendDurableTaskClient(service, converter, reorderWindow, service.getClock())}). It follows the
 * semantics of the Azure Storage backend (storage-layout.md §8), without its storage:
 * <ul>
 *   <li><b>Per-instance buffering.</b> Messages are buffered per instance, in the order they became visible; at most
 *       one work item per instance is locked at a time. A batch holds the messages of one execution: an
 *       {@code ExecutionStarted} always starts a new batch, messages addressed to no execution join it, messages for
 *       another execution wait for a later batch.</li>
 *   <li><b>Out-of-order responses</b> ({@code TaskCompleted/Failed}, {@code SubOrchestrationInstanceCompleted/Failed},
 *       {@code TimerFired}, and an entity's response to an orchestration) whose scheduling event is not in history
 *       yet are held back, not handed out, until that instance's history changes (its next checkpoint, a rewind or
 *       a purge). Duplicates are handed out and dropped by the worker.</li>
 *   <li><b>Discards</b> (logged): messages for an instance that never started, for an execution other than the
 *       current one, or for a finished execution; an {@code ExecutionStarted} whose instance was created again
 *       meanwhile. A terminate for an instance that has not started marks it Terminated.</li>
 *   <li><b>Entities</b> ({@code @name@key}) start automatically on their first {@code EventRaised} addressed to no
 *       execution.</li>
 *   <li><b>Delayed messages</b>: a {@code TimerFired} becomes visible at its {@code fireAt}, an
 *       {@code ExecutionStarted} at its scheduled start time, an entity request {@code op@<time>} at that time, all
 *       on the virtual clock. Nothing else waits for time.</li>
 *   <li><b>Checkpoints</b> append the new history events (or replace the history with a new execution), update the
 *       instance state as the Azure Storage Instances row would be (status, input, output, custom status, failure
 *       details, created, last-updated and completed times from the virtual clock and the events), and route the
 *       outbound messages: activities to the activity queue, orchestrator messages to their instances, timers
 *       delayed until they fire.</li>
 *   <li><b>Abandon</b> puts the messages back at once, but the instance is not handed out again until something
 *       changes for it (a new message, or its history), so an episode that keeps failing does not spin. An abandoned
 *       activity is delivered again one virtual second later.</li>
 * </ul>
 * The client side ({@link OrchestrationServiceClient}) creates instances (with dedupe statuses and generations),
 * sends messages (raise event, terminate, suspend, resume), reads state and history, queries orchestrations and
 * entities with paging (continuation tokens are opaque strings of this backend), purges one instance or by filter,
 * and rewinds failed instances as the Azure Storage backend does (failure events rewritten as {@code GenericEvent}
 * "Rewound: ..." events, failed sub-orchestrations rewound recursively).
 *
 * <h2>Virtual time and idleness</h2>
 * The service is <em>idle</em> when no message is ready to be handed out (delayed messages, held-back early
 * responses and messages of an abandoned instance do not count) and no orchestration or activity work item is
 * locked. Time moves only when the test says so:
 * <ul>
 *   <li>{@link #awaitIdle(Duration)} waits until idle, without moving time;</li>
 *   <li>{@link #runUntil(BooleanSupplier, Duration)} and {@link #awaitCompletion(String, Duration)} wait, and whenever
 *       the service is idle and the condition does not hold, jump the clock to the earliest delayed message's due
 *       time and release it (and every other message due then);</li>
 *   <li>{@link #advance(Duration, Duration)} moves time forward by an amount, stepping through the due times in
 *       between the same way;</li>
 *   <li>moving the {@link VirtualClock} directly jumps at once and releases everything that became due.</li>
 * </ul>
 * The timeouts of these methods are real time, to bound a test that hangs; the work itself takes milliseconds.
 *
 * <p>Thread-safe: one lock guards all state; the lock methods block up to their timeout and wake on new work.
 */
public final class InMemoryOrchestrationService implements OrchestrationService, OrchestrationServiceClient {
    private static final Logger log = LoggerFactory.getLogger(InMemoryOrchestrationService.class);
    /** The virtual delay before an abandoned activity is delivered again. */
    static final Duration ACTIVITY_RETRY_DELAY = Duration.ofSeconds(1);
    private static final String TOKEN_PREFIX = "inmemory:";
    private static final String REWOUND_PREFIX = "Rewound: ";

    private final VirtualClock clock;
    private final Runnable clockListener = this::onClockMoved;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    private final NavigableMap<String, Instance> instances = new TreeMap<>();
    private final PriorityQueue<Delayed> delayed = new PriorityQueue<>(
            Comparator.comparing(Delayed::dueAt).thenComparingLong(Delayed::seq));
    private final List<Envelope> activityQueue = new ArrayList<>();
    private final Set<ActivityItem> lockedActivities = new HashSet<>();
    private int lockedOrchestrations;
    private long sequence;
    private long version;
    private boolean started;
    private boolean closed;

    /** A service on a new virtual clock that starts at the current real time (truncated to milliseconds). */
    public InMemoryOrchestrationService() {
        this(new VirtualClock(Instant.ofEpochMilli(System.currentTimeMillis())));
    }

    /**
     * A service on the given virtual clock; give the same clock to the worker and the clients.
     *
     * @throws NullPointerException if {@code clock} is null
     */
    public InMemoryOrchestrationService(VirtualClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        clock.addListener(clockListener);
    }

    /** The virtual clock this service runs on. */
    public VirtualClock getClock() {
        return clock;
    }

    // ------------------------------------------------------------------------------------------ internal state

    /** A message with the order in which it became visible, and the instance that sent it (null: a client). */
    private record Envelope(long seq, TaskMessage message, String sender) {
        HistoryEvent event() {
            return message.event();
        }

        String executionId() {
            return message.orchestrationInstance() == null ? null : message.orchestrationInstance().executionId();
        }
    }

    /** A message waiting for its time; {@code activity} for an abandoned activity's retry. */
    private record Delayed(Instant dueAt, long seq, Envelope envelope, boolean activity) {
    }

    /** The stored state of one instance: the equivalent of its Instances row. */
    private static final class Row {
        String executionId;
        String name;
        String version;
        OrchestrationRuntimeStatus status;
        String input;
        String output;
        String customStatus;
        Instant createdTime;
        Instant lastUpdatedTime;
        Instant completedTime;
        FailureDetails failureDetails;
        Map<String, String> tags;
        Instant scheduledStartTime;
        int generation;

        OrchestrationState toState(String instanceId, boolean fetchInputsAndOutputs) {
            OrchestrationRuntimeStatus s = status == null ? OrchestrationRuntimeStatus.PENDING : status;
            FailureDetails failure = null;
            if (s == OrchestrationRuntimeStatus.FAILED) {
                failure = failureDetails;
                if (failure == null && output != null) {
                    int colon = output.indexOf(": ");
                    failure = colon > 0 ? new FailureDetails(output.substring(0, colon), output.substring(colon + 2))
                            : new FailureDetails("Unknown", output);
                }
            }
            return new OrchestrationState(instanceId, executionId, name, version, s,
                    fetchInputsAndOutputs ? input : null, fetchInputsAndOutputs ? output : null, customStatus,
                    createdTime, lastUpdatedTime, completedTime, failure, tags, scheduledStartTime, generation);
        }
    }

    private static final class Instance {
        final String instanceId;
        Row row;
        /** The events of the current execution. */
        List<HistoryEvent> history = new ArrayList<>();
        /** Visible messages, in the order they became visible. */
        final List<Envelope> pending = new ArrayList<>();
        /** Early responses held back until the history changes. */
        final List<Envelope> heldBack = new ArrayList<>();
        OrchestrationItem locked;
        /** Abandoned: not handed out again until a message arrives or the history changes. */
        boolean blocked;

        Instance(String instanceId) {
            this.instanceId = instanceId;
        }

        boolean ready() {
            return locked == null && !blocked && !pending.isEmpty();
        }
    }

    private static final class OrchestrationItem extends OrchestrationWorkItem {
        final List<Envelope> envelopes;
        final String loadedExecutionId;

        OrchestrationItem(String instanceId, OrchestrationRuntimeState runtimeState, List<Envelope> envelopes,
                          String loadedExecutionId) {
            super(instanceId, runtimeState, envelopes.stream().map(Envelope::message).toList());
            this.envelopes = List.copyOf(envelopes);
            this.loadedExecutionId = loadedExecutionId;
        }
    }

    private static final class ActivityItem extends ActivityWorkItem {
        final Envelope envelope;

        ActivityItem(Envelope envelope) {
            super("activity-" + envelope.seq(), envelope.message());
            this.envelope = envelope;
        }
    }

    private Instance instance(String instanceId) {
        return instances.computeIfAbsent(instanceId, Instance::new);
    }

    /** Records a change and wakes every waiter. Call with the lock held. */
    private void bump() {
        version++;
        changed.signalAll();
    }

    private long nextSeq() {
        return ++sequence;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Nothing to create: does nothing. */
    @Override
    public void createTaskHubIfNotExists() {
    }

    /** Starts handing out work items. Idempotent. */
    @Override
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("This in-memory orchestration service is closed");
            }
            started = true;
            bump();
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out work items (waiting lock calls return null at their timeout); state is kept. */
    @Override
    public void stop() {
        lock.lock();
        try {
            started = false;
            bump();
        } finally {
            lock.unlock();
        }
    }

    /** Stops for good: lock calls return null at once; the clock is no longer watched. State stays readable. */
    @Override
    public void close() {
        lock.lock();
        try {
            started = false;
            closed = true;
            bump();
        } finally {
            lock.unlock();
        }
        clock.removeListener(clockListener);
    }

    // -------------------------------------------------------------------------------- delivery and virtual time

    /** The time a message becomes visible, or null for at once. */
    private static Instant dueTime(TaskMessage message) {
        if (message.event() instanceof TimerFiredEvent fired) {
            return fired.fireAt();
        }
        if (message.event() instanceof ExecutionStartedEvent started) {
            return started.scheduledStartTime();
        }
        if (message.event() instanceof EventRaisedEvent raised
                && EntityInstanceId.isEntityInstanceId(message.instanceId())) {
            return EntityMessageNames.scheduledTimeOf(raised.name());
        }
        return null;
    }

    /** Delivers a message to its instance, now or at its due time. Call with the lock held. */
    private void deliver(TaskMessage message, String sender) {
        Envelope envelope = new Envelope(nextSeq(), message, sender);
        Instant due = dueTime(message);
        if (due != null && due.isAfter(clock.instant())) {
            delayed.add(new Delayed(due, nextSeq(), envelope, false));
            log.debug("Instance '{}': {} delayed until {}", message.instanceId(), message.event().eventType(), due);
        } else {
            enqueue(envelope);
        }
        bump();
    }

    private void enqueue(Envelope envelope) {
        Instance target = instance(envelope.message().instanceId());
        target.pending.add(new Envelope(nextSeq(), envelope.message(), envelope.sender()));
        target.blocked = false;
    }

    /** Moves held-back messages back to the visible ones (the history changed). */
    private void releaseHeldBack(Instance inst) {
        inst.blocked = false;
        for (Envelope e : inst.heldBack) {
            inst.pending.add(new Envelope(nextSeq(), e.message(), e.sender()));
        }
        inst.heldBack.clear();
    }

    private void onClockMoved() {
        lock.lock();
        try {
            releaseDue();
            bump();
        } finally {
            lock.unlock();
        }
    }

    /** Makes every delayed message whose time has come visible. Call with the lock held. */
    private void releaseDue() {
        Instant now = clock.instant();
        while (!delayed.isEmpty() && !delayed.peek().dueAt().isAfter(now)) {
            Delayed d = delayed.poll();
            if (d.activity()) {
                activityQueue.add(d.envelope());
            } else {
                enqueue(d.envelope());
            }
        }
    }

    // ---------------------------------------------------------------------------------- orchestration work items

    /**
     * Waits up to {@code timeout} (real time) for the next batch of an instance that is not locked, runs the checks
     * described in the class comment (held-back early responses, discards, entity auto-start) and locks it.
     *
     * @return the work item, or null if none was ready in time, or the service is stopped or closed
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    @Override
    public OrchestrationWorkItem lockNextOrchestrationWorkItem(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (!closed) {
                if (started) {
                    OrchestrationItem item = takeOrchestrationItem();
                    if (item != null) {
                        return item;
                    }
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return null;
                }
                changed.awaitNanos(remaining);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private OrchestrationItem takeOrchestrationItem() {
        while (true) {
            Instance next = null;
            for (Instance inst : instances.values()) {
                if (inst.ready() && (next == null || inst.pending.get(0).seq() < next.pending.get(0).seq())) {
                    next = inst;
                }
            }
            if (next == null) {
                return null;
            }
            OrchestrationItem item = prepare(next, cutBatch(next.pending));
            bump();
            if (item != null) {
                next.locked = item;
                lockedOrchestrations++;
                return item;
            }
        }
    }

    /**
     * Removes and returns the next batch: the messages of the execution of the first message, up to (not including)
     * the next {@code ExecutionStarted}; messages addressed to no execution join it.
     */
    private static List<Envelope> cutBatch(List<Envelope> pending) {
        List<Envelope> batch = new ArrayList<>();
        String executionId = null;
        Iterator<Envelope> it = pending.iterator();
        while (it.hasNext()) {
            Envelope m = it.next();
            String messageExecution = m.executionId();
            if (m.event() instanceof ExecutionStartedEvent) {
                if (!batch.isEmpty()) {
                    break;
                }
                executionId = messageExecution;
            } else if (messageExecution != null) {
                if (executionId == null) {
                    executionId = messageExecution;
                } else if (!executionId.equals(messageExecution)) {
                    continue;
                }
            }
            batch.add(m);
            it.remove();
        }
        return batch;
    }

    private static String executionIdOf(List<HistoryEvent> history) {
        for (HistoryEvent e : history) {
            if (e instanceof ExecutionStartedEvent started) {
                return started.orchestrationInstance().executionId();
            }
        }
        return null;
    }

    /** Turns a batch into a work item, or handles it (discard, hold back) and returns null. Lock held. */
    private OrchestrationItem prepare(Instance inst, List<Envelope> batch) {
        String instanceId = inst.instanceId;
        ExecutionStartedEvent start = batch.get(0).event() instanceof ExecutionStartedEvent s ? s : null;
        String currentExecution = executionIdOf(inst.history);
        List<HistoryEvent> history = inst.history;
        if (start != null && !start.orchestrationInstance().executionId().equals(currentExecution)) {
            history = List.of(); // a new execution starts from an empty history
        }
        String historyExecution = executionIdOf(history);

        // A top-level start must be the one the instance state names (a newer create wins).
        if (start != null && start.parentInstance() == null && history.isEmpty() && inst.row != null
                && inst.row.executionId != null
                && !inst.row.executionId.equals(start.orchestrationInstance().executionId())) {
            discard(instanceId, batch, "its ExecutionStarted (execution " + start.orchestrationInstance().executionId()
                    + ") lost to a newer create (execution " + inst.row.executionId + ")");
            return null;
        }

        // Early responses wait until their scheduling event is in history.
        String batchExecution = start != null ? start.orchestrationInstance().executionId() : historyExecution;
        List<Envelope> early = new ArrayList<>();
        for (Envelope m : batch) {
            String target = m.executionId();
            if (target != null && batchExecution != null && !target.equals(batchExecution)) {
                continue;
            }
            String missing = OutOfOrderCheck.missingSchedulingEvent(m.event(), m.sender(), instanceId, history);
            if (missing != null) {
                log.info("Instance '{}': {} arrived before its {} is in history; holding it back until the history "
                        + "changes", instanceId, m.event().eventType(), missing);
                early.add(m);
            }
        }
        batch.removeAll(early);
        inst.heldBack.addAll(early);
        if (batch.isEmpty()) {
            return null;
        }

        boolean startedInHistory = history.stream().anyMatch(e -> e instanceof ExecutionStartedEvent);
        boolean startInBatch = batch.stream().anyMatch(m -> m.event() instanceof ExecutionStartedEvent);
        if (!startedInHistory && !startInBatch) {
            Envelope first = batch.get(0);
            if (EntityInstanceId.isEntityInstanceId(instanceId) && first.event() instanceof EventRaisedEvent
                    && first.executionId() == null) {
                log.debug("Entity '{}': no history; auto-starting it with {} message(s)", instanceId, batch.size());
                return new OrchestrationItem(instanceId, new OrchestrationRuntimeState(), batch, null);
            }
            ExecutionTerminatedEvent terminate = batch.stream().map(Envelope::event)
                    .filter(e -> e instanceof ExecutionTerminatedEvent).map(e -> (ExecutionTerminatedEvent) e)
                    .findFirst().orElse(null);
            if (terminate != null && inst.row != null) {
                Row row = inst.row;
                row.status = OrchestrationRuntimeStatus.TERMINATED;
                row.lastUpdatedTime = terminate.timestamp();
                row.completedTime = clock.instant();
                if (terminate.input() != null) {
                    row.output = terminate.input();
                }
                discard(instanceId, batch, "the instance was terminated before it started (no history)");
            } else {
                discard(instanceId, batch, "no such instance: no ExecutionStarted event in its history or messages");
            }
            return null;
        }
        OrchestrationRuntimeState past = new OrchestrationRuntimeState(history);
        if (startedInHistory) {
            List<Envelope> stale = new ArrayList<>();
            for (Envelope m : batch) {
                if (m.executionId() != null && !m.executionId().equals(historyExecution)
                        && !(m.event() instanceof ExecutionStartedEvent)) {
                    stale.add(m);
                }
            }
            if (!stale.isEmpty()) {
                discard(instanceId, stale, "they are for an execution other than the current one ("
                        + historyExecution + ")");
                batch.removeAll(stale);
            }
            if (past.isCompleted() && !batch.isEmpty()) {
                discard(instanceId, batch, "the execution " + past.getExecutionId() + " has already finished ("
                        + past.getRuntimeStatus().statusName() + ")");
                batch.clear();
            }
            if (batch.isEmpty()) {
                return null;
            }
        }
        return new OrchestrationItem(instanceId, past, batch, historyExecution);
    }

    private static void discard(String instanceId, List<Envelope> messages, String reason) {
        for (Envelope m : messages) {
            log.warn("Instance '{}': discarding a {} message because {}", instanceId, m.event().eventType(), reason);
        }
    }

    private Instance lockedInstance(OrchestrationWorkItem workItem) {
        if (!(workItem instanceof OrchestrationItem item)) {
            throw new IllegalArgumentException("Not a work item of this backend: " + workItem);
        }
        Instance inst = instances.get(item.getInstanceId());
        if (inst == null || inst.locked != item) {
            throw new IllegalStateException("The work item of instance '" + item.getInstanceId()
                    + "' is not locked (already completed, abandoned or discarded)");
        }
        return inst;
    }

    private void unlock(Instance inst) {
        inst.locked = null;
        lockedOrchestrations--;
    }

    /**
     * Commits an episode at once: routes the outbound messages (activities to the activity queue, orchestrator
     * messages to their instances, timers delayed until {@code fireAt}), appends the new history events (all events
     * for a new execution), updates the instance state, and unlocks the instance; early responses held back for it
     * are looked at again.
     *
     * @throws IllegalArgumentException if the work item is not one of this service or the checkpoint has no
     *                                  {@code ExecutionStarted}
     * @throws IllegalStateException    if the work item is not locked any more
     */
    @Override
    public void completeOrchestrationWorkItem(OrchestrationWorkItem workItem, OrchestrationCheckpoint checkpoint) {
        lock.lock();
        try {
            Instance inst = lockedInstance(workItem);
            OrchestrationItem item = (OrchestrationItem) workItem;
            OrchestrationRuntimeState state = checkpoint.newRuntimeState();
            if (state.getExecutionStartedEvent() == null) {
                throw new IllegalArgumentException("The checkpoint of instance '" + inst.instanceId
                        + "' has no ExecutionStarted event");
            }
            for (TaskMessage m : checkpoint.activityMessages()) {
                activityQueue.add(new Envelope(nextSeq(), m, inst.instanceId));
            }
            for (TaskMessage m : checkpoint.orchestratorMessages()) {
                deliver(m, inst.instanceId);
            }
            for (TaskMessage m : checkpoint.timerMessages()) {
                deliver(m, inst.instanceId);
            }
            boolean newExecution = !state.getExecutionId().equals(item.loadedExecutionId);
            List<HistoryEvent> written = newExecution ? state.getEvents() : state.getNewEvents();
            if (newExecution) {
                inst.history = new ArrayList<>(written);
            } else {
                inst.history.addAll(written);
            }
            updateRow(inst, state, written);
            unlock(inst);
            releaseHeldBack(inst);
            bump();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The instance state after a checkpoint, as the Azure Storage backend merges its Instances row
     * (storage-layout.md §4 "Each checkpoint"); an entity's fresh execution replaces the whole state.
     */
    private void updateRow(Instance inst, OrchestrationRuntimeState state, List<HistoryEvent> newEvents) {
        Instant now = clock.instant();
        boolean entityExecution = EntityInstanceId.isEntityInstanceId(inst.instanceId)
                && newEvents.stream().anyMatch(e -> e instanceof ExecutionStartedEvent);
        Row row = inst.row == null || entityExecution ? new Row() : inst.row;
        row.customStatus = state.getCustomStatus();
        row.executionId = state.getExecutionId();
        row.lastUpdatedTime = newEvents.isEmpty() ? now : newEvents.get(newEvents.size() - 1).timestamp();
        boolean statusSet = false;
        for (HistoryEvent e : newEvents) {
            if (e instanceof ExecutionStartedEvent started) {
                if (started.name() != null) {
                    row.name = started.name();
                }
                if (started.version() != null) {
                    row.version = started.version();
                }
                row.createdTime = started.timestamp();
                row.status = OrchestrationRuntimeStatus.RUNNING;
                if (started.input() != null) {
                    row.input = started.input();
                }
                row.tags = started.tags();
                if (started.generation() != null) {
                    row.generation = started.generation();
                }
                if (started.scheduledStartTime() != null) {
                    row.scheduledStartTime = started.scheduledStartTime();
                }
                row.failureDetails = null;
                statusSet = true;
            } else if (e instanceof ExecutionCompletedEvent completed) {
                row.status = completed.orchestrationStatus();
                row.completedTime = now;
                boolean terminatedWithReason = completed.orchestrationStatus()
                        == OrchestrationRuntimeStatus.TERMINATED && completed.result() != null;
                String output = completed.failureDetails() != null && !terminatedWithReason
                        ? completed.failureDetails().toString() : completed.result();
                if (output != null) {
                    row.output = output;
                }
                row.failureDetails = completed.failureDetails();
                statusSet = true;
            } else if (e instanceof ContinueAsNewEvent continued) {
                row.status = OrchestrationRuntimeStatus.CONTINUED_AS_NEW;
                if (continued.result() != null) {
                    row.output = continued.result();
                }
                statusSet = true;
            } else if (e instanceof ExecutionTerminatedEvent terminated) {
                row.status = OrchestrationRuntimeStatus.TERMINATED;
                row.completedTime = now;
                if (terminated.input() != null) {
                    row.output = terminated.input();
                }
                statusSet = true;
            } else if (e instanceof ExecutionSuspendedEvent suspended) {
                row.status = OrchestrationRuntimeStatus.SUSPENDED;
                if (suspended.reason() != null) {
                    row.output = suspended.reason();
                }
                statusSet = true;
            } else if (e instanceof ExecutionResumedEvent resumed) {
                row.status = OrchestrationRuntimeStatus.RUNNING;
                if (resumed.reason() != null) {
                    row.output = resumed.reason();
                }
                statusSet = true;
            }
        }
        if (!statusSet && state.getRuntimeStatus() == OrchestrationRuntimeStatus.RUNNING
                && newEvents.stream().anyMatch(e -> e instanceof GenericEvent)) {
            row.status = OrchestrationRuntimeStatus.RUNNING; // a rewound instance runs again
        }
        inst.row = row;
    }

    /**
     * Puts the work item's messages back in front of the instance's visible messages and unlocks it; the instance is
     * handed out again once a new message arrives for it or its history changes (no spinning on a failing episode).
     */
    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem) {
        lock.lock();
        try {
            Instance inst = lockedInstance(workItem);
            inst.pending.addAll(0, ((OrchestrationItem) workItem).envelopes);
            unlock(inst);
            inst.blocked = true;
            log.info("Instance '{}': work item abandoned; its {} message(s) wait until something changes for it",
                    inst.instanceId, ((OrchestrationItem) workItem).envelopes.size());
            bump();
        } finally {
            lock.unlock();
        }
    }

    /** Drops the work item's messages, logging why, and unlocks the instance. */
    @Override
    public void discardOrchestrationWorkItem(OrchestrationWorkItem workItem, String reason) {
        lock.lock();
        try {
            Instance inst = lockedInstance(workItem);
            discard(inst.instanceId, ((OrchestrationItem) workItem).envelopes, reason);
            unlock(inst);
            bump();
        } finally {
            lock.unlock();
        }
    }

    // --------------------------------------------------------------------------------------- activity work items

    /**
     * Waits up to {@code timeout} (real time) for the next activity message.
     *
     * @return the work item, or null if none arrived in time, or the service is stopped or closed
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    @Override
    public ActivityWorkItem lockNextActivityWorkItem(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (!closed) {
                if (started && !activityQueue.isEmpty()) {
                    ActivityItem item = new ActivityItem(activityQueue.remove(0));
                    lockedActivities.add(item);
                    bump();
                    return item;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return null;
                }
                changed.awaitNanos(remaining);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Nothing to renew: locks do not expire. */
    @Override
    public void renewActivityWorkItem(ActivityWorkItem workItem) {
    }

    /**
     * Delivers the response to the orchestration and drops the work item.
     *
     * @throws IllegalStateException if the work item is not locked
     */
    @Override
    public void completeActivityWorkItem(ActivityWorkItem workItem, TaskMessage response) {
        Objects.requireNonNull(response, "response");
        lock.lock();
        try {
            lockedActivity(workItem);
            deliver(response, null);
            lockedActivities.remove(workItem);
            bump();
        } finally {
            lock.unlock();
        }
    }

    /** Delivers the activity message again one virtual second later ({@link #ACTIVITY_RETRY_DELAY}). */
    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem) {
        lock.lock();
        try {
            ActivityItem item = lockedActivity(workItem);
            lockedActivities.remove(item);
            delayed.add(new Delayed(clock.instant().plus(ACTIVITY_RETRY_DELAY), nextSeq(), item.envelope, true));
            log.info("Activity work item {} abandoned; delivered again at {}", item.getId(),
                    clock.instant().plus(ACTIVITY_RETRY_DELAY));
            bump();
        } finally {
            lock.unlock();
        }
    }

    private ActivityItem lockedActivity(ActivityWorkItem workItem) {
        if (!(workItem instanceof ActivityItem item)) {
            throw new IllegalArgumentException("Not a work item of this backend: " + workItem);
        }
        if (!lockedActivities.contains(item)) {
            throw new IllegalStateException("Activity work item " + item.getId() + " is not locked");
        }
        return item;
    }

    // ----------------------------------------------------------------------------------------------- client side

    /**
     * Creates an instance: if one with the ID exists in one of {@code dedupeStatuses}, throws; else records it as
     * Pending with generation = the old one + 1 (0 for a new ID), replacing the old state (the old history stays
     * until the new execution's first checkpoint), and delivers the {@code ExecutionStarted} message (at its
     * scheduled start time, if that is later).
     *
     * @throws OrchestrationAlreadyExistsException if the instance exists in one of {@code dedupeStatuses}
     * @throws IllegalArgumentException            if the message is not an ExecutionStarted with instance and
     *                                             execution IDs
     */
    @Override
    public void createOrchestrationInstance(TaskMessage executionStartedMessage,
                                            Set<OrchestrationRuntimeStatus> dedupeStatuses) {
        if (executionStartedMessage == null
                || !(executionStartedMessage.event() instanceof ExecutionStartedEvent started)) {
            throw new IllegalArgumentException("createOrchestrationInstance needs an ExecutionStarted message, got "
                    + (executionStartedMessage == null ? null : executionStartedMessage.event().eventType()));
        }
        OrchestrationInstance id = started.orchestrationInstance();
        if (id == null || id.instanceId() == null || id.executionId() == null) {
            throw new IllegalArgumentException("The ExecutionStarted event needs an instance ID and an execution ID");
        }
        lock.lock();
        try {
            Instance inst = instance(id.instanceId());
            int generation = 0;
            if (inst.row != null) {
                OrchestrationRuntimeStatus status = inst.row.status == null ? OrchestrationRuntimeStatus.PENDING
                        : inst.row.status;
                if (dedupeStatuses != null && dedupeStatuses.contains(status)) {
                    throw new OrchestrationAlreadyExistsException(id.instanceId(), status);
                }
                generation = inst.row.generation + 1;
            }
            ExecutionStartedEvent event = new ExecutionStartedEvent(started.eventId(), started.isPlayed(),
                    started.timestamp(), id, started.parentInstance(), started.name(), started.version(),
                    started.input(), started.tags(), started.correlation(), started.parentTraceContext(),
                    started.scheduledStartTime(), generation, started.generateNewTrace());
            Row row = new Row();
            row.executionId = id.executionId();
            row.name = event.name();
            row.version = event.version();
            row.input = event.input();
            row.createdTime = event.timestamp();
            row.lastUpdatedTime = clock.instant();
            row.status = OrchestrationRuntimeStatus.PENDING;
            row.scheduledStartTime = event.scheduledStartTime();
            row.generation = generation;
            row.tags = event.tags();
            inst.row = row;
            deliver(new TaskMessage(event, id, executionStartedMessage.orchestrationTags()), null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Delivers a message to its instance (an event, a termination, ...): at once, or at its time for a
     * {@code TimerFired}, a scheduled {@code ExecutionStarted} or a scheduled entity request ({@code op@<time>}).
     *
     * @throws NullPointerException if the message or its target is null
     */
    @Override
    public void sendTaskOrchestrationMessage(TaskMessage message) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(message.orchestrationInstance(), "message.orchestrationInstance");
        Objects.requireNonNull(message.instanceId(), "message instance ID");
        lock.lock();
        try {
            deliver(message, null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public OrchestrationState getOrchestrationState(String instanceId, boolean fetchInputsAndOutputs) {
        lock.lock();
        try {
            Instance inst = instances.get(instanceId);
            return inst == null || inst.row == null ? null : inst.row.toState(instanceId, fetchInputsAndOutputs);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<HistoryEvent> getOrchestrationHistory(String instanceId) {
        lock.lock();
        try {
            Instance inst = instances.get(instanceId);
            return inst == null ? List.of() : List.copyOf(inst.history);
        } finally {
            lock.unlock();
        }
    }

    /**
     * One page of orchestration instances (never entities) in instance ID order, filtered by created time
     * (inclusive bounds), statuses (empty: all) and instance ID prefix.
     *
     * @throws IllegalArgumentException if the continuation token was not issued by this service
     */
    @Override
    public OrchestrationStateQueryResult queryOrchestrationStates(OrchestrationStatusQuery query) {
        Objects.requireNonNull(query, "query");
        String after = decodeToken(query.getContinuationToken());
        String prefix = query.getInstanceIdPrefix();
        List<OrchestrationRuntimeStatus> statuses = query.getRuntimeStatusList();
        lock.lock();
        try {
            return page(after, query.getMaxInstanceCount(), query.isFetchInputsAndOutputs(), (id, row) ->
                    !EntityInstanceId.isEntityInstanceId(id)
                            && (prefix == null || id.startsWith(prefix))
                            && within(row.createdTime, query.getCreatedTimeFrom(), query.getCreatedTimeTo())
                            && (statuses == null || statuses.isEmpty() || statuses.contains(statusOf(row))));
        } finally {
            lock.unlock();
        }
    }

    /**
     * One page of entity instances in instance ID order, filtered by ID prefix and last-updated time (inclusive
     * bounds); the input (the scheduler state) only when {@code fetchInput}.
     *
     * @throws IllegalArgumentException if the continuation token was not issued by this service
     */
    @Override
    public OrchestrationStateQueryResult queryEntityStates(EntityStateQuery query) {
        Objects.requireNonNull(query, "query");
        String after = decodeToken(query.continuationToken());
        lock.lock();
        try {
            return page(after, query.pageSize(), query.fetchInput(), (id, row) ->
                    id.startsWith(query.instanceIdPrefix())
                            && within(row.lastUpdatedTime, query.lastModifiedFrom(), query.lastModifiedTo()));
        } finally {
            lock.unlock();
        }
    }

    private interface RowFilter {
        boolean test(String instanceId, Row row);
    }

    private OrchestrationStateQueryResult page(String after, int pageSize, boolean fetch, RowFilter filter) {
        int size = Math.max(1, pageSize);
        List<OrchestrationState> states = new ArrayList<>();
        Map<String, Instance> candidates = after == null ? instances : instances.tailMap(after, false);
        String last = null;
        for (Instance inst : candidates.values()) {
            if (inst.row == null || !filter.test(inst.instanceId, inst.row)) {
                continue;
            }
            if (states.size() == size) {
                return new OrchestrationStateQueryResult(states, encodeToken(last));
            }
            states.add(inst.row.toState(inst.instanceId, fetch));
            last = inst.instanceId;
        }
        return new OrchestrationStateQueryResult(states, null);
    }

    private static OrchestrationRuntimeStatus statusOf(Row row) {
        return row.status == null ? OrchestrationRuntimeStatus.PENDING : row.status;
    }

    private static boolean within(Instant time, Instant from, Instant to) {
        if (from == null && to == null) {
            return true;
        }
        return time != null && (from == null || !time.isBefore(from)) && (to == null || !time.isAfter(to));
    }

    private static String encodeToken(String lastInstanceId) {
        return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(lastInstanceId.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeToken(String token) {
        if (token == null) {
            return null;
        }
        if (!token.startsWith(TOKEN_PREFIX)) {
            throw new IllegalArgumentException("The continuation token '" + token + "' was not issued by this "
                    + "in-memory backend");
        }
        try {
            return new String(Base64.getUrlDecoder().decode(token.substring(TOKEN_PREFIX.length())),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The continuation token '" + token + "' was not issued by this "
                    + "in-memory backend", e);
        }
    }

    /**
     * Deletes the instance's state and history, whatever its status. Messages still on their way to it are
     * discarded when they arrive (no such instance).
     *
     * @return 1 if the instance existed, else 0
     */
    @Override
    public int purgeInstanceState(String instanceId) {
        lock.lock();
        try {
            return purge(instances.get(instanceId));
        } finally {
            lock.unlock();
        }
    }

    private int purge(Instance inst) {
        if (inst == null || inst.row == null) {
            return 0;
        }
        inst.row = null;
        inst.history = new ArrayList<>();
        releaseHeldBack(inst);
        bump();
        log.info("Instance '{}': purged", inst.instanceId);
        return 1;
    }

    /**
     * Purges every instance (entities included) created in {@code [createdTimeFrom, createdTimeTo]} whose status is
     * one of {@code statuses}.
     *
     * @return how many instances were purged
     */
    @Override
    public int purgeInstanceStates(Instant createdTimeFrom, Instant createdTimeTo,
                                   Set<OrchestrationRuntimeStatus> statuses) {
        lock.lock();
        try {
            int purged = 0;
            for (Instance inst : instances.values()) {
                if (inst.row != null && within(inst.row.createdTime, createdTimeFrom, createdTimeTo)
                        && statuses != null && statuses.contains(statusOf(inst.row))) {
                    purged += purge(inst);
                }
            }
            return purged;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rewinds a Failed instance as the Azure Storage backend does (its legacy rewind): in the current execution,
     * each {@code TaskFailed} and {@code SubOrchestrationInstanceFailed} becomes a {@code GenericEvent} with ID -1,
     * the {@code TaskScheduled} a failed task answers and the failed {@code ExecutionCompleted} become
     * {@code GenericEvent}s keeping their IDs (their data {@code "Rewound: <old event type>"}); the failed
     * sub-orchestrations are rewound the same way, recursively. Each rewound instance goes to Pending, and each one
     * without a rewound child gets a {@code GenericEvent} message ({@code data} = {@code reason}) that wakes it to
     * replay and schedule the rewound work again.
     *
     * @throws IllegalArgumentException if the instance does not exist
     * @throws IllegalStateException    if the instance is not Failed
     */
    @Override
    public void rewindTaskOrchestration(String instanceId, String reason) {
        lock.lock();
        try {
            Instance inst = instances.get(instanceId);
            if (inst == null || inst.row == null) {
                throw new IllegalArgumentException("An orchestration instance with ID '" + instanceId
                        + "' was not found.");
            }
            if (statusOf(inst.row) != OrchestrationRuntimeStatus.FAILED) {
                throw new IllegalStateException("The orchestration instance '" + instanceId + "' cannot be rewound: "
                        + "its status is " + statusOf(inst.row).statusName() + ", only Failed instances can be "
                        + "rewound.");
            }
            List<String[]> leaves = new ArrayList<>();
            rewind(inst, new HashSet<>(), leaves);
            Instant now = clock.instant();
            for (String[] leaf : leaves) {
                deliver(new TaskMessage(new GenericEvent(-1, false, now, reason),
                        new OrchestrationInstance(leaf[0], leaf[1])), null);
            }
            bump();
        } finally {
            lock.unlock();
        }
    }

    /** Rewinds one Failed instance and its failed children; adds {id, execution} of leaves. Returns true if done. */
    private boolean rewind(Instance inst, Set<String> visited, List<String[]> leaves) {
        if (inst == null || !visited.add(inst.instanceId) || inst.row == null
                || statusOf(inst.row) != OrchestrationRuntimeStatus.FAILED) {
            return false;
        }
        Set<Integer> failedTasks = new HashSet<>();
        Set<Integer> failedSubOrchestrations = new HashSet<>();
        for (HistoryEvent e : inst.history) {
            if (e instanceof TaskFailedEvent f) {
                failedTasks.add(f.taskScheduledId());
            } else if (e instanceof SubOrchestrationInstanceFailedEvent f) {
                failedSubOrchestrations.add(f.taskScheduledId());
            }
        }
        List<HistoryEvent> rewritten = new ArrayList<>(inst.history.size());
        List<String> failedChildren = new ArrayList<>();
        for (HistoryEvent e : inst.history) {
            if (e instanceof TaskFailedEvent || e instanceof SubOrchestrationInstanceFailedEvent) {
                rewritten.add(new GenericEvent(-1, false, e.timestamp(), REWOUND_PREFIX + e.eventType().name()));
            } else if (e instanceof TaskScheduledEvent && failedTasks.contains(e.eventId())
                    || e instanceof ExecutionCompletedEvent c
                    && c.orchestrationStatus() == OrchestrationRuntimeStatus.FAILED) {
                rewritten.add(new GenericEvent(e.eventId(), false, e.timestamp(),
                        REWOUND_PREFIX + e.eventType().name()));
            } else {
                if (e instanceof SubOrchestrationInstanceCreatedEvent created
                        && failedSubOrchestrations.contains(created.eventId()) && created.instanceId() != null) {
                    failedChildren.add(created.instanceId());
                }
                rewritten.add(e);
            }
        }
        inst.history = rewritten;
        boolean childRewound = false;
        for (String child : failedChildren) {
            childRewound |= rewind(instances.get(child), visited, leaves);
        }
        inst.row.status = OrchestrationRuntimeStatus.PENDING;
        inst.row.lastUpdatedTime = clock.instant();
        releaseHeldBack(inst);
        if (!childRewound) {
            leaves.add(new String[]{inst.instanceId, executionIdOf(inst.history)});
        }
        log.info("Instance '{}': rewound{}", inst.instanceId,
                failedChildren.isEmpty() ? "" : "; failed sub-orchestrations " + failedChildren);
        return true;
    }

    // ---------------------------------------------------------------------------------------- idleness and time

    /**
     * True if no message is ready to be handed out and no work item is locked: nothing happens until a client sends
     * something or time moves. Delayed messages, held-back early responses and the messages of an instance whose
     * work item was abandoned do not count.
     */
    public boolean isIdle() {
        lock.lock();
        try {
            return idle();
        } finally {
            lock.unlock();
        }
    }

    private boolean idle() {
        if (lockedOrchestrations > 0 || !lockedActivities.isEmpty() || !activityQueue.isEmpty()) {
            return false;
        }
        for (Instance inst : instances.values()) {
            if (inst.ready()) {
                return false;
            }
        }
        return true;
    }

    /** The due time of the earliest delayed message, or null if none is delayed. */
    public Instant nextDueTime() {
        lock.lock();
        try {
            return delayed.isEmpty() ? null : delayed.peek().dueAt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the service is idle ({@link #isIdle()}), without moving time: e.g. until a new orchestration has
     * run as far as it can and waits for an event or a timer. A worker must be running on this service.
     *
     * @param realTimeout how long to wait at most, in real time
     * @throws TimeoutException if the service is not idle within {@code realTimeout} (or the thread is interrupted)
     */
    public void awaitIdle(Duration realTimeout) throws TimeoutException {
        long deadline = System.nanoTime() + realTimeout.toNanos();
        lock.lock();
        try {
            while (!idle()) {
                awaitChange(deadline, "to become idle");
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs until {@code condition} holds: waits while work is going on, and whenever the service is idle and the
     * condition does not hold, jumps the virtual clock to the earliest delayed message's due time, releasing every
     * message due then. The condition is evaluated on the calling thread, without the service's lock held while it
     * runs, after each change; it may read this service (or a client over it).
     *
     * @param condition   what to wait for, e.g. an instance being completed
     * @param realTimeout how long to wait at most, in real time
     * @throws TimeoutException      if the condition does not hold within {@code realTimeout} (or the thread is
     *                               interrupted)
     * @throws IllegalStateException if the service is idle, nothing is delayed and the condition does not hold: it
     *                               never will unless a client sends a message (e.g. the orchestration waits for an
     *                               event that nobody raises)
     */
    public void runUntil(BooleanSupplier condition, Duration realTimeout) throws TimeoutException {
        Objects.requireNonNull(condition, "condition");
        long deadline = System.nanoTime() + realTimeout.toNanos();
        while (true) {
            long seen;
            lock.lock();
            try {
                seen = version;
            } finally {
                lock.unlock();
            }
            if (condition.getAsBoolean()) {
                return;
            }
            lock.lock();
            try {
                if (version != seen) {
                    continue;
                }
                if (idle()) {
                    Delayed next = delayed.peek();
                    if (next == null) {
                        throw new IllegalStateException("The condition does not hold and never will: the in-memory "
                                + "backend is idle with no delayed message left (" + describe() + ")");
                    }
                    jumpTo(next.dueAt());
                    continue;
                }
                awaitChange(deadline, "to meet the condition");
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Runs until the instance is Completed, Failed, Terminated or Canceled, moving time as
     * {@link #runUntil(BooleanSupplier, Duration)} does.
     *
     * @param realTimeout how long to wait at most, in real time
     * @return the instance's final state, with inputs and outputs
     * @throws TimeoutException      if it does not finish within {@code realTimeout}
     * @throws IllegalStateException if it cannot finish: idle, nothing delayed (e.g. waiting for an event)
     */
    public OrchestrationState awaitCompletion(String instanceId, Duration realTimeout) throws TimeoutException {
        Objects.requireNonNull(instanceId, "instanceId");
        try {
            runUntil(() -> {
                OrchestrationState state = getOrchestrationState(instanceId, false);
                return state != null && state.runtimeStatus().isTerminal();
            }, realTimeout);
        } catch (IllegalStateException e) {
            OrchestrationState state = getOrchestrationState(instanceId, false);
            throw new IllegalStateException("Instance '" + instanceId + "' cannot complete: it is "
                    + (state == null ? "unknown" : state.runtimeStatus().statusName()) + ". " + e.getMessage(), e);
        } catch (TimeoutException e) {
            OrchestrationState state = getOrchestrationState(instanceId, false);
            TimeoutException t = new TimeoutException("Instance '" + instanceId + "' did not complete within "
                    + realTimeout + " of real time (status " + (state == null ? "unknown"
                    : state.runtimeStatus().statusName()) + "). " + e.getMessage());
            t.initCause(e);
            throw t;
        }
        return getOrchestrationState(instanceId, true);
    }

    /**
     * Moves virtual time forward by {@code amount}, one due time at a time: waits until idle, moves the clock to the
     * earliest delayed message due within the amount and releases it, and so on; then moves the clock to the end
     * and returns once idle. Thirty 5-minute timers in a row all fire within {@code advance(Duration.ofHours(3),
     * ...)}.
     *
     * @param amount      how far to move virtual time, not negative
     * @param realTimeout how long to wait at most, in real time
     * @throws TimeoutException         if the service does not become idle within {@code realTimeout}
     * @throws IllegalArgumentException if {@code amount} is negative
     */
    public void advance(Duration amount, Duration realTimeout) throws TimeoutException {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("Time cannot move backwards: " + amount);
        }
        long deadline = System.nanoTime() + realTimeout.toNanos();
        Instant target = clock.instant().plus(amount);
        lock.lock();
        try {
            while (true) {
                while (!idle()) {
                    awaitChange(deadline, "to become idle");
                }
                Delayed next = delayed.peek();
                if (next != null && !next.dueAt().isAfter(target)) {
                    jumpTo(next.dueAt());
                    continue;
                }
                jumpTo(target);
                return;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves the clock to {@code time} (if later) and releases what is due. Lock held. */
    private void jumpTo(Instant time) {
        if (time.isAfter(clock.instant())) {
            clock.set(time); // the listener releases what is due
        }
        releaseDue();
        bump();
    }

    /** Waits for the next change until {@code deadline}. Lock held. */
    private void awaitChange(long deadline, String what) throws TimeoutException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new TimeoutException("The in-memory backend did not manage " + what + " in time (" + describe()
                    + ")");
        }
        try {
            changed.awaitNanos(remaining);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("Interrupted while waiting for the in-memory backend " + what);
        }
    }

    private String describe() {
        int ready = 0;
        int heldBack = 0;
        int blocked = 0;
        for (Instance inst : instances.values()) {
            if (inst.ready()) {
                ready++;
            }
            if (inst.blocked && !inst.pending.isEmpty()) {
                blocked++;
            }
            heldBack += inst.heldBack.size();
        }
        return "virtual time " + clock.instant() + ", " + (started ? "started" : "not started (no worker?)")
                + ", instances with ready messages: " + ready + ", locked orchestration work items: "
                + lockedOrchestrations + ", queued activities: " + activityQueue.size() + ", locked activities: "
                + lockedActivities.size() + ", delayed messages: " + delayed.size() + ", held-back early responses: "
                + heldBack + ", abandoned instances waiting for a change: " + blocked;
    }
}
