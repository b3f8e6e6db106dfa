package io.github.durablefunctions.azurestorage;

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
import java.util.List;
import java.util.Map;

/**
 * The type-specific members of each history event, by their DTFx names and in Newtonsoft's member order
 * (storage-layout.md §3.3 "Extra columns per EventType", §6.2 "Member order"). One model serves both wire forms:
 * {@link MessageCodec} writes the members into queue JSON (enums as integers, complex members as objects with
 * {@code $type}), {@link HistoryEntityCodec} into History table columns (enums as names, complex members as JSON
 * strings). The common members {@code EventType}, {@code EventId}, {@code IsPlayed} and {@code Timestamp} are not
 * listed here; every codec writes them itself.
 */
final class EventFields {

    /** How a member's value is represented. */
    enum Kind {
        /** A string, or null. */
        STRING,
        /** An {@code int}. */
        INT,
        /** An {@code int?}: an Integer or null. */
        NULLABLE_INT,
        /** A {@code bool}. */
        BOOL,
        /** A UTC {@code DateTime}. */
        DATETIME,
        /** A {@code DateTime?}: an Instant or null. */
        NULLABLE_DATETIME,
        /** An {@code OrchestrationStatus}: integer in queue JSON, name in tables. */
        STATUS,
        /** An {@code OrchestrationInstance} object. */
        INSTANCE,
        /** A {@code ParentInstance} object. */
        PARENT,
        /** A {@code FailureDetails} object. */
        FAILURE,
        /** A {@code DistributedTraceContext} object. */
        TRACE,
        /** A string→string dictionary. */
        TAGS,
        /** An object held as JSON text ({@code HistoryStateEvent.State}). */
        JSON
    }

    /** One member: its DTFx name, kind and value (null allowed). */
    record Field(String name, Kind kind, Object value) {
    }

    /** Reads typed member values by DTFx name from one wire form; absent members read as null / defaults. */
    interface Source {
        String string(String name);

        Integer integer(String name);

        boolean bool(String name);

        Instant dateTime(String name);

        OrchestrationRuntimeStatus status(String name);

        OrchestrationInstance instance(String name);

        ParentInstance parent(String name);

        FailureDetails failure(String name);

        DistributedTraceContext trace(String name);

        Map<String, String> tags(String name);

        String json(String name);
    }

    private EventFields() {
    }

    private static Field f(String name, Kind kind, Object value) {
        return new Field(name, kind, value);
    }

