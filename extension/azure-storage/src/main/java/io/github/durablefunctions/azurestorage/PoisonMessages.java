package io.github.durablefunctions.azurestorage;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.FailureDetails;
import io.github.durablefunctions.history.EventType;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Names and facts shared by the poison-message paths (README "Poison messages"; storage-layout.md §8.5 describes
 * DTFx, which only logs {@code PoisonMessageDetected} and never sets anything aside: this set-aside follows the Azure
 * Functions queue-trigger convention instead).
 *
 * <ul>
 *   <li>A message received for the {@code maxDequeueCount}-th time that cannot be read, or whose earlier deliveries
 *       all failed or were put back, is copied verbatim to the queue {@code <source queue>-poison} (created on first
 *       use, infinite time-to-live) and then deleted from its source queue.</li>
 *   <li>The orchestration it belongs to fails with {@link FailureDetails} of type {@value #ERROR_TYPE}; an activity
 *       work item instead becomes a {@code TaskFailed} with those details for the orchestration that scheduled it.</li>
 * </ul>
 */
final class PoisonMessages {
    /** {@code FailureDetails.ErrorType} of a failure caused by a poison message. */
    static final String ERROR_TYPE = "PoisonMessage";
    /** Suffix of the queue that poison messages of a queue are moved to (the Functions queue-trigger convention). */
    static final String POISON_QUEUE_SUFFIX = "-poison";
    private static final String BLOB_MESSAGE_MARKER = "/message-";

    private PoisonMessages() {
    }

    /** The poison queue of a queue: {@code <name>-poison}, e.g. {@code myhub-control-02-poison}. */
    static String poisonQueueName(String queueName) {
        return queueName + POISON_QUEUE_SUFFIX;
    }

    /**
     * Details of a failure caused by a poison message: type {@value #ERROR_TYPE}, the given message, no stack
     * trace. Retriable: a retry policy of the orchestration may try the activity or sub-orchestration again.
     */
    static FailureDetails failureDetails(String message) {
        return new FailureDetails(ERROR_TYPE, message, null, null, false, null);
    }

    /**
     * What can still be read from a message body that does not parse as a {@link MessageData}.
     *
     * @param instanceId  the target instance ID, or null if it cannot be found
     * @param executionId the target execution ID, or null
     * @param eventType   the event type name (e.g. {@code TaskCompleted}) or the {@code $type} as written, or null
     */
    record Peek(String instanceId, String executionId, String eventType) {
        static final Peek NOTHING = new Peek(null, null, null);
    }

    /**
     * Reads what it can of a message body, tolerating anything (storage-layout.md §6.2, §7.1): the JSON (or Base64 of
     * it) as a tree; {@code TaskMessage.OrchestrationInstance.InstanceId} and {@code .ExecutionId};
     * {@code TaskMessage.Event.EventType} (a number or a name) or its {@code $type}; for a large-message wrapper, the
     * instance ID and event type from its {@code CompressedBlobName} ({@code {instanceId}/message-{ActivityId}-
     * {EventType}.json.gz}).
     *
     * @return what was found; never null, never throws
     */
    static Peek peek(String body) {
        try {
            if (body == null || body.isBlank()) {
                return Peek.NOTHING;
            }
            String json = body.trim();
            if (!json.startsWith("{")) {
                json = new String(Base64.getDecoder().decode(json), StandardCharsets.UTF_8).trim();
            }
            JsonNode root = DtfxJson.MAPPER.readTree(json);
            if (root == null || !root.isObject()) {
                return Peek.NOTHING;
            }
            JsonNode taskMessage = root.get("TaskMessage");
            if (taskMessage != null && taskMessage.isObject()) {
                JsonNode instance = taskMessage.get("OrchestrationInstance");
                String instanceId = instance == null ? null : textOrNull(instance.get("InstanceId"));
                String executionId = instance == null ? null : textOrNull(instance.get("ExecutionId"));
                return new Peek(instanceId == null || instanceId.isEmpty() ? null : instanceId, executionId,
                        eventTypeOf(taskMessage.get("Event")));
            }
            String blobName = textOrNull(root.get("CompressedBlobName"));
            if (blobName != null) {
                int marker = blobName.lastIndexOf(BLOB_MESSAGE_MARKER);
                String instanceId = marker > 0 ? blobName.substring(0, marker) : null;
                String eventType = null;
                if (blobName.endsWith(".json.gz")) {
                    String stem = blobName.substring(0, blobName.length() - ".json.gz".length());
                    eventType = stem.substring(stem.lastIndexOf('-') + 1);
                }
                return new Peek(instanceId, null, eventType);
            }
            return Peek.NOTHING;
        } catch (Exception e) {
            return Peek.NOTHING;
        }
    }

    private static String eventTypeOf(JsonNode event) {
        if (event == null || !event.isObject()) {
            return null;
        }
        JsonNode eventType = event.get("EventType");
        if (eventType != null && eventType.isNumber()) {
            try {
                return EventType.fromValue(eventType.asInt()).name();
            } catch (RuntimeException e) {
                // fall through to $type
            }
        } else if (eventType != null && eventType.isTextual()) {
            return eventType.asText();
        }
        String type = textOrNull(event.get(DtfxJson.TYPE));
        if (type == null) {
            return null;
        }
        String name = DtfxJson.stripAssembly(type);
        return name.startsWith(MessageCodec.EVENT_TYPE_PREFIX)
                ? name.substring(MessageCodec.EVENT_TYPE_PREFIX.length()) : type;
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() || !node.isValueNode() ? null : node.asText();
    }
}
