package io.github.durablefunctions.history;

/**
 * History event types with their Durable Task Framework integers ({@code DurableTask.Core.History.EventType}). The
 * name is stored in the History table's {@code EventType} column, the integer in queue JSON (storage-layout.md §3.3).
 */
public enum EventType {
    ExecutionStarted(0),
    ExecutionCompleted(1),
    ExecutionFailed(2),
    ExecutionTerminated(3),
    TaskScheduled(4),
    TaskCompleted(5),
    TaskFailed(6),
    SubOrchestrationInstanceCreated(7),
    SubOrchestrationInstanceCompleted(8),
    SubOrchestrationInstanceFailed(9),
    TimerCreated(10),
    TimerFired(11),
    OrchestratorStarted(12),
    OrchestratorCompleted(13),
    EventSent(14),
    EventRaised(15),
    ContinueAsNew(16),
    GenericEvent(17),
    HistoryState(18),
    ExecutionSuspended(19),
    ExecutionResumed(20),
    ExecutionRewound(21);

    private final int value;

    EventType(int value) {
        this.value = value;
    }

    /** The integer of this type in queue JSON. */
    public int value() {
        return value;
    }

    /**
     * The type for a queue JSON integer.
     *
     * @throws IllegalArgumentException if the value is not an event type
     */
    public static EventType fromValue(int value) {
        for (EventType t : values()) {
            if (t.value == value) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown history event type value: " + value);
    }
}