    /** The type-specific members of an event, in order. */
    static List<Field> of(HistoryEvent event) {
        if (event instanceof ExecutionStartedEvent e) {
            return List.of(
                        f("OrchestrationInstance", Kind.INSTANCE, e.orchestrationInstance()),
                        f("ParentInstance", Kind.PARENT, e.parentInstance()),
                        f("Name", Kind.STRING, e.name()),
                        f("Version", Kind.STRING, e.version()),
                        f("Input", Kind.STRING, e.input()),
                        f("Tags", Kind.TAGS, e.tags()),
                        f("Correlation", Kind.STRING, e.correlation()),
                        f("ParentTraceContext", Kind.TRACE, e.parentTraceContext()),
                        f("ScheduledStartTime", Kind.NULLABLE_DATETIME, e.scheduledStartTime()),
                        f("Generation", Kind.NULLABLE_INT, e.generation()),
                        f("GenerateNewTrace", Kind.BOOL, e.generateNewTrace()));
        }
        if (event instanceof ExecutionCompletedEvent e) {
            return completion(e.orchestrationStatus(), e.result(), e.failureDetails());
        }
        if (event instanceof ContinueAsNewEvent e) {
            return completion(e.orchestrationStatus(), e.result(), e.failureDetails());
        }
        if (event instanceof ExecutionTerminatedEvent e) {
            return List.of(f("Input", Kind.STRING, e.input()));
        }
        if (event instanceof TaskScheduledEvent e) {
            return List.of(
                        f("Name", Kind.STRING, e.name()),
                        f("Version", Kind.STRING, e.version()),
                        f("Input", Kind.STRING, e.input()),
                        f("ParentTraceContext", Kind.TRACE, e.parentTraceContext()),
                        f("Tags", Kind.TAGS, e.tags()));
        }
        if (event instanceof TaskCompletedEvent e) {
            return List.of(
                        f("TaskScheduledId", Kind.INT, e.taskScheduledId()),
                        f("Result", Kind.STRING, e.result()));
        }
        if (event instanceof TaskFailedEvent e) {
            return List.of(
                        f("TaskScheduledId", Kind.INT, e.taskScheduledId()),
                        f("Reason", Kind.STRING, e.reason()),
                        f("Details", Kind.STRING, e.details()),
                        f("FailureDetails", Kind.FAILURE, e.failureDetails()));
        }
        if (event instanceof SubOrchestrationInstanceCreatedEvent e) {
            return List.of(
                        f("Name", Kind.STRING, e.name()),
                        f("Version", Kind.STRING, e.version()),
                        f("InstanceId", Kind.STRING, e.instanceId()),
                        f("Input", Kind.STRING, e.input()),
                        f("ClientSpanId", Kind.STRING, e.clientSpanId()),
                        f("Tags", Kind.TAGS, e.tags()));
        }
        if (event instanceof SubOrchestrationInstanceCompletedEvent e) {
            return List.of(
                        f("TaskScheduledId", Kind.INT, e.taskScheduledId()),
                        f("Result", Kind.STRING, e.result()));
        }
        if (event instanceof SubOrchestrationInstanceFailedEvent e) {
            return List.of(
                        f("TaskScheduledId", Kind.INT, e.taskScheduledId()),
                        f("Reason", Kind.STRING, e.reason()),
                        f("Details", Kind.STRING, e.details()),
                        f("FailureDetails", Kind.FAILURE, e.failureDetails()));
        }
        if (event instanceof TimerCreatedEvent e) {
            return List.of(f("FireAt", Kind.DATETIME, e.fireAt()));
        }
        if (event instanceof TimerFiredEvent e) {
            return List.of(
                        f("TimerId", Kind.INT, e.timerId()),
                        f("FireAt", Kind.DATETIME, e.fireAt()));
        }
        if (event instanceof OrchestratorStartedEvent || event instanceof OrchestratorCompletedEvent) {
            return List.of();
        }
        if (event instanceof EventSentEvent e) {
            return List.of(
                        f("InstanceId", Kind.STRING, e.instanceId()),
                        f("Name", Kind.STRING, e.name()),
                        f("Input", Kind.STRING, e.input()));
        }
        if (event instanceof EventRaisedEvent e) {
            return List.of(
                        f("Name", Kind.STRING, e.name()),
                        f("Input", Kind.STRING, e.input()),
                        f("ParentTraceContext", Kind.TRACE, e.parentTraceContext()));
        }
        if (event instanceof GenericEvent e) {
            return List.of(f("Data", Kind.STRING, e.data()));
        }
        if (event instanceof HistoryStateEvent e) {
            return List.of(f("State", Kind.JSON, e.state()));
        }
        if (event instanceof ExecutionSuspendedEvent e) {
            return List.of(f("Reason", Kind.STRING, e.reason()));
        }
        if (event instanceof ExecutionResumedEvent e) {
            return List.of(f("Reason", Kind.STRING, e.reason()));
        }
        if (event instanceof ExecutionRewoundEvent e) {
            return List.of(
                        f("Reason", Kind.STRING, e.reason()),
                        f("ParentExecutionId", Kind.STRING, e.parentExecutionId()),
                        f("InstanceId", Kind.STRING, e.instanceId()),
                        f("ParentTraceContext", Kind.TRACE, e.parentTraceContext()));
        }

        throw new IllegalArgumentException("Unknown event class " + event.getClass().getName());
    }

    private static List<Field> completion(OrchestrationRuntimeStatus status, String result, FailureDetails failure) {
        return List.of(
                f("OrchestrationStatus", Kind.STATUS, status),
                f("Result", Kind.STRING, result),
                f("FailureDetails", Kind.FAILURE, failure));
    }

