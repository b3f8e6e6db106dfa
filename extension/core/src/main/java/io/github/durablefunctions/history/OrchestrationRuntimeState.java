package io.github.durablefunctions.history;

import io.github.durablefunctions.OrchestrationRuntimeStatus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The history of one execution of an orchestration instance, split into the events already committed
 * ({@link #getPastEvents()}) and those added in the episode being processed ({@link #getNewEvents()}), with the
 * state derived from them (like {@code DurableTask.Core.OrchestrationRuntimeState}).
 *
 * <p>Not thread-safe: one worker thread owns a runtime state while it processes a work item.
 */
public final class OrchestrationRuntimeState {
    private final List<HistoryEvent> pastEvents;
    private final List<HistoryEvent> newEvents = new ArrayList<>();
    private ExecutionStartedEvent executionStarted;
    private HistoryEvent completion; // ExecutionCompletedEvent or ContinueAsNewEvent
    private boolean suspended;
    private String customStatus;

    /** A runtime state over committed events (possibly none, for a new instance). */
    public OrchestrationRuntimeState(List<HistoryEvent> pastEvents) {
        this.pastEvents = List.copyOf(pastEvents);
        for (HistoryEvent e : this.pastEvents) {
            observe(e);
        }
    }

    /** An empty runtime state. */
    public OrchestrationRuntimeState() {
        this(List.of());
    }

    /** Appends an event of the current episode; it will be written at the next checkpoint. */
    public void addEvent(HistoryEvent event) {
        newEvents.add(event);
        observe(event);
    }

    private void observe(HistoryEvent e) {
        if (e instanceof ExecutionStartedEvent started) {
            executionStarted = started;
        } else if (e instanceof ExecutionCompletedEvent || e instanceof ContinueAsNewEvent) {
            completion = e;
        } else if (e instanceof ExecutionSuspendedEvent) {
            suspended = true;
        } else if (e instanceof ExecutionResumedEvent) {
            suspended = false;
        }
    }

    /** Committed events, in history order. */
    public List<HistoryEvent> getPastEvents() {
        return pastEvents;
    }

    /** Events of the current episode, not yet committed, in order. */
    public List<HistoryEvent> getNewEvents() {
        return Collections.unmodifiableList(newEvents);
    }

    /** Past and new events together, in order: the whole history of the execution. */
    public List<HistoryEvent> getEvents() {
        List<HistoryEvent> all = new ArrayList<>(pastEvents.size() + newEvents.size());
        all.addAll(pastEvents);
        all.addAll(newEvents);
        return all;
    }

    /** The execution's start event, or null if it has not started (no {@code ExecutionStarted} yet). */
    public ExecutionStartedEvent getExecutionStartedEvent() {
        return executionStarted;
    }

    /** The instance ID, or null before the execution started. */
    public String getInstanceId() {
        return executionStarted == null ? null : executionStarted.orchestrationInstance().instanceId();
    }

    /** The execution ID, or null before the execution started. */
    public String getExecutionId() {
        return executionStarted == null ? null : executionStarted.orchestrationInstance().executionId();
    }

    /** The orchestrator name, or null before the execution started. */
    public String getName() {
        return executionStarted == null ? null : executionStarted.name();
    }

    /**
     * The status derived from the events, as the Instances table shows it (storage-layout.md §4):
     * <ul>
     *   <li>the status of the {@code ExecutionCompleted} event once there is one (Completed, Failed, Terminated),
     *       or ContinuedAsNew after a {@code ContinueAsNew} event;</li>
     *   <li>else Suspended after an {@code ExecutionSuspended} with no later {@code ExecutionResumed};</li>
     *   <li>else Running once {@code ExecutionStarted} is in the history;</li>
     *   <li>Pending before that.</li>
     * </ul>
     * Never null.
     */
    public OrchestrationRuntimeStatus getRuntimeStatus() {
        if (completion instanceof ExecutionCompletedEvent completed) {
            return completed.orchestrationStatus();
        }
        if (completion instanceof ContinueAsNewEvent) {
            return OrchestrationRuntimeStatus.CONTINUED_AS_NEW;
        }
        if (executionStarted == null) {
            return OrchestrationRuntimeStatus.PENDING;
        }
        return suspended ? OrchestrationRuntimeStatus.SUSPENDED : OrchestrationRuntimeStatus.RUNNING;
    }

    /** True once an {@code ExecutionCompleted} or {@code ContinueAsNew} event is in the history. */
    public boolean isCompleted() {
        return completion != null;
    }

    /** The custom status JSON set by the orchestrator in this episode, or null. */
    public String getCustomStatus() {
        return customStatus;
    }

    /** Sets the custom status JSON (null clears it). */
    public void setCustomStatus(String customStatus) {
        this.customStatus = customStatus;
    }
}
