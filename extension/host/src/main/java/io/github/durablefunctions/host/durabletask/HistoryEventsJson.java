package io.github.durablefunctions.host.durabletask;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.azurefunctions.StatusResponsePayload;
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

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code historyEvents} array of the status endpoint with {@code showHistory=true} (api-and-http.md §3.3,
 * StatusResponsePayload): one JSON object per event of the current execution, in order, with PascalCase keys as in
 * the Durable Functions documentation's example.
 *
 * <p>Every object has {@code EventType} (the name, e.g. {@code TaskCompleted}) and {@code Timestamp} (ISO-8601 UTC
 * with fractional seconds). Replay bookkeeping is left out: {@code OrchestratorStarted} and
 * {@code OrchestratorCompleted} events, and event IDs. A {@code TaskScheduled} (or
 * {@code SubOrchestrationInstanceCreated}) that has its answer is folded into that answer, which gets the scheduled
 * event's {@code FunctionName} and {@code ScheduledTime}; one still waiting stays, with its {@code FunctionName}.
 * Per event type:
 * <ul>
 *   <li>{@code ExecutionStarted}: {@code FunctionName}, {@code ScheduledStartTime} if scheduled,
 *       {@code Input}*;</li>
 *   <li>{@code TaskCompleted}: {@code FunctionName}, {@code ScheduledTime}, {@code Result}*;</li>
 *   <li>{@code TaskFailed}: {@code FunctionName}, {@code ScheduledTime}, {@code Reason}, {@code Details},
 *       {@code FailureDetails} ({@code ErrorType}, {@code ErrorMessage});</li>
 *   <li>{@code SubOrchestrationInstanceCompleted} / {@code ...Failed}: as the task ones, plus {@code InstanceId};</li>
 *   <li>{@code TimerCreated}: {@code FireAt}; {@code TimerFired}: {@code FireAt};</li>
 *   <li>{@code EventRaised}: {@code Name}, {@code Input}*; {@code EventSent}: {@code Name}, {@code InstanceId},
 *       {@code Input}*;</li>
 *   <li>{@code ExecutionCompleted}: {@code OrchestrationStatus}, {@code Result}*, {@code FailureDetails} if
 *       failed; {@code ContinueAsNew}: {@code Result}*; {@code ExecutionTerminated}: {@code Input}* (the reason);</li>
 *   <li>{@code ExecutionSuspended}, {@code ExecutionResumed}, {@code ExecutionRewound}: {@code Reason};
 *       {@code GenericEvent}: {@code Data}.</li>
 * </ul>
 * Fields marked * are payloads: present only with {@code showHistoryOutput=true}, as JSON tokens (the stored JSON
 * parsed; text that is not JSON as a string).
 */
final class HistoryEventsJson {
    private HistoryEventsJson() {
    }

    /** A scheduled task or sub-orchestration, to fold into its answer. */
    private record Scheduled(String name, Instant time, String instanceId, int index) {
    }