    /**
     * Builds an event of the given type from its common members and a source of its type-specific members.
     *
     * @throws IllegalArgumentException for {@code ExecutionFailed}, a type DTFx never writes
     */
    static HistoryEvent build(EventType type, int id, boolean played, Instant ts, Source s) {
        return switch (type) {
            case ExecutionStarted -> new ExecutionStartedEvent(id, played, ts, s.instance("OrchestrationInstance"),
                    s.parent("ParentInstance"), s.string("Name"), s.string("Version"), s.string("Input"),
                    s.tags("Tags"), s.string("Correlation"), s.trace("ParentTraceContext"),
                    s.dateTime("ScheduledStartTime"), s.integer("Generation"), s.bool("GenerateNewTrace"));
            case ExecutionCompleted -> new ExecutionCompletedEvent(id, played, ts, s.status("OrchestrationStatus"),
                    s.string("Result"), s.failure("FailureDetails"));
            case ContinueAsNew -> new ContinueAsNewEvent(id, played, ts, s.status("OrchestrationStatus"),
                    s.string("Result"), s.failure("FailureDetails"));
            case ExecutionTerminated -> new ExecutionTerminatedEvent(id, played, ts, s.string("Input"));
            case TaskScheduled -> new TaskScheduledEvent(id, played, ts, s.string("Name"), s.string("Version"),
                    s.string("Input"), s.trace("ParentTraceContext"), s.tags("Tags"));
            case TaskCompleted -> new TaskCompletedEvent(id, played, ts, intOf(s, "TaskScheduledId"),
                    s.string("Result"));
            case TaskFailed -> new TaskFailedEvent(id, played, ts, intOf(s, "TaskScheduledId"), s.string("Reason"),
                    s.string("Details"), s.failure("FailureDetails"));
            case SubOrchestrationInstanceCreated -> new SubOrchestrationInstanceCreatedEvent(id, played, ts,
                    s.string("Name"), s.string("Version"), s.string("InstanceId"), s.string("Input"),
                    s.string("ClientSpanId"), s.tags("Tags"));
            case SubOrchestrationInstanceCompleted -> new SubOrchestrationInstanceCompletedEvent(id, played, ts,
                    intOf(s, "TaskScheduledId"), s.string("Result"));
            case SubOrchestrationInstanceFailed -> new SubOrchestrationInstanceFailedEvent(id, played, ts,
                    intOf(s, "TaskScheduledId"), s.string("Reason"), s.string("Details"),
                    s.failure("FailureDetails"));
            case TimerCreated -> new TimerCreatedEvent(id, played, ts, s.dateTime("FireAt"));
            case TimerFired -> new TimerFiredEvent(id, played, ts, intOf(s, "TimerId"), s.dateTime("FireAt"));
            case OrchestratorStarted -> new OrchestratorStartedEvent(id, played, ts);
            case OrchestratorCompleted -> new OrchestratorCompletedEvent(id, played, ts);
            case EventSent -> new EventSentEvent(id, played, ts, s.string("InstanceId"), s.string("Name"),
                    s.string("Input"));
            case EventRaised -> new EventRaisedEvent(id, played, ts, s.string("Name"), s.string("Input"),
                    s.trace("ParentTraceContext"));
            // A row rewound by DTFx carries its "Rewound: ..." marker only in Reason (storage-layout.md §3.3).
            case GenericEvent -> new GenericEvent(id, played, ts,
                    s.string("Data") != null ? s.string("Data") : s.string("Reason"));
            case HistoryState -> new HistoryStateEvent(id, played, ts, s.json("State"));
            case ExecutionSuspended -> new ExecutionSuspendedEvent(id, played, ts, s.string("Reason"));
            case ExecutionResumed -> new ExecutionResumedEvent(id, played, ts, s.string("Reason"));
            case ExecutionRewound -> new ExecutionRewoundEvent(id, played, ts, s.string("Reason"),
                    s.string("ParentExecutionId"), s.string("InstanceId"), s.trace("ParentTraceContext"));
            case ExecutionFailed -> throw new IllegalArgumentException(
                    "EventType ExecutionFailed (2) has no event class in DTFx and is never written");
        };
    }

    private static int intOf(Source s, String name) {
        Integer value = s.integer(name);
        if (value == null) {
            throw new IllegalArgumentException("Required member '" + name + "' is missing");
        }
        return value;
    }

    /** The DTFx class name of an event type, e.g. {@code TaskScheduledEvent} (storage-layout.md §6.2). */
    static String className(EventType type) {
        return switch (type) {
            case GenericEvent -> "GenericEvent";
            case ExecutionFailed -> throw new IllegalArgumentException("ExecutionFailed has no event class");
            default -> type.name() + "Event";
        };
    }

    /** The event type for a DTFx event class name such as {@code TaskScheduledEvent}, or null if unknown. */
    static EventType typeOfClassName(String className) {
        if (className.equals("GenericEvent")) {
            return EventType.GenericEvent;
        }
        if (!className.endsWith("Event")) {
            return null;
        }
        String name = className.substring(0, className.length() - "Event".length());
        for (EventType t : EventType.values()) {
            if (t.name().equals(name) && t != EventType.ExecutionFailed && t != EventType.GenericEvent) {
                return t;
            }
        }
        return null;
    }
}
