package io.github.durablefunctions.replay;

import io.github.durablefunctions.CompositeTaskFailedException;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.EntityCriticalSection;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.EntityOperationFailedException;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.NonDeterministicOrchestratorException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.RetryContext;
import io.github.durablefunctions.RetryHandler;
import io.github.durablefunctions.RetryPolicy;
import io.github.durablefunctions.SignalEntityOptions;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskCanceledException;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOptions;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.entities.EntityJson;
import io.github.durablefunctions.entities.EntityMessageNames;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.entities.ReleaseMessage;
import io.github.durablefunctions.entities.RequestMessage;
import io.github.durablefunctions.entities.ResponseMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCompletedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import io.github.durablefunctions.interruption.ContinueAsNewInterruption;
import io.github.durablefunctions.interruption.OrchestratorBlockedException;
import org.slf4j.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * The orchestration context during one execution of the {@link OrchestrationExecutor}: walks the history one event
 * at a time, on demand of {@link ReplayTask#await()}, matching scheduled events to the actions the code takes.
 *
 * <p>Everything that reacts to history (completing tasks, starting the next piece of a long timer, deciding and
 * scheduling retries, handing external events to waiters) happens while the event is processed, in history order,
 * whichever task the code happens to be awaiting. That makes the sequence of action IDs a function of the history and
 * the code only, so every replay takes the same decisions.
 *
 * <p>Entity operations (storage-layout.md §9) are {@link OrchestratorAction.SendEvent} actions to the entity's
 * instance ID carrying entity request messages; responses come back as {@code EventRaised} events named by the
 * request ID, consumed only by the call or lock request that sent it. The state of a critical section (locks held,
 * calls pending, the lock request in flight) and the {@link MessageSorter} that labels requests live in memory and are
 * rebuilt identically by every replay.
 */
final class ReplayContext implements TaskOrchestrationContext {
    /** Namespace of {@link #newUUID()} (the one the Durable Task SDKs use). */
    static final UUID UUID_NAMESPACE = UUID.fromString("9e952958-5e33-4daf-827f-2fa12937b875");
    /** Timeouts longer than this (about 100 years) mean "wait forever". */
    static final Duration FOREVER = Duration.ofDays(36_525);
    private static final String REWOUND_PREFIX = "Rewound: ";

    private final DataConverter dataConverter;
    private final Duration maxTimerInterval;
    private final Duration timerPieceLength;
    private final List<HistoryEvent> events;
    private final int pastCount;
    private int next;
    private boolean replaying = true;
    private Instant currentInstant;
    private ExecutionStartedEvent started;
    /** How many history events have been applied: the processing-order position of the latest one. */
    private long ordinal;

    private int sequenceNumber;
    /** Actions the code took that no history event has matched yet, by ID. */
    private final NavigableMap<Integer, OrchestratorAction> pendingActions = new TreeMap<>();
    /** Positions whose scheduled event was rewound: their actions are expected again, not extra. */
    private final Set<Integer> rewoundPositions = new HashSet<>();
    /** Activities and sub-orchestrations waiting for their result event, by action ID. */
    private final Map<Integer, Call> openCalls = new HashMap<>();
    /** Timers (or timer pieces) waiting for their {@code TimerFired} event, by action ID. */
    private final Map<Integer, Runnable> openTimers = new HashMap<>();
    /** External-event waits, by lower-cased event name, oldest first. */
    private final Map<String, Deque<EventWaiter>> eventWaiters = new HashMap<>();
    /** External events that arrived while nobody waited for them, in arrival order. */
    private final List<BufferedEvent> bufferedEvents = new ArrayList<>();

    private boolean suspended;
    /** Deliveries held back while suspended, in arrival order. */
    private final List<HistoryEvent> heldWhileSuspended = new ArrayList<>();
    /** Held deliveries released by {@code ExecutionResumed}, processed before the rest of history. */
    private final Deque<HistoryEvent> released = new ArrayDeque<>();

    private String customStatus;
    private int uuidCounter;

    /** The code has ended (returned, thrown or asked to stop); history no longer leads to new actions. */
    private boolean finished;
    private Exit exit;
    private boolean terminated;
    private String terminationReason;
    private NonDeterministicOrchestratorException nonDeterminism;
    private boolean blocked;
    private OrchestratorAction.CompleteOrchestration completion;

    /** How far apart requests to one entity may be reordered by the queues and still be sorted back. */
    private final Duration entityReorderWindow;
    /** Labels this execution's requests to entities ({@code Timestamp}, {@code Predecessor}). */
    private final MessageSorter messageSorter = new MessageSorter();
    /** Entity calls and lock requests waiting for their response event, by lower-cased request ID. */
    private final Map<String, BiConsumer<String, Long>> entityResponseWaiters = new HashMap<>();
    /** The ID of the lock request sent and not answered yet, or null. */
    private String pendingLockRequestId;
    /** The critical section the code is in (locks acquired, not released yet), or null. */
    private CriticalSection criticalSection;
    /** The IDs of the lock-release actions taken: kept when a failure drops the other actions. */
    private final Set<Integer> releaseActionIds = new HashSet<>();

    /** How the code asked the execution to end: by returning, {@code complete()} or {@code continueAsNew()}. */
    private record Exit(OrchestrationRuntimeStatus status, String resultJson, boolean preserveEvents) {
    }

    private record BufferedEvent(EventRaisedEvent event, long ordinal) {
    }

    private record EventWaiter(String name, Outcome<String> outcome) {
    }

    ReplayContext(DataConverter dataConverter, Duration maxTimerInterval, Duration timerPieceLength,
                  List<HistoryEvent> pastEvents, List<HistoryEvent> newEvents) {
        this(dataConverter, maxTimerInterval, timerPieceLength, MessageSorter.DEFAULT_REORDER_WINDOW, pastEvents,
                newEvents);
    }

    /**
     * @param entityReorderWindow the window of the {@link MessageSorter} that labels requests to entities (zero: no
     *                            labels)
     */
    ReplayContext(DataConverter dataConverter, Duration maxTimerInterval, Duration timerPieceLength,
                  Duration entityReorderWindow, List<HistoryEvent> pastEvents, List<HistoryEvent> newEvents) {
        this.dataConverter = dataConverter;
        this.entityReorderWindow = entityReorderWindow;
        this.maxTimerInterval = maxTimerInterval;
        this.timerPieceLength = timerPieceLength;
        this.events = new ArrayList<>(pastEvents.size() + newEvents.size());
        this.events.addAll(pastEvents);
        this.events.addAll(newEvents);
        this.pastCount = pastEvents.size();
    }

    // ---- driving the execution (OrchestrationExecutor) ----

    /**
     * Processes events up to and including {@code ExecutionStarted}; false if the history has none, or if it
     * ended the execution first (a termination).
     */
    boolean advanceToExecutionStarted() {
        try {
            while (started == null) {
                if (!processNextEvent()) {
                    return false;
                }
            }
        } catch (ExecutionStopSignal stop) {
            finishTerminated();
            return false;
        }
        return true;
    }

    void runOrchestrator(OrchestratorFunction<?> orchestrator) {
        Object output = null;
        Throwable thrown = null;
        try {
            output = orchestrator.apply(this);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            thrown = e;
        }
        if (nonDeterminism != null) {
            failNonDeterministic(nonDeterminism);
            return;
        }
        if (terminated) {
            finishTerminated();
            return;
        }
        if (blocked) {
            // Waiting for history; if the code caught the blocking signal and went on, it is still waiting.
            return;
        }
        FailureDetails failure = null;
        if (exit == null && thrown != null) {
            failure = failureOf(thrown);
        } else if (exit == null) {
            try {
                exit = new Exit(OrchestrationRuntimeStatus.COMPLETED, dataConverter.serialize(output), false);
            } catch (RuntimeException e) {
                failure = failureOf(e);
            }
        }
        // The code is done; the rest of the history must still agree with what it did, and may terminate it.
        finished = true;
        try {
            while (processNextEvent()) {
                // validation and bookkeeping happen in processNextEvent
            }
        } catch (ExecutionStopSignal | NonDeterministicOrchestratorException e) {
            // recorded in the flags checked below
        }
        if (nonDeterminism != null) {
            failNonDeterministic(nonDeterminism);
        } else if (terminated) {
            finishTerminated();
        } else if (failure != null) {
            fail(failure);
        } else {
            releaseLocks(); // locks still held when the code completes
            List<HistoryEvent> carryover = new ArrayList<>();
            if (exit.status() == OrchestrationRuntimeStatus.CONTINUED_AS_NEW && exit.preserveEvents()) {
                for (BufferedEvent buffered : bufferedEvents) {
                    carryover.add(buffered.event());
                }
            }
            completion = new OrchestratorAction.CompleteOrchestration(sequenceNumber++, exit.status(),
                    exit.resultJson(), null, carryover);
        }
    }

    /**
     * Ends the execution as Failed. The actions not yet in history are dropped, except lock releases; locks still
     * held are released (before the completion), so that a failing orchestration leaves no entity locked.
     */
    void fail(FailureDetails details) {
        pendingActions.keySet().retainAll(releaseActionIds);
        releaseLocks();
        completion = new OrchestratorAction.CompleteOrchestration(sequenceNumber++, OrchestrationRuntimeStatus.FAILED,
                null, details);
    }

    void failNonDeterministic(NonDeterministicOrchestratorException e) {
        fail(new FailureDetails(NonDeterministicOrchestratorException.class.getName(), e.getMessage(), null, null,
                true, null));
    }

    private void finishTerminated() {
        pendingActions.clear();
        completion = new OrchestratorAction.CompleteOrchestration(sequenceNumber++,
                OrchestrationRuntimeStatus.TERMINATED, terminationReason, null);
    }

    OrchestratorResult result() {
        List<OrchestratorAction> actions = new ArrayList<>(pendingActions.values());
        if (completion != null) {
            actions.add(completion);
        }
        return new OrchestratorResult(actions, customStatus);
    }

    private static FailureDetails failureOf(Throwable e) {
        FailureDetails details = FailureDetails.fromException(e);
        FailureDetails inner = null;
        if (e instanceof TaskFailedException taskFailed) {
            inner = taskFailed.getErrorDetails();
        } else if (e instanceof CompositeTaskFailedException composite && !composite.getExceptions().isEmpty()
                && composite.getExceptions().get(0) instanceof TaskFailedException first) {
            inner = first.getErrorDetails();
        }
        if (inner == null) {
            return details;
        }
        return new FailureDetails(details.getErrorType(), details.getErrorMessage(), details.getStackTrace(), inner,
                details.isNonRetriable(), details.getProperties());
    }

    // ---- walking the history ----

    /**
     * Processes the next history event: the next one released by a resume, else the next one in history.
     *
     * @return false if there are no more events
     * @throws NonDeterministicOrchestratorException if the event contradicts what the code did
     * @throws ExecutionStopSignal                   if the event terminates the instance
     */
    private boolean processNextEvent() {
        HistoryEvent event = released.poll();
        if (event == null) {
            if (next >= events.size()) {
                return false;
            }
            event = events.get(next);
            replaying = next < pastCount;
            next++;
        }
        ordinal++;
        apply(event);
        return true;
    }

    private void apply(HistoryEvent event) {
        if (suspended && isDelivery(event)) {
            heldWhileSuspended.add(event);
        } else if (event instanceof OrchestratorStartedEvent) {
            currentInstant = event.timestamp();
        } else if (event instanceof ExecutionStartedEvent executionStarted) {
            if (started == null) {
                started = executionStarted;
            }
        } else if (event instanceof TaskScheduledEvent scheduled) {
            OrchestratorAction action = takePendingAction(scheduled.eventId(), describe(scheduled));
            if (!(action instanceof OrchestratorAction.ScheduleTask task)
                    || !task.name().equalsIgnoreCase(scheduled.name())) {
                throw mismatch(scheduled, action);
            }
        } else if (event instanceof TimerCreatedEvent timerCreated) {
            OrchestratorAction action = takePendingAction(timerCreated.eventId(), describe(timerCreated));
            if (!(action instanceof OrchestratorAction.CreateTimer)) {
                throw mismatch(timerCreated, action);
            }
        } else if (event instanceof SubOrchestrationInstanceCreatedEvent created) {
            OrchestratorAction action = takePendingAction(created.eventId(), describe(created));
            if (!(action instanceof OrchestratorAction.CreateSubOrchestration sub)
                    || !sub.name().equalsIgnoreCase(created.name())) {
                throw mismatch(created, action);
            }
        } else if (event instanceof EventSentEvent sent) {
            OrchestratorAction action = takePendingAction(sent.eventId(), describe(sent));
            if (!(action instanceof OrchestratorAction.SendEvent send) || !send.name().equalsIgnoreCase(sent.name())
                    || !send.instanceId().equals(sent.instanceId())) {
                throw mismatch(sent, action);
            }
        } else if (event instanceof TaskCompletedEvent taskCompleted) {
            Call call = openCalls.remove(taskCompleted.taskScheduledId());
            if (call != null) {
                call.completed(taskCompleted.result());
            }
        } else if (event instanceof TaskFailedEvent taskFailed) {
            Call call = openCalls.remove(taskFailed.taskScheduledId());
            if (call != null) {
                call.failed(taskFailed.taskScheduledId(), failureOf(taskFailed.failureDetails(), taskFailed.reason(),
                        taskFailed.details()));
            }
        } else if (event instanceof SubOrchestrationInstanceCompletedEvent subCompleted) {
            Call call = openCalls.remove(subCompleted.taskScheduledId());
            if (call != null) {
                call.completed(subCompleted.result());
            }
        } else if (event instanceof SubOrchestrationInstanceFailedEvent subFailed) {
            Call call = openCalls.remove(subFailed.taskScheduledId());
            if (call != null) {
                call.failed(subFailed.taskScheduledId(), failureOf(subFailed.failureDetails(), subFailed.reason(),
                        subFailed.details()));
            }
        } else if (event instanceof TimerFiredEvent fired) {
            Runnable onFired = openTimers.remove(fired.timerId());
            if (onFired != null) {
                onFired.run();
            }
        } else if (event instanceof EventRaisedEvent raised) {
            deliver(raised);
        } else if (event instanceof ExecutionSuspendedEvent) {
            suspended = true;
        } else if (event instanceof ExecutionResumedEvent) {
            if (suspended) {
                suspended = false;
                released.addAll(heldWhileSuspended);
                heldWhileSuspended.clear();
            }
        } else if (event instanceof ExecutionTerminatedEvent terminatedEvent) {
            terminated = true;
            terminationReason = terminatedEvent.input();
            throw new ExecutionStopSignal("The instance was terminated. This is control flow of the replay "
                    + "runtime: never catch it.");
        } else if (event instanceof GenericEvent generic) {
            if (isRewoundSchedule(generic)) {
                rewoundPositions.add(generic.eventId());
            }
        } else if (event instanceof OrchestratorCompletedEvent && replaying) {
            for (OrchestratorAction extra : pendingActions.values()) {
                if (!rewoundPositions.contains(extra.id())) {
                    throw nonDeterministic("The orchestrator code scheduled " + describe(extra) + " at position #"
                            + extra.id() + ", but history holds nothing at that position.");
                }
            }
        }
    }

    /**
     * Events that deliver something to the code (results, fired timers, raised events): held while the instance is
     * suspended. Bookkeeping events (episode boundaries, records of actions the code already took) are not.
     */
    private static boolean isDelivery(HistoryEvent event) {
        return event instanceof TaskCompletedEvent || event instanceof TaskFailedEvent
                || event instanceof SubOrchestrationInstanceCompletedEvent
                || event instanceof SubOrchestrationInstanceFailedEvent || event instanceof TimerFiredEvent
                || event instanceof EventRaisedEvent;
    }

    /** A row rewritten by rewind whose original was a scheduled action at {@code eventId} (not the old completion). */
    private static boolean isRewoundSchedule(GenericEvent generic) {
        String data = generic.data();
        return generic.eventId() >= 0 && data != null && data.startsWith(REWOUND_PREFIX)
                && !data.equals(REWOUND_PREFIX + "ExecutionCompleted") && !data.equals(REWOUND_PREFIX + "ContinueAsNew");
    }

    private OrchestratorAction takePendingAction(int id, String historyDescription) {
        OrchestratorAction action = pendingActions.remove(id);
        if (action == null) {
            throw nonDeterministic("History holds " + historyDescription + " at position #" + id
                    + ", but the orchestrator code did not schedule anything at that position.");
        }
        return action;
    }

    private NonDeterministicOrchestratorException mismatch(HistoryEvent event, OrchestratorAction action) {
        return nonDeterministic("History holds " + describe(event) + " at position #" + event.eventId()
                + ", but the orchestrator code scheduled " + describe(action) + " there.");
    }

    private NonDeterministicOrchestratorException nonDeterministic(String detail) {
        nonDeterminism = new NonDeterministicOrchestratorException("Non-deterministic orchestrator detected in "
                + "instance '" + getInstanceId() + "': " + detail
                + " Was the orchestrator code changed while this instance was running?");
        return nonDeterminism;
    }

    private static FailureDetails failureOf(FailureDetails details, String reason, String stackTrace) {
        if (details != null) {
            return details;
        }
        return new FailureDetails("(unknown)", reason, stackTrace, null, false, null);
    }

    private static String describe(HistoryEvent event) {
        if (event instanceof TaskScheduledEvent scheduled) {
            return "activity '" + scheduled.name() + "' (TaskScheduled)";
        } else if (event instanceof TimerCreatedEvent) {
            return "timer (TimerCreated)";
        } else if (event instanceof SubOrchestrationInstanceCreatedEvent created) {
            return "sub-orchestration '" + created.name() + "' (SubOrchestrationInstanceCreated)";
        } else if (event instanceof EventSentEvent sent) {
            if (EntityInstanceId.isEntityInstanceId(sent.instanceId())) {
                return "entity message '" + sent.name() + "' to entity '" + sent.instanceId() + "' (EventSent)";
            }
            return "event '" + sent.name() + "' to instance '" + sent.instanceId() + "' (EventSent)";
        }
        return event.eventType().name();
    }

    private static String describe(OrchestratorAction action) {
        if (action instanceof OrchestratorAction.ScheduleTask task) {
            return "activity '" + task.name() + "' (callActivity)";
        } else if (action instanceof OrchestratorAction.CreateTimer) {
            return "timer (createTimer)";
        } else if (action instanceof OrchestratorAction.CreateSubOrchestration sub) {
            return "sub-orchestration '" + sub.name() + "' (callSubOrchestrator)";
        } else if (action instanceof OrchestratorAction.SendEvent send) {
            if (EntityInstanceId.isEntityInstanceId(send.instanceId())) {
                return "entity message '" + send.name() + "' to entity '" + send.instanceId()
                        + "' (signalEntity, callEntity, lockEntities or a lock release)";
            }
            return "event '" + send.name() + "' to instance '" + send.instanceId() + "' (sendEvent)";
        }
        return action.getClass().getSimpleName();
    }

    /** Replays history until {@code task} is done; throws the blocking signal if history runs out first. */
    void awaitCompletion(ReplayTask<?> task) {
        while (!task.isDone()) {
            if (nonDeterminism != null) {
                throw nonDeterminism;
            }
            if (terminated) {
                throw new ExecutionStopSignal("The instance was terminated. This is control flow of the replay "
                        + "runtime: never catch it.");
            }
            if (exit != null) {
                // The code caught the signal of complete() or continueAsNew() and went on: the execution is over.
                throw new ExecutionStopSignal("The orchestration has already ended (" + exit.status().statusName()
                        + "). This is control flow of the replay runtime: never catch it.");
            }
            if (!processNextEvent()) {
                blocked = true;
                throw new OrchestratorBlockedException("The orchestrator is waiting for a result that is not in "
                        + "its history yet. This is control flow of the replay runtime: never catch it.");
            }
        }
    }

    // ---- TaskOrchestrationContext: basics ----

    @Override
    public String getName() {
        return started.name();
    }

    @Override
    public String getInstanceId() {
        return started == null ? null : started.orchestrationInstance().instanceId();
    }

    @Override
    public <V> V getInput(Class<V> targetType) {
        return dataConverter.deserialize(started.input(), targetType);
    }

    @Override
    public Instant getCurrentInstant() {
        return currentInstant;
    }

    @Override
    public boolean getIsReplaying() {
        return replaying;
    }

    // ---- activities and sub-orchestrations ----

    @Override
    public <V> Task<V> callActivity(String name, Object input, TaskOptions options, Class<V> returnType) {
        requireName(name, "callActivity needs an activity name");
        Call call = new Call(false, name, dataConverter.serialize(input), null, options);
        call.scheduleAttempt();
        return typed(call.outcome, returnType);
    }

    @Override
    public <V> Task<V> callSubOrchestrator(String name, Object input, String instanceId, TaskOptions options,
                                           Class<V> returnType) {
        requireName(name, "callSubOrchestrator needs an orchestrator name");
        if (criticalSection != null) {
            throw new IllegalStateException("callSubOrchestrator('" + name + "'): an orchestration must not start a "
                    + "sub-orchestration inside a critical section (it holds locks on "
                    + criticalSection.locks + "); release the locks first");
        }
        if (instanceId != null && instanceId.isBlank()) {
            throw new IllegalArgumentException("callSubOrchestrator: the child instance ID must not be blank "
                    + "(pass null for a generated one)");
        }
        Call call = new Call(true, name, dataConverter.serialize(input), instanceId, options);
        call.scheduleAttempt();
        return typed(call.outcome, returnType);
    }

    /** The deterministic ID of a child started at {@code position}: parent ID, ':' and 4 upper-case hex digits. */
    private String childInstanceId(int position) {
        return getInstanceId() + ":" + String.format(Locale.ROOT, "%04X", position);
    }

    /**
     * One activity or sub-orchestration call, with its attempts. A retry after a failure is decided while the
     * failure event is processed, so it does not depend on how (or whether) the code awaits the task.
     */
    private final class Call {
        final boolean subOrchestration;
        final String name;
        final String inputJson;
        final String instanceId;
        final RetryPolicy policy;
        final RetryHandler handler;
        final Outcome<String> outcome = new Outcome<>();
        int attempts;
        Instant firstAttemptAt;

        Call(boolean subOrchestration, String name, String inputJson, String instanceId, TaskOptions options) {
            this.subOrchestration = subOrchestration;
            this.name = name;
            this.inputJson = inputJson;
            this.instanceId = instanceId;
            this.policy = options == null ? null : options.getRetryPolicy();
            this.handler = options == null ? null : options.getRetryHandler();
        }

        void scheduleAttempt() {
            if (attempts == 0) {
                firstAttemptAt = currentInstant;
            }
            attempts++;
            int id = sequenceNumber++;
            if (subOrchestration) {
                String childId = instanceId != null ? instanceId : childInstanceId(id);
                pendingActions.put(id, new OrchestratorAction.CreateSubOrchestration(id, name, null, childId,
                        inputJson));
            } else {
                pendingActions.put(id, new OrchestratorAction.ScheduleTask(id, name, null, inputJson));
            }
            openCalls.put(id, this);
        }

        void completed(String resultJson) {
            outcome.complete(resultJson, ordinal);
        }

        void failed(int id, FailureDetails details) {
            TaskFailedException failure = new TaskFailedException(name, id, details);
            if (finished || (policy == null && handler == null)) {
                outcome.fail(failure, ordinal);
            } else if (policy != null) {
                retryByPolicy(failure);
            } else {
                retryByHandler(failure);
            }
        }

        private void retryByPolicy(TaskFailedException failure) {
            if (attempts >= policy.getMaxNumberOfAttempts() || failure.getErrorDetails().isNonRetriable()) {
                outcome.fail(failure, ordinal);
                return;
            }
            Duration delay = retryDelay(policy, attempts);
            Instant retryAt = currentInstant.plus(delay);
            Duration timeout = policy.getRetryTimeout();
            if (!timeout.isZero() && Duration.between(firstAttemptAt, retryAt).compareTo(timeout) > 0) {
                outcome.fail(failure, ordinal);
                return;
            }
            startTimer(retryAt, () -> {
                if (finished) {
                    outcome.fail(failure, ordinal);
                } else {
                    scheduleAttempt();
                }
            });
        }

        private void retryByHandler(TaskFailedException failure) {
            boolean again;
            try {
                again = handler.handle(new RetryContext(ReplayContext.this, attempts, failure.getErrorDetails(),
                        Duration.between(firstAttemptAt, currentInstant)));
            } catch (NonDeterministicOrchestratorException e) {
                throw e;
            } catch (RuntimeException e) {
                outcome.fail(e, ordinal);
                return;
            }
            if (again && !finished) {
                scheduleAttempt();
            } else {
                outcome.fail(failure, ordinal);
            }
        }
    }

    /**
     * The wait after failed attempt {@code attempt} (from 1): first interval × coefficient^(attempt − 1), capped at the
     * maximum interval when one is set.
     */
    static Duration retryDelay(RetryPolicy policy, int attempt) {
        double millis = policy.getFirstRetryInterval().toMillis()
                * Math.pow(policy.getBackoffCoefficient(), attempt - 1);
        Duration delay = millis >= FOREVER.toMillis() ? FOREVER : Duration.ofMillis((long) millis);
        Duration cap = policy.getMaxRetryInterval();
        if (!cap.isZero() && delay.compareTo(cap) > 0) {
            delay = cap;
        }
        return delay;
    }

    private <V> ReplayTask<V> typed(Outcome<String> outcome, Class<V> type) {
        return new ReplayTask<>(this, outcome.future().thenApply(json -> dataConverter.deserialize(json, type)),
                outcome::ordinal);
    }

    private static void requireName(String name, String message) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(message);
        }
    }

    // ---- durable timers ----

    @Override
    public Task<Void> createTimer(Duration delay) {
        if (delay == null) {
            throw new IllegalArgumentException("createTimer needs a delay");
        }
        return createTimerAt(delay.isNegative() ? currentInstant : plusCapped(currentInstant, delay));
    }

    @Override
    public Task<Void> createTimer(ZonedDateTime fireAt) {
        if (fireAt == null) {
            throw new IllegalArgumentException("createTimer needs a time to fire at");
        }
        return createTimerAt(fireAt.toInstant());
    }

    private Task<Void> createTimerAt(Instant fireAt) {
        Outcome<Void> outcome = new Outcome<>();
        startTimer(fireAt, () -> outcome.complete(null, ordinal));
        return new ReplayTask<>(this, outcome.future(), outcome::ordinal);
    }

    /**
     * Schedules a durable timer that runs {@code onFired} (while its {@code TimerFired} event is processed) at
     * {@code fireAt}. A timer further away than the maximum interval becomes a chain: a piece of the piece length,
     * and when it fires, the rest measured from the then-current instant.
     *
     * @return the ID of the (first) timer action
     */
    private int startTimer(Instant fireAt, Runnable onFired) {
        boolean last = Duration.between(currentInstant, fireAt).compareTo(maxTimerInterval) <= 0;
        Instant pieceFireAt = last ? fireAt : currentInstant.plus(timerPieceLength);
        int id = sequenceNumber++;
        pendingActions.put(id, new OrchestratorAction.CreateTimer(id, pieceFireAt));
        openTimers.put(id, () -> {
            if (last) {
                onFired.run();
            } else if (!finished) {
                startTimer(fireAt, onFired);
            }
        });
        return id;
    }

    private static Instant plusCapped(Instant instant, Duration delay) {
        return instant.plus(delay.compareTo(FOREVER) > 0 ? FOREVER : delay);
    }

    // ---- external events ----

    @Override
    public <V> Task<V> waitForExternalEvent(String name, Duration timeout, Class<V> dataType) {
        requireName(name, "waitForExternalEvent needs an event name");
        String key = eventKey(name);
        Outcome<String> outcome = new Outcome<>();
        BufferedEvent buffered = takeBuffered(key);
        if (buffered != null) {
            outcome.complete(buffered.event().input(), buffered.ordinal());
        } else if (timeout != null && timeout.isZero()) {
            outcome.fail(new TaskCanceledException("The wait for external event '" + name + "' was cancelled at "
                    + "once: its timeout is " + timeout + " and no such event had arrived.", name, -1), ordinal);
        } else {
            EventWaiter waiter = new EventWaiter(name, outcome);
            eventWaiters.computeIfAbsent(key, k -> new ArrayDeque<>()).add(waiter);
            if (timeout != null && !timeout.isNegative() && timeout.compareTo(FOREVER) <= 0) {
                int[] timerId = new int[1];
                timerId[0] = startTimer(currentInstant.plus(timeout), () -> {
                    if (!outcome.isDone()) {
                        removeWaiter(key, waiter);
                        outcome.fail(new TaskCanceledException("The wait for external event '" + name
                                + "' timed out after " + timeout + ".", name, timerId[0]), ordinal);
                    }
                });
            }
        }
        return typed(outcome, dataType);
    }

    private void deliver(EventRaisedEvent raised) {
        String key = eventKey(raised.name());
        BiConsumer<String, Long> entityWaiter = entityResponseWaiters.remove(key);
        if (entityWaiter != null) {
            entityWaiter.accept(raised.input(), ordinal); // an entity's response: only its request gets it
            return;
        }
        Deque<EventWaiter> waiters = eventWaiters.get(key);
        EventWaiter waiter = waiters == null ? null : waiters.poll();
        if (waiters != null && waiters.isEmpty()) {
            eventWaiters.remove(key);
        }
        if (waiter != null) {
            waiter.outcome().complete(raised.input(), ordinal);
        } else {
            bufferedEvents.add(new BufferedEvent(raised, ordinal));
        }
    }

    private BufferedEvent takeBuffered(String key) {
        for (Iterator<BufferedEvent> it = bufferedEvents.iterator(); it.hasNext(); ) {
            BufferedEvent buffered = it.next();
            if (eventKey(buffered.event().name()).equals(key)) {
                it.remove();
                return buffered;
            }
        }
        return null;
    }

    private void removeWaiter(String key, EventWaiter waiter) {
        Deque<EventWaiter> waiters = eventWaiters.get(key);
        if (waiters != null) {
            waiters.remove(waiter);
            if (waiters.isEmpty()) {
                eventWaiters.remove(key);
            }
        }
    }

    private static String eventKey(String name) {
        return name == null ? "" : name.toLowerCase(Locale.ROOT);
    }

    @Override
    public void sendEvent(String instanceId, String eventName, Object eventData) {
        requireName(instanceId, "sendEvent needs a target instance ID");
        requireName(eventName, "sendEvent needs an event name");
        int id = sequenceNumber++;
        pendingActions.put(id, new OrchestratorAction.SendEvent(id, instanceId, eventName,
                dataConverter.serialize(eventData)));
    }

    // ---- composition ----

    @Override
    public <V> Task<List<V>> allOf(List<Task<V>> tasks) {
        List<ReplayTask<V>> owned = new ArrayList<>(tasks.size());
        for (Task<V> task : tasks) {
            owned.add(own(task));
        }
        List<CompletableFuture<V>> futures = new ArrayList<>(owned.size());
        for (ReplayTask<V> task : owned) {
            futures.add(task.future());
        }
        CompletableFuture<List<V>> all = CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .handle((ignored, error) -> {
                    List<Exception> failures = new ArrayList<>();
                    List<V> results = new ArrayList<>(futures.size());
                    for (CompletableFuture<V> f : futures) {
                        try {
                            results.add(f.join());
                        } catch (CompletionException | CancellationException e) {
                            failures.add(unwrap(e));
                        }
                    }
                    if (!failures.isEmpty()) {
                        throw new CompletionException(new CompositeTaskFailedException(failures.size() + " out of "
                                + futures.size() + " tasks failed with an exception. First failure: "
                                + failures.get(0).getMessage(), failures));
                    }
                    return results;
                });
        long createdAt = ordinal;
        return new ReplayTask<>(this, all, () -> {
            long last = owned.isEmpty() ? createdAt : Long.MIN_VALUE; // an empty allOf is done when created
            for (ReplayTask<V> task : owned) {
                last = Math.max(last, task.completedAt());
            }
            return last;
        });
    }

    @Override
    public Task<Task<?>> anyOf(List<Task<?>> tasks) {
        if (tasks == null || tasks.isEmpty()) {
            throw new IllegalArgumentException("anyOf needs at least one task");
        }
        List<ReplayTask<?>> owned = new ArrayList<>(tasks.size());
        for (Task<?> task : tasks) {
            owned.add(own(task));
        }
        CompletableFuture<Task<?>> first = new CompletableFuture<>();
        ReplayTask<?>[] winner = new ReplayTask<?>[1];
        for (ReplayTask<?> task : owned) {
            if (task.isDone() && (winner[0] == null || task.completedAt() < winner[0].completedAt())) {
                winner[0] = task;
            }
        }
        if (winner[0] != null) {
            first.complete(winner[0]);
        } else {
            for (ReplayTask<?> task : owned) {
                task.future().whenComplete((value, error) -> {
                    if (winner[0] == null) {
                        winner[0] = task;
                        first.complete(task);
                    }
                });
            }
        }
        return new ReplayTask<>(this, first, () -> winner[0].completedAt());
    }

    private <V> ReplayTask<V> own(Task<V> task) {
        if (task instanceof ReplayTask<V> replayTask && replayTask.context() == this) {
            return replayTask;
        }
        throw new IllegalArgumentException("The task was not created by this orchestration context");
    }

    /** The cause behind completion wrappers. */
    static Throwable cause(Throwable e) {
        Throwable cause = e;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static Exception unwrap(Throwable e) {
        Throwable cause = cause(e);
        if (cause instanceof Exception exception) {
            return exception;
        }
        return new RuntimeException(cause);
    }

    // ---- ending, restarting, status ----

    @Override
    public void continueAsNew(Object input, boolean preserveUnprocessedEvents) {
        if (criticalSection != null) {
            throw new IllegalStateException("continueAsNew: an orchestration must not continue as new inside a "
                    + "critical section (it holds locks on " + criticalSection.locks + "); release the locks first");
        }
        if (exit == null) {
            exit = new Exit(OrchestrationRuntimeStatus.CONTINUED_AS_NEW, dataConverter.serialize(input),
                    preserveUnprocessedEvents);
        }
        throw new ContinueAsNewInterruption("The orchestration continues as new. This is control flow of the replay "
                + "runtime: never catch it.");
    }

    @Override
    public void complete(Object output) {
        if (exit == null) {
            exit = new Exit(OrchestrationRuntimeStatus.COMPLETED, dataConverter.serialize(output), false);
        }
        throw new ExecutionStopSignal("The orchestration completes. This is control flow of the replay runtime: "
                + "never catch it.");
    }

    @Override
    public void setCustomStatus(Object status) {
        customStatus = dataConverter.serialize(status);
    }

    @Override
    public void clearCustomStatus() {
        customStatus = null;
    }

    @Override
    public UUID newUUID() {
        String name = getInstanceId() + "-" + currentInstant + "-" + uuidCounter++;
        return NameBasedUuid.v5(UUID_NAMESPACE, name);
    }

    @Override
    public Logger createReplaySafeLogger(Logger logger) {
        return ReplaySafeLogger.wrap(logger, this::getIsReplaying);
    }

    // ---- entities (storage-layout.md §9) ----

    @Override
    public void signalEntity(EntityInstanceId entityId, String operationName, Object input,
                             SignalEntityOptions options) {
        requireEntityOperation(entityId, operationName, "signalEntity");
        CriticalSection section = criticalSection;
        if (section != null && section.locks.contains(entityId)) {
            throw new IllegalStateException("signalEntity('" + entityId + "', '" + operationName + "'): an "
                    + "orchestration must not signal an entity it has locked in its critical section; call it "
                    + "(callEntity) instead, or signal it after releasing the locks");
        }
        String inputJson = dataConverter.serialize(input);
        Instant scheduledTime = options == null ? null : options.getScheduledTime();
        RequestMessage request = newRequest(operationName, true, inputJson);
        if (scheduledTime != null && scheduledTime.isAfter(currentInstant)) {
            // Delivered later by the backend (the queue message stays invisible until then); not labelled.
            request.scheduledTime = EntityJson.toTicks(scheduledTime);
            sendEntityMessage(entityId, EntityMessageNames.scheduledRequest(request.scheduledTime),
                    request.toJson());
        } else {
            sendRequest(entityId, request);
        }
    }

    @Override
    public <V> Task<V> callEntity(EntityInstanceId entityId, String operationName, Object input,
                                  Class<V> returnType) {
        requireEntityOperation(entityId, operationName, "callEntity");
        CriticalSection section = criticalSection;
        if (section != null) {
            if (!section.locks.contains(entityId)) {
                throw new IllegalStateException("callEntity('" + entityId + "', '" + operationName + "'): inside "
                        + "a critical section, an orchestration may call only the entities it has locked ("
                        + section.locks + ")");
            }
            if (section.callsPending.contains(entityId)) {
                throw new IllegalStateException("callEntity('" + entityId + "', '" + operationName + "'): a "
                        + "previous call of this orchestration to the locked entity is still pending; await it "
                        + "before calling the entity again inside the critical section");
            }
        }
        String inputJson = dataConverter.serialize(input);
        RequestMessage request = newRequest(operationName, false, inputJson);
        sendRequest(entityId, request);
        if (section != null) {
            section.callsPending.add(entityId);
        }
        Outcome<String> outcome = new Outcome<>();
        awaitEntityResponse(request.id, (responseJson, atOrdinal) -> {
            if (section != null) {
                section.callsPending.remove(entityId);
            }
            outcome.complete(responseJson, atOrdinal);
        });
        return new ReplayTask<>(this, outcome.future().thenApply(responseJson -> {
            ResponseMessage response = readResponse(entityId, operationName, responseJson);
            if (response.isFailure()) {
                throw new EntityOperationFailedException(entityId, operationName, response.failure());
            }
            return dataConverter.deserialize(response.result, returnType);
        }), outcome::ordinal);
    }

    @Override
    public Task<EntityCriticalSection> lockEntities(List<EntityInstanceId> entityIds) {
        if (entityIds == null || entityIds.isEmpty()) {
            throw new IllegalArgumentException("lockEntities needs at least one entity ID");
        }
        for (EntityInstanceId id : entityIds) {
            if (id == null) {
                throw new IllegalArgumentException("lockEntities: the list of entity IDs holds null: " + entityIds);
            }
        }
        if (criticalSection != null) {
            throw new IllegalStateException("lockEntities(" + entityIds + "): the orchestration is already in a "
                    + "critical section (it holds locks on " + criticalSection.locks + "); critical sections do "
                    + "not nest: release the locks first");
        }
        if (pendingLockRequestId != null) {
            throw new IllegalStateException("lockEntities(" + entityIds + "): a lock request of this orchestration "
                    + "is still pending; await it (and release its locks) before locking again");
        }
        List<EntityInstanceId> locks = List.copyOf(new TreeSet<>(entityIds));
        RequestMessage request = newRequest(null, false, null);
        request.lockSet = locks.stream().map(RequestMessage.EntityIdJson::of).toList();
        request.position = 0;
        sendRequest(locks.get(0), request);
        String lockRequestId = request.id;
        pendingLockRequestId = lockRequestId;
        Outcome<EntityCriticalSection> outcome = new Outcome<>();
        awaitEntityResponse(lockRequestId, (responseJson, atOrdinal) -> {
            pendingLockRequestId = null;
            ResponseMessage response;
            try {
                response = readResponse(locks.get(0), "(lock)", responseJson);
            } catch (EntityOperationFailedException e) {
                outcome.fail(e, atOrdinal);
                return;
            }
            if (response.isFailure()) {
                outcome.fail(new EntityOperationFailedException(locks.get(0), "(lock)", response.failure()),
                        atOrdinal);
                return;
            }
            CriticalSection section = new CriticalSection(lockRequestId, locks);
            criticalSection = section;
            outcome.complete(section, atOrdinal);
        });
        return new ReplayTask<>(this, outcome.future(), outcome::ordinal);
    }

    @Override
    public boolean isInCriticalSection() {
        return criticalSection != null;
    }

    @Override
    public List<EntityInstanceId> getLockedEntities() {
        return criticalSection == null ? List.of() : criticalSection.locks;
    }

    private static void requireEntityOperation(EntityInstanceId entityId, String operationName, String method) {
        if (entityId == null) {
            throw new IllegalArgumentException(method + " needs an entity ID");
        }
        requireName(operationName, method + " needs an operation name");
    }

    /** A request from this execution, with a new deterministic request ID (storage-layout.md §9). */
    private RequestMessage newRequest(String operationName, boolean signal, String inputJson) {
        RequestMessage request = new RequestMessage();
        request.operation = operationName;
        request.signal = signal;
        request.input = inputJson;
        request.id = newUUID().toString();
        request.parentInstanceId = getInstanceId();
        request.parentExecutionId = started.orchestrationInstance().executionId();
        request.requestTime = currentInstant;
        return request;
    }

    /** Labels the request with the execution's message sorter and sends it as {@code op}. */
    private void sendRequest(EntityInstanceId target, RequestMessage request) {
        messageSorter.labelOutgoingMessage(request, target.toString(), currentInstant, entityReorderWindow);
        sendEntityMessage(target, EntityMessageNames.REQUEST, request.toJson());
    }

    /** @return the action ID */
    private int sendEntityMessage(EntityInstanceId target, String eventName, String json) {
        int id = sequenceNumber++;
        pendingActions.put(id, new OrchestratorAction.SendEvent(id, target.toString(), eventName, json));
        return id;
    }

    /**
     * Hands the response to request {@code requestId} (an {@code EventRaised} named by it) to {@code onResponse},
     * and to nothing else. A response already buffered (it cannot normally arrive before its request) is handed
     * over at once.
     */
    private void awaitEntityResponse(String requestId, BiConsumer<String, Long> onResponse) {
        String key = eventKey(requestId);
        BufferedEvent buffered = takeBuffered(key);
        if (buffered != null) {
            onResponse.accept(buffered.event().input(), buffered.ordinal());
        } else {
            entityResponseWaiters.put(key, onResponse);
        }
    }

    /** @throws EntityOperationFailedException if the response is not a response message */
    private static ResponseMessage readResponse(EntityInstanceId entityId, String operationName, String json) {
        ResponseMessage response = null;
        String problem = "it is empty";
        if (json != null && !json.isBlank()) {
            try {
                response = ResponseMessage.fromJson(json);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        if (response == null) {
            throw new EntityOperationFailedException(entityId, operationName, new FailureDetails(
                    IllegalArgumentException.class.getName(), "The entity's response could not be read: " + problem
                    + " (response: " + json + ")"));
        }
        return response;
    }

    /** Sends {@code release} to each entity of the critical section, in lock order, and leaves it. */
    private void releaseLocks() {
        CriticalSection section = criticalSection;
        if (section == null) {
            return;
        }
        criticalSection = null;
        String releaseJson = ReleaseMessage.of(getInstanceId(), section.lockRequestId).toJson();
        for (EntityInstanceId entity : section.locks) {
            releaseActionIds.add(sendEntityMessage(entity, EntityMessageNames.RELEASE, releaseJson));
        }
    }

    /** The locks of one granted lock request. */
    private final class CriticalSection implements EntityCriticalSection {
        final String lockRequestId;
        final List<EntityInstanceId> locks;
        /** Locked entities with a call of this orchestration still unanswered. */
        final Set<EntityInstanceId> callsPending = new HashSet<>();

        CriticalSection(String lockRequestId, List<EntityInstanceId> locks) {
            this.lockRequestId = lockRequestId;
            this.locks = locks;
        }

        @Override
        public List<EntityInstanceId> getLockedEntities() {
            return locks;
        }

        @Override
        public void close() {
            if (criticalSection != this) {
                return; // released already
            }
            if (blocked || terminated || nonDeterminism != null) {
                // The code is being unwound (waiting for history, terminated, or failing): not a release it asked
                // for. A later replay reaches the real one.
                return;
            }
            releaseLocks();
        }

        @Override
        public String toString() {
            return "EntityCriticalSection" + locks + (criticalSection == this ? "" : " (released)");
        }
    }
}
