package io.github.durablefunctions.host.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.durablefunctions.host.config.JsonFiles;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a {@code function.json} {@code bindings} array, e.g.
 * {@code {"type":"httpTrigger","direction":"in","name":"req","methods":["POST"],"route":"orchestrators/{functionName}"}}
 * (api-and-http.md §1.3). Attributes other than {@code type}, {@code direction} and {@code name} are read with
 * {@link #attribute(String)}; names are matched ignoring case.
 *
 * @param type      the binding type, e.g. {@code httpTrigger}, {@code orchestrationTrigger}, {@code durableClient}
 * @param direction {@code in}, {@code out} or {@code inout}; empty if absent
 * @param name      the binding's variable name ({@code $return} for the return value)
 * @param json      the whole binding object
 */
public record BindingDefinition(String type, String direction, String name, JsonNode json) {

    /** Binding types of the triggers this host runs. */
    public static final String HTTP_TRIGGER = "httpTrigger";
    public static final String ORCHESTRATION_TRIGGER = "orchestrationTrigger";
    public static final String ACTIVITY_TRIGGER = "activityTrigger";
    public static final String ENTITY_TRIGGER = "entityTrigger";
    public static final String DURABLE_CLIENT = "durableClient";

    /** True if this binding's type is {@code expected}, ignoring case (binding types are case-insensitive). */
    public boolean is(String expected) {
        return type.equalsIgnoreCase(expected);
    }

    /** True for trigger bindings: their type ends with {@code Trigger}. */
    public boolean isTrigger() {
        return type.toLowerCase().endsWith("trigger");
    }

    /**
     * A string attribute.
     *
     * @return the value as text, or null if absent, null or empty
     */
    public String attribute(String attributeName) {
        JsonNode node = JsonFiles.field(json, attributeName);
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        String text = node.asText();
        return text.isEmpty() ? null : text;
    }

    /**
     * A string-array attribute (e.g. {@code methods}); a single string is read as a one-element list.
     *
     * @return the values; empty if absent
     */
    public List<String> listAttribute(String attributeName) {
        JsonNode node = JsonFiles.field(json, attributeName);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else {
            values.add(node.asText());
        }
        return values;
    }
}
