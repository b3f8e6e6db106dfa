package io.github.durablefunctions.testing.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.history.ContinueAsNewEvent;
import io.github.durablefunctions.history.DistributedTraceContext;
import io.github.durablefunctions.history.EventRaisedEvent;
import io.github.durablefunctions.history.EventSentEvent;
import io.github.durablefunctions.history.EventType;
import io.github.durablefunctions.history.ExecutionCompletedEvent;
import io.github.durablefunctions.history.ExecutionResumedEvent;
import io.github.durablefunctions.history.ExecutionRewoundEvent;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.ExecutionSuspendedEvent;
import io.github.durablefunctions.history.ExecutionTerminatedEvent;
import io.github.durablefunctions.history.GenericEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.HistoryStateEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
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

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON form of one history event in a {@link HistoryFile}: the core history records
 * ({@code io.github.durablefunctions.history}) with the Durable Task Framework's member names.
 *
 * <p>Every event is an object with the common members {@code "EventType"} (the type's name, e.g.
 * {@code "TaskScheduled"}; the DTFx integer is accepted on read), {@code "EventId"} (int), {@code "IsPlayed"}
 * (boolean) and {@code "Timestamp"} (ISO-8601 UTC, e.g. {@code "2024-05-01T12:00:00.123Z"}), followed by the
 * type-specific members by their DTFx names (storage-layout.md §3.3): for example {@code "Name"}, {@code "Version"},
 * {@code "Input"} for {@code TaskScheduled}; {@code "TaskScheduledId"}, {@code "Result"} for {@code TaskCompleted};
 * {@code "FireAt"} for timers. Null members are left out on write and read as null when absent. Payloads
 * ({@code Input}, {@code Result}, ...) are JSON text held in strings, as in history. Complex members are objects:
 * {@code OrchestrationInstance {InstanceId, ExecutionId}}, {@code ParentInstance {Name, Version,
 * OrchestrationInstance, TaskScheduleId}}, {@code FailureDetails {ErrorType, ErrorMessage, StackTrace, InnerFailure,
 * IsNonRetriable, Properties}}, {@code ParentTraceContext {TraceParent, TraceState, Id, SpanId, ActivityStartTime}},
 * {@code Tags} (string to string); {@code OrchestrationStatus} is the status name ({@code "Completed"}; the DTFx
 * integer is accepted on read); {@code HistoryState}'s {@code State} is JSON text. A {@code "$type"} member, as in
 * DTFx queue JSON, is ignored on read.
 *
 * <p>The mapping is lossless: {@code fromJson(toJson(e)).equals(e)} for every event.
 */