    /**
     * The history as the status endpoint shows it.
     *
     * @param events            the current execution's events, in order
     * @param showHistoryOutput whether to include payloads (inputs, results)
     */
    static ArrayNode toJson(List<HistoryEvent> events, boolean showHistoryOutput, ObjectMapper json) {
        Map<Integer, Scheduled> tasks = new HashMap<>();
        Map<Integer, Scheduled> subOrchestrations = new HashMap<>();
        ObjectNode[] out = new ObjectNode[events.size()];
        for (int i = 0; i < events.size(); i++) {
            HistoryEvent event = events.get(i);
            if (event instanceof OrchestratorStartedEvent || event instanceof OrchestratorCompletedEvent) {
                continue;
            }
            ObjectNode node = json.createObjectNode();
            node.put("EventType", event.eventType().name());
            node.put("Timestamp", time(event.timestamp()));
            out[i] = node;
            if (event instanceof ExecutionStartedEvent e) {
                node.put("FunctionName", e.name());
                if (e.scheduledStartTime() != null) {
                    node.put("ScheduledStartTime", time(e.scheduledStartTime()));
                }
                payload(node, "Input", e.input(), showHistoryOutput, json);
            } else if (event instanceof TaskScheduledEvent e) {
                node.put("FunctionName", e.name());
                tasks.put(e.eventId(), new Scheduled(e.name(), e.timestamp(), null, i));
            } else if (event instanceof TaskCompletedEvent e) {
                answer(node, tasks, e.taskScheduledId(), out);
                payload(node, "Result", e.result(), showHistoryOutput, json);
            } else if (event instanceof TaskFailedEvent e) {
                answer(node, tasks, e.taskScheduledId(), out);
                failure(node, e.reason(), e.details(), e.failureDetails(), json);
            } else if (event instanceof SubOrchestrationInstanceCreatedEvent e) {
                node.put("FunctionName", e.name());
                node.put("InstanceId", e.instanceId());
                subOrchestrations.put(e.eventId(), new Scheduled(e.name(), e.timestamp(), e.instanceId(), i));
            } else if (event instanceof SubOrchestrationInstanceCompletedEvent e) {
                answer(node, subOrchestrations, e.taskScheduledId(), out);
                payload(node, "Result", e.result(), showHistoryOutput, json);
            } else if (event instanceof SubOrchestrationInstanceFailedEvent e) {
                answer(node, subOrchestrations, e.taskScheduledId(), out);
                failure(node, e.reason(), e.details(), e.failureDetails(), json);
            } else if (event instanceof TimerCreatedEvent e) {
                node.put("FireAt", time(e.fireAt()));
            } else if (event instanceof TimerFiredEvent e) {
                node.put("FireAt", time(e.fireAt()));
            } else if (event instanceof EventRaisedEvent e) {
                node.put("Name", e.name());
                payload(node, "Input", e.input(), showHistoryOutput, json);
            } else if (event instanceof EventSentEvent e) {
                node.put("Name", e.name());
                node.put("InstanceId", e.instanceId());
                payload(node, "Input", e.input(), showHistoryOutput, json);
            } else if (event instanceof ExecutionCompletedEvent e) {
                node.put("OrchestrationStatus", e.orchestrationStatus() == null ? null
                        : e.orchestrationStatus().statusName());
                payload(node, "Result", e.result(), showHistoryOutput, json);
                if (e.failureDetails() != null) {
                    node.set("FailureDetails", failureDetails(e.failureDetails(), json));
                }
            } else if (event instanceof ContinueAsNewEvent e) {
                payload(node, "Result", e.result(), showHistoryOutput, json);
            } else if (event instanceof ExecutionTerminatedEvent e) {
                payload(node, "Input", e.input(), showHistoryOutput, json);
            } else if (event instanceof ExecutionSuspendedEvent e) {
                node.put("Reason", e.reason());
            } else if (event instanceof ExecutionResumedEvent e) {
                node.put("Reason", e.reason());
            } else if (event instanceof ExecutionRewoundEvent e) {
                node.put("Reason", e.reason());
            } else if (event instanceof GenericEvent e) {
                node.put("Data", e.data());
            }
        }
        ArrayNode array = json.createArrayNode();
        for (ObjectNode node : out) {
            if (node != null) {
                array.add(node);
            }
        }
        return array;
    }

    /** Folds the scheduling event into its answer: name, scheduled time, instance ID; drops the scheduling event. */
    private static void answer(ObjectNode node, Map<Integer, Scheduled> scheduled, int scheduledId, ObjectNode[] out) {
        Scheduled s = scheduled.remove(scheduledId);
        if (s == null) {
            return;
        }
        node.put("FunctionName", s.name());
        if (s.instanceId() != null) {
            node.put("InstanceId", s.instanceId());
        }
        node.put("ScheduledTime", time(s.time()));
        out[s.index()] = null;
    }

    private static void failure(ObjectNode node, String reason, String details, FailureDetails failureDetails,
                                ObjectMapper json) {
        if (reason != null) {
            node.put("Reason", reason);
        }
        if (details != null) {
            node.put("Details", details);
        }
        if (failureDetails != null) {
            node.set("FailureDetails", failureDetails(failureDetails, json));
        }
    }

    private static ObjectNode failureDetails(FailureDetails details, ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("ErrorType", details.getErrorType());
        node.put("ErrorMessage", details.getErrorMessage());
        return node;
    }

    private static void payload(ObjectNode node, String key, String serialized, boolean show, ObjectMapper json) {
        if (show) {
            JsonNode token = StatusResponsePayload.token(serialized, json);
            node.set(key, token);
        }
    }

    private static String time(Instant time) {
        return time == null ? null : time.toString();
    }
}
