package io.github.durablefunctions.azurefunctions;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.durablefunctions.OrchestrationMetadata;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The status of one instance as the Durable Functions HTTP API returns it (api-and-http.md §3.3), and the body
 * {@link DurableClientContext#waitForCompletionOrCreateCheckStatusResponse} returns for a failed, terminated or
 * canceled instance. Payloads are JSON
 * tokens (the stored JSON text parsed; text that is not JSON becomes a JSON string; null when absent), times are UTC
 * with second precision ({@code yyyy-MM-ddTHH:mm:ssZ}, .NET's {@code ToString("s") + "Z"}).
 *
 * @param name            the orchestrator name
 * @param instanceId      the instance ID
 * @param runtimeStatus   the status name, e.g. {@code Running}, {@code Completed}, {@code ContinuedAsNew}
 * @param input           the input, or null (also null when not requested: {@code showInput=false})
 * @param customStatus    the custom status, or null
 * @param output          the output (for a failed instance, what the backend stored as output), or null
 * @param createdTime     creation time
 * @param lastUpdatedTime last change
 * @param historyEvents   the history as a JSON array (the host's {@code showHistory=true}); omitted from JSON when
 *                        null
 */
@JsonPropertyOrder({"name", "instanceId", "runtimeStatus", "input", "customStatus", "output", "createdTime",
        "lastUpdatedTime", "historyEvents"})
public record StatusResponsePayload(String name, String instanceId, String runtimeStatus, JsonNode input,
                                    JsonNode customStatus, JsonNode output, String createdTime,
                                    String lastUpdatedTime,
                                    @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode historyEvents) {

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * Builds the payload of an instance.
     *
     * @param metadata  the instance, read with inputs and outputs
     * @param showInput whether to include the input
     * @param mapper    parses the stored JSON payloads
     */
    public static StatusResponsePayload of(OrchestrationMetadata metadata, boolean showInput, ObjectMapper mapper) {
        return new StatusResponsePayload(metadata.getName(), metadata.getInstanceId(),
                metadata.getRuntimeStatus().statusName(),
                showInput ? token(metadata.getSerializedInput(), mapper) : null,
                token(metadata.getSerializedCustomStatus(), mapper),
                token(metadata.getSerializedOutput(), mapper),
                formatTime(metadata.getCreatedAt()), formatTime(metadata.getLastUpdatedAt()), null);
    }

    /** This payload with the history array set ({@code showHistory=true}). */
    public StatusResponsePayload withHistoryEvents(JsonNode events) {
        return new StatusResponsePayload(name, instanceId, runtimeStatus, input, customStatus, output, createdTime,
                lastUpdatedTime, events);
    }

    /** Formats a time as {@code yyyy-MM-ddTHH:mm:ssZ} in UTC; null for null. */
    public static String formatTime(Instant time) {
        return time == null ? null : SECONDS.format(time);
    }

    /** The stored JSON text as a JSON token: parsed, or a JSON string if it is not JSON; null for null. */
    public static JsonNode token(String serialized, ObjectMapper mapper) {
        if (serialized == null) {
            return null;
        }
        try {
            JsonNode node = mapper.readTree(serialized);
            return node == null || node.isMissingNode() ? null : node;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(serialized);
        }
    }
}
