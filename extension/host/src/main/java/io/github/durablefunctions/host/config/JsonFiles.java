package io.github.durablefunctions.host.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.durablefunctions.host.HostStartupException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the JSON files of a function app ({@code host.json}, {@code local.settings.json}, {@code function.json})
 * the way the Functions host does: comments and trailing commas are allowed, and property names are matched
 * case-insensitively (as .NET configuration binding does).
 */
public final class JsonFiles {
    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private JsonFiles() {
    }

    /**
     * Reads a JSON file that must hold an object.
     *
     * @param file the file
     * @return the object node
     * @throws HostStartupException if the file cannot be read, is not valid JSON (the message gives line and
     *                              column), or does not hold a JSON object
     */
    public static JsonNode readObject(Path file) throws HostStartupException {
        JsonNode node;
        try {
            node = LENIENT.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new HostStartupException(file + " is not valid JSON: " + e.getOriginalMessage() + where, e);
        } catch (IOException e) {
            throw new HostStartupException("Cannot read " + file + ": " + e, e);
        }
        if (node == null || !node.isObject()) {
            throw new HostStartupException(file + " must hold a JSON object");
        }
        return node;
    }

    /**
     * The property of {@code object} whose name equals {@code name} ignoring case.
     *
     * @return the value, or null if {@code object} is not an object or has no such property
     */
    public static JsonNode field(JsonNode object, String name) {
        if (object == null || !object.isObject()) {
            return null;
        }
        JsonNode exact = object.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }
}