public final class HistoryEventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HistoryEventJson() {
    }

    /** The JSON object of an event. */
    public static ObjectNode toJson(HistoryEvent event) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("EventType", event.eventType().name());
        node.put("EventId", event.eventId());
        node.put("IsPlayed", event.isPlayed());
        putInstant(node, "Timestamp", event.timestamp());
        if (event instanceof ExecutionStartedEvent e) {
            putInstance(node, "OrchestrationInstance", e.orchestrationInstance());
            if (e.parentInstance() != null) {
                ParentInstance p = e.parentInstance();
                ObjectNode parent = node.putObject("ParentInstance");
                putString(parent, "Name", p.name());
                putString(parent, "Version", p.version());
                putInstance(parent, "OrchestrationInstance", p.orchestrationInstance());
                parent.put("TaskScheduleId", p.taskScheduleId());
            }
            putString(node, "Name", e.name());
            putString(node, "Version", e.version());
            putString(node, "Input", e.input());
            putTags(node, e.tags());
            putString(node, "Correlation", e.correlation());
            putTrace(node, e.parentTraceContext());
            putInstant(node, "ScheduledStartTime", e.scheduledStartTime());
            if (e.generation() != null) {
                node.put("Generation", e.generation());
            }
            node.put("GenerateNewTrace", e.generateNewTrace());
        } else if (event instanceof ExecutionCompletedEvent e) {
            putCompletion(node, e.orchestrationStatus(), e.result(), e.failureDetails());
        } else if (event instanceof ContinueAsNewEvent e) {
            putCompletion(node, e.orchestrationStatus(), e.result(), e.failureDetails());
        } else if (event instanceof ExecutionTerminatedEvent e) {
            putString(node, "Input", e.input());
        } else if (event instanceof TaskScheduledEvent e) {
            putString(node, "Name", e.name());
            putString(node, "Version", e.version());
            putString(node, "Input", e.input());
            putTrace(node, e.parentTraceContext());
            putTags(node, e.tags());
        } else if (event instanceof TaskCompletedEvent e) {
            node.put("TaskScheduledId", e.taskScheduledId());
            putString(node, "Result", e.result());
        } else if (event instanceof TaskFailedEvent e) {
            node.put("TaskScheduledId", e.taskScheduledId());
            putString(node, "Reason", e.reason());
            putString(node, "Details", e.details());
            putFailure(node, "FailureDetails", e.failureDetails());
        } else if (event instanceof SubOrchestrationInstanceCreatedEvent e) {
            putString(node, "Name", e.name());
            putString(node, "Version", e.version());
            putString(node, "InstanceId", e.instanceId());
            putString(node, "Input", e.input());
            putString(node, "ClientSpanId", e.clientSpanId());
            putTags(node, e.tags());
        } else if (event instanceof SubOrchestrationInstanceCompletedEvent e) {
            node.put("TaskScheduledId", e.taskScheduledId());
            putString(node, "Result", e.result());
        } else if (event instanceof SubOrchestrationInstanceFailedEvent e) {
            node.put("TaskScheduledId", e.taskScheduledId());
            putString(node, "Reason", e.reason());
            putString(node, "Details", e.details());
            putFailure(node, "FailureDetails", e.failureDetails());
        } else if (event instanceof TimerCreatedEvent e) {
            putInstant(node, "FireAt", e.fireAt());
        } else if (event instanceof TimerFiredEvent e) {
            node.put("TimerId", e.timerId());
            putInstant(node, "FireAt", e.fireAt());
        } else if (event instanceof EventSentEvent e) {
            putString(node, "InstanceId", e.instanceId());
            putString(node, "Name", e.name());
            putString(node, "Input", e.input());
        } else if (event instanceof EventRaisedEvent e) {
            putString(node, "Name", e.name());
            putString(node, "Input", e.input());
            putTrace(node, e.parentTraceContext());
        } else if (event instanceof GenericEvent e) {
            putString(node, "Data", e.data());
        } else if (event instanceof HistoryStateEvent e) {
            putString(node, "State", e.state());
        } else if (event instanceof ExecutionSuspendedEvent e) {
            putString(node, "Reason", e.reason());
        } else if (event instanceof ExecutionResumedEvent e) {
            putString(node, "Reason", e.reason());
        } else if (event instanceof ExecutionRewoundEvent e) {
            putString(node, "Reason", e.reason());
            putString(node, "ParentExecutionId", e.parentExecutionId());
            putString(node, "InstanceId", e.instanceId());
            putTrace(node, e.parentTraceContext());
        }
        // OrchestratorStarted and OrchestratorCompleted have no members of their own.
        return node;
    }

    /**
     * The event of a JSON object written by {@link #toJson} (or by hand in the same form).
     *
     * @throws IllegalArgumentException if the object is not an event: no or an unknown {@code EventType}, a missing
     *                                  required member ({@code TaskScheduledId}, {@code TimerId}), a value of the
     *                                  wrong kind, or an unreadable timestamp
     */
    public static HistoryEvent fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("A history event must be a JSON object, not: " + node);
        }
        EventType type = eventType(node);
        int id = node.hasNonNull("EventId") ? intValue(node, "EventId") : -1;
        boolean played = bool(node, "IsPlayed");
        Instant ts = instant(node, "Timestamp");
        return switch (type) {
            case ExecutionStarted -> new ExecutionStartedEvent(id, played, ts,
                    instance(node.get("OrchestrationInstance")), parent(node.get("ParentInstance")),
                    string(node, "Name"), string(node, "Version"), string(node, "Input"), tags(node),
                    string(node, "Correlation"), trace(node.get("ParentTraceContext")),
                    instant(node, "ScheduledStartTime"),
                    node.hasNonNull("Generation") ? intValue(node, "Generation") : null,
                    bool(node, "GenerateNewTrace"));
            case ExecutionCompleted -> new ExecutionCompletedEvent(id, played, ts, status(node),
                    string(node, "Result"), failure(node.get("FailureDetails")));
            case ContinueAsNew -> new ContinueAsNewEvent(id, played, ts, status(node), string(node, "Result"),
                    failure(node.get("FailureDetails")));
            case ExecutionTerminated -> new ExecutionTerminatedEvent(id, played, ts, string(node, "Input"));
            case TaskScheduled -> new TaskScheduledEvent(id, played, ts, string(node, "Name"),
                    string(node, "Version"), string(node, "Input"), trace(node.get("ParentTraceContext")),
                    tags(node));
            case TaskCompleted -> new TaskCompletedEvent(id, played, ts, required(node, "TaskScheduledId"),
                    string(node, "Result"));
            case TaskFailed -> new TaskFailedEvent(id, played, ts, required(node, "TaskScheduledId"),
                    string(node, "Reason"), string(node, "Details"), failure(node.get("FailureDetails")));
            case SubOrchestrationInstanceCreated -> new SubOrchestrationInstanceCreatedEvent(id, played, ts,
                    string(node, "Name"), string(node, "Version"), string(node, "InstanceId"),
                    string(node, "Input"), string(node, "ClientSpanId"), tags(node));
            case SubOrchestrationInstanceCompleted -> new SubOrchestrationInstanceCompletedEvent(id, played, ts,
                    required(node, "TaskScheduledId"), string(node, "Result"));
            case SubOrchestrationInstanceFailed -> new SubOrchestrationInstanceFailedEvent(id, played, ts,
                    required(node, "TaskScheduledId"), string(node, "Reason"), string(node, "Details"),
                    failure(node.get("FailureDetails")));
            case TimerCreated -> new TimerCreatedEvent(id, played, ts, instant(node, "FireAt"));
            case TimerFired -> new TimerFiredEvent(id, played, ts, required(node, "TimerId"),
                    instant(node, "FireAt"));
            case OrchestratorStarted -> new OrchestratorStartedEvent(id, played, ts);
            case OrchestratorCompleted -> new OrchestratorCompletedEvent(id, played, ts);
            case EventSent -> new EventSentEvent(id, played, ts, string(node, "InstanceId"), string(node, "Name"),
                    string(node, "Input"));
            case EventRaised -> new EventRaisedEvent(id, played, ts, string(node, "Name"), string(node, "Input"),
                    trace(node.get("ParentTraceContext")));
            case GenericEvent -> new GenericEvent(id, played, ts, string(node, "Data"));
            case HistoryState -> new HistoryStateEvent(id, played, ts, string(node, "State"));
            case ExecutionSuspended -> new ExecutionSuspendedEvent(id, played, ts, string(node, "Reason"));
            case ExecutionResumed -> new ExecutionResumedEvent(id, played, ts, string(node, "Reason"));
            case ExecutionRewound -> new ExecutionRewoundEvent(id, played, ts, string(node, "Reason"),
                    string(node, "ParentExecutionId"), string(node, "InstanceId"),
                    trace(node.get("ParentTraceContext")));
            case ExecutionFailed -> throw new IllegalArgumentException(
                    "EventType ExecutionFailed (2) has no event class in the Durable Task Framework and is never "
                            + "written");
        };
    }

    // ---- writing ----

    private static void putString(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static void putInstant(ObjectNode node, String name, Instant value) {
        if (value != null) {
            node.put(name, value.toString());
        }
    }

    private static void putInstance(ObjectNode node, String name, OrchestrationInstance instance) {
        if (instance != null) {
            ObjectNode o = node.putObject(name);
            putString(o, "InstanceId", instance.instanceId());
            putString(o, "ExecutionId", instance.executionId());
        }
    }

    private static void putTags(ObjectNode node, Map<String, String> tags) {
        if (tags != null) {
            ObjectNode o = node.putObject("Tags");
            tags.forEach(o::put);
        }
    }

    private static void putTrace(ObjectNode node, DistributedTraceContext trace) {
        if (trace != null) {
            ObjectNode o = node.putObject("ParentTraceContext");
            putString(o, "TraceParent", trace.traceParent());
            putString(o, "TraceState", trace.traceState());
            putString(o, "Id", trace.id());
            putString(o, "SpanId", trace.spanId());
            putInstant(o, "ActivityStartTime", trace.activityStartTime());
        }
    }

    private static void putCompletion(ObjectNode node, OrchestrationRuntimeStatus status, String result,
                                      FailureDetails failure) {
        if (status != null) {
            node.put("OrchestrationStatus", status.statusName());
        }
        putString(node, "Result", result);
        putFailure(node, "FailureDetails", failure);
    }

    private static void putFailure(ObjectNode node, String name, FailureDetails failure) {
        if (failure != null) {
            ObjectNode o = node.putObject(name);
            putString(o, "ErrorType", failure.getErrorType());
            putString(o, "ErrorMessage", failure.getErrorMessage());
            putString(o, "StackTrace", failure.getStackTrace());
            putFailure(o, "InnerFailure", failure.getInnerFailure());
            o.put("IsNonRetriable", failure.isNonRetriable());
            if (failure.getProperties() != null) {
                o.set("Properties", MAPPER.valueToTree(failure.getProperties()));
            }
        }
    }

    // ---- reading ----

    private static EventType eventType(JsonNode node) {
        JsonNode type = node.get("EventType");
        if (type == null || type.isNull()) {
            throw new IllegalArgumentException("A history event needs an \"EventType\": " + node);
        }
        if (type.isInt()) {
            return EventType.fromValue(type.intValue());
        }
        if (type.isTextual()) {
            try {
                return EventType.valueOf(type.textValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Unknown history event type \"" + type.textValue() + "\"", e);
            }
        }
        throw new IllegalArgumentException("\"EventType\" must be a type name or its integer, not " + type);
    }

    private static String string(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + name + "\" must be a string, not " + value);
        }
        return value.textValue();
    }

    private static int intValue(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (!value.isInt()) {
            throw new IllegalArgumentException("\"" + name + "\" must be an integer, not " + value);
        }
        return value.intValue();
    }

    private static int required(JsonNode node, String name) {
        if (!node.hasNonNull(name)) {
            throw new IllegalArgumentException("The " + node.path("EventType").asText() + " event needs \"" + name
                    + "\": " + node);
        }
        return intValue(node, name);
    }

    private static boolean bool(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("\"" + name + "\" must be true or false, not " + value);
        }
        return value.booleanValue();
    }

    private static Instant instant(JsonNode node, String name) {
        String text = string(node, name);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + name + "\" must be an ISO-8601 UTC time such as "
                    + "2024-05-01T12:00:00Z, not \"" + text + "\"", e);
        }
    }

    private static OrchestrationInstance instance(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return new OrchestrationInstance(string(node, "InstanceId"), string(node, "ExecutionId"));
    }

    private static ParentInstance parent(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return new ParentInstance(string(node, "Name"), string(node, "Version"),
                instance(node.get("OrchestrationInstance")), required(node, "TaskScheduleId"));
    }

    private static Map<String, String> tags(JsonNode node) {
        JsonNode tags = node.get("Tags");
        if (tags == null || tags.isNull()) {
            return null;
        }
        if (!tags.isObject()) {
            throw new IllegalArgumentException("\"Tags\" must be an object of strings, not " + tags);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Iterator<String> names = tags.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            map.put(name, string(tags, name));
        }
        return map;
    }

    private static DistributedTraceContext trace(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        return new DistributedTraceContext(string(node, "TraceParent"), string(node, "TraceState"),
                string(node, "Id"), string(node, "SpanId"), instant(node, "ActivityStartTime"));
    }

    private static OrchestrationRuntimeStatus status(JsonNode node) {
        JsonNode value = node.get("OrchestrationStatus");
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isInt()) {
            return OrchestrationRuntimeStatus.fromWireValue(value.intValue());
        }
        return OrchestrationRuntimeStatus.fromStatusName(string(node, "OrchestrationStatus"));
    }

    @SuppressWarnings("unchecked")
    private static FailureDetails failure(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String errorType = string(node, "ErrorType");
        if (errorType == null) {
            throw new IllegalArgumentException("Failure details need an \"ErrorType\": " + node);
        }
        Map<String, Object> properties = null;
        JsonNode props = node.get("Properties");
        if (props != null && !props.isNull()) {
            properties = MAPPER.convertValue(props, LinkedHashMap.class);
        }
        return new FailureDetails(errorType, string(node, "ErrorMessage"), string(node, "StackTrace"),
                failure(node.get("InnerFailure")), bool(node, "IsNonRetriable"), properties);
    }
}
