package io.github.durablefunctions.worker;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.JacksonDataConverter;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.TaskEntityFactory;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationService;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.SessionAbortedException;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.entities.EntityExecutor;
import io.github.durablefunctions.entities.EntityStatus;
import io.github.durablefunctions.entities.MessageSorter;
import io.github.durablefunctions.entities.SchedulerState;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionRewoundEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.ParentInstance;
import io.github.durablefunctions.history.SubOrchestrationInstanceCompletedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;
import io.github.durablefunctions.replay.OrchestrationExecutor;
import io.github.durablefunctions.replay.OrchestratorAction;
import io.github.durablefunctions.replay.OrchestratorResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Processes orchestration work items, like DTFx's {@code TaskOrchestrationDispatcher}: accepts the work item's
 * messages as the episode's new events (storage-layout.md §8.2), replays the orchestrator through the
 * {@link OrchestrationExecutor}, turns its actions into history events and outbound messages (§6.3), and hands the
 * checkpoint to the backend (§8.3).
 *
 * <p>Actions and what they become (the action's ID is the event ID; messages carry event ID -1):
 * <ul>
 *   <li>ScheduleTask: {@code TaskScheduled} + the same event to the work-item queue;</li>
 *   <li>CreateTimer: {@code TimerCreated(FireAt)} + {@code TimerFired(TimerId, FireAt)} to the instance itself,
 *       delivered at {@code FireAt} ({@link OrchestrationCheckpoint#timerMessages()});</li>
 *   <li>CreateSubOrchestration: {@code SubOrchestrationInstanceCreated} + {@code ExecutionStarted} to the child
 *       (new 32-hex execution ID, {@code ParentInstance} naming this execution and {@code TaskScheduleId});</li>
 *   <li>SendEvent: {@code EventSent} + {@code EventRaised} to the target (execution ID null);</li>
 *   <li>CompleteOrchestration Completed / Failed / Terminated: {@code ExecutionCompleted}, and for a
 *       sub-orchestration {@code SubOrchestrationInstanceCompleted} / {@code ...Failed} to the parent execution;</li>
 *   <li>CompleteOrchestration ContinuedAsNew: a new execution in the same work item (see
 *       {@link #MAX_GENERATIONS_PER_WORK_ITEM}).</li>
 * </ul>
 * An execution tagged {@value #FIRE_AND_FORGET_TAG} (started by an entity) sends no completion to its parent, and
 * the tag is not passed on to its sub-orchestrations.
 *
 * <p>Work items of entities (instance IDs starting with {@code @}, storage-layout.md §9) take another path, see
 * {@link #runEntityEpisode}.
 */
final class OrchestrationDispatcher extends WorkLoop<OrchestrationWorkItem> {
    private static final Logger log = LoggerFactory.getLogger(OrchestrationDispatcher.class);

    /**
     * Continue-as-new runs the next execution in the same work item, as DTFx does. After this many executions in one
     * work item, the newest one is checkpointed without running it and a {@code TimerFired} with
     * {@link #SPLIT_TIMER_ID} (due now) is sent to it, so that an orchestration that continues as new without ever
     * waiting still checkpoints regularly instead of holding its work item forever.
     */
    static final int MAX_GENERATIONS_PER_WORK_ITEM = 20;
    /**
     * DTFx's {@code FrameworkConstants.FakeTimerIdToSplitDecision}: a {@code TimerFired} with this timer ID only
     * wakes the instance (storage-layout.md §6.3 "Checkpoint split"); it is not added to history.
     */
    static final int SPLIT_TIMER_ID = -100;
    /** {@code FailureDetails.ErrorType} sent to the parent of a terminated sub-orchestration. */
    static final String TERMINATED_ERROR_TYPE = "Terminated";
    /**
     * The tag of an orchestration started by an entity: it reports no completion to its parent (storage-layout.md
     * §6.3, "Not sent if the child is tagged fire-and-forget").
     */
    static final String FIRE_AND_FORGET_TAG = "FireAndForget";
    /** The default {@code maxEntityOperationBatchSize}. */
    static final int DEFAULT_MAX_ENTITY_BATCH_SIZE = 5000;

    /** Runs the orchestrator over a history: the {@link OrchestrationExecutor}, or a script in tests. */
    @FunctionalInterface
    interface EpisodeExecutor {
        OrchestratorResult execute(List<HistoryEvent> pastEvents, List<HistoryEvent> newEvents);
    }

    private final OrchestrationService service;
    private final Map<String, OrchestratorFunction<?>> orchestrators;
    private final EpisodeExecutor executor;
    private final Map<String, TaskEntityFactory> entities;
    private final EntityExecutor entityExecutor;
    private final Clock clock;

    OrchestrationDispatcher(OrchestrationService service, Map<String, OrchestratorFunction<?>> orchestrators,
                            DataConverter dataConverter, int maxConcurrency) {
        this(service, orchestrators, dataConverter, maxConcurrency, OrchestrationExecutor.DEFAULT_MAX_TIMER_INTERVAL,
                OrchestrationExecutor.DEFAULT_TIMER_PIECE_LENGTH);
    }

    /**
     * A dispatcher whose executor chains timers further away than {@code maxTimerInterval} into pieces of
     * {@code timerPieceLength} (see {@link OrchestrationExecutor}).
     */
    OrchestrationDispatcher(OrchestrationService service, Map<String, OrchestratorFunction<?>> orchestrators,
                            DataConverter dataConverter, int maxConcurrency, Duration maxTimerInterval,
                            Duration timerPieceLength) {
        this(service, orchestrators, Map.of(), dataConverter, maxConcurrency, maxTimerInterval, timerPieceLength,
                MessageSorter.DEFAULT_REORDER_WINDOW, DEFAULT_MAX_ENTITY_BATCH_SIZE);
    }

    /**
     * A dispatcher for orchestrations and entities.
     *
     * @param entities                 entity factories by entity name (matched ignoring case)
     * @param entityReorderWindow      the entity message sorter's window (storage-layout.md §10)
     * @param maxEntityBatchSize       the most entity operations in one batch
     */
    OrchestrationDispatcher(OrchestrationService service, Map<String, OrchestratorFunction<?>> orchestrators,
                            Map<String, TaskEntityFactory> entities, DataConverter dataConverter, int maxConcurrency,
                            Duration maxTimerInterval, Duration timerPieceLength, Duration entityReorderWindow,
                            int maxEntityBatchSize) {
        this(service, orchestrators, entities, dataConverter, maxConcurrency, maxTimerInterval, timerPieceLength,
                entityReorderWindow, maxEntityBatchSize, Clock.systemUTC());
    }

    /**
     * A dispatcher for orchestrations and entities whose history timestamps (and so the orchestrations' current
     * time) come from {@code clock}.
     *
     * @param clock the source of the current time, e.g. a virtual clock in tests
     */
    OrchestrationDispatcher(OrchestrationService service, Map<String, OrchestratorFunction<?>> orchestrators,
                            Map<String, TaskEntityFactory> entities, DataConverter dataConverter, int maxConcurrency,
                            Duration maxTimerInterval, Duration timerPieceLength, Duration entityReorderWindow,
                            int maxEntityBatchSize, Clock clock) {
        this(service, caseInsensitive(orchestrators), null, caseInsensitive(entities), dataConverter, maxConcurrency,
                maxTimerInterval, timerPieceLength, entityReorderWindow, maxEntityBatchSize, clock);
    }

    /** A dispatcher whose orchestrator runs are scripted (for tests of the action mapping). */
    OrchestrationDispatcher(OrchestrationService service, EpisodeExecutor executor) {
        this(service, Map.of(), executor, Map.of(), null, 1, null, null, MessageSorter.DEFAULT_REORDER_WINDOW,
                DEFAULT_MAX_ENTITY_BATCH_SIZE, Clock.systemUTC());
    }

    private OrchestrationDispatcher(OrchestrationService service, Map<String, OrchestratorFunction<?>> byName,
                                    EpisodeExecutor executor, Map<String, TaskEntityFactory> entities,
                                    DataConverter dataConverter, int maxConcurrency, Duration maxTimerInterval,
                                    Duration timerPieceLength, Duration entityReorderWindow, int maxEntityBatchSize,
                                    Clock clock) {
        super("orchestration", maxConcurrency);
        this.service = service;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.orchestrators = byName;
        this.executor = executor != null ? executor : new OrchestrationExecutor(dataConverter, byName::get,
                maxTimerInterval, timerPieceLength, entityReorderWindow)::execute;
        this.entities = entities;
        this.entityExecutor = new EntityExecutor(dataConverter != null ? dataConverter : new JacksonDataConverter(),
                entityReorderWindow, maxEntityBatchSize);
    }

    private static <T> Map<String, T> caseInsensitive(Map<String, T> byName) {
        TreeMap<String, T> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.putAll(byName);
        return map;
    }

    int orchestratorCount() {
        return orchestrators.size();
    }

    int entityCount() {
        return entities.size();
    }

    @Override
    OrchestrationWorkItem receive(Duration timeout) throws InterruptedException {
        return service.lockNextOrchestrationWorkItem(timeout);
    }

    @Override
    void process(OrchestrationWorkItem workItem) {
        OrchestrationCheckpoint checkpoint;
        try {
            checkpoint = runEpisode(workItem);
        } catch (RuntimeException | Error e) {
            log.error("Instance '{}': the episode failed unexpectedly; abandoning its messages for a retry",
                    workItem.getInstanceId(), e);
            service.abandonOrchestrationWorkItem(workItem);
            return;
        }
        if (checkpoint == null) {
            return; // discarded or abandoned by runEpisode
        }
        try {
            service.completeOrchestrationWorkItem(workItem, checkpoint);
        } catch (SessionAbortedException e) {
            log.warn("Instance '{}': another worker committed first; abandoning this episode: {}",
                    workItem.getInstanceId(), e.getMessage());
            service.abandonOrchestrationWorkItem(workItem);
        } catch (RuntimeException e) {
            log.error("Instance '{}': the checkpoint failed; abandoning its messages for a retry",
                    workItem.getInstanceId(), e);
            service.abandonOrchestrationWorkItem(workItem);
        }
    }

    /** The outbound messages of an episode, by destination. */
    private static final class Outbound {
        final List<TaskMessage> activities = new ArrayList<>();
        final List<TaskMessage> orchestrators = new ArrayList<>();
        final List<TaskMessage> timers = new ArrayList<>();
    }

    /** Runs one episode; returns null if the work item was discarded or abandoned instead. */
    private OrchestrationCheckpoint runEpisode(OrchestrationWorkItem workItem) {
        if (EntityInstanceId.isEntityInstanceId(workItem.getInstanceId())) {
            return runEntityEpisode(workItem);
        }
        OrchestrationRuntimeState past = workItem.getRuntimeState();
        if (past.isCompleted() && startsNewExecution(workItem, past)) {
            // The instance ID was scheduled again: the new execution starts from an empty history.
            past = new OrchestrationRuntimeState();
        }
        if (past.isCompleted()) {
            service.discardOrchestrationWorkItem(workItem, "the instance's execution '" + past.getExecutionId()
                    + "' has already completed (" + past.getRuntimeStatus().statusName() + ")");
            return null;
        }
        if (past.getExecutionStartedEvent() == null && workItem.getNewMessages().stream()
                .noneMatch(m -> m.event() instanceof ExecutionStartedEvent)) {
            service.discardOrchestrationWorkItem(workItem, "no such instance: no ExecutionStarted event in its "
                    + "history or its messages");
            return null;
        }
        List<HistoryEvent> accepted = acceptMessages(workItem, past);
        if (accepted == null) {
            return null;
        }
        OrchestrationRuntimeState state = new OrchestrationRuntimeState(past.getPastEvents());
        state.addEvent(new OrchestratorStartedEvent(-1, false, now()));
        for (HistoryEvent e : accepted) {
            state.addEvent(e);
        }

        Outbound outbound = new Outbound();
        String carriedCustomStatus = null;
        for (int generation = 1; ; generation++) {
            OrchestratorResult result = executor.execute(state.getPastEvents(), state.getNewEvents());
            OrchestratorAction.CompleteOrchestration continued = applyActions(state, result, outbound);
            String customStatus = result.customStatus() != null ? result.customStatus() : carriedCustomStatus;
            if (continued == null) {
                state.addEvent(new OrchestratorCompletedEvent(-1, false, now()));
                state.setCustomStatus(customStatus);
                break;
            }
            state = newExecution(state, continued);
            state.setCustomStatus(customStatus);
            carriedCustomStatus = customStatus;
            if (generation >= MAX_GENERATIONS_PER_WORK_ITEM) {
                Instant now = now();
                state.addEvent(new OrchestratorCompletedEvent(-1, false, now));
                outbound.timers.add(new TaskMessage(new TimerFiredEvent(-1, false, now, SPLIT_TIMER_ID, now),
                        state.getExecutionStartedEvent().orchestrationInstance()));
                log.info("Instance '{}' continued as new {} times in one work item; checkpointing execution '{}' "
                                + "and running it on its next work item", state.getInstanceId(), generation,
                        state.getExecutionId());
                break;
            }
        }
        return new OrchestrationCheckpoint(state, outbound.activities, outbound.orchestrators, outbound.timers);
    }

    /**
     * Runs an entity's work item (storage-layout.md §9): the scheduler state comes from the current history's
     * {@code ExecutionStarted} input (none: a new entity, "auto-start"); the {@code EventRaised} messages go through
     * the {@link EntityExecutor} (other messages are logged and dropped); the checkpoint is a fresh execution of
     * exactly {@code OrchestratorStarted}, {@code ExecutionStarted} (Name = the instance ID, Version "", a new
     * execution ID, Input = the scheduler state JSON, or null when it is empty) and {@code OrchestratorCompleted},
     * with the {@link EntityStatus} JSON as custom status; the runtime status stays Running.
     *
     * <p>Outbound: {@code EventRaised} messages (responses to {@code {parent, parentExecution}}, signals, forwarded
     * lock requests and {@code continue} to {@code {target, null}}) and, for orchestrations started by operations,
     * {@code ExecutionStarted} messages with {@code ParentInstance} = this entity (task schedule ID -1) and the tag
     * {@value #FIRE_AND_FORGET_TAG}.
     *
     * <p>Returns null after discarding the work item (not an entity ID of the form {@code @name@key}, or no
     * {@code EventRaised} message) or abandoning it (a scheduler state that cannot be read: retried with back-off,
     * nothing is lost).
     */
    private OrchestrationCheckpoint runEntityEpisode(OrchestrationWorkItem workItem) {
        String instanceId = workItem.getInstanceId();
        EntityInstanceId entityId;
        try {
            entityId = EntityInstanceId.fromString(instanceId);
        } catch (IllegalArgumentException e) {
            service.discardOrchestrationWorkItem(workItem, "the instance ID starts with '@' but is not an entity ID: "
                    + e.getMessage());
            return null;
        }
        ExecutionStartedEvent pastStart = workItem.getRuntimeState().getExecutionStartedEvent();
        SchedulerState current;
        try {
            current = pastStart == null ? null : SchedulerState.fromJson(pastStart.input());
        } catch (IllegalArgumentException e) {
            log.error("Entity '{}': the scheduler state of execution '{}' cannot be read ({}); abandoning its "
                    + "messages for a retry", instanceId, pastStart.orchestrationInstance().executionId(),
                    e.getMessage());
            service.abandonOrchestrationWorkItem(workItem);
            return null;
        }
        List<EventRaisedEvent> messages = new ArrayList<>();
        for (TaskMessage message : workItem.getNewMessages()) {
            if (message.event() instanceof EventRaisedEvent raised) {
                messages.add(raised);
            } else {
                log.warn("Entity '{}': dropping a {} message; entities receive only EventRaised messages",
                        instanceId, message.event().eventType());
            }
        }
        if (messages.isEmpty()) {
            service.discardOrchestrationWorkItem(workItem, "entities receive only EventRaised messages");
            return null;
        }
        TaskEntityFactory factory = entities.get(entityId.getName());
        if (factory == null) {
            log.warn("Entity '{}': no entity function named '{}' is registered; its operations fail", instanceId,
                    entityId.getName());
        }
        String executionId = newExecutionId();
        Instant now = now();
        EntityExecutor.Result result = entityExecutor.execute(entityId, current, messages, factory, now);
        SchedulerState next = result.state();

        OrchestrationInstance self = new OrchestrationInstance(instanceId, executionId);
        OrchestrationRuntimeState state = new OrchestrationRuntimeState();
        state.addEvent(new OrchestratorStartedEvent(-1, false, now));
        state.addEvent(new ExecutionStartedEvent(-1, false, now, self, null, instanceId, "",
                next.isEmpty() ? null : next.toJson(), null, null, null, null, null, false));
        state.addEvent(new OrchestratorCompletedEvent(-1, false, now));
        state.setCustomStatus(EntityStatus.of(next).toJson());

        List<TaskMessage> orchestratorMessages = new ArrayList<>();
        for (EntityExecutor.Outbound out : result.outbound()) {
            if (out instanceof EntityExecutor.EventMessage event) {
                orchestratorMessages.add(new TaskMessage(new EventRaisedEvent(-1, false, now, event.eventName(),
                        event.input(), null), new OrchestrationInstance(event.targetInstanceId(),
                        event.targetExecutionId())));
            } else if (out instanceof EntityExecutor.OrchestrationStart start) {
                OrchestrationInstance child = new OrchestrationInstance(start.instanceId(), newExecutionId());
                orchestratorMessages.add(new TaskMessage(new ExecutionStartedEvent(-1, false, now, child,
                        new ParentInstance(instanceId, "", self, -1), start.name(), null, start.input(),
                        Map.of(FIRE_AND_FORGET_TAG, ""), null, null, null, 0, false), child));
                log.info("Entity '{}': starting orchestration '{}' as instance '{}'", instanceId, start.name(),
                        start.instanceId());
            }
        }
        logEntityBatch(instanceId, messages.size(), result, next);
        return new OrchestrationCheckpoint(state, List.of(), orchestratorMessages, List.of());
    }

    private static void logEntityBatch(String instanceId, int messageCount, EntityExecutor.Result result,
                                       SchedulerState next) {
        int failed = 0;
        for (EntityExecutor.OperationOutcome outcome : result.operations()) {
            if (outcome.succeeded()) {
                continue;
            }
            failed++;
            log.warn("Entity '{}': operation '{}' ({} {} from '{}') failed: {}", instanceId, outcome.operation(),
                    outcome.signal() ? "signal" : "call", outcome.requestId(),
                    outcome.parentInstanceId() == null ? "a client" : outcome.parentInstanceId(), outcome.failure());
        }
        if (log.isDebugEnabled()) {
            log.debug("Entity '{}': {} message(s) in, {} operation(s) run ({} failed), {} message(s) out; exists: {}, "
                            + "queued: {}, locked by: {}", instanceId, messageCount, result.operations().size(), failed,
                    result.outbound().size(), next.entityState != null, next.queue == null ? 0 : next.queue.size(),
                    next.lockedBy);
        }
    }

    /** The tags a sub-orchestration gets from its parent: all but {@value #FIRE_AND_FORGET_TAG}. */
    private static Map<String, String> inheritedTags(Map<String, String> tags) {
        if (tags == null || !tags.containsKey(FIRE_AND_FORGET_TAG)) {
            return tags;
        }
        Map<String, String> copy = new HashMap<>(tags);
        copy.remove(FIRE_AND_FORGET_TAG);
        return copy.isEmpty() ? null : copy;
    }

    /**
     * Adds the history events of the result's actions to {@code state} and their messages to {@code outbound}.
     *
     * @return the completion action if the execution continued as new (its {@code ContinueAsNew} event is added to
     *         {@code state}, which ends there), else null
     */
    private OrchestratorAction.CompleteOrchestration applyActions(OrchestrationRuntimeState state,
                                                                  OrchestratorResult result, Outbound outbound) {
        ExecutionStartedEvent started = state.getExecutionStartedEvent();
        if (started == null) {
            return null; // nothing to run: the executor returned no actions
        }
        OrchestrationInstance self = started.orchestrationInstance();
        Map<String, String> tags = started.tags() == null ? Map.of() : started.tags();
        Instant now = now();
        for (OrchestratorAction action : result.actions()) {
            if (action instanceof OrchestratorAction.ScheduleTask task) {
                TaskScheduledEvent scheduled = new TaskScheduledEvent(task.id(), false, now, task.name(),
                        task.version(), task.input(), null, null);
                state.addEvent(scheduled);
                outbound.activities.add(new TaskMessage(scheduled, self, tags));
            } else if (action instanceof OrchestratorAction.CreateTimer timer) {
                state.addEvent(new TimerCreatedEvent(timer.id(), false, now, timer.fireAt()));
                outbound.timers.add(new TaskMessage(new TimerFiredEvent(-1, false, now, timer.id(), timer.fireAt()),
                        self));
                log.debug("Instance '{}': timer #{} fires at {}", self.instanceId(), timer.id(), timer.fireAt());
            } else if (action instanceof OrchestratorAction.CreateSubOrchestration sub) {
                state.addEvent(new SubOrchestrationInstanceCreatedEvent(sub.id(), false, now, sub.name(),
                        sub.version(), sub.instanceId(), sub.input(), null, null));
                OrchestrationInstance child = new OrchestrationInstance(sub.instanceId(), newExecutionId());
                ExecutionStartedEvent childStart = new ExecutionStartedEvent(-1, false, now, child,
                        new ParentInstance(started.name(), started.version(), self, sub.id()), sub.name(),
                        sub.version(), sub.input(), inheritedTags(started.tags()), null, null, null, null, false);
                outbound.orchestrators.add(new TaskMessage(childStart, child, tags));
                log.info("Instance '{}': starting sub-orchestration '{}' as instance '{}' (task #{})",
                        self.instanceId(), sub.name(), sub.instanceId(), sub.id());
            } else if (action instanceof OrchestratorAction.SendEvent send) {
                state.addEvent(new EventSentEvent(send.id(), false, now, send.instanceId(), send.name(),
                        send.data()));
                outbound.orchestrators.add(new TaskMessage(new EventRaisedEvent(-1, false, now, send.name(),
                        send.data(), null), new OrchestrationInstance(send.instanceId(), null)));
            } else if (action instanceof OrchestratorAction.CompleteOrchestration complete) {
                if (complete.status() == OrchestrationRuntimeStatus.CONTINUED_AS_NEW) {
                    state.addEvent(new ContinueAsNewEvent(complete.id(), false, now,
                            OrchestrationRuntimeStatus.CONTINUED_AS_NEW, complete.result(), null));
                    log.info("Instance '{}' ({}) continued as new", self.instanceId(), started.name());
                    return complete;
                }
                state.addEvent(new ExecutionCompletedEvent(complete.id(), false, now, complete.status(),
                        complete.result(), complete.failureDetails()));
                logCompletion(self, started.name(), complete);
                TaskMessage toParent = parentNotification(started, complete, now);
                if (toParent != null) {
                    outbound.orchestrators.add(toParent);
                }
                return null; // the completion is the last action
            }
        }
        return null;
    }

    private static void logCompletion(OrchestrationInstance self, String name,
                                      OrchestratorAction.CompleteOrchestration complete) {
        switch (complete.status()) {
            case FAILED -> log.warn("Instance '{}' ({}) failed: {}", self.instanceId(), name,
                    complete.failureDetails());
            case TERMINATED -> log.info("Instance '{}' ({}) was terminated: {}", self.instanceId(), name,
                    complete.result());
            default -> log.info("Instance '{}' ({}) completed ({})", self.instanceId(), name,
                    complete.status().statusName());
        }
    }

    /**
     * The message telling the parent of a sub-orchestration how it ended (storage-layout.md §6.3 "Sub-orchestration
     * done"), addressed to the parent's execution; null for a top-level instance. A terminated child is reported as
     * failed, with details of type {@link #TERMINATED_ERROR_TYPE} naming the reason (unless the executor supplied
     * details).
     */
    private static TaskMessage parentNotification(ExecutionStartedEvent started,
                                                  OrchestratorAction.CompleteOrchestration complete, Instant now) {
        ParentInstance parent = started.parentInstance();
        if (parent == null) {
            return null;
        }
        if (started.tags() != null && started.tags().containsKey(FIRE_AND_FORGET_TAG)) {
            log.debug("Instance '{}': started fire-and-forget by '{}'; no completion is sent to it",
                    started.orchestrationInstance().instanceId(), parent.orchestrationInstance().instanceId());
            return null;
        }
        HistoryEvent event;
        switch (complete.status()) {
            case COMPLETED -> event = new SubOrchestrationInstanceCompletedEvent(-1, false, now,
                    parent.taskScheduleId(), complete.result());
            case FAILED -> {
                FailureDetails details = complete.failureDetails() != null ? complete.failureDetails()
                        : new FailureDetails("Unknown", "The sub-orchestration failed without details");
                event = new SubOrchestrationInstanceFailedEvent(-1, false, now, parent.taskScheduleId(),
                        details.getErrorMessage(), null, details);
            }
            case TERMINATED -> {
                String reason = complete.result();
                FailureDetails details = complete.failureDetails() != null ? complete.failureDetails()
                        : new FailureDetails(TERMINATED_ERROR_TYPE, "Sub-orchestration '" + started.name()
                        + "' (instance '" + started.orchestrationInstance().instanceId() + "') was terminated"
                        + (reason == null ? "" : ": " + reason), null, null, true, null);
                event = new SubOrchestrationInstanceFailedEvent(-1, false, now, parent.taskScheduleId(),
                        details.getErrorMessage(), null, details);
            }
            default -> {
                return null;
            }
        }
        return new TaskMessage(event, parent.orchestrationInstance());
    }

    /**
     * The next execution after a continue-as-new: same instance ID, a new execution ID, a new {@code ExecutionStarted}
     * with the same name, version, tags, parent and generation and the new input, then the carried-over events. All
     * its events are new: the backend writes them from history position 0 (storage-layout.md §3.5).
     */
    private OrchestrationRuntimeState newExecution(OrchestrationRuntimeState previous,
                                                          OrchestratorAction.CompleteOrchestration continued) {
        ExecutionStartedEvent old = previous.getExecutionStartedEvent();
        Instant now = now();
        OrchestrationInstance instance = new OrchestrationInstance(old.orchestrationInstance().instanceId(),
                newExecutionId());
        OrchestrationRuntimeState next = new OrchestrationRuntimeState();
        next.addEvent(new OrchestratorStartedEvent(-1, false, now));
        next.addEvent(new ExecutionStartedEvent(-1, false, now, instance, old.parentInstance(), old.name(),
                old.version(), continued.result(), old.tags(), null, null, null, old.generation(), false));
        for (HistoryEvent e : continued.carryoverEvents()) {
            next.addEvent(e);
        }
        return next;
    }

    /**
     * The current time at the precision of history timestamps: .NET {@code DateTime} ticks of 100 ns, which is what
     * a backend in the DTFx format stores (storage-layout.md §6.2: up to 7 fractional digits). The episode's
     * {@code OrchestratorStarted} timestamp is the orchestration's current time ({@code getCurrentInstant()}, also
     * the name behind {@code newUUID()}); were it finer than the stored value, the first run of an episode would see
     * another time, and generate other UUIDs, than its replays.
     */
    static Instant historyNow() {
        return historyNow(Clock.systemUTC());
    }

    /** {@link #historyNow()} on the given clock. */
    static Instant historyNow(Clock clock) {
        Instant now = clock.instant();
        return Instant.ofEpochSecond(now.getEpochSecond(), now.getNano() / 100 * 100);
    }

    /** {@link #historyNow()} on this dispatcher's clock. */
    private Instant now() {
        return historyNow(clock);
    }

    /** A new execution ID: a random UUID as 32 lowercase hex digits ({@code Guid.ToString("N")}). */
    static String newExecutionId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static boolean startsNewExecution(OrchestrationWorkItem workItem, OrchestrationRuntimeState past) {
        return workItem.getNewMessages().stream().anyMatch(m -> m.event() instanceof ExecutionStartedEvent started
                && !started.orchestrationInstance().executionId().equals(past.getExecutionId()));
    }

    /** What to do with a response message. */
    private enum Verdict { ACCEPT, DUPLICATE, EARLY }

    /** The scheduling events in history and the responses already recorded, per kind of response. */
    private static final class Scheduled {
        final Set<Integer> tasks = new HashSet<>();
        final Set<Integer> taskResults = new HashSet<>();
        final Set<Integer> subOrchestrations = new HashSet<>();
        final Set<Integer> subOrchestrationResults = new HashSet<>();
        final Set<Integer> timers = new HashSet<>();
        final Set<Integer> timersFired = new HashSet<>();

        Scheduled(List<HistoryEvent> history) {
            for (HistoryEvent e : history) {
                if (e instanceof TaskScheduledEvent) {
                    tasks.add(e.eventId());
                } else if (e instanceof TaskCompletedEvent c) {
                    taskResults.add(c.taskScheduledId());
                } else if (e instanceof TaskFailedEvent f) {
                    taskResults.add(f.taskScheduledId());
                } else if (e instanceof SubOrchestrationInstanceCreatedEvent) {
                    subOrchestrations.add(e.eventId());
                } else if (e instanceof SubOrchestrationInstanceCompletedEvent c) {
                    subOrchestrationResults.add(c.taskScheduledId());
                } else if (e instanceof SubOrchestrationInstanceFailedEvent f) {
                    subOrchestrationResults.add(f.taskScheduledId());
                } else if (e instanceof TimerCreatedEvent) {
                    timers.add(e.eventId());
                } else if (e instanceof TimerFiredEvent f) {
                    timersFired.add(f.timerId());
                }
            }
        }

        static Verdict check(Set<Integer> scheduled, Set<Integer> recorded, int id) {
            if (!scheduled.contains(id)) {
                return Verdict.EARLY;
            }
            return recorded.add(id) ? Verdict.ACCEPT : Verdict.DUPLICATE;
        }
    }

    /**
     * The events of the work item's messages that belong in history, in order (storage-layout.md §8.2):
     * <ul>
     *   <li>{@code ExecutionStarted}: once per execution; a second one is a duplicate;</li>
     *   <li>responses ({@code TaskCompleted/Failed}, {@code SubOrchestrationInstanceCompleted/Failed},
     *       {@code TimerFired}): only for a {@code TaskScheduled}, {@code SubOrchestrationInstanceCreated} or
     *       {@code TimerCreated} with that ID in history, once; a {@code TimerFired} with
     *       {@link #SPLIT_TIMER_ID} only wakes the instance and is not recorded;</li>
     *   <li>{@code EventRaised}, {@code ExecutionTerminated}, {@code ExecutionSuspended}, {@code ExecutionResumed},
     *       {@code GenericEvent} (rewind) and {@code ExecutionRewound}: always;</li>
     *   <li>messages addressed to another execution of the instance, and other event types: dropped.</li>
     * </ul>
     * Dropped messages are logged. Returns null, after abandoning the work item, if a response arrived whose
     * scheduling event the history does not hold yet: the sender's checkpoint is not visible yet, so the messages
     * are retried later with back-off.
     */
    private List<HistoryEvent> acceptMessages(OrchestrationWorkItem workItem, OrchestrationRuntimeState past) {
        Scheduled scheduled = new Scheduled(past.getPastEvents());
        boolean started = past.getExecutionStartedEvent() != null;
        String executionId = past.getExecutionId();
        String instanceId = workItem.getInstanceId();
        List<HistoryEvent> accepted = new ArrayList<>();
        for (TaskMessage message : workItem.getNewMessages()) {
            HistoryEvent e = message.event();
            if (e instanceof ExecutionStartedEvent start) {
                if (started) {
                    log.info("Instance '{}': dropping a duplicate ExecutionStarted message", instanceId);
                    continue;
                }
                started = true;
                executionId = start.orchestrationInstance().executionId();
                accepted.add(e);
                continue;
            }
            String target = message.orchestrationInstance() == null ? null
                    : message.orchestrationInstance().executionId();
            if (target != null && executionId != null && !target.equals(executionId)) {
                log.info("Instance '{}': dropping a {} message for execution '{}'; the current execution is '{}'",
                        instanceId, e.eventType(), target, executionId);
                continue;
            }
            Verdict verdict;
            String scheduling;
            int id;
            if (e instanceof TaskCompletedEvent c) {
                id = c.taskScheduledId();
                scheduling = "TaskScheduled";
                verdict = Scheduled.check(scheduled.tasks, scheduled.taskResults, id);
            } else if (e instanceof TaskFailedEvent f) {
                id = f.taskScheduledId();
                scheduling = "TaskScheduled";
                verdict = Scheduled.check(scheduled.tasks, scheduled.taskResults, id);
            } else if (e instanceof SubOrchestrationInstanceCompletedEvent c) {
                id = c.taskScheduledId();
                scheduling = "SubOrchestrationInstanceCreated";
                verdict = Scheduled.check(scheduled.subOrchestrations, scheduled.subOrchestrationResults, id);
            } else if (e instanceof SubOrchestrationInstanceFailedEvent f) {
                id = f.taskScheduledId();
                scheduling = "SubOrchestrationInstanceCreated";
                verdict = Scheduled.check(scheduled.subOrchestrations, scheduled.subOrchestrationResults, id);
            } else if (e instanceof TimerFiredEvent fired) {
                if (fired.timerId() == SPLIT_TIMER_ID) {
                    log.debug("Instance '{}': wake-up timer (TimerId {}) received", instanceId, SPLIT_TIMER_ID);
                    continue;
                }
                id = fired.timerId();
                scheduling = "TimerCreated";
                verdict = Scheduled.check(scheduled.timers, scheduled.timersFired, id);
            } else if (e instanceof EventRaisedEvent || e instanceof ExecutionTerminatedEvent
                    || e instanceof ExecutionSuspendedEvent || e instanceof ExecutionResumedEvent
                    || e instanceof GenericEvent || e instanceof ExecutionRewoundEvent) {
                accepted.add(e);
                continue;
            } else {
                log.warn("Instance '{}': dropping a {} message; orchestrations do not receive this event type",
                        instanceId, e.eventType());
                continue;
            }
            switch (verdict) {
                case ACCEPT -> accepted.add(e);
                case DUPLICATE -> log.info("Instance '{}': dropping a duplicate {} for {} #{}", instanceId,
                        e.eventType(), scheduling, id);
                case EARLY -> {
                    log.warn("Instance '{}': {} for {} #{} arrived before that event is in history; retrying later",
                            instanceId, e.eventType(), scheduling, id);
                    service.abandonOrchestrationWorkItem(workItem);
                    return null;
                }
                default -> throw new IllegalStateException(Objects.toString(verdict));
            }
        }
        return accepted;
    }
}
