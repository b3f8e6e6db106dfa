package io.github.durablefunctions.worker;

import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.backend.OrchestrationCheckpoint;
import io.github.durablefunctions.backend.OrchestrationService;
import io.github.durablefunctions.backend.OrchestrationWorkItem;
import io.github.durablefunctions.backend.SessionAbortedException;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.OrchestrationRuntimeState;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.replay.OrchestrationExecutor;
import io.github.durablefunctions.replay.OrchestratorAction;
import io.github.durablefunctions.replay.OrchestratorResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Processes orchestration work items: builds the episode's new events from the messages (dropping duplicates),
 * replays the orchestrator through the {@link OrchestrationExecutor}, turns its actions into history events and
 * outbound messages, and hands the checkpoint to the backend (like DTFx's {@code TaskOrchestrationDispatcher}).
 */
final class OrchestrationDispatcher extends WorkLoop<OrchestrationWorkItem> {
    private static final Logger log = LoggerFactory.getLogger(OrchestrationDispatcher.class);

    private final OrchestrationService service;
    private final Map<String, OrchestratorFunction<?>> orchestrators;
    private final OrchestrationExecutor executor;

    OrchestrationDispatcher(OrchestrationService service, Map<String, OrchestratorFunction<?>> orchestrators,
                            DataConverter dataConverter, int maxConcurrency) {
        super("orchestration", maxConcurrency);
        this.service = service;
        TreeMap<String, OrchestratorFunction<?>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(orchestrators);
        this.orchestrators = byName;
        this.executor = new OrchestrationExecutor(dataConverter, byName::get);
    }

    int orchestratorCount() {
        return orchestrators.size();
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

    /** Runs one episode; returns null if the work item was discarded or abandoned instead. */
    private OrchestrationCheckpoint runEpisode(OrchestrationWorkItem workItem) {
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
        state.addEvent(new OrchestratorStartedEvent(-1, false, Instant.now()));
        for (HistoryEvent e : accepted) {
            state.addEvent(e);
        }

        OrchestratorResult result = executor.execute(state.getPastEvents(), state.getNewEvents());

        OrchestrationInstance instance = state.getExecutionStartedEvent().orchestrationInstance();
        Map<String, String> tags = state.getExecutionStartedEvent().tags();
        List<TaskMessage> activityMessages = new ArrayList<>();
        Instant actionTime = Instant.now();
        for (OrchestratorAction action : result.actions()) {
            if (action instanceof OrchestratorAction.ScheduleTask task) {
                TaskScheduledEvent scheduled = new TaskScheduledEvent(task.id(), false, actionTime, task.name(),
                        task.version(), task.input(), null, null);
                state.addEvent(scheduled);
                activityMessages.add(new TaskMessage(scheduled, instance, tags == null ? Map.of() : tags));
            } else if (action instanceof OrchestratorAction.CompleteOrchestration complete) {
                state.addEvent(new ExecutionCompletedEvent(complete.id(), false, actionTime, complete.status(),
                        complete.result(), complete.failureDetails()));
                if (complete.failureDetails() != null) {
                    log.warn("Instance '{}' ({}) failed: {}", instance.instanceId(), state.getName(),
                            complete.failureDetails());
                } else {
                    log.info("Instance '{}' ({}) completed", instance.instanceId(), state.getName());
                }
            }
        }
        state.addEvent(new OrchestratorCompletedEvent(-1, false, actionTime));
        state.setCustomStatus(result.customStatus());
        return new OrchestrationCheckpoint(state, activityMessages, List.of(), List.of());
    }

    private static boolean startsNewExecution(OrchestrationWorkItem workItem, OrchestrationRuntimeState past) {
        return workItem.getNewMessages().stream().anyMatch(m -> m.event() instanceof ExecutionStartedEvent started
                && !started.orchestrationInstance().executionId().equals(past.getExecutionId()));
    }

    /**
     * The events of the work item's messages that belong in history, in order. Duplicates (a start of a started
     * execution, a second result for the same task) are dropped with a log line. Returns null, after abandoning the
     * work item, if a result arrived for a task the history does not hold: its scheduling checkpoint is not
     * visible yet, so the messages are retried later (storage-layout.md §8.2).
     */
    private List<HistoryEvent> acceptMessages(OrchestrationWorkItem workItem, OrchestrationRuntimeState past) {
        Set<Integer> scheduled = new HashSet<>();
        Set<Integer> resolved = new HashSet<>();
        boolean started = past.getExecutionStartedEvent() != null;
        for (HistoryEvent e : past.getPastEvents()) {
            if (e instanceof TaskScheduledEvent s) {
                scheduled.add(s.eventId());
            } else if (e instanceof TaskCompletedEvent c) {
                resolved.add(c.taskScheduledId());
            } else if (e instanceof TaskFailedEvent f) {
                resolved.add(f.taskScheduledId());
            }
        }
        List<HistoryEvent> accepted = new ArrayList<>();
        for (TaskMessage message : workItem.getNewMessages()) {
            HistoryEvent e = message.event();
            Integer taskId = e instanceof TaskCompletedEvent c ? Integer.valueOf(c.taskScheduledId())
                    : e instanceof TaskFailedEvent f ? Integer.valueOf(f.taskScheduledId()) : null;
            if (e instanceof ExecutionStartedEvent) {
                if (started) {
                    log.info("Instance '{}': dropping a duplicate ExecutionStarted message",
                            workItem.getInstanceId());
                    continue;
                }
                started = true;
            } else if (taskId != null) {
                if (!scheduled.contains(taskId)) {
                    log.warn("Instance '{}': result for task #{} arrived before its TaskScheduled event is in "
                            + "history; retrying later", workItem.getInstanceId(), taskId);
                    service.abandonOrchestrationWorkItem(workItem);
                    return null;
                }
                if (!resolved.add(taskId)) {
                    log.info("Instance '{}': dropping a duplicate result for task #{}", workItem.getInstanceId(),
                            taskId);
                    continue;
                }
            }
            accepted.add(e);
        }
        return accepted;
    }
}
