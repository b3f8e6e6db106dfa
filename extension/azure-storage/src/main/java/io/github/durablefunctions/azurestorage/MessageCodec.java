package io.github.durablefunctions.azurestorage;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.OrchestrationRuntimeStatus;
import io.github.durablefunctions.backend.TaskMessage;
import io.github.durablefunctions.history.DistributedTraceContext;
import io.github.durablefunctions.history.EventType;
import io.github.durablefunctions.history.ExecutionStartedEvent;
import io.github.durablefunctions.history.HistoryEvent;
import io.github.durablefunctions.history.OrchestrationInstance;
import io.github.durablefunctions.history.ParentInstance;
import io.github.durablefunctions.history.TaskScheduledEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * Queue message JSON: {@link MessageData} as Newtonsoft.Json writes it in DTFx's Azure Storage provider
 * (storage-layout.md §6.2). Compact UTF-8 text; {@code $type} first in every object except {@code Sender}, with
 * FullName type strings and no assembly; enums as integers; DateTimes in 7-digit round-trip form with {@code Z};
 * nulls written except {@code Episode} and {@code Sender}. Members in Newtonsoft's order: an event's
 * {@code EventType} first, then its own members ({@link EventFields}), then {@code EventId}, {@code IsPlayed},
 * {@code Timestamp}.
 *
 * <p>The reader accepts Base64 bodies (anything not starting with {@code &#123;}, §6.1), {@code $type} strings with
 * a {@code , Assembly} suffix, and objects without {@code $type} (using {@code EventType}).
 */
final class MessageCodec {
    static final String MESSAGE_DATA_TYPE = "DurableTask.AzureStorage.MessageData";
    static final String TASK_MESSAGE_TYPE = "DurableTask.Core.TaskMessage";
    static final String EXECUTION_CONTEXT_TYPE = "DurableTask.Core.OrchestrationExecutionContext";
    static final String EVENT_TYPE_PREFIX = "DurableTask.Core.History.";

    private MessageCodec() {
    }

    /** The compact JSON of a message. */
    static String encode(MessageData data) {
        return DtfxJson.write(g -> {
            g.writeStartObject();
            g.writeStringField(DtfxJson.TYPE, MESSAGE_DATA_TYPE);
            g.writeStringField("ActivityId", data.activityId().toString());
            g.writeFieldName("TaskMessage");
            writeTaskMessage(g, data.taskMessage());
            g.writeStringField("CompressedBlobName", data.compressedBlobName());
            g.writeNumberField("SequenceNumber", data.sequenceNumber());
            if (data.episode() != null) {
                g.writeNumberField("Episode", data.episode());
            }
            if (data.sender() != null) {
                g.writeFieldName("Sender");
                DtfxJson.writeInstance(g, data.sender(), false);
            }
            g.writeStringField("SerializableTraceContext", data.serializableTraceContext());
            g.writeEndObject();
        });
    }

    /** The JSON of one history event with {@code $type} (as inside a TaskMessage). */
    static String encodeEvent(HistoryEvent event) {
        return DtfxJson.write(g -> writeEvent(g, event));
    }

    private static void writeTaskMessage(JsonGenerator g, TaskMessage message) throws IOException {
        if (message == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        g.writeStringField(DtfxJson.TYPE, TASK_MESSAGE_TYPE);
        g.writeFieldName("Event");
        writeEvent(g, message.event());
        g.writeNumberField("SequenceNumber", 0);
        g.writeFieldName("OrchestrationInstance");
        DtfxJson.writeInstance(g, message.orchestrationInstance(), true);
        g.writeFieldName("OrchestrationExecutionContext");
        Map<String, String> tags = message.orchestrationTags();
        boolean carriesContext = message.event() instanceof TaskScheduledEvent
                || (message.event() instanceof ExecutionStartedEvent started && started.parentInstance() != null);
        if (tags == null && !carriesContext) {
            g.writeNull();
        } else {
            g.writeStartObject();
            g.writeStringField(DtfxJson.TYPE, EXECUTION_CONTEXT_TYPE);
            g.writeFieldName("OrchestrationTags");
            DtfxJson.writeTags(g, tags == null ? Map.of() : tags, true);
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeEvent(JsonGenerator g, HistoryEvent event) throws IOException {
        g.writeStartObject();
        g.writeStringField(DtfxJson.TYPE, EVENT_TYPE_PREFIX + EventFields.className(event.eventType()));
        g.writeNumberField("EventType", event.eventType().value());
        for (EventFields.Field field : EventFields.of(event)) {
            g.writeFieldName(field.name());
            writeValue(g, field);
        }
        g.writeNumberField("EventId", event.eventId());
        g.writeBooleanField("IsPlayed", event.isPlayed());
        g.writeStringField("Timestamp", DotNetDateTime.format(event.timestamp()));
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, EventFields.Field field) throws IOException {
        Object v = field.value();
        if (v == null && field.kind() != EventFields.Kind.BOOL) {
            g.writeNull();
            return;
        }
        switch (field.kind()) {
            case STRING -> g.writeString((String) v);
            case INT, NULLABLE_INT -> g.writeNumber((Integer) v);
            case BOOL -> g.writeBoolean(Boolean.TRUE.equals(v));
            case DATETIME, NULLABLE_DATETIME -> g.writeString(DotNetDateTime.format((Instant) v));
            case STATUS -> g.writeNumber(((OrchestrationRuntimeStatus) v).wireValue());
            case INSTANCE -> DtfxJson.writeInstance(g, (OrchestrationInstance) v, true);
            case PARENT -> DtfxJson.writeParent(g, (ParentInstance) v, true);
            case FAILURE -> DtfxJson.writeFailure(g, (FailureDetails) v, true);
            case TRACE -> DtfxJson.writeTrace(g, (DistributedTraceContext) v, true);
            case TAGS -> {
                @SuppressWarnings("unchecked")
                Map<String, String> tags = (Map<String, String>) v;
                DtfxJson.writeTags(g, tags, true);
            }
            case JSON -> writeRawJson(g, (String) v);
        }
    }

    private static void writeRawJson(JsonGenerator g, String json) throws IOException {
        JsonNode node;
        try {
            node = DtfxJson.parse(json);
        } catch (IllegalArgumentException e) {
            g.writeString(json);
            return;
        }
        DtfxJson.MAPPER.writeTree(g, node);
    }

    // ------------------------------------------------------------------------------------------------ decoding

    /**
     * Parses a queue message body: JSON, or Base64 of UTF-8 JSON.
     *
     * @throws IllegalArgumentException if the body is neither, is not a MessageData object, or holds an event that
     *                                  cannot be read; the message says what was wrong
     */
    static MessageData decode(String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("The message body is empty");
        }
        String json = body.trim();
        if (!json.startsWith("{")) {
            try {
                json = new String(Base64.getDecoder().decode(json), StandardCharsets.UTF_8).trim();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("The message body is neither JSON nor Base64: "
                        + abbreviate(body), e);
            }
        }
        JsonNode root = DtfxJson.parse(json);
        if (!root.isObject()) {
            throw new IllegalArgumentException("The message body is not a JSON object: " + abbreviate(json));
        }
        String type = DtfxJson.text(root, DtfxJson.TYPE);
        if (type != null && !DtfxJson.stripAssembly(type).equals(MESSAGE_DATA_TYPE)) {
            throw new IllegalArgumentException("Expected $type " + MESSAGE_DATA_TYPE + " but found '" + type + "'");
        }
        String activityIdText = DtfxJson.text(root, "ActivityId");
        UUID activityId;
        try {
            activityId = activityIdText == null ? new UUID(0, 0) : UUID.fromString(activityIdText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ActivityId is not a GUID: '" + activityIdText + "'", e);
        }
        String compressedBlobName = DtfxJson.text(root, "CompressedBlobName");
        JsonNode taskMessageNode = root.get("TaskMessage");
        TaskMessage taskMessage = DtfxJson.isNull(taskMessageNode) ? null : readTaskMessage(taskMessageNode);
        if (taskMessage == null && compressedBlobName == null) {
            throw new IllegalArgumentException("The message has neither a TaskMessage nor a CompressedBlobName");
        }
        JsonNode sequence = root.get("SequenceNumber");
        JsonNode episode = root.get("Episode");
        return new MessageData(activityId, taskMessage, compressedBlobName,
                DtfxJson.isNull(sequence) ? 0 : sequence.asLong(),
                DtfxJson.isNull(episode) ? null : episode.asInt(),
                DtfxJson.readInstance(root.get("Sender")), DtfxJson.text(root, "SerializableTraceContext"));
    }

    private static TaskMessage readTaskMessage(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("TaskMessage is not a JSON object");
        }
        JsonNode eventNode = node.get("Event");
        if (DtfxJson.isNull(eventNode)) {
            throw new IllegalArgumentException("TaskMessage has no Event");
        }
        HistoryEvent event = decodeEvent(eventNode);
        OrchestrationInstance instance = DtfxJson.readInstance(node.get("OrchestrationInstance"));
        if (instance == null || instance.instanceId() == null) {
            throw new IllegalArgumentException("TaskMessage has no OrchestrationInstance.InstanceId");
        }
        Map<String, String> tags = null;
        JsonNode context = node.get("OrchestrationExecutionContext");
        if (!DtfxJson.isNull(context) && context.isObject()) {
            tags = DtfxJson.readTags(context.get("OrchestrationTags"));
        }
        return new TaskMessage(event, instance, tags);
    }

    /** Reads one event object (with or without {@code $type}). */
    static HistoryEvent decodeEvent(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("Event is not a JSON object");
        }
        EventType type = null;
        String typeName = DtfxJson.text(node, DtfxJson.TYPE);
        if (typeName != null) {
            String name = DtfxJson.stripAssembly(typeName);
            if (!name.startsWith(EVENT_TYPE_PREFIX)
                    || (type = EventFields.typeOfClassName(name.substring(EVENT_TYPE_PREFIX.length()))) == null) {
                throw new IllegalArgumentException("Unknown event $type '" + typeName + "'");
            }
        } else {
            JsonNode eventType = node.get("EventType");
            if (DtfxJson.isNull(eventType)) {
                throw new IllegalArgumentException("Event has neither $type nor EventType");
            }
            type = eventType.isNumber() ? EventType.fromValue(eventType.asInt()) : EventType.valueOf(
                    eventType.asText());
        }
        JsonNode eventId = node.get("EventId");
        JsonNode played = node.get("IsPlayed");
        String timestamp = DtfxJson.text(node, "Timestamp");
        try {
            return EventFields.build(type, DtfxJson.isNull(eventId) ? -1 : eventId.asInt(),
                    !DtfxJson.isNull(played) && played.asBoolean(),
                    timestamp == null ? Instant.EPOCH : DotNetDateTime.parse(timestamp), new JsonSource(node));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Cannot read " + type + " event: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Event members read from a queue JSON object. */
    private record JsonSource(JsonNode node) implements EventFields.Source {
        @Override
        public String string(String name) {
            return DtfxJson.text(node, name);
        }

        @Override
        public Integer integer(String name) {
            JsonNode v = node.get(name);
            if (DtfxJson.isNull(v)) {
                return null;
            }
            return v.isNumber() ? Integer.valueOf(v.asInt()) : Integer.valueOf(Integer.parseInt(v.asText()));
        }

        @Override
        public boolean bool(String name) {
            JsonNode v = node.get(name);
            return !DtfxJson.isNull(v) && v.asBoolean();
        }

        @Override
        public Instant dateTime(String name) {
            String v = DtfxJson.text(node, name);
            return v == null ? null : DotNetDateTime.parse(v);
        }

        @Override
        public OrchestrationRuntimeStatus status(String name) {
            JsonNode v = node.get(name);
            if (DtfxJson.isNull(v)) {
                return null;
            }
            return v.isNumber() ? OrchestrationRuntimeStatus.fromWireValue(v.asInt())
                    : OrchestrationRuntimeStatus.fromStatusName(v.asText());
        }

        @Override
        public OrchestrationInstance instance(String name) {
            return DtfxJson.readInstance(node.get(name));
        }

        @Override
        public ParentInstance parent(String name) {
            return DtfxJson.readParent(node.get(name));
        }

        @Override
        public FailureDetails failure(String name) {
            return DtfxJson.readFailure(node.get(name));
        }

        @Override
        public DistributedTraceContext trace(String name) {
            return DtfxJson.readTrace(node.get(name));
        }

        @Override
        public Map<String, String> tags(String name) {
            return DtfxJson.readTags(node.get(name));
        }

        @Override
        public String json(String name) {
            JsonNode v = node.get(name);
            if (DtfxJson.isNull(v)) {
                return null;
            }
            return v.isTextual() ? v.asText() : v.toString();
        }
    }
}
