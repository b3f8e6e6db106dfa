package io.github.durablefunctions.testing.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.durablefunctions.history.HistoryEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A portable history file: the recorded history of one orchestration execution as JSON (UTF-8), to export from a
 * task hub ({@link HistoryLoader}), keep with the tests, and replay against changed code ({@link ReplayCheck},
 * {@link ReplayCheckCommand}).
 *
 * <p>The format:
 * <pre>{@code
 * {
 *   "formatVersion": 1,
 *   "instanceId": "order-42",
 *   "executionId": "9f4c...",
 *   "name": "ProcessOrder",
 *   "events": [
 *     { "EventType": "OrchestratorStarted", "EventId": -1, "IsPlayed": false, "Timestamp": "2024-05-01T12:00:00Z" },
 *     { "EventType": "ExecutionStarted", "EventId": -1, "IsPlayed": false, "Timestamp": "2024-05-01T12:00:00Z",
 *       "OrchestrationInstance": { "InstanceId": "order-42", "ExecutionId": "9f4c..." },
 *       "Name": "ProcessOrder", "Input": "{\"id\":42}", "GenerateNewTrace": false },
 *     { "EventType": "TaskScheduled", "EventId": 0, "IsPlayed": false, "Timestamp": "2024-05-01T12:00:00Z",
 *       "Name": "ChargeCard", "Input": "42" },
 *     { "EventType": "OrchestratorCompleted", "EventId": -1, "IsPlayed": false, "Timestamp": "2024-05-01T12:00:00Z" }
 *   ]
 * }
 * }</pre>
 * {@code instanceId}, {@code executionId} and {@code name} may be null or absent; {@code events} is required, in
 * history order, each event in the form described by {@link HistoryEventJson}. {@code formatVersion} is 1 when
 * present; other members are ignored.
 */
public final class HistoryFile {
    /** The version of the format that {@link #write} writes and {@link #read} reads. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HistoryFile() {
    }

    /**
     * Writes a history file (creating or replacing {@code file}).
     *
     * @throws UncheckedIOException if the file cannot be written
     */
    public static void write(Path file, RecordedHistory history) {
        try {
            Files.writeString(file, toJson(history), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the history file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a history file.
     *
     * @throws UncheckedIOException     if the file cannot be read
     * @throws IllegalArgumentException if it is not a history file (the message names the file and what is wrong,
     *                                  with the index of a bad event)
     */
    public static RecordedHistory read(Path file) {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the history file " + file + ": " + e.getMessage(), e);
        }
        try {
            return fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " is not a history file: " + e.getMessage(), e);
        }
    }

    /** The JSON text of a history file. */
    public static String toJson(RecordedHistory history) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", FORMAT_VERSION);
        root.put("instanceId", history.instanceId());
        root.put("executionId", history.executionId());
        root.put("name", history.name());
        ArrayNode events = root.putArray("events");
        for (HistoryEvent event : history.events()) {
            events.add(HistoryEventJson.toJson(event));
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write history JSON", e); // cannot happen for a tree
        }
    }

    /**
     * Parses the JSON text of a history file.
     *
     * @throws IllegalArgumentException if it is not a history file
     */
    public static RecordedHistory fromJson(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("it is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("it must hold a JSON object with \"events\"");
        }
        JsonNode version = root.get("formatVersion");
        if (version != null && !version.isNull() && !(version.isInt() && version.intValue() == FORMAT_VERSION)) {
            throw new IllegalArgumentException("unsupported formatVersion " + version + " (this version reads "
                    + FORMAT_VERSION + ")");
        }
        JsonNode events = root.get("events");
        if (events == null || !events.isArray()) {
            throw new IllegalArgumentException("it needs an \"events\" array");
        }
        List<HistoryEvent> list = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            try {
                list.add(HistoryEventJson.fromJson(events.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("event [" + i + "]: " + e.getMessage(), e);
            }
        }
        return new RecordedHistory(text(root, "instanceId"), text(root, "executionId"), text(root, "name"), list);
    }

    private static String text(JsonNode root, String name) {
        JsonNode value = root.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + name + "\" must be a string, not " + value);
        }
        return value.textValue();
    }
}
