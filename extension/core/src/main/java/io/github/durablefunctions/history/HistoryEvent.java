package io.github.durablefunctions.history;

import java.time.Instant;

/**
 * One event of an orchestration's history: the unit of event sourcing. Types and fields follow
 * {@code DurableTask.Core.History} as stored by the Azure Storage provider (storage-layout.md §3.3).
 *
 * <p>Every event has an {@code eventId} (the sequence ID of the action that scheduled it, or -1 for events that come
 * from messages), {@code isPlayed}, and a {@code timestamp} (UTC; stored as {@code _Timestamp}).
 */
public sealed interface HistoryEvent permits
        ExecutionStartedEvent, ExecutionCompletedEvent, ExecutionTerminatedEvent, TaskScheduledEvent,
        TaskCompletedEvent, TaskFailedEvent, SubOrchestrationInstanceCreatedEvent,
        SubOrchestrationInstanceCompletedEvent, SubOrchestrationInstanceFailedEvent, TimerCreatedEvent,
        TimerFiredEvent, OrchestratorStartedEvent, OrchestratorCompletedEvent, EventSentEvent, EventRaisedEvent,
        ContinueAsNewEvent, GenericEvent, HistoryStateEvent, ExecutionSuspendedEvent, ExecutionResumedEvent,
        ExecutionRewoundEvent {

    /** The action sequence ID for scheduled events; -1 for events that come from messages. */
    int eventId();

    /** Whether the event had been played when it was stored. */
    boolean isPlayed();

    /** When the event happened (UTC). */
    Instant timestamp();

    /** The event's type. */
    EventType eventType();
}
