package io.github.durablefunctions.replay;

import io.github.durablefunctions.CompositeTaskFailedException;
import io.github.durablefunctions.DataConverter;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.NonDeterministicOrchestratorException;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.OrchestratorFunction;
import io.github.durablefunctions.Task;
import io.github.durablefunctions.TaskFailedException;
import io.github.durablefunctions.TaskOrchestrationContext;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestratorCompletedEvent;
import io.github.durablefunctions.history.OrchestratorStartedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.interruption.OrchestratorBlockedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The orchestration context during one execution of the {@link OrchestrationExecutor}: walks the history one event
 * at a time, on demand of {@link ReplayTask#await()}, matching scheduled events to the actions the code takes.
 */
final class ReplayContext implements TaskOrchestrationContext {
    private final DataConverter dataConverter;
    private final List<HistoryEvent> events;
    private final int pastCount;
    private int next;
    private boolean replaying = true;
    private Instant currentInstant;
    private ExecutionStartedEvent started;

    private int sequenceNumber;
    /** Actions the code took that no history event has matched yet, by ID. */
    private final NavigableMap<Integer, OrchestratorAction> pendingActions = new TreeMap<>();
    /** Tasks waiting for a completion event, by task ID. */
    private final Map<Integer, OpenTask> openTasks = new HashMap<>();

    private OrchestratorAction.CompleteOrchestration completion;
    private NonDeterministicOrchestratorException nonDeterminism;
    private boolean blocked;

    private record OpenTask(String name, CompletableFuture<String> result) {
    }

    ReplayContext(DataConverter dataConverter, List<HistoryEvent> pastEvents, List<HistoryEvent> newEvents) {
        this.dataConverter = dataConverter;
        this.events = new ArrayList<>(pastEvents.size() + newEvents.size());
        this.events.addAll(pastEvents);
        this.events.addAll(newEvents);
        this.pastCount = pastEvents.size();
    }

    // ---- driving the execution (OrchestrationExecutor) ----

    /** Processes events up to and including {@code ExecutionStarted}; false if the history has none. */
    boolean advanceToExecutionStarted() {
        while (started == null) {
            if (!processNextEvent()) {
                return false;
            }
        }
        return true;
    }

    void runOrchestrator(OrchestratorFunction<?> orchestrator) {
        Object output;
        try {
            output = orchestrator.apply(this);
        } catch (OrchestratorBlockedException e) {
            return;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Exception | Error e) {
            if (nonDeterminism != null) {
                failNonDeterministic(nonDeterminism);
            } else if (!blocked) {
                fail(failureOf(e));
            }
            return;
        }
        if (nonDeterminism != null) {
            failNonDeterministic(nonDeterminism);
            return;
        }
        if (blocked) {
            // The code caught the blocking signal and returned anyway: it is still waiting.
            return;
        }
        // The orchestration is done; the rest of the history must still agree with what the code did.
        while (processNextEvent()) {
            // validation happens in processNextEvent
        }
        complete(OrchestrationRuntimeStatus.COMPLETED, dataConverter.serialize(output), null);
    }

    void fail(FailureDetails details) {
        pendingActions.clear();
        complete(OrchestrationRuntimeStatus.FAILED, null, details);
    }

    void failNonDeterministic(NonDeterministicOrchestratorException e) {
        fail(new FailureDetails(NonDeterministicOrchestratorException.class.getName(), e.getMessage(), null, null,
                true, null));
    }

    private void complete(OrchestrationRuntimeStatus status, String result, FailureDetails details) {
        completion = new OrchestratorAction.CompleteOrchestration(sequenceNumber++, status, result, details);
    }

    OrchestratorResult result() {
        List<OrchestratorAction> actions = new ArrayList<>(pendingActions.values());
        if (completion != null) {
            actions.add(completion);
        }
        return new OrchestratorResult(actions, null);
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
     * Processes the next history event.
     *
     * @return false if there are no more events
     * @throws NonDeterministicOrchestratorException if the event contradicts what the code did
     */
    private boolean processNextEvent() {
        if (next >= events.size()) {
            return false;
        }
        HistoryEvent event = events.get(next);
        replaying = next < pastCount;
        next++;
        if (event instanceof OrchestratorStartedEvent) {
            currentInstant = event.timestamp();
        } else if (event instanceof ExecutionStartedEvent executionStarted) {
            if (started == null) {
                started = executionStarted;
            }
        } else if (event instanceof TaskScheduledEvent scheduled) {
            OrchestratorAction action = takePendingAction(scheduled.eventId(), describe(scheduled));
            if (!(action instanceof OrchestratorAction.ScheduleTask task)
                    || !task.name().equalsIgnoreCase(scheduled.name())) {
                throw nonDeterministic("History holds " + describe(scheduled) + " at position #" + scheduled.eventId()
                        + ", but the orchestrator code scheduled " + describe(action) + " there.");
            }
        } else if (event instanceof TaskCompletedEvent taskCompleted) {
            OpenTask task = openTasks.remove(taskCompleted.taskScheduledId());
            if (task != null) {
                task.result().complete(taskCompleted.result());
            }
        } else if (event instanceof TaskFailedEvent taskFailed) {
            OpenTask task = openTasks.remove(taskFailed.taskScheduledId());
            if (task != null) {
                task.result().completeExceptionally(
                        new TaskFailedException(task.name(), taskFailed.taskScheduledId(), failureOf(taskFailed)));
            }
        } else if (event instanceof OrchestratorCompletedEvent && replaying && !pendingActions.isEmpty()) {
            OrchestratorAction extra = pendingActions.firstEntry().getValue();
            throw nonDeterministic("The orchestrator code scheduled " + describe(extra) + " at position #"
                    + extra.id() + ", but history holds nothing at that position.");
        }
        return true;
    }

    private OrchestratorAction takePendingAction(int id, String historyDescription) {
        OrchestratorAction action = pendingActions.remove(id);
        if (action == null) {
            throw nonDeterministic("History holds " + historyDescription + " at position #" + id
                    + ", but the orchestrator code did not schedule anything at that position.");
        }
        return action;
    }

    private NonDeterministicOrchestratorException nonDeterministic(String detail) {
        nonDeterminism = new NonDeterministicOrchestratorException("Non-deterministic orchestrator detected in "
                + "instance '" + getInstanceId() + "': " + detail
                + " Was the orchestrator code changed while this instance was running?");
        return nonDeterminism;
    }

    private static FailureDetails failureOf(TaskFailedEvent event) {
        if (event.failureDetails() != null) {
            return event.failureDetails();
        }
        return new FailureDetails("(unknown)", event.reason(), event.details(), null, false, null);
    }

    private static String describe(HistoryEvent event) {
        if (event instanceof TaskScheduledEvent scheduled) {
            return "activity '" + scheduled.name() + "' (TaskScheduled)";
        }
        return event.eventType().name();
    }

    private static String describe(OrchestratorAction action) {
        if (action instanceof OrchestratorAction.ScheduleTask task) {
            return "activity '" + task.name() + "' (callActivity)";
        }
        return action.getClass().getSimpleName();
    }

    /** Replays history until {@code task} is done; throws the blocking signal if history runs out first. */
    void awaitCompletion(ReplayTask<?> task) {
        while (!task.isDone()) {
            if (nonDeterminism != null) {
                throw nonDeterminism;
            }
            if (!processNextEvent()) {
                blocked = true;
                throw new OrchestratorBlockedException("The orchestrator is waiting for a result that is not in "
                        + "its history yet. This is control flow of the replay runtime: never catch it.");
            }
        }
    }

    // ---- TaskOrchestrationContext ----

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

    @Override
    public <V> Task<V> callActivity(String name, Object input, io.github.durablefunctions.TaskOptions options,
                                    Class<V> returnType) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("callActivity needs an activity name");
        }
        int id = sequenceNumber++;
        pendingActions.put(id, new OrchestratorAction.ScheduleTask(id, name, null, dataConverter.serialize(input)));
        OpenTask open = new OpenTask(name, new CompletableFuture<>());
        openTasks.put(id, open);
        return new ReplayTask<>(this, open.result().thenApply(json -> dataConverter.deserialize(json, returnType)));
    }

    @Override
    public <V> Task<List<V>> allOf(List<Task<V>> tasks) {
        List<CompletableFuture<V>> futures = new ArrayList<>(tasks.size());
        for (Task<V> task : tasks) {
            futures.add(own(task).future());
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
        return new ReplayTask<>(this, all);
    }

    // ---- not implemented yet (issue 3, in progress) ----

    private static UnsupportedOperationException notYet() {
        return new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public Task<Task<?>> anyOf(List<Task<?>> tasks) {
        throw notYet();
    }

    @Override
    public Task<Void> createTimer(java.time.Duration delay) {
        throw notYet();
    }

    @Override
    public Task<Void> createTimer(java.time.ZonedDateTime fireAt) {
        throw notYet();
    }

    @Override
    public <V> Task<V> waitForExternalEvent(String name, java.time.Duration timeout, Class<V> dataType) {
        throw notYet();
    }

    @Override
    public void sendEvent(String instanceId, String eventName, Object eventData) {
        throw notYet();
    }

    @Override
    public <V> Task<V> callSubOrchestrator(String name, Object input, String instanceId,
                                           io.github.durablefunctions.TaskOptions options, Class<V> returnType) {
        throw notYet();
    }

    @Override
    public void continueAsNew(Object input, boolean preserveUnprocessedEvents) {
        throw notYet();
    }

    @Override
    public void complete(Object output) {
        throw notYet();
    }

    @Override
    public void setCustomStatus(Object customStatus) {
        throw notYet();
    }

    @Override
    public void clearCustomStatus() {
        throw notYet();
    }

    @Override
    public java.util.UUID newUUID() {
        throw notYet();
    }

    @Override
    public org.slf4j.Logger createReplaySafeLogger(org.slf4j.Logger logger) {
        throw notYet();
    }

    private <V> ReplayTask<V> own(Task<V> task) {
        if (task instanceof ReplayTask<V> replayTask && replayTask.context() == this) {
            return replayTask;
        }
        throw new IllegalArgumentException("The task was not created by this orchestration context");
    }

    static Exception unwrap(Throwable e) {
        Throwable cause = e;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof Exception exception) {
            return exception;
        }
        return new RuntimeException(cause);
    }
}
