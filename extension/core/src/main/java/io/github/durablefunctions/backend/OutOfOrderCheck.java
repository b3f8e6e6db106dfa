package io.github.durablefunctions.backend;

import io.github.durablefunctions.EntityInstanceId;
import io.github.durablefunctions.entities.RequestMessage;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCompletedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceCreatedEvent;
import io.github.durablefunctions.history.SubOrchestrationInstanceFailedEvent;
import io.github.durablefunctions.history.TaskCompletedEvent;
import io.github.durablefunctions.history.TaskFailedEvent;
import io.github.durablefunctions.history.TaskScheduledEvent;
import io.github.durablefunctions.history.TimerCreatedEvent;
import io.github.durablefunctions.history.TimerFiredEvent;

import java.util.List;

/**
 * The out-of-order check every backend applies before handing out a work item (storage-layout.md §8.2 step 1, DTFx
 * {@code IsOutOfOrderMessage}): a response that arrives before the checkpoint that scheduled it (possible because a
 * checkpoint sends its messages before it commits its history, §8.3) must wait until that history is visible.
 */
public final class OutOfOrderCheck {
    /** The TimerId of a TimerFired that only wakes an instance (DTFx's FakeTimerIdToSplitDecision, §6.3). */
    public static final int SPLIT_TIMER_ID = -100;

    private OutOfOrderCheck() {
    }

    /**
     * The scheduling event a response needs in history, if it is missing; null if the message is not a response
     * (storage-layout.md §8.2 step 1, DTFx {@code IsOutOfOrderMessage}):
     * <ul>
     *   <li>TaskCompleted/Failed, SubOrchestrationInstanceCompleted/Failed and TimerFired need their scheduling
     *       event ({@code EventId} = their scheduled or timer ID). A {@code TimerFired} with TimerId
     *       {@value #SPLIT_TIMER_ID} (DTFx's checkpoint-split timer, §6.3; this worker's wake-up after a long
     *       continue-as-new loop) has no {@code TimerCreated} and is never out of order.</li>
     *   <li>An EventRaised sent by an entity (its envelope's {@code Sender} is an {@code @name@key} instance) to a
     *       non-entity is the response to a call or lock request (§9): it needs an {@code EventSent} whose Input JSON
     *       {@code id} equals the event name, unless the execution in history has already finished (then the
     *       message is discarded later).</li>
     * </ul>
     */
    public static String missingSchedulingEvent(HistoryEvent event, String senderInstanceId, String instanceId,
                                                List<HistoryEvent> history) {
        if (event instanceof EventRaisedEvent raised) {
            return isEntityResponse(senderInstanceId, instanceId) ? missingEntityRequest(raised.name(), history)
                    : null;
        }
        if (event instanceof TimerFiredEvent fired && fired.timerId() == SPLIT_TIMER_ID) {
            return null;
        }
        int id;
        boolean timer = false;
        boolean subOrchestration = false;
        if (event instanceof TaskCompletedEvent e) {
            id = e.taskScheduledId();
        } else if (event instanceof TaskFailedEvent e) {
            id = e.taskScheduledId();
        } else if (event instanceof SubOrchestrationInstanceCompletedEvent e) {
            id = e.taskScheduledId();
            subOrchestration = true;
        } else if (event instanceof SubOrchestrationInstanceFailedEvent e) {
            id = e.taskScheduledId();
            subOrchestration = true;
        } else if (event instanceof TimerFiredEvent e) {
            id = e.timerId();
            timer = true;
        } else {
            return null;
        }
        for (HistoryEvent h : history) {
            if (h.eventId() == id && (timer ? h instanceof TimerCreatedEvent
                    : subOrchestration ? h instanceof SubOrchestrationInstanceCreatedEvent
                    : h instanceof TaskScheduledEvent)) {
                return null;
            }
        }
        return (timer ? "TimerCreated" : subOrchestration ? "SubOrchestrationInstanceCreated" : "TaskScheduled")
                + " #" + id;
    }

    /** True for an EventRaised from an entity (the message's sender) to a non-entity: an entity's response. */
    private static boolean isEntityResponse(String senderInstanceId, String instanceId) {
        return senderInstanceId != null && EntityInstanceId.isEntityInstanceId(senderInstanceId)
                && !EntityInstanceId.isEntityInstanceId(instanceId);
    }

    /**
     * "EventSent with id ..." if no EventSent in history carries a request with the given ID (the event name of an
     * entity response) and the execution has not finished; else null.
     */
    private static String missingEntityRequest(String requestId, List<HistoryEvent> history) {
        for (HistoryEvent h : history) {
            if (h instanceof ExecutionCompletedEvent) {
                return null; // the execution is over: not early but late, discarded by the executable check
            }
            if (h instanceof EventSentEvent sent && requestId != null && requestId.equals(requestIdOf(sent))) {
                return null;
            }
        }
        return "EventSent of entity request " + requestId;
    }

    /** The {@code id} of the RequestMessage in an EventSent's input, or null if it holds none. */
    private static String requestIdOf(EventSentEvent sent) {
        if (sent.input() == null || !sent.input().contains("\"id\"")) {
            return null;
        }
        try {
            return RequestMessage.fromJson(sent.input()).id;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
